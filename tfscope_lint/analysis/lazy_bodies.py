"""Function bodies parsed with libcst when first read: most of a library's functions never run in a check.

On real TF1 code bases the bodies of functions that no run calls and that are not worth analysing
alone are 18% (baselines) to 54% (tf-slim) of the text, and libcst's parse is the largest single
cost of a cold check. So a module is parsed as a skeleton in which the body of each outermost
function of some length is a stand-in that keeps its lines (an empty tuple spread over them); the
FunctionDef then holds a `LazyBody`, an IndentedBlock whose fields are read from a parse of that
function's own text the first time anything asks for them (the interpreter running it, a position,
a visitor). Once read, the tree is the one `libcst.parse_module` gives for the whole file, node for
node (tested field by field on fixtures, this package's code and odd layouts, and by
`benchmarks/lazy_bodies_check.py` on 1,207 files of ten real TF1 code bases).

Ranks and facts of functions nested in a lazy body are registered when it is read: in a pre-order
walk a function's nested functions follow it, so their ranks are known from Python's own tree.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from tfscope_lint.analysis.outline import FunctionFacts, _all_facts, _ast_functions, _cst_functions
from tfscope_lint.analysis.positions import line_starts, note_body_read

MIN_BODY_LINES = 4  # shorter bodies cost less to parse with the module than to stand in for
_INDENT = re.compile(r"[ \t]*")
_LINE_END = re.compile(r"(\r\n?|\n)\Z")

ParseText = Callable[[str, Optional[cst.PartialParserConfig]], cst.Module]


def _after_line(text: str, starts: List[int], line: int) -> int:
    """The offset just past line `line` (from 1), its line end included."""
    return starts[line] if line < len(starts) else len(text)


@dataclass(frozen=True)
class _Plan:
    """One lazy function, in lines of the module (from 1) and its rank among the module's functions."""
    name: str
    def_line: int
    body_line: int
    end_line: int
    rank: int
    nested: int  # functions defined inside it, which follow it in pre-order


class _ModuleBodies:
    """What the lazy bodies of one module share: its text, how to parse, and where to register functions."""

    def __init__(self, text: str, starts: List[int], parse: ParseText, config: cst.PartialParserConfig,
                 names: Sequence[str], facts: Sequence[FunctionFacts], index: Dict[int, int],
                 by_node: Dict[int, FunctionFacts]) -> None:
        self.text, self.starts, self.parse, self.config = text, starts, parse, config
        self.names, self.facts, self.index, self.by_node = names, facts, index, by_node

    def lines(self, first: int, last: int) -> str:
        return self.text[self.starts[first - 1]:_after_line(self.text, self.starts, last)]

    def read(self, plan: _Plan, stand_in: cst.IndentedBlock) -> Tuple[cst.IndentedBlock, Optional[str]]:
        """The function's real body, or the stand-in and why it could not be read (it completes "whose body ...")."""
        # with the comments after it that the stand-in's footer holds: the real body shares them out among
        # its own blocks, by their indent
        source = self.lines(plan.def_line, plan.end_line + len(stand_in.footer))
        indent = _INDENT.match(source).group()  # type: ignore[union-attr]
        unit, newline = self.config.default_indent, self.config.default_newline
        assert isinstance(unit, str) and isinstance(newline, str)
        depth = len(indent) // len(unit) if unit and indent == unit * (len(indent) // len(unit)) else 0
        # An indented `def` parses inside blocks that open it: as many as its indent has module indent units,
        # so that libcst, which reads the indent unit from the first indented line, reads the module's.
        opening = "".join(unit * level + "if 1:" + newline for level in range(depth)) if depth else (
            "if 1:" + newline if indent else "")
        try:
            module = self.parse(opening + source, self.config)
            statement: cst.CSTNode = module.body[0]
            for _ in range(depth or (1 if indent else 0)):
                statement = statement.body.body[0]  # type: ignore[attr-defined]
            if not isinstance(statement, cst.FunctionDef) or statement.name.value != plan.name \
                    or not isinstance(statement.body, cst.IndentedBlock):
                return stand_in, "did not parse back as the same function"
        except Exception as exc:  # noqa: BLE001 - what libcst cannot parse, Python accepted: say so, go on
            first = str(exc).strip().splitlines()
            return stand_in, f"libcst cannot parse ({first[0] if first else type(exc).__name__})"
        block = statement.body
        if module.default_indent != unit or module.default_newline != newline:
            _as_in_module(block, (module.default_indent, unit), (module.default_newline, newline))
        self._register(plan, block)
        return block, None

    def _register(self, plan: _Plan, real: cst.IndentedBlock) -> None:
        nested = list(_cst_functions(list(real.body)))
        ranks = range(plan.rank + 1, plan.rank + 1 + plan.nested)
        if len(nested) != plan.nested or any(f.name.value != self.names[r] for f, r in zip(nested, ranks)):
            return  # unmatched: these functions go without rank and facts, as in a module outline() cannot match
        for func, rank in zip(nested, ranks):
            self.index[id(func)] = rank
            self.by_node[id(func)] = self.facts[rank]


