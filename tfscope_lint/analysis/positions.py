"""Node positions from one code-generation pass, kept as character offsets and read through a line table.

libcst's PositionProvider regenerates the module while it splits every token on newlines and
builds two position objects per node, about five times the cost of generating the code. The same
pass that only counts characters, plus a table of line starts, gives the same positions (tested
against PositionProvider) for the few nodes a finding names.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

Span = Tuple[int, int]  # start and end offsets, in characters
_NEWLINE = re.compile(r"\r\n?|\n")


class _OffsetState(CodegenState):
    """Codegen that records each node's span as PositionProvider does, with offsets instead of positions.

    A function body not yet parsed (lazy_bodies.LazyBody) generates its text as it stands: the offsets
    after it are exact, but the spans that end where its last statement does (the body's, the function's,
    a class's around it) are not known; they are `inexact`, unless `read_bodies` parses such bodies."""

    def __init__(self, module: cst.Module, read_bodies: bool = False) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.spans: Dict[cst.CSTNode, Span] = {}
        self.starts: List[int] = []
        self.read_bodies = read_bodies
        self.inexact: Set[cst.CSTNode] = set()

    def add_indent_tokens(self) -> None:
        super().add_indent_tokens()
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # the module's last newline still ends a line for the line table (PositionProvider counts it)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # a syntactic position recorded inside wins, as in PositionProvider
            self.spans[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        start = self.offset
        yield  # no `finally`: a codegen that stops part-way (_UntilNode) needs no span it would close
        end = self.offset
        if start_node is not None:
            start = self.spans[start_node][0]
        if end_node is not None:
            end = self.spans[end_node][1]
        self.spans[node] = (start, end)
        if start_node in self.inexact or end_node in self.inexact:
            self.inexact.add(node)


_BODIES_READ = [0]  # function bodies parsed since the start (lazy_bodies): positions made before lack their nodes


def note_body_read() -> None:
    _BODIES_READ[0] += 1


def bodies_read() -> int:
    return _BODIES_READ[0]


def line_starts(text: str) -> List[int]:
    """The offset at which each line starts, lines split as Python and libcst split them."""
    return [0] + [match.end() for match in _NEWLINE.finditer(text)]


class NodePositions:
    """(line, column, end line, end column) of any node of one module: lines from 1, columns from 0.

    Built from a part of the module (`part`, e.g. one function), the lines and columns are those of
    the part's own generated text: lines count from its first line, columns ignore outer indentation.
    """

    def __init__(self, module: cst.Module, part: Optional[cst.CSTNode] = None, read_bodies: bool = False) -> None:
        self._module, self._part, self._read_bodies = module, part, read_bodies
        self._build()

    def _build(self) -> None:
        self._reads = bodies_read()
        state = _OffsetState(self._module, self._read_bodies)
        (self._part or self._module)._codegen(state)
        self._spans = state.spans
        self._line_starts = line_starts("".join(state.tokens))
        self._inexact = state.inexact
        self._exact: Optional[NodePositions] = None

    def _point(self, offset: int) -> Tuple[int, int]:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def get(self, node: cst.CSTNode) -> Optional[Tuple[int, int, int, int]]:
        if node in self._inexact:  # it ends with a body not parsed yet: parse those, once
            if self._exact is None:
                self._exact = NodePositions(self._module, self._part, read_bodies=True)
            return self._exact.get(node)
        span = self._spans.get(node)
        if span is None and self._reads != bodies_read():  # perhaps in a body parsed since
            self._build()
            span = self._spans.get(node)
        if span is None:
            return None
        return self._point(span[0]) + self._point(span[1])


class _Reached(Exception):
    """Both the node and the function's `def` have been generated: the rest of the code is not needed."""


class _UntilNode(_OffsetState):
    """Codegen of a function that stops once a node and the function's `def` keyword have been generated."""

    def __init__(self, module: cst.Module, function: cst.FunctionDef, node: cst.CSTNode) -> None:
        super().__init__(module)
        self.function, self.node = function, node
        self.def_offset: Optional[int] = None

    def after_codegen(self, node: cst.CSTNode) -> None:
        super().after_codegen(node)
        if node is self.node and self.def_offset is not None:
            raise _Reached

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        if node is self.function:
            self.def_offset = self.offset
            if self.node in self.spans:  # a decorator, before the `def`
                raise _Reached
        with super().record_syntactic_position(node, start_node=start_node, end_node=end_node):
            yield


def line_in_function(module: cst.Module, function: cst.FunctionDef, def_line: int, node: cst.CSTNode) -> Optional[int]:
    """The line of a node inside `function`, whose `def` (or `async`) is on line `def_line` of the module,
    from the code of that function alone, generated only as far as the node: a note needs a line, and a
    whole module's positions cost a code generation of all of it. None when the node is not in the function."""
    state = _UntilNode(module, function, node)
    try:
        function._codegen(state)
    except _Reached:
        pass
    span = state.spans.get(node)
    if span is None or state.def_offset is None:
        return None
    text = "".join(state.tokens)
    return def_line + len(_NEWLINE.findall(text, 0, span[0])) - len(_NEWLINE.findall(text, 0, state.def_offset))
