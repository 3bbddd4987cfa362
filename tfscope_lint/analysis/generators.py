"""Generators of the analysed code: builders that `yield` their layers' outputs.

A call of a generator function runs nothing (as in Python); the body runs when the generator is
consumed, here all at once, collecting what it yields. Python interleaves the body with the
consumer instead: that is the same only when the consumer does nothing between two items that the
body could see (scopes, reuse, variables, attributes). So a consumer that calls anything between
items makes the generator's run uncertain (quiet), and a body whose yields depend on what the
analysis cannot decide yields a list of unknown length.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis import strings
from tfscope_lint.analysis.values import Const, SeqVal, Unknown, Value

# Calls a consumer may make between items without changing what a generator body sees.
HARMLESS_CALLS = ("print", "append", "extend", "len", "isinstance", "str", "format", "add_to_collection",
                  "histogram", "scalar", "image", "identity")


@dataclass(eq=False)
class GeneratorVal(Value):
    """A generator object: the function and arguments, run when first iterated."""

    func: Any  # FunctionVal
    args: List[Value]
    kwargs: Dict[str, Value]
    node: Any  # the call that made it
    module: Any  # the module of that call
    consumed: Any = False  # True once exhausted, "partial" after next()


@dataclass(eq=False)
class LazyZip(Value):
    """enumerate(gen) / zip(gen, ...): lazy in Python 3, so its generators run interleaved with the consumer too."""

    kind: str  # "enumerate" or "zip"
    parts: List[Value]
    start: int = 0


def is_lazy(value: Value) -> bool:
    return isinstance(value, (GeneratorVal, LazyZip))


def lazy_builtin(name: str, args: List[Value], start: int = 0) -> Optional[Value]:
    """enumerate/zip over a generator: deferred like the generator; None when no generator is involved."""
    if any(is_lazy(a) for a in args):
        return LazyZip(name, list(args), start)
    return None


def _generators(value: Value) -> List[GeneratorVal]:
    if isinstance(value, GeneratorVal):
        return [value]
    if isinstance(value, LazyZip):
        return [g for part in value.parts for g in _generators(part)]
    return []


@dataclass
class Sink:
    """What one run of a generator body yields; `exact` is lost when a yield may or may not run."""

    uncertain: int
    unknown_loops: int
    items: List[Value] = field(default_factory=list)
    exact: bool = True


def consume(interp: Any, gen: Value, quiet: bool = False) -> Optional[List[Value]]:
    """Run the body once (a generator is exhausted after); None when how many items it yields is unknown."""
    if isinstance(gen, LazyZip):
        # zip stops at its shortest argument: a generator beside another one may run only partly
        partial = quiet or (gen.kind == "zip" and len(gen.parts) > 1)
        lists = [consume(interp, part, partial) if is_lazy(part) else interp.iterate(part) for part in gen.parts]
        if any(items is None for items in lists):
            return None
        if gen.kind == "enumerate":
            return [SeqVal([Const(gen.start + i), item], True) for i, item in enumerate(lists[0])]  # type: ignore
        return [SeqVal(list(group), True) for group in zip(*lists)]  # type: ignore[misc]
    assert isinstance(gen, GeneratorVal)
    if gen.consumed == "partial":
        return None  # next() ran its start: what is left is not known
    if gen.consumed:
        return []
    gen.consumed = True
    sink = Sink(interp.uncertain, interp.unknown_loops)
    interp.yield_sinks.append(sink)
    interp.starting_generator = gen.func.node
    same_module = bool(interp.frames) and interp.frames[-1].module is gen.module
    if quiet:
        interp.uncertain += 1
    try:
        interp.call_function(gen.func, gen.args, gen.kwargs, gen.node if same_module else None)
    finally:
        if quiet:
            interp.uncertain -= 1
        interp.yield_sinks.pop()
        interp.starting_generator = None
    return list(sink.items) if sink.exact and not quiet else None


def record(interp: Any, items: Optional[List[Value]]) -> None:
    """A `yield` (items: one value) or `yield from` (items: None when unknown) runs in the innermost body."""
    if not interp.yield_sinks:
        return
    sink: Sink = interp.yield_sinks[-1]
    if items is None or interp.uncertain > sink.uncertain or interp.unknown_loops > sink.unknown_loops \
            or interp.current_frame_uncertain():
        sink.exact = False
    sink.items.extend(items or [])


def started(interp: Any, gen: Value) -> Value:
    """next(gen): Python runs the body up to its first yield; here all of it, as a path that may not be taken."""
    for one in _generators(gen):
        if not one.consumed:
            consume(interp, one, quiet=True)
            one.consumed = "partial"
    return Unknown("next item")


def harmless_between_items(gen: Value, targets: List[cst.CSTNode], nodes: List[cst.CSTNode]) -> bool:
    """Does this loop (its targets and body, or a comprehension's element) leave alone everything the generator
    body could see? Names it binds count only when the body does not mention them."""
    read: frozenset = frozenset().union(*(_names_in(one.func.node) for one in _generators(gen)))
    return not _has_effects(tuple(targets), tuple(nodes), read)


# Both walks depend on the syntax only, and the same loop is met again from every entry script that runs
# it: kept for the nodes last asked about (a node's hash and equality are its identity).
@functools.lru_cache(maxsize=256)
def _names_in(node: cst.CSTNode) -> frozenset:
    read = _Names()
    node.visit(read)
    return frozenset(read.names)


@functools.lru_cache(maxsize=256)
def _has_effects(targets: Tuple[cst.CSTNode, ...], nodes: Tuple[cst.CSTNode, ...], read: frozenset) -> bool:
    finder = _Effects(set(read))
    for target in targets:
        finder.bound(target)
    for node in nodes:
        node.visit(finder)
    return finder.found


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set = set()

    def visit_Name(self, node: cst.Name) -> Optional[bool]:
        self.names.add(node.value)
        return None


class _Effects(cst.CSTVisitor):
    def __init__(self, read: set) -> None:
        self.found = False
        self.read = read

    def bound(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.found = self.found or target.value in self.read
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self.bound(el.value)
        else:
            self.found = True

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        name = strings.dotted_name(node.func) or ""
        if name.rsplit(".", 1)[-1] not in HARMLESS_CALLS:
            self.found = True
        elif "." in name and name.split(".")[0] in self.read and not name.startswith(("tf.", "tensorflow.")):
            self.found = True  # outputs.append(h) where the body reads `outputs` too (len(outputs) in a name)
        return None

    def visit_With(self, node: cst.With) -> Optional[bool]:
        self.found = True
        return False

    def visit_Assign(self, node: cst.Assign) -> Optional[bool]:
        for t in node.targets:
            self.bound(t.target)  # an attribute or item store, or a name the body may read
        return None

    def visit_AugAssign(self, node: cst.AugAssign) -> Optional[bool]:
        self.bound(node.target)
        return None

    def visit_For(self, node: cst.For) -> Optional[bool]:
        self.bound(node.target)
        return None

    def visit_Break(self, node: cst.Break) -> Optional[bool]:
        self.found = True  # the loop may stop before the generator's end
        return None

    def visit_Return(self, node: cst.Return) -> Optional[bool]:
        self.found = True
        return None

    def visit_Raise(self, node: cst.Raise) -> Optional[bool]:
        self.found = True
        return None

    def visit_Global(self, node: cst.Global) -> Optional[bool]:
        self.found = True
        return None

    def visit_Nonlocal(self, node: cst.Nonlocal) -> Optional[bool]:
        self.found = True
        return None
