"""Ctrl-C: exit 130 at once, with no traceback, wherever it lands, and no worker process left behind.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to be: inside
an import (a traceback), inside click (`Aborted!` and exit code 1, the code for findings), or
between starting the analysis thread and waiting for it. So the command line replaces the handler
before it imports anything heavy: the handler ends the worker processes and leaves with 130, the
code a shell expects after Ctrl-C. Only the console script and `python -m` install it; a program
that imports tfscope-lint keeps its own Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, NoReturn, Optional

INTERRUPTED = 130
_owner: Optional[int] = None  # the process that installed the handler: the one that speaks and ends workers


def install() -> None:
    """Make SIGINT end the run with 130 (idempotent; a no-op off the main thread)."""
    global _owner
    _owner = os.getpid()
    try:
        signal.signal(signal.SIGINT, _on_sigint)
    except (ValueError, OSError):  # not the main thread, or no signals on this platform
        pass


def _on_sigint(signum: int, frame: Any) -> None:
    abandon()


def abandon() -> NoReturn:
    """Leave now: end the worker processes, say `Aborted!`, exit 130 without the usual shutdown.

    The analysis thread cannot be interrupted (it may be inside libcst's native parser), and an
    interpreter that shuts down under a running thread may abort with SIGABRT; hence os._exit.
    A forked worker (which inherits the handler and gets the terminal's SIGINT too) leaves quietly.
    """
    if _owner is not None and os.getpid() != _owner:
        os._exit(INTERRUPTED)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the leaving
    except (ValueError, OSError):
        pass
    multiprocessing = sys.modules.get("multiprocessing")  # imported by now if there are workers
    if multiprocessing is not None:
        try:
            children = multiprocessing.active_children()
        except Exception:  # noqa: BLE001 - interrupted inside multiprocessing's own bookkeeping
            children = []
        for child in children:
            try:
                child.kill()
            except Exception:  # noqa: BLE001
                pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe, or a write this signal interrupted
            pass
    try:
        os.write(2, b"\nAborted!\n")
    except OSError:
        pass
    os._exit(INTERRUPTED)
