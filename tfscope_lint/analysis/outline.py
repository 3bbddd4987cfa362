"""Cheap facts about a module's functions, read with the `ast` module (a tenth of libcst's cost).

Walking a libcst subtree with a visitor rebuilds it and costs about as much as parsing it again,
so the facts the interpreter needs about whole function bodies (is it a generator? does it touch
the variable APIs at all?) are read from `ast` and matched to the libcst FunctionDef nodes by
their order in a pre-order walk of the statements, which is the same in both trees.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis.positions import line_starts

# Names whose presence in a function body makes it worth analysing alone, in an unknown context:
# only argument errors of these APIs can be certain there.
VARIABLE_API_NAMES = frozenset({
    "get_variable", "get_local_variable", "variable_scope", "variable_op_scope", "model_variable", "variable",
    "_pure_variable_scope",
})


def parse_python(text: str) -> "ast.Module | SyntaxError":
    """Python's own parser: the judge of what is valid Python 3 (libcst accepts `except A, e:`)."""
    with warnings.catch_warnings():  # `x is 1`, "\d": the checked code's business, not lines on our stderr
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            return _older_python(text, exc)
        except (ValueError, RecursionError, MemoryError) as exc:
            return SyntaxError(str(exc) or type(exc).__name__)
        try:  # the compiler rejects more: `return` or `break` outside their blocks, `def f(a, a)`
            compile(tree, "<file>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            if not (exc.msg or "").startswith("future feature"):  # a toolchain's own __future__ (Google's)
                return exc
        except (ValueError, RecursionError, MemoryError):
            pass  # too deep for the compiler is not the file's fault
    return tree


def _older_python(text: str, error: SyntaxError) -> SyntaxError:
    """Say so when the file is valid Python 3.6, where `async` and `await` were still names (TF 1.x era code)."""
    try:
        ast.parse(text, feature_version=(3, 6))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return error
    error.msg = f"{error.msg or 'invalid syntax'} (valid before Python 3.7, where `async` and `await` became keywords)"
    return error


@dataclass(frozen=True)
class FunctionFacts:
    is_generator: bool
    touches_variables: bool
    line: int = 0  # of its `def` (or `async`), as Python counts it; 0 when not known


def _ast_functions(body: List[ast.stmt]) -> Iterator[ast.AST]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt
            yield from _ast_functions(stmt.body)
        elif isinstance(stmt, ast.ClassDef):
            yield from _ast_functions(stmt.body)
        else:
            for field in ("body", "handlers", "orelse", "finalbody", "cases"):
                value = getattr(stmt, field, None)
                if isinstance(value, list):
                    inner = []
                    for item in value:
                        if isinstance(item, (ast.ExceptHandler, getattr(ast, "match_case", ast.ExceptHandler))):
                            inner.extend(item.body)
                        elif isinstance(item, ast.stmt):
                            inner.append(item)
                    yield from _ast_functions(inner)


def _cst_body(suite: object) -> List[cst.CSTNode]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return []


_BLOCKS = frozenset({cst.If, cst.For, cst.While, cst.With, cst.Try, getattr(cst, "TryStar", cst.Try)})


def _cst_functions(body: List[cst.CSTNode]) -> Iterator[cst.FunctionDef]:
    for stmt in body:
        kind = type(stmt)  # by identity: isinstance against libcst's ABCs is slow when it fails
        if kind is cst.SimpleStatementLine:
            continue
        if kind is cst.FunctionDef:
            yield stmt  # type: ignore[misc]
            yield from _cst_functions(_cst_body(stmt.body))  # type: ignore[attr-defined]
        elif kind is cst.ClassDef:
            yield from _cst_functions(_cst_body(stmt.body))  # type: ignore[attr-defined]
        elif kind in _BLOCKS:
            yield from _cst_functions(_cst_body(stmt.body))  # type: ignore[attr-defined]
            if kind is cst.Try or kind.__name__ == "TryStar":
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    yield from _cst_functions(_cst_body(handler.body))
            orelse = getattr(stmt, "orelse", None)
            while type(orelse) is cst.If:
                yield from _cst_functions(_cst_body(orelse.body))  # type: ignore[union-attr]
                orelse = orelse.orelse  # type: ignore[union-attr]
            if orelse is not None:
                yield from _cst_functions(_cst_body(orelse.body))
            final = getattr(stmt, "finalbody", None)
            if final is not None:
                yield from _cst_functions(_cst_body(final.body))
        elif kind is cst.Match:
            for case in stmt.cases:  # type: ignore[attr-defined]
                yield from _cst_functions(_cst_body(case.body))


def _facts(func: ast.AST) -> FunctionFacts:
    generator = False
    touches = False
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            # Nested definitions are their own functions, but their calls count as touching.
            touches = touches or any(isinstance(n, (ast.Name, ast.Attribute)) and
                                     (getattr(n, "id", None) or getattr(n, "attr", None)) in VARIABLE_API_NAMES
                                     for n in ast.walk(node))
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            generator = True
        elif isinstance(node, ast.Name) and node.id in VARIABLE_API_NAMES:
            touches = True
        elif isinstance(node, ast.Attribute) and node.attr in VARIABLE_API_NAMES:
            touches = True
        elif isinstance(node, ast.keyword) and node.arg == "reuse":
            touches = True
        stack.extend(ast.iter_child_nodes(node))
    return FunctionFacts(generator, touches)


def outline(parsed: Optional[ast.Module], cst_funcs: List[cst.FunctionDef], text: str,
            ) -> Optional[Dict[int, FunctionFacts]]:
    """Facts per libcst FunctionDef (by id; `cst_funcs` as `_cst_functions` lists them), or None when the
    two trees cannot be matched."""
    if parsed is None:
        return None
    names, found = _all_facts(parsed, text)
    if len(names) != len(cst_funcs):
        return None
    facts: Dict[int, FunctionFacts] = {}
    for name, fact, c in zip(names, found, cst_funcs):
        if name != c.name.value:
            return None
        facts[id(c)] = fact
    return facts


# The text that makes a function worth analysing alone: a use of a variable API, or a `reuse=`.
_TOUCHES = re.compile(r"\b(?:" + "|".join(sorted(VARIABLE_API_NAMES)) + r")\b|\breuse\s*=")


def _all_facts(parsed: ast.Module, text: str, functions: Optional[List[ast.AST]] = None,
               ) -> Tuple[List[str], List[FunctionFacts]]:
    """The facts of every function definition, in pre-order, read from its lines of text.

    Whether a function touches variables is a search of its text, which may also see a name in a
    comment (a function analysed alone for nothing, never one skipped); whether it is a generator
    needs the tree, walked only for the rare function whose text says `yield`."""
    starts = line_starts(text) + [len(text)]
    names: List[str] = []
    facts: List[FunctionFacts] = []
    for func in functions if functions is not None else _ast_functions(parsed.body):
        body = text[starts[func.lineno - 1]:starts[min(func.end_lineno or func.lineno, len(starts) - 1)]]  # type: ignore[attr-defined]
        names.append(func.name)  # type: ignore[attr-defined]
        generator = "yield" in body and _facts(func).is_generator
        facts.append(FunctionFacts(generator, bool(_TOUCHES.search(body)), func.lineno))  # type: ignore[attr-defined]
    return names, facts


# Module-level calls that never build anything (logging, paths, flags declarations, regexes).
HARMLESS_TOP_LEVEL_CALLS = frozenset({
    "getLogger", "namedtuple", "compile", "join", "dirname", "abspath", "basename", "realpath", "expanduser",
    "get", "getenv", "print", "setLevel", "set_verbosity", "filterwarnings", "simplefilter", "basicConfig",
    "TypeVar", "NewType", "frozenset", "set", "dict", "list", "tuple", "object", "range", "len", "str", "int",
    "float", "bool", "partial", "field", "dataclass", "register", "append", "update", "setdefault", "format",
    "OrderedDict", "defaultdict", "deque", "Path", "environ", "insert", "add_argument", "ArgumentParser",
    "disable_v2_behavior", "disable_eager_execution", "warn", "deprecated", "getattr", "hasattr",
})


def _is_main_guard(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id == "__name__")


def import_has_effects(parsed: Optional[ast.Module]) -> bool:
    """Whether importing the module may do more than define names: then it must run at import time.

    A module of definitions, constants and imports can be executed lazily, when one of its names is
    first used, without changing anything the analysis sees.
    """
    if parsed is None:
        return True
    for stmt in parsed.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
                             ast.Pass)) or _is_main_guard(stmt):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.decorator_list:
                if any(isinstance(d, ast.Call) for d in stmt.decorator_list):
                    return True
            continue
        if isinstance(stmt, (ast.ImportFrom, ast.Import)):
            continue
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            return True
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                if name not in HARMLESS_TOP_LEVEL_CALLS and not name.startswith(("DEFINE", "mark_flag")):
                    return True
            elif isinstance(node, (ast.With, ast.For, ast.While, ast.Try)):
                return True
    return False
