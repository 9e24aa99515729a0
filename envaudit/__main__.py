"""`python -m envaudit`."""

from envaudit.commands import main

if __name__ == "__main__":
    main()
