"""tfscope_lint/model/names.py: partly-known names, joins as TensorFlow forms them, and equality with atoms."""

from __future__ import annotations

from typing import Optional

import pytest

from tfscope_lint.model import names
from tfscope_lint.model.names import ROOT, Atom, Name

G = object()          # one loop
I0 = Atom("i", G, 0)
I1 = Atom("i", G, 1)
H = object()          # another loop
J1 = Atom("j", H, 1)
P = Atom("p")         # unknown text, no group
Q = Atom("q")


# ---------------------------------------------------------------------------------------------
# construction

def test_make_merges_text_and_drops_empty_parts() -> None:
    assert names.make(("a", "", "b"), ("/",), (P, "c"), ("", "d")) == ("ab/", P, "cd")
    assert names.make(()) == ()
    assert names.make(("",)) == ()
    assert names.make((P,), (Q,)) == (P, Q)


def test_text() -> None:
    assert names.text("") == ()
    assert names.text("a/b") == ("a/b",)


@pytest.mark.parametrize("scope, local, full", [
    (ROOT, ("w",), ("w",)),                      # at the root: just the name
    (("foo/bar",), ("v",), ("foo/bar/v",)),
    (("model",), (), ("model/",)),               # "" nested: parent + "/"
    (ROOT, (), ()),                              # "" at the root: still the root
    (("net/",), ("w",), ("net//w",)),            # trailing slash kept
    (("a",), ("b/c",), ("a/b/c",)),
    (("layer_", I1), ("w",), ("layer_", I1, "/w")),
    ((P,), (Q,), (P, "/", Q)),
    (ROOT, (P,), (P,)),
])
def test_join(scope: Name, local: Name, full: Name) -> None:
    assert names.join(scope, local) == full


def test_join_never_strips_or_merges_slashes() -> None:
    assert names.render(names.join(names.join(("model",), ()), ("w",))) == "model//w"
    assert names.render(names.join(("a//",), ("/b",))) == "a////b"


def test_is_known_and_render() -> None:
    assert names.is_known(("a/b",)) and names.is_known(ROOT)
    assert not names.is_known(("layer_", I1, "/w"))
    assert names.render(("layer_", I1, "/w")) == "layer_{i}/w"
    assert names.render(ROOT) == ""
    assert repr(P) == "{p}"


def test_atoms_are_distinct_objects() -> None:
    a, b = Atom("x"), Atom("x")
    assert a is not b and a.serial != b.serial
    assert names.make((a,)) != names.make((b,))


@pytest.mark.parametrize("name, short", [
    (("a/b/c",), ("c",)),
    (("c",), ("c",)),
    (("a/",), ()),
    (("a/", P), (P,)),
    ((P, "/w"), ("w",)),
    (("layer_", I1, "/w"), ("w",)),
    (("a/b", P, "c"), ("b", P, "c")),
    ((P,), (P,)),
])
def test_last_component(name: Name, short: Name) -> None:
    assert names.last_component(name) == short


@pytest.mark.parametrize("name, prefix, result", [
    (("model/w",), ("model/",), True),
    (("model/w",), ("mod",), True),          # text prefix, as close_variable_subscopes' k[:n] check
    (("model/w",), ("model/w/",), False),
    (("ab/x",), ("a/",), False),
    (("a", P, "/x"), ("a", P, "/"), True),
    (("a", P, "/x"), ("a", Q, "/"), False),  # not certainly: different atoms
    (("a", P), ("a/",), False),
    ((P, "/x"), ("a/",), False),
    (("a/x",), (P,), False),
    (("x",), ("x", P), False),
    (("anything",), ROOT, True),
])
def test_starts_with(name: Name, prefix: Name, result: bool) -> None:
    assert names.starts_with(name, prefix) is result


def test_split_known() -> None:
    assert names.split_known(("a/b/c",)) == ("a", "b", "c")
    assert names.split_known(("net//w",)) == ("net", "", "w")


# ---------------------------------------------------------------------------------------------
# equality: True, False, or None (cannot tell)

@pytest.mark.parametrize("a, b, result", [
    # fully known
    (("a/w",), ("a/w",), True),
    (("a/w",), ("b/w",), False),
    (("net//w",), ("net/w",), False),
    (ROOT, ROOT, True),
    # the same atom object is the same text
    (("layer_", I1, "/w"), ("layer_", I1, "/w"), True),
    # one loop, different iterations: distinct
    (("layer_", I0, "/w"), ("layer_", I1, "/w"), False),
    ((I0,), (I1,), False),
    ((I0, "/", I0), (I1, "/", I1), False),
    # atoms of different loops, or without a group: unknown
    (("layer_", I1, "/w"), ("layer_", J1, "/w"), None),
    (("net_", P, "/w"), ("net_", Q, "/w"), None),
    ((P,), (Q,), None),
    # known text that differs at either end decides
    (("enc/", P), ("dec/", P), False),
    (("enc/", P), ("dec/", Q), False),
    ((P, "/w"), (Q, "/b"), False),
    (("dec_", P, "/w"), ("enc/w",), False),
    # an atom may stand for any text
    ((P, "/w"), ("layer/w",), None),
    (("layer_", P), ("layer_0",), None),
    (("a", P, "c"), ("abc",), None),
    (("a", P), ("a", Q, "b"), None),
    # a distinct pair does not help when other positions are open
    ((I0, "x"), (I1, P), None),
])
def test_equal(a: Name, b: Name, result: Optional[bool]) -> None:
    assert names.equal(a, b) is result
    assert names.equal(b, a) is result


def test_distinct_from() -> None:
    assert I0.distinct_from(I1) and I1.distinct_from(I0)
    assert not I1.distinct_from(I1)
    assert not I1.distinct_from(J1)           # other loop
    assert not P.distinct_from(Q)             # no group
    assert not Atom("k", H, 1).distinct_from(J1)  # same loop, same index


def test_excludes_with_longer_text() -> None:
    ten = Atom("n", None, 0, frozenset({"10"}))
    assert names.equal((ten,), ("10",)) is False
    assert names.equal(("10",), (ten,)) is False
    assert names.equal((ten,), ("11",)) is None


@pytest.mark.parametrize("a, b", [
    ((Atom("i", G, 1, frozenset({"0"})),), ("0",)),
    (("layer_", Atom("i", G, 1, frozenset({"0"})), "/w"), ("layer_0/w",)),
])
def test_excludes_single_character(a: Name, b: Name) -> None:
    assert names.equal(a, b) is False
