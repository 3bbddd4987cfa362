"""What the variable inventory needs beyond the store: tf.Variables, and the flags of store variables.

The store (`GraphState.vars`) holds what get_variable and the libraries create, which is all the
checks need. `tfscope-lint vars` lists what `tf.global_variables()` lists, so the interpreter also
notes here, without changing any check:

- every `tf.Variable` (and the non-slot variables optimizers make with it, Adam's beta powers), with
  the name TF gives it. TF names a tf.Variable in the current *name scope*, not the variable scope,
  and uniquifies it against the graph's op names, case-insensitively (`Variable`, `Variable_1`; `w`
  after get_variable's `w` becomes `w_1`). The name scope is that of the variable scopes only when
  each of them is a string scope opened for the first time and no tf.name_scope is open; otherwise
  the name is shown with an unknown part and is not certain. Ops named by hand (a placeholder
  `name="x"` makes a later `tf.Variable(name="x")` into `x_1`) are not followed.
- the `trainable=` and `collections=` of get_variable: trainable or not, global or local.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from tfscope_lint.analysis.values import Const, TFRef, Value
from tfscope_lint.model import names
from tfscope_lint.model.graph import GraphState
from tfscope_lint.model.names import Atom, Name
from tfscope_lint.model.shapes import Shape


@dataclass
class MadeVariable:
    """A variable made outside the store (tf.Variable), as TF would name it."""

    name: Name
    shape: Shape
    dtype: Optional[str]
    trainable: Optional[bool]
    certain: bool  # made on every path, under a name the analysis is sure of
    origin: Any
    created_by: str  # "Variable", or "optimizer" for a non-slot optimizer variable
    lineage: object  # the graph it belongs to
    position: int  # how many store variables the graph held then: its place in creation order


def flag(value: Optional[Value], default: bool) -> Optional[bool]:
    """A bool argument: its value, the default when absent or None, None when unknown."""
    if value is None:
        return default
    if isinstance(value, Const) and (value.value is None or isinstance(value.value, bool)):
        return default if value.value is None else value.value
    return None


def is_global(collections: Optional[Value], iterate: Any) -> Optional[bool]:
    """Whether a `collections=` argument puts the variable in GLOBAL_VARIABLES (the default)."""
    if collections is None or (isinstance(collections, Const) and collections.value is None):
        return True
    items = iterate(collections)
    if items is None:
        return None
    verdict: Optional[bool] = False
    for item in items:
        if isinstance(item, TFRef):
            if item.path.endswith("GLOBAL_VARIABLES"):
                return True
            if "GraphKeys." not in item.path:
                verdict = None
        elif isinstance(item, Const) and isinstance(item.value, str):
            if item.value == "variables":
                return True
        else:
            verdict = None
    return verdict


def note_store_flags(interp: Any, name: Optional[Name], bound: Dict[str, Value]) -> None:
    """get_variable's trainable= and collections=, for the variable it created (the first call wins)."""
    if name is None or name in interp.variable_flags:
        return
    interp.variable_flags[name] = (flag(bound.get("trainable"), True),
                                   is_global(bound.get("collections"), interp.iterate))


def _name_scope_known(interp: Any, graph: GraphState) -> bool:
    """The name scope is the variable scope's name: string scopes only, each in its first opening."""
    if interp.name_scopes:
        return False
    in_use: Dict[str, int] = interp.op_names.get(id(graph.lineage), {})
    for frame in graph.stack[1:]:
        name = frame.handle.name
        if frame.kind != "string" or not names.is_known(name) or graph.counts.get(name, 0) != 1:
            return False
        if name in graph.vars or names.render(name).lower() in in_use:
            return False  # an op of that name (get_variable's, a tf.Variable's) took it: the name scope is `name_1`
    return True


def unique_name(interp: Any, graph: GraphState, wanted: str) -> str:
    """TF's Graph.unique_name: case-insensitive, `name_1`, `name_2`... past the names in use."""
    in_use: Dict[str, int] = interp.op_names.setdefault(id(graph.lineage), {})

    def taken(key: str) -> bool:
        return key in in_use or (key,) in graph.vars or graph.counts.get((key,), 0) != 0

    key = wanted.lower()
    count = in_use.get(key, 1 if taken(key) or (wanted,) in graph.vars or graph.counts.get((wanted,), 0) else 0)
    in_use[key] = count + 1
    if count == 0:
        return wanted
    base, i = key, count
    while taken(key):
        key = f"{base}_{i}"
        i += 1
    in_use[key] = 1
    return f"{wanted}_{i - 1}"


_NOT_AN_OP = ("Variable", "variable", "layers", "slim", "Optimizer", "rnn", "template", "name_scope", "Graph", "keras")


def note_op_name(interp: Any, path: str, name: Value) -> None:
    """An op named by hand (`tf.placeholder(..., name="x")`) takes its name: a later tf.Variable named `x`
    becomes `x_1`. Followed where the name scope is known; creators of variables and scopes name their own."""
    graph: GraphState = interp.graph
    if graph.eager or not path.startswith("tf.") or any(word in path for word in _NOT_AN_OP):
        return
    if isinstance(name, Const) and isinstance(name.value, str) and name.value and _name_scope_known(interp, graph):
        unique_name(interp, graph, names.render(names.join(graph.current.name, names.text(name.value))))


def note_tf_variable(interp: Any, given: Optional[Name], shape: Shape, dtype: Optional[str],
                     trainable: Optional[bool], origin: Any, created_by: str = "Variable") -> None:
    graph: GraphState = interp.graph
    if graph.eager:
        return
    on_every_path = interp.uncertain == 0 and not interp.current_frame_uncertain()
    local = given if given is not None else (Atom("name"),)
    if not names.is_known(local):
        name = names.join(graph.current.name, local)
        certain = False
    elif _name_scope_known(interp, graph) and graph.counts.get(names.join(graph.current.name, local), 0) >= 0:
        full = names.render(names.join(graph.current.name, local))
        name = names.text(unique_name(interp, graph, full))
        certain = on_every_path
    else:
        name = names.join((Atom("name scope"),), local)
        certain = False
    interp.made_variables.append(MadeVariable(name, shape, dtype, trainable, certain, origin, created_by,
                                              graph.lineage, len(graph.vars)))


def note_optimizer_variables(interp: Any, obj: Any, spec: str, origin: Any) -> None:
    """Adam's beta1_power and beta2_power: tf.Variables, made once per optimizer and graph, at its first step."""
    if spec not in NON_SLOT_VARIABLES:
        return
    made: List[object] = obj.state.setdefault("non_slot_graphs", [])
    if interp.graph.lineage in made:
        return
    made.append(interp.graph.lineage)
    for local, shape, dtype in NON_SLOT_VARIABLES[spec]:
        note_tf_variable(interp, names.text(local), shape, dtype, False, origin, "optimizer")


NON_SLOT_VARIABLES: Dict[str, Tuple[Tuple[str, Shape, str], ...]] = {
    "tf.train.AdamOptimizer": (("beta1_power", (), "float32"), ("beta2_power", (), "float32")),
}
