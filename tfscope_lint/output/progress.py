"""A rich progress bar for long runs on a terminal; never in pipes, CI logs or with --quiet."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping, Optional, TextIO

from tfscope_lint.runner import Progress as ProgressHooks

if TYPE_CHECKING:
    from rich.progress import Progress

MANY_FILES = 20


def wanted(stream: TextIO, quiet: bool, env: Mapping[str, str] = os.environ) -> bool:
    """Only a person watching a terminal wants a bar; CI sets CI=true even when it fakes a tty."""
    isatty = getattr(stream, "isatty", lambda: False)
    return not quiet and bool(isatty()) and not env.get("CI") and env.get("TERM") != "dumb"


class ProgressBar(ProgressHooks):
    """Shows the files read, then the entry files analysed; one clock for the whole run."""

    def __init__(self, stream: TextIO, threshold: int = MANY_FILES) -> None:
        from rich.console import Console  # loaded only when a bar may show: a quiet run never pays for it

        self._console = Console(file=stream)
        self._threshold = threshold
        self._bar: Optional[Progress] = None
        self._task = None

    def files_found(self, total: int) -> None:
        if total < self._threshold:
            return
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
        )

        self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), console=self._console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("reading", total=total)

    def file_read(self, path: str) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def analysing(self) -> None:
        if self._bar is not None:
            self._restart("analysing", None)

    def entries_done(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        task = self._bar.tasks[self._task_index()]
        if task.total != total:
            self._restart("analysing", total)
        self._bar.update(self._task, completed=min(done, total))

    def _task_index(self) -> int:
        return next(i for i, t in enumerate(self._bar.tasks) if t.id == self._task)  # type: ignore[union-attr]

    def _restart(self, description: str, total: Optional[int]) -> None:
        """The same bar counts something else now; its clock goes on from the start of the run."""
        assert self._bar is not None
        started = self._bar.tasks[self._task_index()].start_time
        self._bar.reset(self._task, total=total, completed=0, description=description)
        self._bar.tasks[self._task_index()].start_time = started

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
