"""libcst's parser without its per-node validation: the same tree, a fifth less time.

Every libcst node checks its own fields when it is built (`CSTNode.__post_init__` -> `_validate`),
which is what a program building trees by hand needs; libcst's own note on it says the work
could move out of parsing. A tree the parser builds from text that Python's parser accepts
(the analysis asks Python first or right after) is valid by construction, so the check is
switched off for the parse and on again at once, in this process only.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

import libcst as cst
from libcst._nodes.base import CSTNode

_VALIDATING: Callable[[CSTNode], None] = CSTNode.__post_init__
_LOCK = threading.Lock()


def _skip(self: CSTNode) -> None:  # noqa: ARG001 - stands in for CSTNode.__post_init__
    return None


def parse_module(text: str, config: Optional[cst.PartialParserConfig] = None) -> cst.Module:
    """`libcst.parse_module`, minus node validation; raises what it raises."""
    with _LOCK:  # another thread building nodes meanwhile would skip its checks too
        CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
        try:
            return cst.parse_module(text, config) if config is not None else cst.parse_module(text)
        finally:
            CSTNode.__post_init__ = _VALIDATING  # type: ignore[method-assign]
