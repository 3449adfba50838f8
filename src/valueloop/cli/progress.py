"""A rich progress bar that fits the engine's ``progress(done, total)`` callback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from valueloop.cli.output import err_console
from valueloop.core.study import Progress as ProgressCallback


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    if not enabled or not err_console.is_terminal:
        # A transient bar still prints a newline when it stops; off a terminal it only adds noise.
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