def _as_in_module(node: cst.CSTNode, indents: Tuple[str, str], newlines: Tuple[str, str]) -> None:
    """Store indents and newlines as the whole module's parse would: None where a value is the module's
    default, the value itself where it is not (libcst read the defaults from the function's text)."""
    stack: List[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
            continue
        if not isinstance(item, cst.CSTNode):
            continue
        if isinstance(item, cst.IndentedBlock):
            _store_as_in_module(item, "indent", *indents)
        elif isinstance(item, cst.Newline):
            _store_as_in_module(item, "value", *newlines)
        stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))


def _store_as_in_module(node: cst.CSTNode, field: str, parsed_default: str, module_default: str) -> None:
    value = getattr(node, field)
    actual = parsed_default if value is None else value
    object.__setattr__(node, field, None if actual == module_default else actual)


class LazyBody(cst.IndentedBlock):
    """A function's IndentedBlock whose fields are parsed when first read; see the module docstring."""

    __slots__ = ("_bodies", "_plan", "_stand_in", "_real", "_failure")

    def __init__(self) -> None:  # noqa: D107 - built by `_lazy_body`, never by field values
        raise TypeError("LazyBody is made by lazy_bodies.parse_lazily")

    def _read(self) -> cst.IndentedBlock:
        real = self._real
        if real is None:
            real, failure = self._bodies.read(self._plan, self._stand_in)
            note_body_read()
            object.__setattr__(self, "_real", real)
            object.__setattr__(self, "_failure", failure)
            object.__setattr__(self, "_bodies", None)
        return real

    def failure(self) -> Optional[str]:
        """Why the body could not be read (then it reads as the stand-in), after reading it; None when read."""
        self._read()
        return self._failure

    @property
    def is_read(self) -> bool:
        return self._real is not None

    def _codegen_impl(self, state: CodegenState) -> None:
        """Unread, the body's code is its text in the file, which is what the parse of it would generate
        again: a position or the module's code is had without parsing every body (positions.NodePositions
        parses those whose own span it is asked for)."""
        if self._real is not None or getattr(state, "read_bodies", False):
            super()._codegen_impl(state)
            return
        inexact = getattr(state, "inexact", None)
        if inexact is not None:
            inexact.add(self)
        stand_in, plan = self._stand_in, self._plan
        stand_in.header._codegen(state)
        first = plan.body_line - len(stand_in.body[0].leading_lines)  # blank lines and comments before it
        text = self._bodies.lines(first, plan.end_line + len(stand_in.footer))
        state.add_token(text)
        if not _LINE_END.search(text):  # the file's end, without a newline: generated with one, which the
            state.add_token(state.default_newline)  # module's code then drops

    @property  # type: ignore[override]
    def body(self) -> Sequence[cst.BaseStatement]:
        return self._read().body

    @property  # type: ignore[override]
    def header(self) -> cst.TrailingWhitespace:
        return self._read().header

    @property  # type: ignore[override]
    def indent(self) -> Optional[str]:
        return self._read().indent

    @property  # type: ignore[override]
    def footer(self) -> Sequence[cst.EmptyLine]:
        return self._read().footer


def _lazy_body(bodies: _ModuleBodies, plan: _Plan, stand_in: cst.IndentedBlock) -> LazyBody:
    lazy = object.__new__(LazyBody)
    for slot, value in (("_bodies", bodies), ("_plan", plan), ("_stand_in", stand_in), ("_real", None),
                        ("_failure", None)):
        object.__setattr__(lazy, slot, value)
    return lazy


