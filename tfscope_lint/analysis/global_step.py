"""The global step: what `tf.train.get_global_step` finds before `get_or_create_global_step` makes one.

TF (training_util.get_global_step) looks in the GLOBAL_STEP collection first and, when it is
empty, for a tensor named `global_step:0`: a variable a program made by hand under that name is
found, and no second `get_variable("global_step")` happens. `GraphState.global_step` says whether
the collection holds one: True, False, or None when the analysis cannot tell (a `tf.Variable` whose
name may be `global_step`, a collection argument it cannot read).
"""

from __future__ import annotations

from typing import Callable, List, Optional

from tfscope_lint.analysis.values import Const, TFRef, Value
from tfscope_lint.model import names
from tfscope_lint.model.graph import GraphState
from tfscope_lint.model.names import Name

GLOBAL_STEP = names.text("global_step")


def found(graph: GraphState) -> Optional[bool]:
    """Would get_global_step find a global step now? None when it may or may not."""
    if graph.global_step is True:
        return True
    exists, _ = graph.lookup(GLOBAL_STEP)  # get_variable("global_step") at the root: the op `global_step`
    if exists is True:
        return True
    if exists is None or graph.global_step is None:
        return None
    return False


def maybe(graph: GraphState) -> None:
    """Something may have become a global step the collection or the name lookup finds."""
    if graph.global_step is False:
        graph.global_step = None


def note_variable_name(graph: GraphState, name: Optional[Name]) -> None:
    """A tf.Variable named `global_step` (outside any name scope) is found by its tensor name."""
    if name is None or names.equal(name, GLOBAL_STEP) is not False:
        maybe(graph)


def _is_global_step_key(item: Value) -> Optional[bool]:
    if isinstance(item, TFRef):
        return True if item.path.endswith("GraphKeys.GLOBAL_STEP") else False if "GraphKeys." in item.path else None
    if isinstance(item, Const):
        return item.value == "global_step"
    return None


def note_collections(graph: GraphState, keys: Optional[List[Value]]) -> None:
    """Collections a variable or tensor is added to: GLOBAL_STEP among them makes it the global step.

    `keys` None means the list could not be read. A second entry in the collection makes TF find none
    (it logs an error and creates one), which is beyond what the model follows: it becomes unknown.
    """
    verdicts = [_is_global_step_key(k) for k in keys] if keys is not None else [None]
    if any(v is True for v in verdicts):
        graph.global_step = True if graph.global_step is False else None
    elif any(v is None for v in verdicts):
        maybe(graph)


def read_keys(value: Value, iterate: Callable[[Value], Optional[List[Value]]]) -> Optional[List[Value]]:
    """The keys a `collections=` argument lists ([] for None, the default), or None when unknown."""
    if isinstance(value, Const) and value.value is None:
        return []
    return iterate(value)
