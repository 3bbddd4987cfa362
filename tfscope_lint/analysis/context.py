"""Per-module and per-call bookkeeping of the interpreter: modules, frames, origins, raw reports."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

import libcst as cst

from tfscope_lint.analysis.positions import NodePositions
from tfscope_lint.analysis.values import Value
from tfscope_lint.findings import Location


@functools.lru_cache(maxsize=None)
def node_handler(interpreter_class: type, prefix: str, node_type: type) -> Any:
    """The interpreter's method for a kind of node (`expr_Call`, `stmt_If`), or None: looked up once per
    class and node type, not once per node."""
    return getattr(interpreter_class, prefix + node_type.__name__, None)


class ModuleContext:
    """One parsed file: its tree, its globals, and positions computed only when a finding needs them."""

    def __init__(self, path: str, dotted: str, tree: cst.Module, is_package: bool = False,
                 source: Any = None) -> None:
        self.path = path
        self.dotted = dotted
        self.tree = tree
        self.is_package = is_package
        self.source = source  # the project's SourceFile: text, positions and function facts, shared by runs
        self.globals: Dict[str, Value] = {}
        self._positions: Optional[NodePositions] = None
        self.executed = False
        self.born = -1  # the clock when its import began (see values.stamp); -1: the script, never imported
        self.functions: List[Tuple[Any, Any]] = []  # (FunctionVal, owner class or None), in definition order

    def line(self, node: cst.CSTNode, within: Optional[cst.CSTNode] = None) -> int:
        """Only the line of a node (in the function `within`, if known): cheaper than its location."""
        if self._positions is None and self.source is not None:
            return self.source.line_of(node, within)
        return self.location(node).line

    def location(self, node: cst.CSTNode) -> Location:
        if self._positions is None:
            self._positions = self.source.positions() if self.source is not None else NodePositions(self.tree)
        pos = self._positions.get(node)
        if pos is None:
            return Location(self.path, 1, 1, 1, 1)
        line, column, end_line, end_column = pos
        return Location(self.path, line, column + 1, end_line, end_column + 1)


class Frame:
    """Local variables of one function activation (or a module's globals at module level)."""

    def __init__(self, module: ModuleContext, parent: Optional["Frame"], name: str,
                 local_vars: Optional[Dict[str, Value]] = None, is_module: bool = False) -> None:
        self.module = module
        self.parent = parent
        self.name = name
        self.is_module = is_module
        self.vars: Dict[str, Value] = module.globals if is_module else (local_vars or {})
        self.global_names: Set[str] = set()
        self.nonlocal_names: Set[str] = set()
        self.returns: List[Value] = []
        self.extra_uncertain = 0  # > 0 once an undecidable early return may have left the function
        self.loop_uncertain = 0  # > 0 once an undecidable break or continue may have left the running iteration
        self.class_body = False


@dataclass(frozen=True)
class Site:
    """A place in the analysed code: a node of a module."""

    module: ModuleContext
    node: cst.CSTNode
    within: Optional[cst.CSTNode] = field(default=None, compare=False)  # the function running it, if known

    def location(self) -> Location:
        return self.module.location(self.node)

    def line(self) -> int:
        return self.module.line(self.node, self.within)


@dataclass(frozen=True)
class Origin:
    """Where something happened, with the chain of calls (outermost first) that led there."""

    site: Site
    chain: Tuple[Site, ...] = ()

    @property
    def text(self) -> str:
        """Source text of the creating call, to tell rebuilds from different definitions (only when asked:
        generating code is costly)."""
        node = self.site.node
        if not isinstance(node, cst.Call):
            return ""
        try:
            return self.site.module.tree.code_for_node(node)
        except Exception:  # noqa: BLE001 - text is only a hint
            return ""


@dataclass
class RawReport:
    """A finding before positions and message text: the interpreter's output."""

    code: str
    origin: Origin
    facts: Dict[str, Any] = field(default_factory=dict)
    related: List[Tuple[str, Origin, Dict[str, Any]]] = field(default_factory=list)
    variable: Optional[str] = None
    scope: Optional[str] = None
    cascade: Optional[tuple] = None  # reports with the same key share one cause: only the first is kept
    followers: int = 0  # how many later reports of the same cause were folded into this one
