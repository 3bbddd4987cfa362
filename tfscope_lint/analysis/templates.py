"""tf.make_template: the variable scope a template makes once and re-enters on every later call.

As TF's `Template` does: the scope is `variable_scope(unique_name_, name_)` (a unique_name_ is taken
as it is, a name_ is uniquified like a default name). It is made at the first call, inheriting that
call's reuse, or with `create_scope_now_=True` when make_template runs, inheriting the reuse there.
Calls re-enter the captured scope with `reuse=not first_call`: the first keeps the captured flag,
later ones reuse.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

from tfscope_lint.analysis.context import RawReport
from tfscope_lint.analysis.values import Const, TFObject, Unknown, Value, truth

PARAMS = ("name_", "func_", "create_scope_now_", "unique_name_", "custom_getter_")


def make_template(libs: Any, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
    bound = libs.api.bind(args, {}, PARAMS)
    extra = {k: v for k, v in kwargs.items() if not k.endswith("_") or k in ("name", "scope")}
    for key in PARAMS:
        if key in kwargs:
            bound[key] = kwargs[key]
    state: Dict[str, Any] = {
        "name": bound.get("name_", Unknown("name")), "func": bound.get("func_", Unknown("func")), "kwargs": extra,
        "unique": bound.get("unique_name_", Const(None)), "getter": bound.get("custom_getter_"), "calls": 0}
    now = truth(bound.get("create_scope_now_", Const(False)))
    if now is None:
        state["opaque"] = True  # when its scope is made, and so its name and reuse, is unknown
    elif now:
        as_value, on_exit = _own_scope(libs, state, libs.interp.origin(frame.module, node), frame)
        on_exit()
        state["scope"] = as_value
    return TFObject("template", None, state=state, node=node)


def call_template(libs: Any, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                  frame: Any) -> Value:
    state = obj.state
    origin = libs.interp.origin(frame.module, node)
    merged = dict(state["kwargs"])
    merged.update(kwargs)
    opaque = bool(state.get("opaque"))
    libs.interp.uncertain += opaque
    try:
        scope = state.get("scope")
        if scope is None:
            as_value, on_exit = _own_scope(libs, state, origin, frame)
            state["scope"] = as_value
        else:
            first = state["calls"] == 0
            as_value, on_exit = libs.api.open_scope(scope, Const(None), Const(not first), None, origin, frame)
        state["calls"] += 1
        interp = libs.interp
        certain = interp.uncertain == 0 and not interp.current_frame_uncertain()
        later = certain and state.get("certain_calls", 0) > 0
        made = len(interp.trainable_variables)
        interp.template_reruns += later
        try:
            result = interp.call_value(state["func"], list(args), merged, node, frame)
        finally:
            interp.template_reruns -= later
            on_exit()
        if later and len(interp.trainable_variables) > made:
            _report_new_trainable(libs, state, origin, interp.trainable_variables[made])
        if certain:
            state["certain_calls"] = state.get("certain_calls", 0) + 1
        return result
    finally:
        libs.interp.uncertain -= opaque


def _report_new_trainable(libs: Any, state: Dict[str, Any], origin: Any, variable: str) -> None:
    """TF checks after a template's later call that it made no trainable variable, and raises if it did."""
    template = state.get("name")
    label = template.value if isinstance(template, Const) and isinstance(template.value, str) else "?"
    libs.interp.report(RawReport("TFS110", origin, {"template": label, "variable": variable}, [], variable, None))


def _own_scope(libs: Any, state: Dict[str, Any], origin: Any, frame: Any) -> Tuple[Value, Callable[[], None]]:
    """`variable_scope(unique_name_, name_, custom_getter=custom_getter_)`, entered."""
    return libs.api.open_scope(state["unique"], state["name"], None, None, origin, frame,
                               custom_getter=state["getter"])
