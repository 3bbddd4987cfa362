"""One place decides whether output may carry colour: only on a terminal, never with NO_COLOR or --no-color."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def color_allowed(no_color_flag: bool) -> bool:
    """False when the user asked for plain text; otherwise rich still checks for a terminal."""
    return not (no_color_flag or os.environ.get("NO_COLOR"))


def make_console(stream: TextIO, color: bool) -> Console:
    """A console that never wraps lines (paths and messages must stay greppable) and never guesses markup."""
    from rich.console import Console  # rich loads with the first console: machine formats never need it

    return Console(
        file=stream,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
