"""`python -m envaudit`."""

import sys

from envaudit.main import main

if __name__ == "__main__":
    sys.exit(main())
