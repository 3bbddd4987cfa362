"""Slot variables: what optimizers and moving averages create for each variable they update.

TF's create_slot opens `variable_scope(None, default_name=<var op name>/<slot name>)` under the current
variable scope and calls get_variable there: Adam's slots of `m/w` built in scope `m` are `m/m/w/Adam/`
and `m/m/w/Adam_1/` (uniquified like any default name: a second Adam in the same open scope gets
`m/m/w/Adam_2/`). They follow the scope's reuse like any get_variable: a reusing scope fetches the slots
an earlier optimizer made under the same names and fails only on a missing one. Adam's beta1_power and
beta2_power are plain tf.Variables and never fail.

An optimizer updates only the variables that get a gradient, which the analysis cannot see: with more than
one candidate, each one's slots exist on some paths only, and a step fails for sure only when every
candidate misses its slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from tfscope_lint.model import names
from tfscope_lint.model.graph import UNKNOWN, GraphState, VarRecord, VarRequest
from tfscope_lint.model.names import Atom, Name
from tfscope_lint.analysis.values import Const, TensorVal, Value

# Variables that no optimizer trains (the slots themselves, the global step).
UNTRAINED = ("slot", "global_step")


@dataclass
class SlotStep:
    """One minimize / apply_gradients / ExponentialMovingAverage.apply, as far as it is known."""

    slots: Optional[Tuple[str, ...]]  # slot names ("Adam", "Adam_1"); None when the optimizer's name is unknown
    trained: List[Name]  # the variables it may update, in TF's order
    complete: bool  # nothing else may be updated
    all_updated: bool  # each of `trained` is updated (a moving average), not only those with a gradient


def slot_names(defaults: Tuple[str, ...], name: Optional[Value]) -> Optional[Tuple[str, ...]]:
    """The catalogue's slot names, renamed by the optimizer's name= ("Adam", "Adam_1" -> "d_opt", "d_opt_1")."""
    if name is None:
        return defaults
    if isinstance(name, Const) and isinstance(name.value, str) and name.value:
        base = defaults[0]
        return tuple(name.value + s[len(base):] for s in defaults)
    return None


def candidates(graph: GraphState, items: Optional[List[Value]]) -> Tuple[List[Name], bool, bool]:
    """The variables a step may update, whether that list is complete, and whether it was read from the call.

    A list of get_variable variables names them. No list, or one with anything else in it (an unknown
    element, a tf.Variable), means the trainable variables of the store, or some of them.
    """
    if items is not None and all(isinstance(v, TensorVal) and v.name is not None for v in items):
        return [v.name for v in items], True, True  # type: ignore[union-attr,misc]
    records = [rec for rec in graph.vars.values() if rec.created_by not in UNTRAINED]
    complete = not graph.open_world and all(rec.certain and names.is_known(rec.name) for rec in records)
    return [rec.name for rec in records], complete, False


def run_step(graph: GraphState, step: SlotStep, origin: Any) -> Optional[Name]:
    """Create (or fetch) the step's slots in `graph`; return the slot it certainly fails on, if it does.

    A step that fails creates nothing: TF stops there, and a later step must not find its slots.
    """
    if not step.trained:
        return None
    if "T" in graph.current_reuse():  # only a reusing lookup can fail
        trial = graph.clone()  # different variables' slots have different names: one trial holds them all
        failing = [_create_for(trial, var, step.slots, origin) for var in step.trained]
        if step.complete and any(_certain(graph, var) for var in step.trained) and None not in failing:
            return failing[0]
    if step.complete and (step.all_updated or len(step.trained) == 1):
        for var in step.trained:
            _create_for(graph, var, step.slots, origin)
        return None
    # each variable is updated on some paths only: its slots, and their default-name counts, become uncertain
    made = graph.clone()
    for var in step.trained:
        _create_for(made, var, step.slots, origin)
    graph.merge(graph.clone(), made)
    return None


def _certain(graph: GraphState, var: Name) -> bool:
    rec = graph.vars.get(var)
    return rec is not None and rec.certain


def _create_for(graph: GraphState, var: Name, slots: Optional[Tuple[str, ...]], origin: Any) -> Optional[Name]:
    """The slots of one variable, in TF's order; the first one whose lookup certainly fails, if any."""
    if slots is None or not names.is_known(var):
        _vague_slot(graph, var, origin)
        return None
    failed: Optional[Name] = None
    for slot in slots:
        frame, _ = graph.enter(None, frozenset("N"), origin, default_name=f"{names.render(var)}/{slot}")
        try:
            request = VarRequest(names.text(""), UNKNOWN, UNKNOWN, "layer", origin=origin)
            _, errors = graph.get_variable(request, "slot")
        finally:
            graph.exit(frame)
        missing = [e.full_name for e in errors if e.kind == "does_not_exist"]
        if failed is None and missing:
            failed = missing[0]
    return failed


def _vague_slot(graph: GraphState, var: Name, origin: Any) -> None:
    """A slot whose name the analysis cannot spell: it may be any name under the variable's, on some paths."""
    full = names.join(graph.current.name, names.make(var, ("/",), (Atom("slot"),)))
    graph.vars[full] = VarRecord(full, None, None, origin, graph.open_id(), False, "slot", graph.current.name)
    graph.generation += 1


# Where each optimizer (and the moving average) takes `name` positionally: it renames the slots.
NAME_POSITION = {
    "tf.train.AdamOptimizer": 5, "tf.train.MomentumOptimizer": 3, "tf.train.RMSPropOptimizer": 6,
    "tf.train.AdagradOptimizer": 3, "tf.train.AdadeltaOptimizer": 4, "tf.train.FtrlOptimizer": 6,
    "tf.train.ProximalAdagradOptimizer": 5, "tf.train.AdagradDAOptimizer": 6,
    "tf.train.ExponentialMovingAverage": 3,
}


def name_argument(path: str, args: Tuple[Value, ...], kwargs: Dict[str, Value]) -> Optional[Value]:
    """The `name` an optimizer or moving average was built with; None for the default."""
    if "name" in kwargs:
        return kwargs["name"]
    position = NAME_POSITION.get(path)
    if position is not None and len(args) > position:
        return args[position]
    return None


def pair_variables(iterate: Callable[[Value], Optional[List[Value]]], pairs: Value) -> Optional[List[Value]]:
    """The variables of apply_gradients' (gradient, variable) pairs, when the list can be read."""
    items = iterate(pairs)
    if items is None:
        return None
    out = []
    for item in items:
        pair = iterate(item)
        if pair is None or len(pair) != 2:
            return None
        out.append(pair[1])
    return out