def _plans(functions: List[ast.AST], text: str, starts: List[int]) -> List[Optional[_Plan]]:
    """For each function (all of them, in pre-order) a plan if it is outermost and long enough, else None."""
    plans: List[Optional[_Plan]] = [None] * len(functions)
    rank = 0
    while rank < len(functions):
        func = functions[rank]
        end = func.end_lineno or func.lineno  # type: ignore[attr-defined]
        nested = 0  # the functions right after it in pre-order that start within its lines
        while (rank + 1 + nested < len(functions)
               and functions[rank + 1 + nested].lineno <= end):  # type: ignore[attr-defined]
            nested += 1
        first = func.body[0]  # type: ignore[attr-defined]
        indent = _INDENT.match(text, starts[first.lineno - 1]).group()  # type: ignore[union-attr]
        keyword = _INDENT.match(text, starts[func.lineno - 1]).end()  # type: ignore[union-attr,attr-defined]
        if (end - first.lineno + 1 >= MIN_BODY_LINES and first.col_offset == len(indent)
                and text.startswith(("def", "async"), keyword)):
            plans[rank] = _Plan(func.name, func.lineno, first.lineno, end, rank, nested)  # type: ignore[attr-defined]
        rank += 1 + nested  # functions inside an outermost function are parsed with it
    return plans


def _skeleton(text: str, starts: List[int], plans: Sequence[_Plan]) -> str:
    """The text with each planned body replaced by `()` spread over the same lines at the body's indent."""
    pieces: List[str] = []
    done = 0
    for plan in plans:
        begin = starts[plan.body_line - 1]
        end = _after_line(text, starts, plan.end_line)
        pieces.append(text[done:begin])
        endings = []
        for number in range(plan.body_line, plan.end_line + 1):
            line = text[starts[number - 1]:_after_line(text, starts, number)]
            found = _LINE_END.search(line)
            endings.append(found.group() if found else "")
        indent = _INDENT.match(text, begin).group()  # type: ignore[union-attr]
        pieces.append(indent + "(" + "".join(endings[:-1]) + ")" + endings[-1])
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def parse_lazily(text: str, parsed: ast.Module, parse: ParseText,
                 ) -> Optional[Tuple[cst.Module, Dict[int, int], Dict[int, FunctionFacts]]]:
    """The module (`parsed` is Python's tree of it) with lazy bodies, and each function's rank and facts by node
    id, as `outline` gives them; None when the skeleton and Python's tree do not match or libcst rejects the
    skeleton (then parse it whole)."""
    starts = line_starts(text)
    functions = list(_ast_functions(parsed.body))
    names, facts = _all_facts(parsed, text, functions)
    plans = _plans(functions, text, starts)
    chosen = [plan for plan in plans if plan is not None]
    try:
        module = parse(_skeleton(text, starts, chosen) if chosen else text, None)
    except Exception:  # noqa: BLE001 - the whole parse will say what is wrong, where
        return None
    index: Dict[int, int] = {}
    by_node: Dict[int, FunctionFacts] = {}
    bodies: Optional[_ModuleBodies] = None
    if chosen:
        try:  # the bodies are parsed with the module's indent unit and newline, which libcst read from it
            config = cst.PartialParserConfig(default_indent=module.default_indent,
                                             default_newline=module.default_newline)
        except ValueError:  # one it will not take back, e.g. a form feed in the first indent: parse it whole
            return None
        bodies = _ModuleBodies(text, starts, parse, config, names, facts, index, by_node)
    rank = 0
    for func in list(_cst_functions(list(module.body))):  # listed first: a swapped-in body must not be read
        if rank >= len(names) or func.name.value != names[rank]:
            return None
        index[id(func)] = rank
        by_node[id(func)] = facts[rank]
        plan = plans[rank]
        if plan is not None and bodies is not None:
            stand_in = func.body
            if not isinstance(stand_in, cst.IndentedBlock) or len(stand_in.body) != 1:
                return None
            object.__setattr__(func, "body", _lazy_body(bodies, plan, stand_in))
            rank += 1 + plan.nested
        else:
            rank += 1
    if rank != len(names):
        return None
    return module, index, by_node
