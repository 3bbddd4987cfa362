"""Variable and scope names that may be only partly known.

A name is a tuple of parts: known text, or an `Atom` standing for text the analysis cannot
compute (a parameter, a value read at run time, the index of a loop iteration). Two names are
equal when their parts are the same, different when their known text differs or when they
differ in atoms known to be distinct (two iterations of one loop), and otherwise unknown.
"""

from __future__ import annotations

import itertools
from typing import FrozenSet, Iterable, List, Optional, Tuple, Union

_ids = itertools.count(1)


class Atom:
    """An unknown piece of text. Atoms of one `group` with different `index` are distinct values."""

    __slots__ = ("label", "group", "index", "excludes", "serial")

    def __init__(self, label: str = "?", group: Optional[object] = None, index: int = 0,
                 excludes: FrozenSet[str] = frozenset()) -> None:
        self.label = label
        self.group = group
        self.index = index
        self.excludes = excludes  # texts this atom is known not to be (an index >= 1 is never "0")
        self.serial = next(_ids)

    def distinct_from(self, other: "Atom") -> bool:
        return self.group is not None and self.group is other.group and self.index != other.index

    def __repr__(self) -> str:
        return "{" + self.label + "}"


Part = Union[str, Atom]
Name = Tuple[Part, ...]

ROOT: Name = ()


def make(*pieces: Iterable[Part]) -> Name:
    """Normalise parts: merge adjacent text, drop empty text."""
    out: List[Part] = []
    for piece in pieces:
        for part in piece:
            if isinstance(part, str):
                if not part:
                    continue
                if out and isinstance(out[-1], str):
                    out[-1] = out[-1] + part
                    continue
            out.append(part)
    return tuple(out)


def text(value: str) -> Name:
    return (value,) if value else ()


def join(scope: Name, local: Name) -> Name:
    """`scope/local`, or `local` at the root, as TensorFlow forms full names."""
    if not scope:
        return local
    return make(scope, ("/",), local)


def is_known(name: Name) -> bool:
    return all(isinstance(p, str) for p in name)


def render(name: Name) -> str:
    return "".join(p if isinstance(p, str) else repr(p) for p in name)


def last_component(name: Name) -> Name:
    """The short name: what follows the last '/' (only when that part is known text)."""
    for i in range(len(name) - 1, -1, -1):
        part = name[i]
        if isinstance(part, str) and "/" in part:
            return make((part.rsplit("/", 1)[1],), name[i + 1:])
    return name


def starts_with(name: Name, prefix: Name) -> bool:
    """True when `name` certainly starts with `prefix` (part by part)."""
    if len(prefix) > len(name):
        return False
    for i, part in enumerate(prefix):
        mine = name[i]
        if isinstance(part, str):
            if not isinstance(mine, str):
                return False
            if i == len(prefix) - 1:
                return mine.startswith(part)
            if mine != part:
                return False
        elif mine is not part:
            return False
    return True


def _flatten(name: Name) -> List[Union[str, Atom]]:
    out: List[Union[str, Atom]] = []
    for part in name:
        if isinstance(part, str):
            out.extend(part)
        else:
            out.append(part)
    return out


def equal(a: Name, b: Name) -> Optional[bool]:
    """True, False, or None when the analysis cannot tell."""
    if a == b:
        return True
    if is_known(a) and is_known(b):
        return False
    fa, fb = _flatten(a), _flatten(b)
    while fa and fb and isinstance(fa[0], str) and isinstance(fb[0], str):
        if fa[0] != fb[0]:
            return False
        fa.pop(0)
        fb.pop(0)
    while fa and fb and isinstance(fa[-1], str) and isinstance(fb[-1], str):
        if fa[-1] != fb[-1]:
            return False
        fa.pop()
        fb.pop()
    for one, other in ((fa, fb), (fb, fa)):
        if len(one) == 1 and isinstance(one[0], Atom) and other and all(isinstance(c, str) for c in other):
            if "".join(other) in one[0].excludes:  # type: ignore[arg-type]
                return False
    if len(fa) == len(fb):
        distinct = False
        for x, y in zip(fa, fb):
            if isinstance(x, Atom) and isinstance(y, Atom):
                if x is y:
                    continue
                if x.distinct_from(y):
                    distinct = True
                    continue
                return None
            if x != y:
                return None
        if distinct:
            return False
    return None


def split_known(name: Name) -> Tuple[str, ...]:
    """The components of a fully known name."""
    return tuple(render(name).split("/"))
