"""Progress of the probe children on stderr (rich, imported only when probes run)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from envaudit.behaviour.runner import Events


@contextlib.contextmanager
def stderr_progress(libraries: Sequence[str]) -> Iterator[Events]:
    """An Events callback: a live line per library on a terminal, plain lines otherwise."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        yield _lines(console)
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=False) as bar:
        tasks = {lib: bar.add_task(f"{lib}: waiting", total=1) for lib in libraries}

        def update(library: str, state: str, detail: str) -> None:
            text = f"{library}: {'probing' if state == 'start' else detail or state}"
            bar.update(tasks[library], description=text, completed=0 if state == "start" else 1)

        yield update


def _lines(console: Any) -> Events:
    lock = threading.Lock()

    def line(library: str, state: str, detail: str) -> None:
        if state == "start":
            return
        with lock:
            word = "not probed" if state == "unavailable" else "probed"
            console.print(f"envaudit: {word} {library}: {detail}", markup=False)

    return line
