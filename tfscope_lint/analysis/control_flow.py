"""Graph control-flow ops: in graph mode they call their function arguments while the graph is built.

What real TF does (checked under TF with compat.v1):
- `tf.cond(pred, true_fn, false_fn)` calls true_fn, then false_fn, once each, whatever `pred` is;
  a Python bool `pred` raises TypeError ("'pred' must not be a Python bool") before either runs.
- `tf.case(pairs, default)` calls every pair's function in order, then the default.
- `tf.while_loop(cond, body, loop_vars)` calls cond once, then body once; `tf.map_fn`, `tf.scan`,
  `tf.foldl` and `tf.foldr` call their function once. `get_variable` inside them works as anywhere
  else (the names get no `while/` prefix); a second call of the op runs the body again.
- `smart_cond(pred, true_fn, false_fn)` (tf.contrib.framework, slim's utils) calls only the branch
  a constant `pred` picks, and both (tf.cond) otherwise: a `pred` the analysis cannot evaluate runs
  the two branches as alternatives, so nothing either does alone is certain.

Handlers are keyed by canonical TF name and take a `CallContext`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from tfscope_lint.analysis.signals import RaiseSignal
from tfscope_lint.analysis.values import (
    BoundMethod, ClassVal, Const, FunctionVal, InstanceVal, PartialVal, SeqVal, TFObject, TensorVal, Unknown, Value,
)


@dataclass
class CallContext:
    """One call of a TF API: the interpreter, the call's arguments, and where it is."""

    interp: Any
    args: List[Value]
    kwargs: Dict[str, Value]
    node: Any
    frame: Any

    def arg(self, index: int, *names: str) -> Optional[Value]:
        if index < len(self.args):
            return self.args[index]
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        return None

    def call(self, fn: Optional[Value], args: List[Value]) -> Value:
        """Call a function argument the way the op does; what is not callable (or not given) is skipped."""
        if not callable_value(fn):
            return Unknown("not called")
        return self.interp.call_value(fn, args, {}, self.node, self.frame)


def callable_value(value: Optional[Value]) -> bool:
    if isinstance(value, (FunctionVal, PartialVal, BoundMethod, ClassVal)):
        return True
    return isinstance(value, InstanceVal) and value.cls.lookup("__call__") is not None


def _opaque() -> Value:
    return TensorVal(opaque=True)


def _joined(results: List[Value]) -> Value:
    """What a cond returns: a tensor of the branches' common static shape, else an opaque tensor."""
    tensors = [r for r in results if isinstance(r, TensorVal)]
    if len(tensors) == len(results) and tensors and all(not t.opaque for t in tensors):
        shapes = {t.shape for t in tensors}
        dtypes = {t.dtype for t in tensors}
        if len(shapes) == 1 and len(dtypes) == 1:
            return TensorVal(tensors[0].shape, tensors[0].dtype, exact=all(t.precise() for t in tensors))
    return _opaque()


def _element(value: Optional[Value]) -> Value:
    """One element of what map_fn / scan slice along the first axis."""
    if isinstance(value, TensorVal) and value.shape and not value.opaque:
        return TensorVal(value.shape[1:], value.dtype, exact=value.precise())
    if isinstance(value, SeqVal):
        return SeqVal([_element(item) for item in value.items], value.is_tuple)
    return _opaque()


def _as_tensor(value: Value) -> Value:
    if isinstance(value, TensorVal):
        return value
    if isinstance(value, SeqVal):
        return SeqVal([_as_tensor(item) for item in value.items], value.is_tuple)
    return _opaque()


def cond(ctx: CallContext) -> Value:
    pred = ctx.arg(0, "pred")
    true_fn = ctx.arg(1, "true_fn", "fn1")
    false_fn = ctx.arg(2, "false_fn", "fn2")
    if isinstance(pred, Const) and isinstance(pred.value, bool):
        if _tf_version(ctx) >= (1, 15):
            raise RaiseSignal("TypeError")  # checked under TF; older 1.x releases may have traced both branches
        return _alternatives(ctx, true_fn, false_fn)
    return _joined([ctx.call(true_fn, []), ctx.call(false_fn, [])])


def _tf_version(ctx: CallContext) -> tuple:
    from tfscope_lint import rules
    return rules.parse_version(getattr(getattr(ctx.interp.project, "project", None), "tf_version", "1.15"))


