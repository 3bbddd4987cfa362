"""Lazy function bodies against libcst's whole parse, file by file, on any trees (default: the real code
bases that `run.py --real` downloads). A check to run by hand; the tests run the same comparison on
the fixtures, this package's code and generated layouts.

    python benchmarks/lazy_bodies_check.py [PATH ...]

For every .py file Python accepts: before any body is read, the tree must generate the whole parse's
code; with every other body read, each node must have its position in the whole parse; with each lazy
body read, the tree must equal `libcst.parse_module`'s field by field, generate the same code, and give
every function the rank and facts of the whole parse. Prints the mismatches, the counts, and the parse
time of both ways (the lazy one before any body is read, Python's parse included).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import Iterator, List, Tuple

import libcst as cst

from tfscope_lint.analysis.lazy_bodies import LazyBody
from tfscope_lint.analysis.outline import _cst_functions
from tfscope_lint.analysis.parsing import parse_module
from tfscope_lint.analysis.positions import NodePositions
from tfscope_lint.analysis.project import LAZY_BODIES, SourceFile

DEFAULT = Path.home() / ".cache" / "tfscope-bench" / "src"


def same(lazy: object, whole: object) -> bool:
    """Node-for-node equality that reads lazy bodies (libcst's deep_equals also compares node classes)."""
    if isinstance(lazy, LazyBody):
        lazy = lazy._read()
    if isinstance(lazy, cst.CSTNode):
        return type(lazy) is type(whole) and all(
            same(getattr(lazy, f.name), getattr(whole, f.name)) for f in dataclasses.fields(lazy))
    if isinstance(lazy, (list, tuple)):
        return isinstance(whole, (list, tuple)) and len(lazy) == len(whole) and all(
            same(a, b) for a, b in zip(lazy, whole))
    return bool(lazy == whole)


def _pairs(lazy: object, whole: object) -> Iterator[Tuple[cst.CSTNode, cst.CSTNode]]:
    """The nodes of a lazy tree with the whole parse's nodes in their places; unread bodies left out."""
    if isinstance(lazy, cst.CSTNode):
        yield lazy, whole  # type: ignore[misc]
        if isinstance(lazy, LazyBody):
            if not lazy.is_read:
                return
            lazy = lazy._read()
        for field in dataclasses.fields(lazy):  # type: ignore[arg-type]
            yield from _pairs(getattr(lazy, field.name), getattr(whole, field.name))
    elif isinstance(lazy, (list, tuple)):
        for a, b in zip(lazy, whole):  # type: ignore[call-overload]
            yield from _pairs(a, b)


def positions_agree(lazy: cst.Module, whole: cst.Module) -> bool:
    """Every node of the lazy tree (some bodies read, some not) at its place in the whole parse."""
    mine, theirs = NodePositions(lazy), NodePositions(whole)
    return all(mine.get(a) == theirs.get(b) for a, b in _pairs(lazy, whole))


def lazy_bodies(tree: cst.Module) -> List[LazyBody]:
    """The lazy bodies of functions in the module and its classes, without reading any."""
    found: List[LazyBody] = []
    statements = list(tree.body)
    while statements:
        stmt = statements.pop(0)
        if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, LazyBody):
            found.append(stmt.body)
        elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            statements[:0] = list(stmt.body.body)
    return found


def _functions(source: SourceFile) -> List[tuple]:
    assert source.tree is not None
    facts = source.function_facts() or {}
    return [(f.name.value, source.function_index().get(id(f)), facts.get(id(f)))
            for f in _cst_functions(list(source.tree.body))]


def check(path: Path) -> str:
    """'' when the file matches, else what differs; 'skipped' for a file either parser rejects."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lazy = SourceFile(str(path), text, "/", "m", False)
    if lazy.parse() is None:
        return "skipped"
    os.environ[LAZY_BODIES] = "0"
    try:
        whole = SourceFile(str(path), text, "/", "m", False)
        whole.parse()
    finally:
        del os.environ[LAZY_BODIES]
    if whole.tree is None:
        return "skipped"
    assert lazy.tree is not None
    if lazy.tree.code != whole.tree.code:  # nothing read yet
        return "code before reading"
    for body in lazy_bodies(lazy.tree)[::2]:
        body._read()
    if not positions_agree(lazy.tree, whole.tree):
        return "positions"
    if not same(lazy.tree, whole.tree):
        return "tree"
    if lazy.tree.code != whole.tree.code:  # type: ignore[union-attr]
        return "code"
    if _functions(lazy) != _functions(whole):
        return "ranks or facts"
    return ""


def main(argv: List[str]) -> int:
    roots = [Path(a) for a in argv] or [DEFAULT]
    files = sorted(p for root in roots for p in root.rglob("*.py"))
    if not files:
        print(f"no .py files under {', '.join(map(str, roots))} (run `python benchmarks/run.py --real` first)")
        return 2
    lazy_seconds = whole_seconds = 0.0
    for path in files:  # the parse times, apart from the comparison
        text = path.read_text(encoding="utf-8", errors="replace")
        start = time.perf_counter()
        SourceFile(str(path), text, "/", "m", False).parse()
        lazy_seconds += time.perf_counter() - start
        start = time.perf_counter()
        try:
            parse_module(text)
        except Exception:  # noqa: BLE001
            pass
        whole_seconds += time.perf_counter() - start
    verdicts = {path: check(path) for path in files}
    bad = {path: v for path, v in verdicts.items() if v not in ("", "skipped")}
    for path, verdict in sorted(bad.items()):
        print(f"MISMATCH ({verdict}): {path}")
    skipped = sum(1 for v in verdicts.values() if v == "skipped")
    print(f"{len(files)} files, {len(bad)} mismatches, {skipped} skipped (invalid); parse before any body is "
          f"read {lazy_seconds:.2f} s (with Python's parse and compile), libcst whole {whole_seconds:.2f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
