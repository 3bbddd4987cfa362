"""The TF model (tfscope_lint/model) driven directly, case by case against SEMANTICS.md §0-2 and §8.

No libcst and no interpreter: each test builds a GraphState, opens scopes, calls get_variable with a
VarRequest and checks the names, reuse flags, counts and error kinds the model produces. Expected
values were checked against real TensorFlow (compat.v1, graph mode) where SEMANTICS.md is silent.
Cases where the model disagrees with SEMANTICS.md or TensorFlow are strict xfails naming the case.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, List, Optional, Sequence, Union

import pytest

from tfscope_lint.model import names, shapes
from tfscope_lint.model.graph import (
    ANY_REUSE, AUTO, MAYBE_GIVEN, NO_REUSE, NOT_GIVEN, REUSE, UNKNOWN, UNKNOWN_COUNT, GraphState, ModelError, ScopeFrame,
    ScopeHandle, VarRequest, reusing)
from tfscope_lint.model.names import Atom, Name

# ---------------------------------------------------------------------------------------------
# helpers

Target = Union[str, Name, ScopeHandle, None]


def as_target(target: Target) -> Any:
    if isinstance(target, str):
        return names.text(target)
    return target


def reuse_arg(spec: str) -> frozenset:
    """A `reuse=` argument: "N" (None/False), "T", "A", or several letters when unknown."""
    return frozenset(spec)


@contextmanager
def vs(g: GraphState, target: Target, reuse: str = "N", default: Optional[str] = None,
       dtype: Optional[str] = None, origin: Any = None) -> Iterator[ScopeFrame]:
    """`with tf.variable_scope(target, default_name=default, reuse=..., dtype=...)` on the model."""
    frame, errors = g.enter(as_target(target), reuse_arg(reuse), origin, default, dtype)
    assert errors == [], errors
    try:
        yield frame
    finally:
        g.exit(frame)


def req(name: Union[str, Name], shape: Any = NOT_GIVEN, dtype: Any = None, init: str = "none",
        init_shape: shapes.Shape = None, init_dtype: Optional[str] = None, origin: Any = None) -> VarRequest:
    local = names.text(name) if isinstance(name, str) else name
    return VarRequest(local, shape, dtype, init, init_shape, init_dtype, origin)


def get(g: GraphState, name: Union[str, Name], shape: Any = NOT_GIVEN, **kw: Any) -> List[str]:
    """get_variable(...) in the current scope; the kinds of the certain errors."""
    _, errors = g.get_variable(req(name, shape, **kw))
    return [e.kind for e in errors]


def get_errors(g: GraphState, name: Union[str, Name], shape: Any = NOT_GIVEN, **kw: Any) -> List[ModelError]:
    _, errors = g.get_variable(req(name, shape, **kw))
    return errors


def text(name: Name) -> str:
    return names.render(name)


def open_nested(g: GraphState, path: Sequence[Target], reuse: Sequence[str] = ()) -> List[ScopeFrame]:
    frames = []
    for i, target in enumerate(path):
        frame, errors = g.enter(as_target(target), reuse_arg(reuse[i] if i < len(reuse) else "N"), None)
        assert errors == []
        frames.append(frame)
    return frames


def close(g: GraphState, frames: List[ScopeFrame]) -> None:
    for frame in reversed(frames):
        g.exit(frame)


# ---------------------------------------------------------------------------------------------
# §1 / §2: full names and joins

@pytest.mark.parametrize("path, local, scope_name, full", [
    ([], "w", "", "w"),                          # root: no prefix
    (["foo", "bar"], "v", "foo/bar", "foo/bar/v"),
    ([""], "w", "", "w"),                        # "" at the root keeps the (empty) root name
    (["model", ""], "w", "model/", "model//w"),  # "" nested: parent + "/" + "" [TF: model//w:0]
    (["", "x"], "w", "x", "x/w"),                # under a "" root-level scope nothing is prefixed
    (["net/"], "w", "net/", "net//w"),           # trailing slash is not stripped
    (["a"], "b/c", "a", "a/b/c"),                # "/" in a variable name is literal
    (["a/b"], "w", "a/b", "a/b/w"),              # "/" in a scope name is literal
])
def test_full_names(path: List[str], local: str, scope_name: str, full: str) -> None:
    g = GraphState()
    frames = open_nested(g, path)
    assert text(g.current.name) == scope_name
    rec, errors = g.get_variable(req(local, (1,)))
    assert errors == []
    assert rec is not None and text(rec.name) == full
    assert full_key(g) == [full]
    assert rec.scope == g.current.name
    close(g, frames)
    assert g.current is g.root


def full_key(g: GraphState) -> List[str]:
    return sorted(text(k) for k in g.vars)


def test_join_at_root_and_nested() -> None:
    assert names.join(names.ROOT, names.text("w")) == ("w",)
    assert names.join(("model",), names.text("")) == ("model/",)
    assert names.join(names.ROOT, names.text("")) == ()
    assert names.join(("net/",), ("w",)) == ("net//w",)


def test_slash_scope_is_the_same_as_nesting() -> None:
    # variable_scope("a/b") + get_variable("w") == "a" > "b" > "w"  [TF: a/b/w:0 reused]
    g = GraphState()
    with vs(g, "a/b"):
        assert get(g, "w", (1,)) == []
    with vs(g, "a", "T"), vs(g, "b"):
        assert get(g, "w", (1,)) == []
    assert full_key(g) == ["a/b/w"]


def test_trailing_slash_names_differ_from_plain() -> None:
    # "net/" + "w" is net//w; a reuse lookup of net/w does not find it  [TF: net/w does not exist]
    g = GraphState()
    with vs(g, "net/"):
        assert get(g, "w", (1,)) == []
    with vs(g, "net", "T"):
        assert get(g, "w", (1,)) == ["does_not_exist"]


def test_string_scope_is_not_uniquified() -> None:
    g = GraphState()
    with vs(g, "foo") as f1:
        assert get(g, "v", (1,)) == []
    with vs(g, "foo") as f2:
        assert text(f2.handle.name) == text(f1.handle.name) == "foo"
        assert f2.handle is not f1.handle  # a fresh VariableScope object each time
        errors = get_errors(g, "v", (1,))
    assert [e.kind for e in errors] == ["already_exists"]
    assert text(errors[0].full_name) == "foo/v" and text(errors[0].scope) == "foo"
    assert errors[0].existing is not None and errors[0].existing.open_id == f1.open_id


def test_empty_scope_with_reuse_at_root_is_allowed() -> None:
    g = GraphState()
    frame, errors = g.enter(names.text(""), REUSE, None)
    assert errors == [] and frame.handle.name == () and g.reuse_of(frame.handle) == REUSE


# ---------------------------------------------------------------------------------------------
# §2: reuse inheritance for string and default_name scopes: new = arg_reuse or parent.reuse

@pytest.mark.parametrize("parent, arg, expected", [
    ("N", "N", "F"),   # root reuse is False: create only
    ("N", "T", "T"),
    ("N", "A", "A"),
    ("T", "N", "T"),   # reuse=False/None cannot switch reuse off
    ("T", "T", "T"),
    ("T", "A", "A"),
    ("A", "N", "A"),   # reuse=False inside AUTO_REUSE stays AUTO_REUSE
    ("A", "T", "T"),   # reuse=True inside AUTO_REUSE is strict True
    ("A", "A", "A"),
])
def test_string_scope_reuse_inheritance(parent: str, arg: str, expected: str) -> None:
    g = GraphState()
    with vs(g, "outer", parent), vs(g, "inner", arg) as inner:
        assert g.reuse_of(inner.handle) == frozenset(expected)
        assert g.current_reuse() == frozenset(expected)


@pytest.mark.parametrize("parent, expected", [("N", "F"), ("T", "T"), ("A", "A")])
def test_default_name_scope_inherits_parent_reuse(parent: str, expected: str) -> None:
    g = GraphState()
    with vs(g, "m", parent), vs(g, None, default="d") as d:
        assert text(d.handle.name) == "m/d"
        assert g.reuse_of(d.handle) == frozenset(expected)


def test_reuse_false_cannot_switch_off_inherited_reuse() -> None:
    g = GraphState()
    with vs(g, "m"):
        assert get(g, "w", (2,)) == []
    with vs(g, "m", "T"), vs(g, "sub", "N"):
        assert get(g, "w", (2,)) == ["does_not_exist"]  # m/sub/w: still reusing


def test_true_inside_auto_is_strict() -> None:
    # [TF: s/t/v does not exist]
    g = GraphState()
    with vs(g, "s", "A"):
        assert get(g, "v", (1,)) == []
        with vs(g, "t", "T"):
            assert get(g, "v", (1,)) == ["does_not_exist"]


@pytest.mark.parametrize("arg", ["T", "A"])
def test_reuse_without_name_is_an_error(arg: str) -> None:
    g = GraphState()
    frame, errors = g.enter(None, reuse_arg(arg), None, "d")
    assert [e.kind for e in errors] == ["reuse_without_name"]
    assert text(frame.handle.name) == "d"


@pytest.mark.parametrize("arg", ["N", "NT", "NA", "NTA"])
def test_reuse_without_name_needs_certainty(arg: str) -> None:
    g = GraphState()
    _, errors = g.enter(None, reuse_arg(arg), None, "d")
    assert errors == []


def test_reusing_helper() -> None:
    assert reusing(REUSE) and reusing(AUTO) and reusing(frozenset("TA"))
    assert not reusing(NO_REUSE) and not reusing(ANY_REUSE) and not reusing(frozenset())


# ---------------------------------------------------------------------------------------------
# §2: captured VariableScope objects

@pytest.mark.parametrize("captured", ["N", "T", "A"])
@pytest.mark.parametrize("enclosing", ["N", "T", "A"])
@pytest.mark.parametrize("arg, from_arg", [("N", False), ("T", True), ("A", True)])
def test_captured_reuse_ignores_enclosing(captured: str, enclosing: str, arg: str, from_arg: bool) -> None:
    g = GraphState()
    with vs(g, "a", captured) as first:
        sc = first.handle
    with vs(g, "outer", enclosing), vs(g, sc, arg) as again:
        want = frozenset(arg) if from_arg else frozenset("F" if captured == "N" else captured)
        assert g.reuse_of(again.handle) == want
        assert text(again.handle.name) == "a"  # an absolute jump, not outer/a


def test_captured_is_an_absolute_jump_and_nests_from_there() -> None:
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
    with vs(g, "b"), vs(g, sc), vs(g, "c"):
        assert text(g.current.name) == "a/c"
        rec, _ = g.get_variable(req("w", (1,)))
        assert rec is not None and text(rec.name) == "a/c/w"


def test_captured_inside_reusing_parent_raises_already_exists() -> None:
    # §8: fetching an existing variable through a captured non-reusing scope raises; creating works
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
        assert get(g, "v", (1,)) == []
    with vs(g, "outer", "T"), vs(g, sc):
        assert get(g, "v", (1,)) == ["already_exists"]
        assert get(g, "new", (1,)) == []
    assert "a/new" in full_key(g)


def test_captured_entry_yields_a_new_handle() -> None:
    g = GraphState()
    with vs(g, "a", dtype="float64") as first:
        sc = first.handle
    with vs(g, sc) as again:
        assert again.handle is not sc
        assert again.handle.id != sc.id
        assert again.handle.name == sc.name and again.handle.dtype == "float64"
        assert g.current is again.handle


def test_reuse_variables_on_captured_entry_handle_does_not_persist() -> None:
    # with variable_scope(sc) as sc2: sc2.reuse_variables()  -> sc itself is unchanged
    # [TF: the next `with variable_scope(sc)` raises a/v already exists]
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
        assert get(g, "v", (1,)) == []
    with vs(g, sc) as again:
        g.reuse_variables(again.handle, "here")
        assert g.current_reuse() == REUSE
        assert get(g, "v", (1,)) == []
    assert g.reuse_of(sc) == NO_REUSE
    with vs(g, sc):
        assert get(g, "v", (1,)) == ["already_exists"]


def test_reuse_variables_on_captured_object_persists() -> None:
    # sc.reuse_variables() mutates the object: every later re-entry reuses  [TF: a/v:0]
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
        assert get(g, "v", (1,)) == []
    g.reuse_variables(sc, "origin")
    for new in ("w", "x"):
        with vs(g, "b"), vs(g, sc) as again:
            assert g.reuse_of(again.handle) == REUSE
            assert get(g, "v", (1,)) == []
            errors = get_errors(g, new, (1,))
            assert [e.kind for e in errors] == ["does_not_exist"]
            assert errors[0].reuse_origin == "origin"


def test_reuse_variables_inside_first_block_persists_on_captured() -> None:
    g = GraphState()
    with vs(g, "a") as first:
        get(g, "v", (1,))
        g.reuse_variables(g.current, "o")
        assert get(g, "v", (1,)) == []
    sc = first.handle
    with vs(g, sc):
        assert g.current_reuse() == REUSE
    # ... while the string "a" builds a fresh, non-reusing object
    with vs(g, "a") as fresh:
        assert g.reuse_of(fresh.handle) == NO_REUSE
        assert get(g, "v", (1,)) == ["already_exists"]


# ---------------------------------------------------------------------------------------------
# §2: reuse_variables() on the current scope and on the root

def test_reuse_variables_on_current_scope_lasts_for_the_block_only() -> None:
    # [TF: the next `with variable_scope("s")` has reuse False and creates s/x]
    g = GraphState()
    with vs(g, "s"):
        assert get(g, "w", (1,)) == []
        g.reuse_variables(g.current, "o")
        assert get(g, "w", (1,)) == []
        with vs(g, "sub"):  # sub-scopes opened afterwards inherit it
            assert g.current_reuse() == REUSE
            assert get(g, "n", (1,)) == ["does_not_exist"]
    assert g.current_reuse() == NO_REUSE
    assert g.root_leak is None
    with vs(g, "s"):
        assert g.current_reuse() == NO_REUSE
        assert get(g, "x", (1,)) == []


def test_reuse_variables_at_root_leaks_into_later_scopes() -> None:
    # [TF: Variable later/x does not exist]
    g = GraphState()
    with vs(g, "before"):
        assert get(g, "x", (1,)) == []
    g.reuse_variables(g.root, "leak")
    assert g.root_leak == "leak"
    assert g.reuse_of(g.root) == REUSE
    errors = get_errors(g, "top", (1,))
    assert [e.kind for e in errors] == ["does_not_exist"]
    with vs(g, "later"):
        errors = get_errors(g, "x", (1,))
        assert [e.kind for e in errors] == ["does_not_exist"]
        assert text(errors[0].full_name) == "later/x"
        assert errors[0].reuse_origin == "leak"  # the explanation can point at the leak
        with vs(g, "deeper", "N"):
            assert get(g, "y", (1,)) == ["does_not_exist"]
    with vs(g, "before"):
        assert get(g, "x", (1,)) == []  # existing variables are shared fine
    with vs(g, "auto", "A"):
        assert get(g, "z", (1,)) == []  # AUTO_REUSE still creates


def test_root_leak_does_not_reach_a_captured_non_reusing_scope() -> None:
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
    g.reuse_variables(g.root, "leak")
    with vs(g, sc):
        assert g.current_reuse() == NO_REUSE
        assert get(g, "v", (1,)) == []


# ---------------------------------------------------------------------------------------------
# §2: default_name uniquification

def default_names(g: GraphState, default: str, n: int) -> List[str]:
    out = []
    for _ in range(n):
        with vs(g, None, default=default) as d:
            out.append(text(d.handle.name))
    return out


def test_default_names_at_root_are_uniquified_across_the_graph() -> None:
    g = GraphState()
    assert default_names(g, "dense", 3) == ["dense", "dense_1", "dense_2"]
    assert g.counts[("dense",)] == 1 and g.counts[("dense_2",)] == 1


def test_default_name_counts_explicit_string_opens() -> None:
    # an earlier variable_scope("conv") makes default_name="conv" produce conv_1
    g = GraphState()
    with vs(g, "conv"):
        pass
    with vs(g, "x"):
        pass
    with vs(g, "x"):
        pass
    assert g.counts[("x",)] == 2
    assert default_names(g, "conv", 2) == ["conv_1", "conv_2"]
    assert default_names(g, "x", 1) == ["x_1"]


def test_default_name_fills_the_first_free_index() -> None:
    g = GraphState()
    with vs(g, "d_1"):
        pass
    assert default_names(g, "d", 3) == ["d", "d_2", "d_3"]


def test_variables_do_not_move_default_names() -> None:
    # a get_variable("dense/kernel") changes no scope count: default_name "dense" collides
    g = GraphState()
    assert get(g, "dense/kernel", (1,)) == []
    with vs(g, None, default="dense") as d:
        assert text(d.handle.name) == "dense"
        assert get(g, "kernel", (1,)) == ["already_exists"]


def test_default_names_inside_string_parent_restart_on_reopen() -> None:
    # [TF: outer/dense, outer/dense_1, then outer/dense, outer/dense_1 again]
    g = GraphState()
    seen = []
    for _ in range(2):
        with vs(g, "outer"):
            seen.append(default_names(g, "dense", 2))
    assert seen == [["outer/dense", "outer/dense_1"]] * 2
    assert g.counts[("outer/dense",)] == 0


def test_reopened_parent_rebuild_collides_without_reuse_and_shares_with_it() -> None:
    g = GraphState()
    with vs(g, "backbone"), vs(g, None, default="dense"):
        assert get(g, "kernel", (3, 4)) == []
    with vs(g, "backbone"), vs(g, None, default="dense"):
        errors = get_errors(g, "kernel", (3, 4))
        assert [e.kind for e in errors] == ["already_exists"]
        assert text(errors[0].full_name) == "backbone/dense/kernel"
    for arg in ("T", "A"):
        with vs(g, "backbone", arg), vs(g, None, default="dense"):
            assert get(g, "kernel", (3, 4)) == []
    assert full_key(g) == ["backbone/dense/kernel"]


def test_default_name_scope_exit_resets_its_own_sub_scopes() -> None:
    g = GraphState()
    with vs(g, None, default="block") as b:
        assert default_names(g, "d", 2) == ["block/d", "block/d_1"]
    assert text(b.handle.name) == "block"
    with vs(g, None, default="block") as b2:
        assert text(b2.handle.name) == "block_1"
        assert default_names(g, "d", 1) == ["block_1/d"]
    assert g.counts[("block/d",)] == 0 and g.counts[("block",)] == 1


def test_top_level_counts_are_never_reset() -> None:
    g = GraphState()
    with vs(g, "outer"):
        pass
    with vs(g, "outer"):
        pass
    assert g.counts[("outer",)] == 2


def test_reset_only_touches_keys_under_the_closing_scope() -> None:
    g = GraphState()
    g.counts[("ab/x",)] = 1
    g.counts[("a",)] = 3
    with vs(g, "a"):
        with vs(g, "x"), vs(g, "y"):
            pass
        assert g.counts[("a/x",)] == 1
        assert g.counts[("a/x/y",)] == 0  # closed with a/x
    assert g.counts[("a/x",)] == 0
    assert g.counts[("ab/x",)] == 1      # "ab/x" does not start with "a/"
    assert g.counts[("a",)] == 4         # the closing scope's own count stays


def test_root_empty_scope_exit_resets_nothing() -> None:
    # close_variable_subscopes("") only matches keys starting with "/"
    g = GraphState()
    with vs(g, "a"):
        pass
    with vs(g, ""):
        with vs(g, "b"):
            pass
    assert g.counts[("a",)] == 1 and g.counts[("b",)] == 1
    assert default_names(g, "b", 1) == ["b_1"]


def test_captured_exit_restores_the_count_snapshot() -> None:
    # [TF: a/d, a/d (second captured entry), a/d, a/d_1]
    g = GraphState()
    with vs(g, "a") as first:
        sc = first.handle
    seen = []
    with vs(g, "b"):
        for _ in range(2):
            with vs(g, sc):
                seen += default_names(g, "d", 1)
    with vs(g, sc):
        seen += default_names(g, "d", 2)
    assert seen == ["a/d", "a/d", "a/d", "a/d_1"]


def test_captured_open_count_survives_its_exit() -> None:
    g = GraphState()
    with vs(g, "outer"), vs(g, "a") as first:
        sc = first.handle
    assert g.counts[("outer/a",)] == 0  # closed with "outer"
    with vs(g, sc):
        pass
    with vs(g, "outer"), vs(g, None, default="a") as d:
        assert text(d.handle.name) == "outer/a_1"


def test_default_name_with_unknown_count_gives_an_unknown_name() -> None:
    g = GraphState()
    g.counts[("dense",)] = UNKNOWN_COUNT
    with vs(g, None, default="dense") as d:
        assert not names.is_known(d.handle.name)
        assert g.counts[d.handle.name] == 1
    # an unknown count stays unknown when opened again
    with vs(g, "dense"):
        pass
    assert g.counts[("dense",)] == UNKNOWN_COUNT


# ---------------------------------------------------------------------------------------------
# §1: get_variable's decision table, rows a-l

def existing(g: GraphState, name: str = "v", shape: Any = (2, 3), **kw: Any) -> None:
    assert get(g, name, shape, **kw) == []


@pytest.mark.parametrize("case, reuse, setup, call, expected", [
    # c: exists, reuse False
    ("c exists, reuse False", "N", dict(shape=(2, 3)), dict(shape=(2, 3)), ["already_exists"]),
    ("c exists, no shape, reuse False", "N", dict(shape=(2, 3)), dict(), ["already_exists"]),
    # d: shape mismatch (None dims compatible), also under AUTO_REUSE
    ("d shape mismatch", "T", dict(shape=(2, 3)), dict(shape=(2, 4)), ["shape_mismatch"]),
    ("d rank mismatch", "T", dict(shape=(2, 3)), dict(shape=(3,)), ["shape_mismatch"]),
    ("d scalar vs vector", "T", dict(shape=(1,)), dict(shape=()), ["shape_mismatch"]),
    ("d None dim compatible", "T", dict(shape=(2, 3)), dict(shape=(None, 3)), []),
    ("d None dims compatible", "T", dict(shape=(2, 3)), dict(shape=(None, None)), []),
    ("d None dim still checks others", "T", dict(shape=(2, 3)), dict(shape=(None, 4)), ["shape_mismatch"]),
    ("d AUTO still checks shape", "A", dict(shape=(2, 3)), dict(shape=(2, 4)), ["shape_mismatch"]),
    ("d shape before dtype", "T", dict(shape=(2,)), dict(shape=(3,), dtype="int32"), ["shape_mismatch"]),
    # e: dtype mismatch
    ("e explicit dtype mismatch", "T", dict(shape=(2,)), dict(shape=(2,), dtype="int32"), ["dtype_mismatch"]),
    ("e default float32 vs int32", "T", dict(shape=(2,), dtype="int32"), dict(shape=(2,)), ["dtype_mismatch"]),
    ("e AUTO dtype mismatch", "A", dict(shape=(2,)), dict(dtype="float16"), ["dtype_mismatch"]),
    ("e alias is the same dtype", "T", dict(shape=(2,), dtype="float64"), dict(dtype="double"), []),
    ("e ref dtype is the base dtype", "T", dict(shape=(2,), dtype="float32_ref"), dict(dtype="float32"), []),
    # f: exists and matches; shape may be omitted; initializer ignored on reuse
    ("f same shape", "T", dict(shape=(2, 3)), dict(shape=(2, 3)), []),
    ("f omitted shape", "T", dict(shape=(2, 3)), dict(), []),
    ("f AUTO existing", "A", dict(shape=(2, 3)), dict(shape=(2, 3)), []),
    ("f AUTO omitted shape", "A", dict(shape=(2, 3)), dict(), []),
    ("f callable initializer on reuse", "T", dict(shape=(2, 3)), dict(shape=(2, 3), init="callable"), []),
])
def test_existing_variable_rows(case: str, reuse: str, setup: dict, call: dict, expected: List[str]) -> None:
    g = GraphState()
    with vs(g, "s"):
        existing(g, "v", **setup)
    with vs(g, "s", reuse):
        errors = get_errors(g, "v", **call)
    assert [e.kind for e in errors] == expected, case
    for e in errors:
        assert text(e.full_name) == "s/v" and text(e.scope) == "s"
        assert e.existing is not None and text(e.existing.name) == "s/v"


def test_shape_mismatch_detail() -> None:
    g = GraphState()
    existing(g, "v", (1,))
    g.reuse_variables(g.root, None)
    (error,) = get_errors(g, "v", (2,))
    assert error.kind == "shape_mismatch"
    assert error.detail == {"shape": (2,), "found": (1,)}
    assert (shapes.render(error.detail["shape"]), shapes.render(error.detail["found"])) == ("(2,)", "(1,)")


def test_dtype_mismatch_detail_default_float32_vs_int32_constant() -> None:
    # [TF: get_variable("v", initializer=tf.constant([1, 2])) twice under AUTO_REUSE:
    #  "specified dtype float32 and found dtype int32_ref"]
    g = GraphState()
    with vs(g, "s", "A"):
        rec, errors = g.get_variable(req("v", init="constant", init_shape=(2,), init_dtype="int32"))
        assert errors == [] and rec is not None
        assert (rec.shape, rec.dtype) == ((2,), "int32")
        (error,) = get_errors(g, "v", init="constant", init_shape=(2,), init_dtype="int32")
        assert error.kind == "dtype_mismatch"
        assert error.detail == {"dtype": "float32", "found": "int32"}
        assert get(g, "v") == ["dtype_mismatch"]
        assert get(g, "v", dtype="int32") == []


@pytest.mark.parametrize("case, reuse, call, expected", [
    # g: does not exist and reuse True
    ("g reuse True", "T", dict(shape=(2,)), ["does_not_exist"]),
    ("g reuse True without shape", "T", dict(), ["does_not_exist"]),
    ("g reuse True with constant", "T", dict(init="constant", init_shape=(2,), init_dtype="float32"),
     ["does_not_exist"]),
    # AUTO_REUSE creates
    ("AUTO creates", "A", dict(shape=(2,)), []),
    # h: new, no initializer, no shape; AUTO_REUSE does not rescue it
    ("h no shape", "N", dict(), ["undefined_shape"]),
    ("h no shape under AUTO", "A", dict(), ["undefined_shape"]),
    ("h int dtype no shape", "N", dict(dtype="int32"), ["undefined_shape"]),
    # i: callable initializer (or the default one) with a shape not fully defined
    ("i default init partial shape", "N", dict(shape=(None, 3)), ["undefined_shape"]),
    ("i callable partial shape", "N", dict(shape=(None, 3), init="callable"), ["undefined_shape"]),
    ("i callable without shape", "N", dict(init="callable"), ["undefined_shape"]),
    ("i callable full shape", "N", dict(shape=(4, 3), init="callable"), []),
    # k: default initializer for float, int, bool, string
    ("k float default", "N", dict(shape=(2,)), []),
    ("k scalar shape", "N", dict(shape=()), []),
    ("k int default zeros", "N", dict(shape=(2,), dtype="int32"), []),
    ("k bool default zeros", "N", dict(shape=(2,), dtype="bool"), []),
    ("k string default zeros", "N", dict(shape=(2,), dtype="string"), []),
    # l: zero-argument lambda without a shape
    ("l lambda without shape", "N", dict(init="lambda"), []),
    # constant (value) initializer without a shape is fine
    ("constant without shape", "N", dict(init="constant", init_shape=(2,), init_dtype="float32"), []),
    # a library initializer ("layer") knows its dimensions from the input
    ("layer partial shape", "N", dict(shape=(None, 3), init="layer"), []),
])
def test_new_variable_rows(case: str, reuse: str, call: dict, expected: List[str]) -> None:
    g = GraphState()
    with vs(g, "s", reuse):
        errors = get_errors(g, "v", **call)
    assert [e.kind for e in errors] == expected, case
    for e in errors:
        assert e.existing is None
        assert text(e.full_name) == "s/v"


@pytest.mark.parametrize("case, call, expected", [
    # a: explicit dtype and the constant's dtype differ
    ("a int list, float32", dict(dtype="float32", init="constant", init_shape=(2,), init_dtype="int32"),
     ["init_dtype_mismatch"]),
    ("a float list, float64", dict(dtype="float64", init="constant", init_shape=(2,), init_dtype="float32"),
     ["init_dtype_mismatch"]),
    ("a alias matches", dict(dtype="float", init="constant", init_shape=(2,), init_dtype="float32"), []),
    ("a same dtype", dict(dtype="int32", init="constant", init_shape=(2,), init_dtype="int32"), []),
    ("a callable initializer is not checked", dict(shape=(2,), dtype="int32", init="callable"), []),
    # c: an initializer that makes floats only cannot fill an integer or bool variable (TypeError in TF)
    ("c floats into int32", dict(shape=(2,), dtype="int32", init="callable", init_dtype="float"),
     ["float_initializer"]),
    ("c floats into bool", dict(shape=(2,), dtype="bool", init="callable", init_dtype="float"),
     ["float_initializer"]),
    ("c floats into float16", dict(shape=(2,), dtype="float16", init="callable", init_dtype="float"), []),
    ("c floats, dtype left out (float32)", dict(shape=(2,), init="callable", init_dtype="float"), []),
    ("a unknown init dtype", dict(dtype="int32", init="constant", init_shape=(2,)), []),
    # b: constant initializer together with a shape, including shape=[]
    ("b constant with shape", dict(shape=(2,), init="constant", init_shape=(2,), init_dtype="float32"),
     ["constant_with_shape"]),
    ("b constant with scalar shape", dict(shape=(), init="constant", init_shape=(), init_dtype="float32"),
     ["constant_with_shape"]),
    ("b constant with unknown rank shape", dict(shape=(None, None), init="constant", init_dtype="float32"),
     ["constant_with_shape"]),
    # TF raises (a) first; the model reports both, (a) first
    ("a then b", dict(shape=(2,), dtype="float32", init="constant", init_shape=(2,), init_dtype="int32"),
     ["init_dtype_mismatch", "constant_with_shape"]),
])
def test_initializer_rows(case: str, call: dict, expected: List[str]) -> None:
    g = GraphState()
    assert get(g, "v", **call) == expected, case


def test_constant_with_unknown_shape_value_is_not_certain() -> None:
    # A shape argument that may be None at run time (MAYBE_GIVEN) does not make row b certain;
    # one that is certainly given but unreadable (UNKNOWN) does.
    g = GraphState()
    assert get(g, "v", MAYBE_GIVEN, init="constant", init_shape=(2,), init_dtype="float32") == []
    assert get(GraphState(), "v", UNKNOWN, init="constant", init_shape=(2,), init_dtype="float32") == [
        "constant_with_shape"]


def test_constant_with_shape_comes_before_already_exists() -> None:
    # TF raises row b before looking in the store; the model lists b first
    g = GraphState()
    existing(g, "v", (2,))
    kinds = get(g, "v", (2,), init="constant", init_shape=(1,), init_dtype="float32")
    assert kinds[0] == "constant_with_shape"
    assert "already_exists" in kinds


def test_init_dtype_check_uses_only_the_explicit_dtype() -> None:
    # [TF: float64 scope + float32 constant: created as float32; a later plain lookup mismatches]
    g = GraphState()
    with vs(g, "s", "A", dtype="float64"):
        rec, errors = g.get_variable(req("v", init="constant", init_shape=(2,), init_dtype="float32"))
        assert errors == [] and rec is not None and rec.dtype == "float32"
        errors = get_errors(g, "v")
        assert [e.kind for e in errors] == ["dtype_mismatch"]
        assert errors[0].detail == {"dtype": "float64", "found": "float32"}


def test_scope_dtype_is_the_default_and_is_inherited() -> None:
    g = GraphState()
    with vs(g, "a", dtype="float64"), vs(g, "b"):
        assert g.current.dtype == "float64"
        rec, _ = g.get_variable(req("v", (1,)))
        assert rec is not None and rec.dtype == "float64"
        assert get(g, "w", (1,), dtype="int32") == []
        assert g.vars[("a/b/w",)].dtype == "int32"
    with vs(g, "a", "T"), vs(g, "b"):
        assert get(g, "v", (1,)) == ["dtype_mismatch"]  # the default is float32 here
    with vs(g, "a", "T", dtype="float64"), vs(g, "b"):
        assert get(g, "v", (1,)) == []


def test_captured_scope_dtype_argument_overrides() -> None:
    g = GraphState()
    with vs(g, "a", dtype="float64") as first:
        sc = first.handle
    with vs(g, sc, dtype="float16"):
        rec, _ = g.get_variable(req("v", (1,)))
    assert rec is not None and rec.dtype == "float16"


def test_captured_scope_keeps_its_dtype_without_argument() -> None:
    g = GraphState()
    with vs(g, "a", dtype="float64") as first:
        sc = first.handle
    with vs(g, "b", dtype="int32"), vs(g, sc):
        rec, _ = g.get_variable(req("v", (1,)))
    assert rec is not None and rec.dtype == "float64"


@pytest.mark.xfail(strict=True, reason=(
    "model bug (SEMANTICS §1 row j): no error for a new variable with no initializer whose dtype is "
    "not floating/integer/bool/string. get_variable('v', [2], dtype=tf.complex64) raises "
    "'An initializer for variable v of <dtype: 'complex64'> is required'; the model says ok"))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_row_j_complex_without_initializer(dtype: str) -> None:
    g = GraphState()
    assert get(g, "v", (2,), dtype=dtype) != []


def test_row_j_complex_with_initializer_or_reuse_is_fine() -> None:
    g = GraphState()
    assert get(g, "v", (2,), dtype="complex64", init="callable") == []
    g.reuse_variables(g.root, None)
    assert get(g, "v", (2,), dtype="complex64") == []


@pytest.mark.xfail(strict=True, reason=(
    "model bug (SEMANTICS §1 row l): a zero-argument lambda initializer WITH a shape fails in TF "
    "(TypeError: <lambda>() got an unexpected keyword argument 'dtype', verified on 2.21); "
    "GraphState._decide returns ok for init='lambda' whatever the shape"))
@pytest.mark.parametrize("shape", [(2,), ()])
def test_row_l_lambda_with_shape(shape: Any) -> None:
    g = GraphState()
    assert get(g, "v", shape, init="lambda") != []


def test_created_record_facts() -> None:
    g = GraphState()
    with vs(g, "s") as frame:
        rec, _ = g.get_variable(req("v", (2, 3), origin="site"), created_by="dense")
    assert rec is not None
    assert (rec.shape, rec.dtype, rec.origin, rec.certain) == ((2, 3), "float32", "site", True)
    assert rec.created_by == "dense" and rec.open_id == frame.open_id and text(rec.scope) == "s"
    g.reuse_variables(g.root, None)
    with vs(g, "s"):
        again, errors = g.get_variable(req("v"))
    assert errors == [] and again is rec  # reuse returns the stored record


def test_generation_changes_on_every_operation() -> None:
    g = GraphState()
    seen = [g.generation]
    frame, _ = g.enter(names.text("s"), frozenset("N"), None)
    seen.append(g.generation)
    g.get_variable(req("v", (1,)))
    seen.append(g.generation)
    g.reuse_variables(g.current, None)
    seen.append(g.generation)
    g.exit(frame)
    seen.append(g.generation)
    assert seen == sorted(set(seen))


# ---------------------------------------------------------------------------------------------
# uncertainty: unknown reuse, open world, partly-known names

def test_unknown_reuse_gives_no_error() -> None:
    g = GraphState()
    with vs(g, "s"):
        existing(g, "v", (2,))
    with vs(g, "s", "NTA") as s:
        assert g.reuse_of(s.handle) == ANY_REUSE
        assert get(g, "v", (2,)) == []     # F: already exists, T/A: ok
        assert get(g, "new", (2,)) == []   # T: does not exist, F/A: ok
        assert get(g, "other") == []       # F/A: no shape, T: does not exist: kinds differ


@pytest.mark.parametrize("arg, expected", [
    ("NT", []),                          # exists: already exists (F) or ok (T)
    ("TA", ["shape_mismatch"]),          # both reusing: the shape check is certain
    ("NA", []),
])
def test_partly_known_reuse_on_existing_variable(arg: str, expected: List[str]) -> None:
    g = GraphState()
    with vs(g, "s"):
        existing(g, "v", (2,))
    with vs(g, "s", arg):
        assert get(g, "v", (3,)) == expected


@pytest.mark.parametrize("arg, expected", [
    ("NT", []),
    ("TA", []),
    ("T", ["does_not_exist"]),
])
def test_partly_known_reuse_on_new_variable(arg: str, expected: List[str]) -> None:
    g = GraphState()
    with vs(g, "s", arg):
        assert get(g, "v", (3,)) == expected


def test_uncertain_reuse_variables_joins_possibilities() -> None:
    g = GraphState()
    other = g.clone()
    other.reuse_variables(other.root, "maybe")
    merged = g.clone()
    merged.merge(g, other)
    assert merged.reuse_of(merged.root) == frozenset("FT")
    assert merged.root_leak == "maybe"
    with vs(merged, "later"):
        assert get(merged, "x", (1,)) == []


def test_a_join_keeps_what_neither_branch_changed_and_weakens_the_rest() -> None:
    g = GraphState()
    with vs(g, "s"):
        assert get(g, "kept", (2,)) == []
    left, right = g.clone(), g.clone()
    with vs(left, "l"):
        assert get(left, "w", (3,)) == []
    with vs(right, "l"):
        assert get(right, "w", (4,)) == []
    with vs(right, "r"):
        assert get(right, "only_right", (1,)) == []
    merged = g.clone()
    merged.merge(left, right)
    kept = names.text("s/kept")
    assert merged.vars[kept] is g.vars[kept] and merged.vars[kept].certain  # no new record for an unchanged one
    both = merged.vars[names.text("l/w")]
    assert both.certain and both.shape is None  # made on both paths, with shapes that differ
    once = merged.vars[names.text("r/only_right")]
    assert not once.certain and once.shape == (1,)
    again = merged.clone()
    again.merge(merged, g)
    assert again.vars[names.text("r/only_right")] is once  # already uncertain: joined as it is
    assert not again.vars[names.text("l/w")].certain


def test_open_world_store_gives_no_does_not_exist() -> None:
    g = GraphState(open_world=True)
    assert g.reuse_of(g.root) == ANY_REUSE
    assert g.lookup(("anything",)) == (None, None)
    with vs(g, "s", "T"):
        assert get(g, "v", (2,)) == []
        assert get(g, "w") == []
    closed = GraphState()
    with vs(closed, "s", "T"):
        assert get(closed, "v", (2,)) == ["does_not_exist"]


def test_open_world_still_knows_what_it_created() -> None:
    g = GraphState(open_world=True)
    with vs(g, "s", "A"):
        assert get(g, "v", (2,)) == []
        assert g.lookup(("s/v",))[0] is True
        assert get(g, "v", (3,)) == ["shape_mismatch"]
        assert get(g, "v", (2,), dtype="int32") == ["dtype_mismatch"]


def loop_atoms(n: int = 2, excludes: frozenset = frozenset()) -> List[Atom]:
    group = object()
    return [Atom("i", group, i, excludes) for i in range(n)]


def test_same_group_different_index_names_are_distinct() -> None:
    i0, i1 = loop_atoms()
    g = GraphState()
    with vs(g, ("layer_", i0)):
        assert get(g, "w", (2,)) == []
    with vs(g, ("layer_", i1)):
        assert g.lookup(names.make(("layer_", i1, "/w")))[0] is False
        assert get(g, "w", (2,)) == []     # a different variable: no already-exists
    with vs(g, ("layer_", i1), "T"):
        assert get(g, "w", (2,)) == []     # ...created just above
    with vs(g, ("layer_", i0)):
        assert get(g, "w", (2,)) == ["already_exists"]  # the same atom is the same name


def test_same_group_distinct_names_under_reuse_do_not_exist() -> None:
    i0, i1 = loop_atoms()
    g = GraphState()
    with vs(g, ("layer_", i0)):
        existing(g, "w", (2,))
    with vs(g, ("layer_", i1), "T"):
        errors = get_errors(g, "w", (2,))
    assert [e.kind for e in errors] == ["does_not_exist"]
    assert names.render(errors[0].full_name) == "layer_{i}/w"


def test_different_unknown_atoms_are_unknown() -> None:
    a, b = Atom("p"), Atom("q")
    g = GraphState()
    with vs(g, ("net_", a)):
        existing(g, "w", (2,))
    with vs(g, ("net_", b)):
        exists, rec = g.lookup(names.make(("net_", b, "/w")))
        assert exists is None and rec is not None and text(rec.name) == "net_{p}/w"
        assert get(g.clone(), "w", (2,)) == []   # may be the same variable: no certain already-exists
        assert get(g.clone(), "w", (3,)) == []
    with vs(g, ("net_", b), "T"):
        assert get(g.clone(), "w", (2,)) == []   # may not exist: no certain does-not-exist
        assert get(g.clone(), "w", (3,)) == []   # shape mismatch or does not exist
    with vs(g, ("net_", a), "T"):
        assert get(g.clone(), "w", (3,)) == ["shape_mismatch"]  # the same atom: certainly the same


def test_unknown_name_against_known_key_is_unknown() -> None:
    a = Atom("name")
    g = GraphState()
    existing(g, "layer/w", (2,))
    g.reuse_variables(g.root, None)
    with vs(g, (a,)):
        assert get(g, "w", (2,)) == []     # {name}/w may be layer/w, or not
    g2 = GraphState()
    with vs(g2, (a,)):
        existing(g2, "w", (2,))
    g2.reuse_variables(g2.root, None)
    assert get(g2, "layer/w", (2,)) == []  # a known name may be the unknown key


def test_unknown_name_is_known_different_when_text_differs() -> None:
    a = Atom("name")
    g = GraphState()
    existing(g, "enc/w", (2,))
    with vs(g, ("dec_", a), "T"):
        assert get(g, "w", (2,)) == ["does_not_exist"]


def test_excluded_index_text_is_a_different_name() -> None:
    i = Atom("i", object(), 1, frozenset({"0"}))
    g = GraphState()
    with vs(g, "layer_0"):
        existing(g, "w", (2,))
    with vs(g, ("layer_", i), "T"):
        assert get(g, "w", (2,)) == ["does_not_exist"]


def test_unknown_shape_or_initializer_is_quiet() -> None:
    g = GraphState()
    assert get(g, "a", UNKNOWN) == []
    assert get(g, "b", init="unknown") == []
    assert get(g, "c", None) == []                 # a shape of unknown rank
    existing(g, "v", (2,))
    g.reuse_variables(g.root, None)
    assert get(g, "v", UNKNOWN) == []
    assert get(g, "v", dtype=UNKNOWN) == []


def test_unknown_shape_record_is_compatible() -> None:
    g = GraphState()
    assert get(g, "v", UNKNOWN) == []
    assert g.vars[("v",)].shape is None
    g.reuse_variables(g.root, None)
    assert get(g, "v", (7, 7)) == []


def test_same_short_name() -> None:
    g = GraphState()
    for scope_name in ("a", "b"):
        with vs(g, scope_name):
            existing(g, "w", (1,))
    with vs(g, "a"):
        existing(g, "bias", (1,))
    found = g.same_short_name(("a/w",))
    assert [text(r.name) for r in found] == ["b/w"]


# ---------------------------------------------------------------------------------------------
# clone / merge of branch states

def branches(g: GraphState):
    return g.clone(), g.clone()


def test_clone_is_independent() -> None:
    g = GraphState()
    with vs(g, "s"):
        existing(g, "v", (1,))
    c = g.clone()
    assert c.lineage is g.lineage and c.root is g.root
    with vs(c, "t"):
        existing(c, "w", (1,))
    c.reuse_variables(c.root, "x")
    assert full_key(g) == ["s/v"] and full_key(c) == ["s/v", "t/w"]
    assert g.reuse_of(g.root) == NO_REUSE and g.root_leak is None
    assert g.counts.get(("t",)) is None


def test_variable_created_in_one_branch_is_maybe() -> None:
    g = GraphState()
    a, b = branches(g)
    with vs(a, "s"):
        existing(a, "v", (2,))
    g.merge(a, b)
    assert g.vars[("s/v",)].certain is False
    exists, rec = g.lookup(("s/v",))
    assert exists is None and rec is not None
    for arg in ("N", "T", "A"):
        with vs(g, "s", arg):
            h = g.clone()
            assert get(h, "v", (2,)) == [], arg          # neither create nor reuse errors are certain
    with vs(g, "s", "T"):
        h = g.clone()
        assert get(h, "v", (3,)) == []                  # shape mismatch or does-not-exist
    with vs(g, "s", "A"):
        h = g.clone()
        assert get(h, "v", (3,)) == []                  # shape mismatch or created


def test_touching_a_maybe_variable_makes_it_certain() -> None:
    g = GraphState()
    a, b = branches(g)
    existing(a, "v", (2,))
    g.merge(a, b)
    g.reuse_variables(g.root, None)
    # TF: after a successful get_variable the variable exists for sure
    g2 = g.clone()
    rec, errors = g2.get_variable(req("v", (2,)))
    assert errors == [] and rec is not None and rec.certain
    assert get(g2, "v", (3,)) == ["shape_mismatch"]


def test_variable_created_in_both_branches_is_certain() -> None:
    g = GraphState()
    a, b = branches(g)
    existing(a, "v", (2,))
    existing(b, "v", (2,))
    g.merge(a, b)
    rec = g.vars[("v",)]
    assert rec.certain and rec.shape == (2,) and rec.dtype == "float32"
    assert get(g, "v", (2,)) == ["already_exists"]


def test_merge_forgets_facts_that_differ() -> None:
    g = GraphState()
    a, b = branches(g)
    existing(a, "v", (2,))
    existing(b, "v", (3,), dtype="int32")
    g.merge(a, b)
    rec = g.vars[("v",)]
    assert rec.certain and rec.shape is None and rec.dtype is None
    g.reuse_variables(g.root, None)
    assert get(g, "v", (5,)) == []          # shape unknown after the join
    assert get(g, "v", dtype="int64") == []


def test_merge_counts_differing_become_unknown() -> None:
    g = GraphState()
    a, b = branches(g)
    with vs(a, None, default="dense"):
        pass
    g.merge(a, b)
    assert g.counts[("dense",)] == UNKNOWN_COUNT
    with vs(g, None, default="dense") as d:
        assert not names.is_known(d.handle.name)
    g3 = GraphState()
    a, b = branches(g3)
    for branch in (a, b):
        with vs(branch, None, default="dense"):
            pass
    g3.merge(a, b)
    assert g3.counts[("dense",)] == 1
    assert default_names(g3, "dense", 1) == ["dense_1"]


def test_merge_reuse_flags_union() -> None:
    g = GraphState()
    frame, _ = g.enter(names.text("s"), frozenset("N"), None)
    a, b = branches(g)
    a.reuse_variables(a.current, "o")
    g.merge(a, b)
    assert g.current is frame.handle
    assert g.current_reuse() == frozenset("FT")
    existing_g = g.clone()
    assert get(existing_g, "v", (1,)) == []   # might be reusing: no certain error
    assert g.root_leak is None


def test_merge_keeps_global_step_only_when_both() -> None:
    g = GraphState()
    a, b = branches(g)
    a.global_step = True
    g.merge(a, b)
    assert g.global_step is None  # made on one branch only: unknown
    a.global_step = b.global_step = True
    g.merge(a, b)
    assert g.global_step is True
    assert g.generation > max(a.generation, b.generation)


# ---------------------------------------------------------------------------------------------
# shapes.py helpers the decision table relies on

@pytest.mark.parametrize("a, b, ok", [
    ((2, 3), (2, 3), True),
    ((None, 3), (2, 3), True),
    ((None, None), (64, 1), True),
    (None, (1, 2, 3), True),
    ((2, 3), (3,), False),
    ((2, 3), (2, 4), False),
    ((), (), True),
    ((), (1,), False),
])
def test_shape_compatibility(a: Any, b: Any, ok: bool) -> None:
    assert shapes.compatible(a, b) is ok
    assert shapes.compatible(b, a) is ok


@pytest.mark.parametrize("shape, text_, full", [
    ((2,), "(2,)", True), ((3, 4), "(3, 4)", True), ((None, 1), "(None, 1)", False),
    ((), "()", True), (None, "<unknown>", False),
])
def test_shape_render_and_fully_defined(shape: Any, text_: str, full: bool) -> None:
    assert shapes.render(shape) == text_
    assert shapes.fully_defined(shape) is full


@pytest.mark.parametrize("given, canonical", [
    ("float32_ref", "float32"), ("float", "float32"), ("double", "float64"), ("half", "float16"),
    ("int", "int32"), ("int64", "int64"), (None, None),
])
def test_canonical_dtype(given: Optional[str], canonical: Optional[str]) -> None:
    assert shapes.canonical_dtype(given) == canonical


# ---------------------------------------------------------------------------------------------
# unseen code (GraphState.unseen_code): what code the analysis did not follow may have created is undecided
# under the scope it ran in, and only there.

def test_unseen_code_makes_names_under_its_scope_undecided() -> None:
    g = GraphState()
    with vs(g, "model"):
        g.unseen_code(None, "a call cut by the depth limit")
    with vs(g, "model/encoder", reuse="T"):
        assert get(g, "kernel") == []  # TF may or may not have it: quiet either way
    with vs(g, "model/encoder"):
        assert get(g, "bias", [3]) == []  # nor 'already exists'


def test_unseen_code_leaves_other_scopes_decidable() -> None:
    g = GraphState()
    with vs(g, "model"):
        g.unseen_code(None, "a call cut by the depth limit")
    with vs(g, "encoder", reuse="T"):  # a sibling of 'model', not under it
        assert get(g, "kernel") == ["does_not_exist"]
    with vs(g, "model_2", reuse="T"):  # a prefix of the text is not a scope prefix
        assert get(g, "kernel") == ["does_not_exist"]


def test_unseen_code_at_the_root_opens_the_whole_store() -> None:
    g = GraphState()
    g.unseen_code(None, "a module that is not among the checked files")
    with vs(g, "anything", reuse="T"):
        assert get(g, "w") == []


def test_unseen_code_survives_branch_merges_and_is_recorded_once_per_scope() -> None:
    g = GraphState()
    a, b = g.clone(), g.clone()
    with vs(a, "m"):
        a.unseen_code(None, "x")
        a.unseen_code(None, "y")
    g.merge(a, b)
    assert len([k for k in g.vars if not names.is_known(k)]) == 1
    with vs(g, "m", reuse="T"):
        assert get(g, "w") == []


def test_unseen_code_in_eager_mode_records_nothing() -> None:
    g = GraphState()
    g.eager = True
    g.unseen_code(None, "x")
    assert g.vars == {}


def test_a_partly_known_shape_says_which_dims_are_missing() -> None:
    g = GraphState()
    _, errors = g.get_variable(req("table", (None, 8), init="callable"))
    assert [(e.kind, e.detail) for e in errors] == [("undefined_shape", {"shape": (None, 8)})]
    _, errors = g.get_variable(req("w"))
    assert [(e.kind, e.detail) for e in errors] == [("undefined_shape", {})]


def test_an_initial_value_of_a_partly_known_static_shape_is_undefined_only_when_tf_knows_it() -> None:
    """'initial_value must have a shape specified' (checked under TF) when the tensor's None is TF's own."""
    from dataclasses import replace
    g = GraphState()
    exact = replace(req("positions", init="constant", init_shape=(None, 128)), init_exact=True)
    _, errors = g.get_variable(exact)
    assert [(e.kind, e.detail) for e in errors] == [
        ("undefined_shape", {"problem": "initial_value", "shape": (None, 128)})]
    _, errors = g.get_variable(req("lost", init="constant", init_shape=(None, 128)))  # a None the analysis lost
    assert errors == []
    _, errors = g.get_variable(replace(req("full", init="constant", init_shape=(4, 128)), init_exact=True))
    assert errors == []