def _alternatives(ctx: CallContext, true_fn: Optional[Value], false_fn: Optional[Value]) -> Value:
    """One branch or the other, the analysis cannot tell which: nothing either does alone is certain."""
    results: List[Value] = []
    if ctx.frame is not None:
        ctx.interp.fork([lambda: results.append(ctx.call(true_fn, [])),
                         lambda: results.append(ctx.call(false_fn, []))], ctx.frame)
    return _joined(results) if len(results) == 2 else _opaque()


def case(ctx: CallContext) -> Value:
    pairs = ctx.arg(0, "pred_fn_pairs")
    default = ctx.arg(1, "default")
    items = ctx.interp.iterate(pairs) if pairs is not None else None
    if items is None:
        return _opaque()  # a dict keyed by tensors, or an unknown list: which functions run is not known
    results: List[Value] = []
    for pair in items:
        if isinstance(pair, SeqVal) and len(pair.items) == 2:
            results.append(ctx.call(pair.items[1], []))
        else:
            results.append(_opaque())
    if default is not None:
        results.append(ctx.call(default, []))
    return _joined(results)


def while_loop(ctx: CallContext) -> Value:
    cond_fn = ctx.arg(0, "cond")
    body = ctx.arg(1, "body")
    loop_vars = ctx.arg(2, "loop_vars")
    items = ctx.interp.iterate(loop_vars) if loop_vars is not None else None
    relaxed = ctx.arg(3, "shape_invariants") is not None
    if items is None:
        values: List[Value] = []
        known = False
    else:
        values = [_opaque() if relaxed else _as_tensor(item) for item in items]
        known = True
    params = _positional_count(body)
    if not known:
        values = [_opaque()] * params
    ctx.call(cond_fn, values)
    ctx.call(body, values)
    return SeqVal([_opaque() for _ in values], isinstance(loop_vars, SeqVal) and loop_vars.is_tuple) \
        if known and len(values) != 1 else _opaque()


def map_fn(ctx: CallContext) -> Value:
    """map_fn converts its function with AutoGraph and calls the converted copy: TensorFlow's traceback of
    an error inside it ends at the map_fn call (checked under TF), so that is where it is reported, with
    the failing line inside the function as a related location."""
    fn = ctx.arg(0, "fn")
    elems = ctx.arg(1, "elems")
    before = len(ctx.interp.reports)
    ctx.call(fn, [_element(elems)])
    if ctx.frame is not None and ctx.node is not None:
        at_call = ctx.interp.origin(ctx.frame.module, ctx.node)
        for report in ctx.interp.reports[before:]:
            report.related.insert(0, ("in_map_fn", report.origin, {}))
            report.origin = at_call
    return _opaque()


def scan(ctx: CallContext) -> Value:
    """scan / foldl / foldr: fn(accumulator, element), once."""
    fn = ctx.arg(0, "fn")
    elems = ctx.arg(1, "elems")
    initializer = ctx.arg(2, "initializer")
    given = initializer is not None and not (isinstance(initializer, Const) and initializer.value is None)
    accumulator = _as_tensor(initializer) if given else _element(elems)
    ctx.call(fn, [accumulator, _element(elems)])
    return _opaque()


def smart_cond(ctx: CallContext) -> Value:
    pred = ctx.arg(0, "pred")
    true_fn = ctx.arg(1, "true_fn", "fn1")
    false_fn = ctx.arg(2, "false_fn", "fn2")
    if isinstance(pred, Const) and isinstance(pred.value, int) and pred.value in (0, 1):  # a bool, or 1 or 0
        return ctx.call(true_fn if pred.value else false_fn, [])
    if isinstance(pred, TFObject) or not isinstance(pred, (TensorVal, Unknown)):
        return _opaque()  # not a predicate TF accepts: it raises TypeError
    return _alternatives(ctx, true_fn, false_fn)


def _positional_count(fn: Optional[Value]) -> int:
    params = getattr(getattr(fn, "node", None), "params", None)
    return len(params.params) if params is not None else 0


HANDLERS: Dict[str, Callable[[CallContext], Value]] = {
    "tf.cond": cond,
    "tf.case": case,
    "tf.while_loop": while_loop,
    "tf.map_fn": map_fn,
    "tf.scan": scan,
    "tf.foldl": scan,
    "tf.foldr": scan,
    "slim.smart_cond": smart_cond,
    "slim.utils.smart_cond": smart_cond,
    "tf.python.framework.smart_cond.smart_cond": smart_cond,
    "tf.__internal__.smart_cond.smart_cond": smart_cond,
    "tf.smart_cond": smart_cond,
}
