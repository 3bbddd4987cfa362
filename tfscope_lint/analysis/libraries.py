"""Variable-creating libraries built on get_variable: tf.layers, slim / contrib.layers, RNN cells,
optimizers, moving averages, the global step and templates.

Each is modelled by the scopes it opens and the get_variable calls it makes (SEMANTICS.md §4),
driven by the data in `catalogue.py`; the variables go through the same door as a direct
get_variable (`getters.store_variable`: the scope's custom getter, then the graph model), so every
rule applies to them unchanged.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from tfscope_lint.model import catalogue
from tfscope_lint.model.catalogue import CellSpec, LayerSpec
from tfscope_lint.analysis import global_step as gstep
from tfscope_lint.analysis import templates
from tfscope_lint.analysis import slim_nets, slots, variable_notes
from tfscope_lint.analysis.context import Origin, RawReport
from tfscope_lint.analysis.getters import library_arguments
from tfscope_lint.analysis.values import (
    AutoReuse, BoundMethod, BuiltinVal, Const, DictVal, FunctionVal, ScopeVal, SeqVal, TFCall, TFObject,
    TFRef, TensorVal, Unknown, Value, str_value, to_name,
)
from tfscope_lint.model import names
from tfscope_lint.model.graph import UNKNOWN, VarRequest


def _int(value: Optional[Value]) -> Optional[int]:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def _given(value: Optional[Value]) -> bool:
    return value is not None and not (isinstance(value, Const) and value.value is None)


class Libraries:
    """Calls into the catalogued libraries, for one interpreter."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.interp = api.interp
        self.arg_scopes: List[Tuple[Any, Dict[str, Value]]] = []

    # ------------------------------------------------------------------ dispatch
    def call(self, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Optional[Value]:
        if path in catalogue.TF_LAYERS:
            spec = catalogue.TF_LAYERS[path]
            bound = self.bind_layer(spec, args, kwargs)
            obj = TFObject("layer", spec, state={"functional": True, "bound": bound}, node=node)
            return self.call_layer(obj, bound.get("inputs", Unknown("inputs")), node, frame)
        if path in catalogue.TF_LAYER_CLASSES:
            spec = catalogue.TF_LAYERS[catalogue.TF_LAYER_CLASSES[path]]
            bound = self.bind_layer(spec, [Unknown("inputs")] + list(args), kwargs)
            return TFObject("layer", spec, state={"functional": False, "bound": bound}, node=node)
        if path in catalogue.SLIM_LAYERS:
            return self.call_slim(catalogue.SLIM_LAYERS[path], args, self.with_arg_scope(path, kwargs), node, frame)
        if path in ("slim.variable", "slim.model_variable"):
            return self.api.get_variable(args, self.with_arg_scope(path, kwargs), node, frame)
        if path == "slim.arg_scope":
            return TFCall("arg_scope", tuple(args), kwargs, node)
        if path == "slim.repeat":
            return self.repeat(args, kwargs, node, frame)
        if path == "slim.stack":
            return self.stack(args, kwargs, node, frame)
        if path in catalogue.CELLS:
            spec = catalogue.CELLS[path]
            bound = self.api.bind(args, kwargs, spec.params)
            return TFObject("cell", spec, state={"bound": bound}, node=node)
        if path == "tf.nn.rnn_cell.MultiRNNCell":
            cells = args[0] if args else kwargs.get("cells", Unknown("cells"))
            return TFObject("multi_cell", None, state={"cells": cells}, node=node)
        if path in catalogue.CELL_WRAPPERS:
            inner = args[0] if args else kwargs.get("cell", Unknown("cell"))
            return TFObject("wrapper", None, state={"cell": inner}, node=node)
        if path in ("tf.nn.dynamic_rnn", "tf.nn.static_rnn", "tf.nn.static_state_saving_rnn"):
            return self.rnn(path, args, kwargs, node, frame)
        if path in ("tf.nn.bidirectional_dynamic_rnn", "tf.nn.static_bidirectional_rnn"):
            return self.bidirectional(args, kwargs, node, frame)
        if path in catalogue.OPTIMIZER_SLOTS:
            return TFObject("optimizer", path, tuple(args), dict(kwargs), node=node)
        if path in ("tf.train.get_or_create_global_step", "tf.train.create_global_step",
                    "tf.train.get_global_step"):
            return self.global_step(path, node, frame)
        if path == "tf.train.ExponentialMovingAverage":
            return TFObject("ema", path, tuple(args), dict(kwargs), node=node)
        if path == "tf.make_template":
            return self.make_template(args, kwargs, node, frame)
        if slim_nets.handles(path):
            return slim_nets.call(self, path, args, kwargs, node, frame)
        return None

    def object_attribute(self, obj: TFObject, attr: str, node: Any) -> Value:
        if attr in obj.state.get("attrs", {}):
            return obj.state["attrs"][attr]
        if obj.kind == "optimizer" and attr in ("minimize", "apply_gradients"):
            return BoundMethod(BuiltinVal("optimizer." + attr), obj)
        if obj.kind == "ema" and attr == "apply":
            return BoundMethod(BuiltinVal("ema.apply"), obj)
        if obj.kind in ("layer", "cell", "multi_cell", "wrapper", "template") and attr in ("__call__", "apply", "call"):
            return obj
        return Unknown(f"{obj.kind} attribute")

    def call_method(self, method: str, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                    frame: Any) -> Value:
        if method in ("optimizer.minimize", "optimizer.apply_gradients"):
            return self.optimizer_step(obj, method, args, kwargs, node, frame)
        if method == "ema.apply":
            return self.ema_apply(obj, args, kwargs, node, frame)
        return Unknown("method")

    def call_object(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        if obj.kind == "layer":
            inputs = args[0] if args else kwargs.get("inputs", Unknown("inputs"))
            return self.call_layer(obj, inputs, node, frame)
        if obj.kind in ("cell", "multi_cell", "wrapper"):
            inputs = args[0] if args else kwargs.get("inputs", Unknown("inputs"))
            depth = self.last_dim(inputs)
            self.call_cell(obj, depth, self.api.interp.origin(frame.module, node) if frame else None, frame)
            units = self.cell_units(obj)
            return SeqVal([TensorVal(None if units is None else (None, units)), Unknown("state")], True)
        if obj.kind == "template":
            return self.call_template(obj, args, kwargs, node, frame)
        return TensorVal(opaque=True)

    def enter(self, call: TFCall, node: Any, frame: Any) -> Tuple[Value, Callable[[], None]]:
        if call.kind == "arg_scope":
            return self.enter_arg_scope(call)
        return Unknown("context"), lambda: None

    # ------------------------------------------------------------------ shared helpers
    @staticmethod
    def last_dim(value: Value) -> Optional[int]:
        if isinstance(value, TensorVal) and value.shape:
            return value.shape[-1]
        return None

    def bind_layer(self, spec: LayerSpec, args: List[Value], kwargs: Dict[str, Value]) -> Dict[str, Value]:
        bound = self.api.bind(args, kwargs, ("inputs",) + spec.params)
        for key, default in spec.defaults.items():
            bound.setdefault(key, Const(default))
        return bound

    def dims(self, spec_dims: Tuple[Any, ...], bound: Dict[str, Value], depth: Optional[int], rank: int) -> Any:
        """A variable's shape from the catalogue's dimension expressions; UNKNOWN where an argument is unknown."""
        out: List[Optional[int]] = []
        for dim in spec_dims:
            if isinstance(dim, int):
                out.append(dim)
            elif dim == "in":
                out.append(depth)
            elif dim == "k*":
                ks = bound.get("kernel_size", Unknown("kernel_size"))
                if _int(ks) is not None:
                    out.extend([_int(ks)] * rank)
                elif isinstance(ks, SeqVal) and all(_int(k) is not None for k in ks.items):
                    out.extend(_int(k) for k in ks.items)
                elif isinstance(ks, Const) and isinstance(ks.value, (tuple, list)):
                    out.extend(ks.value)
                else:
                    return UNKNOWN
            elif dim == "in*depth_multiplier":
                mult = _int(bound.get("depth_multiplier"))
                out.append(depth * mult if depth is not None and mult is not None else None)
            else:
                value = _int(bound.get(str(dim)))
                if value is None:
                    return UNKNOWN
                out.append(value)
        return tuple(out)

    def create_in_scope(self, local: str, shape: Any, dtype: Optional[str], origin: Origin, frame: Any,
                        created_by: str, init: str = "layer", context_open: Optional[int] = None) -> None:
        request = VarRequest(names.text(local), shape, dtype, init if shape is not UNKNOWN else "unknown",
                             None, None, origin, context_open)
        self.api.store_variable(request, library_arguments(request), origin.site.node, frame, created_by)

    def open(self, target: Value, default: Value, reuse: Optional[Value], origin: Origin, frame: Any,
             custom_getter: Optional[Value] = None) -> Tuple[Value, Callable[[], None]]:
        return self.api.open_scope(target, default, reuse, None, origin, frame)

    # ------------------------------------------------------------------ tf.layers
    def call_layer(self, obj: TFObject, inputs: Value, node: Any, frame: Any) -> Value:
        spec: LayerSpec = obj.spec
        bound: Dict[str, Value] = obj.state["bound"]
        depth = self.last_dim(inputs)
        out_dim = _int(bound.get(spec.output)) if spec.output else depth
        dtype = inputs.dtype if isinstance(inputs, TensorVal) and inputs.dtype else "float32"
        out_shape = None
        if isinstance(inputs, TensorVal) and inputs.shape is not None:
            if spec.rank == 0:
                out_shape = inputs.shape[:-1] + (out_dim,)
            else:
                out_shape = (inputs.shape[0],) + (None,) * (len(inputs.shape) - 2) + (out_dim,)
        result = TensorVal(out_shape, dtype)
        if obj.state.get("built"):
            return result  # a built layer creates nothing more: its variables are already there
        origin = self.interp.origin(frame.module, node)
        context_open = self.interp.graph.open_id()
        name = bound.get("name", Const(None))
        reuse = bound.get("reuse")
        reuse_truthy = isinstance(reuse, AutoReuse) or (isinstance(reuse, Const) and reuse.value is True)
        if obj.state.get("functional") and _given(name):
            as_value, on_exit = self.api.open_scope(name, Const(None), reuse, None, origin, frame)
        elif reuse_truthy:
            as_value, on_exit = self.api.open_scope(name if _given(name) else Const(spec.base), Const(None), reuse,
                                                    None, origin, frame)
        else:
            base = to_name(name) if _given(name) else None
            default = str_value(base) if base is not None else Const(spec.base)
            if base is not None and not names.is_known(base):
                as_value, on_exit = self.api.open_scope(name, Const(None), reuse, None, origin, frame)
            else:
                as_value, on_exit = self.api.open_scope(Const(None), default, reuse, None, origin, frame)
        try:
            self.create_layer_variables(spec, bound, depth, dtype, origin, frame, "layer", context_open)
        finally:
            on_exit()
        obj.state["built"] = not obj.state.get("functional")
        if isinstance(as_value, ScopeVal):
            obj.state["scope"] = as_value
        return result

    def create_layer_variables(self, spec: LayerSpec, bound: Dict[str, Value], depth: Optional[int], dtype: str,
                               origin: Origin, frame: Any, created_by: str,
                               context_open: Optional[int] = None) -> None:
        for local, dims, condition in spec.variables:
            if condition is not None:
                flag = bound.get(condition)
                if flag is None or (isinstance(flag, Const) and not flag.value):
                    continue  # use_bias=False, center=False, biases_initializer=None: not created
            shape = self.dims(dims, bound, depth, spec.rank)
            self.create_in_scope(local, shape, dtype, origin, frame, created_by, context_open=context_open)

    # ------------------------------------------------------------------ slim
    def with_arg_scope(self, path: str, kwargs: Dict[str, Value]) -> Dict[str, Value]:
        merged: Dict[str, Value] = {}
        for ops, injected in self.arg_scopes:
            if ops == "*" or path in ops:
                merged.update(injected)
        merged.update(kwargs)
        return merged

    def enter_arg_scope(self, call: TFCall) -> Tuple[Value, Callable[[], None]]:
        first = call.args[0] if call.args else call.kwargs.get("list_ops_or_scope", Unknown("ops"))
        saved = list(self.arg_scopes)
        if isinstance(first, TFObject) and first.kind == "arg_scope_dict":
            self.arg_scopes = list(first.state["stack"])
        elif isinstance(first, (SeqVal, TFRef)):
            items = first.items if isinstance(first, SeqVal) else [first]
            ops = {item.path for item in items if isinstance(item, TFRef)}
            if any(not isinstance(item, TFRef) for item in items):
                ops = ops  # user functions decorated with add_arg_scope: not injected
            injected = {k: v for k, v in call.kwargs.items() if k != "list_ops_or_scope"}
            expanded = set(ops)
            for op in ops:
                spec = catalogue.SLIM_LAYERS.get(op)
                if spec is not None:
                    expanded |= {p for p, s in catalogue.SLIM_LAYERS.items() if s is spec}
            self.arg_scopes.append((expanded, injected))
        else:
            self.arg_scopes.append(("*", {"reuse": Unknown("arg_scope"), "scope": Unknown("arg_scope")}))
        snapshot = TFObject("arg_scope_dict", None, state={"stack": list(self.arg_scopes)})

        def on_exit() -> None:
            self.arg_scopes = saved

        return snapshot, on_exit

    def call_slim(self, spec: LayerSpec, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind_layer(spec, args, kwargs)
        inputs = bound.get("inputs", Unknown("inputs"))
        depth = self.last_dim(inputs)
        dtype = inputs.dtype if isinstance(inputs, TensorVal) and inputs.dtype else "float32"
        out_dim = _int(bound.get(spec.output)) if spec.output else depth
        origin = self.interp.origin(frame.module, node)
        scope = bound.get("scope", Const(None))
        context_open = self.interp.graph.open_id()
        _, on_exit = self.api.open_scope(scope, Const(spec.base), bound.get("reuse"), None, origin, frame)
        try:
            normalizer = bound.get("normalizer_fn")
            if _given(normalizer):
                bound["biases_initializer"] = Const(None)
            self.create_layer_variables(spec, bound, depth, dtype, origin, frame, "slim", context_open)
            if _given(normalizer) and isinstance(normalizer, TFRef) and normalizer.path in catalogue.SLIM_LAYERS:
                params = bound.get("normalizer_params")
                extra = dict(params.items) if isinstance(params, DictVal) else {}
                out = TensorVal(None if out_dim is None else (None, out_dim), dtype)
                self.call_slim(catalogue.SLIM_LAYERS[normalizer.path], [out], self.with_arg_scope(
                    normalizer.path, extra), node, frame)
            elif _given(normalizer):
                # a normalizer the analysis does not follow may create variables of its own in this layer's scope
                slim_nets.mark_unknown_variables(self.interp, origin, "variables of the layer's normalizer")
        finally:
            on_exit()
        shape = None
        if isinstance(inputs, TensorVal) and inputs.shape is not None:
            shape = (inputs.shape[0],) + (None,) * (len(inputs.shape) - 2) + (out_dim,) if spec.rank else \
                inputs.shape[:-1] + (out_dim,)
        return TensorVal(shape, dtype)

    def _layer_fn_name(self, layer: Value) -> Optional[str]:
        if isinstance(layer, TFRef):
            return catalogue.SLIM_FUNCTION_NAMES.get(layer.path, layer.path.rsplit(".", 1)[-1])
        if isinstance(layer, FunctionVal):
            return layer.name
        return None

    def repeat(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.api.bind(args[:3], {}, ("inputs", "repetitions", "layer"))
        rest_args = list(args[3:])
        kwargs = dict(kwargs)
        scope = kwargs.pop("scope", Const(None))
        count = _int(bound.get("repetitions", kwargs.pop("repetitions", Unknown("repetitions"))))
        layer = bound.get("layer", kwargs.pop("layer", Unknown("layer")))
        return self._sequence(bound.get("inputs", Unknown("inputs")), layer, [rest_args] * count
                              if count is not None and count <= 64 else None, kwargs, scope, "Repeat", node, frame,
                              per_item_args=False)

    def stack(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.api.bind(args, {}, ("inputs", "layer", "stack_args"))
        kwargs = dict(kwargs)
        scope = kwargs.pop("scope", Const(None))
        stack_args = bound.get("stack_args", kwargs.pop("stack_args", Unknown("stack_args")))
        items = self.interp.iterate(stack_args)
        per_item = None
        if items is not None:
            per_item = [list(self.interp.iterate(item) or [item]) if isinstance(item, SeqVal) and item.is_tuple
                        else [item] for item in items]
        return self._sequence(bound.get("inputs", Unknown("inputs")), bound.get("layer", Unknown("layer")),
                              per_item, kwargs, scope, "Stack", node, frame, per_item_args=True)

    def _sequence(self, inputs: Value, layer: Value, arg_lists: Optional[List[List[Value]]],
                  kwargs: Dict[str, Value], scope: Value, default: str, node: Any, frame: Any,
                  per_item_args: bool) -> Value:
        origin = self.interp.origin(frame.module, node)
        base = to_name(scope) if _given(scope) else None
        fn_name = self._layer_fn_name(layer)
        if base is None and fn_name is not None:
            base = names.text(fn_name)
        as_value, on_exit = self.api.open_scope(scope, Const(default), None, None, origin, frame)
        try:
            if arg_lists is None or base is None:
                self.interp.uncertain += 1
                try:
                    self.interp.call_value(layer, [inputs], dict(kwargs), node, frame)
                finally:
                    self.interp.uncertain -= 1
                return TensorVal()
            output = inputs
            for i, extra in enumerate(arg_lists):
                call_kwargs = dict(kwargs)
                call_kwargs["scope"] = str_value(names.make(base, (f"_{i + 1}",)))
                output = self.interp.call_value(layer, [output] + list(extra), call_kwargs, node, frame)
            return output
        finally:
            on_exit()

    # ------------------------------------------------------------------ RNN cells
    def cell_units(self, obj: Value) -> Optional[int]:
        if isinstance(obj, TFObject):
            if obj.kind == "cell":
                return _int(obj.state["bound"].get("num_proj")) or _int(obj.state["bound"].get("num_units"))
            if obj.kind == "wrapper":
                return self.cell_units(obj.state["cell"])
            if obj.kind == "multi_cell":
                items = self.interp.iterate(obj.state["cells"])
                return self.cell_units(items[-1]) if items else None
        return None

    def call_cell(self, cell: Value, depth: Optional[int], origin: Optional[Origin], frame: Any) -> None:
        """A cell's first call builds its variables under the current scope; later calls reuse them."""
        if origin is None:
            return
        if not isinstance(cell, TFObject) or cell.kind not in ("cell", "multi_cell", "wrapper"):
            if not (isinstance(cell, Const) and cell.value is None):
                # a cell the analysis does not know (chosen by a setting, a class of the user's): its variables
                # have names it cannot tell
                self.interp.graph.unseen_code(origin, "an RNN cell the analysis does not know")
            return
        if cell.kind == "wrapper":
            self.call_cell(cell.state["cell"], depth, origin, frame)
            return
        if cell.kind == "multi_cell":
            if cell.state.get("built"):
                return
            items = self.interp.iterate(cell.state["cells"])
            as_value, on_exit = self.api.open_scope(Const(None), Const("multi_rnn_cell"), None, None, origin, frame)
            try:
                cells = cell.state["cells"]
                if items is None or (isinstance(cells, SeqVal) and not cells.exact):
                    self.interp.graph.unseen_code(origin, "cells of a MultiRNNCell the analysis cannot count")
                    return
                for i, inner in enumerate(items):
                    _, exit_inner = self.api.open_scope(Const(f"cell_{i}"), Const(None), None, None, origin, frame)
                    try:
                        self.call_cell(inner, depth, origin, frame)
                    finally:
                        exit_inner()
                    depth = self.cell_units(inner)
            finally:
                on_exit()
            cell.state["built"] = True
            return
        if cell.kind != "cell" or cell.state.get("built"):
            return
        spec: CellSpec = cell.spec
        bound = cell.state["bound"]
        name = bound.get("name", Const(None))
        reuse = bound.get("reuse")
        reuse_truthy = isinstance(reuse, AutoReuse) or (isinstance(reuse, Const) and reuse.value is True)
        if reuse_truthy:
            target: Value = name if _given(name) else Const(spec.base)
            _, on_exit = self.api.open_scope(target, Const(None), reuse, None, origin, frame)
        else:
            default = name if _given(name) and isinstance(name, Const) else Const(spec.base)
            if _given(name) and not isinstance(name, Const):
                _, on_exit = self.api.open_scope(name, Const(None), reuse, None, origin, frame)
            else:
                _, on_exit = self.api.open_scope(Const(None), default, reuse, None, origin, frame)
        units = _int(bound.get("num_units"))
        proj = bound.get("num_proj")
        output = _int(proj) if _given(proj) else units  # what the cell feeds back: its projection, if any
        try:
            for local, dims, condition in spec.variables:
                if condition is not None:
                    flag = bound.get(condition)
                    if flag is None or (isinstance(flag, Const) and not flag.value):
                        continue
                    if not isinstance(flag, Const) and not isinstance(flag, TensorVal):
                        self.interp.uncertain += 1  # maybe created: never blamed for what follows
                        try:
                            self.create_in_scope(local, UNKNOWN, "float32", origin, frame, "rnn")
                        finally:
                            self.interp.uncertain -= 1
                        continue
                shape: Any = []
                for dim in dims:
                    if dim == "in+out":
                        shape.append(depth + output if depth is not None and output is not None else None)
                    elif dim == "num_proj":
                        shape.append(output if _given(proj) else None)
                    elif isinstance(dim, str) and dim.endswith("units"):
                        factor = int(dim.split("*")[0]) if "*" in dim else 1
                        shape.append(units * factor if units is not None else None)
                shape = tuple(shape) if units is not None else UNKNOWN
                self.create_in_scope(local, shape, "float32", origin, frame, "rnn")
        finally:
            on_exit()
        cell.state["built"] = True

    def rnn(self, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        order = ("cell", "inputs") if path != "tf.nn.static_state_saving_rnn" else ("cell", "inputs", "state_saver")
        bound = self.api.bind(args, kwargs, order)
        cell = bound.get("cell", Unknown("cell"))
        inputs = bound.get("inputs", Unknown("inputs"))
        if path == "tf.nn.static_rnn":
            items = self.interp.iterate(inputs)
            depth = self.last_dim(items[0]) if items else None
        else:
            depth = self.last_dim(inputs)
        origin = self.interp.origin(frame.module, node)
        scope = bound.get("scope", Const(None))
        target = scope if _given(scope) else Const("rnn")
        _, on_exit = self.api.open_scope(target, Const(None), None, None, origin, frame)
        try:
            self.call_cell(cell, depth, origin, frame)
        finally:
            on_exit()
        units = self.cell_units(cell)
        outputs = TensorVal(None if units is None or not isinstance(inputs, TensorVal) or inputs.shape is None
                            else inputs.shape[:-1] + (units,), "float32")
        return SeqVal([outputs, Unknown("state")], True)

    def bidirectional(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.api.bind(args, kwargs, ("cell_fw", "cell_bw", "inputs"))
        inputs = bound.get("inputs", Unknown("inputs"))
        items = self.interp.iterate(inputs) if isinstance(inputs, SeqVal) else None
        depth = self.last_dim(items[0]) if items else self.last_dim(inputs)
        origin = self.interp.origin(frame.module, node)
        scope = bound.get("scope", Const(None))
        target = scope if _given(scope) else Const("bidirectional_rnn")
        _, on_exit = self.api.open_scope(target, Const(None), None, None, origin, frame)
        try:
            for direction, key in (("fw", "cell_fw"), ("bw", "cell_bw")):
                _, exit_dir = self.api.open_scope(Const(direction), Const(None), None, None, origin, frame)
                try:
                    self.call_cell(bound.get(key), depth, origin, frame)
                finally:
                    exit_dir()
        finally:
            on_exit()
        return SeqVal([SeqVal([TensorVal(), TensorVal()], True), SeqVal([Unknown("state"), Unknown("state")], True)],
                      True)

    # ------------------------------------------------------------------ hidden creators
    def optimizer_step(self, obj: TFObject, method: str, args: List[Value], kwargs: Dict[str, Value], node: Any,
                       frame: Any) -> Value:
        if method == "optimizer.minimize":
            var_list = kwargs.get("var_list", args[2] if len(args) > 2 else None)
            items = self._listed(var_list)
        else:
            pairs = kwargs.get("grads_and_vars", args[0] if args else None)
            items = slots.pair_variables(self.interp.iterate, pairs) if pairs is not None else None
        name = slots.name_argument(obj.spec, obj.args, obj.kwargs)
        if not self.interp.graph.eager:
            variable_notes.note_optimizer_variables(self.interp, obj, obj.spec, self.interp.origin(frame.module, node))
        self._slot_variables(catalogue.OPTIMIZER_SLOTS.get(obj.spec, ()), name, items, False, node, frame)
        return TensorVal(opaque=True)

    def ema_apply(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        var_list = args[0] if args else kwargs.get("var_list")
        items = self._listed(var_list)
        name = slots.name_argument(obj.spec, obj.args, obj.kwargs)
        # each listed variable gets its average, all trainable ones without a list
        every = var_list is None or not _given(var_list)
        self._slot_variables(("ExponentialMovingAverage",), name, items, every, node, frame)
        return TensorVal(opaque=True)

    def _listed(self, var_list: Optional[Value]) -> Optional[List[Value]]:
        return self.interp.iterate(var_list) if var_list is not None and _given(var_list) else None

    def _slot_variables(self, defaults: Tuple[str, ...], name: Optional[Value], items: Optional[List[Value]],
                        every: bool, node: Any, frame: Any) -> None:
        """Create or fetch the slots in the current scope (see `slots`); report a step that surely fails.

        `every`: each variable of the list (of the store, when there is none) is updated, not only those
        that get a gradient."""
        graph = self.interp.graph
        if not defaults or graph.eager:
            return
        origin = self.interp.origin(frame.module, node)
        if graph.current.custom_getter:
            # TF makes slots with get_variable, through the scope's getter: names the analysis does not follow
            self.api.unknown_variable(origin, "slot")
            return
        trained, complete, listed = slots.candidates(graph, items)
        slot_names = slots.slot_names(defaults, name)
        step = slots.SlotStep(slot_names, trained, complete, every and (listed or items is None))
        failing = slots.run_step(graph, step, origin)
        if failing is None:
            return
        # which of several unlisted variables TF tries first depends on the gradients: name none of them
        full = names.render(failing) if listed or len(trained) == 1 else \
            f"<each trained variable>/{(slot_names or defaults)[0]}"
        facts = {"variable": full, "scope": names.render(graph.current.name) or "<root>",
                 "reuse_reason": self.api.reuse_reason(graph, graph.current)}
        self.interp.report(RawReport("TFS103", origin, facts, self.api.reuse_related(graph, graph.current),
                                     full, facts["scope"]))

    def global_step(self, path: str, node: Any, frame: Any) -> Value:
        """get_or_create_global_step makes `global_step` (in the current variable scope) only when
        get_global_step finds none; when that is unsure, the variable exists on some paths only."""
        graph = self.interp.graph
        existing = gstep.found(graph)
        if path == "tf.train.get_global_step" or existing is True:
            return TensorVal((), "int64", True)  # an existing non-integer one is a TypeError: not modelled
        origin = self.interp.origin(frame.module, node)
        request = VarRequest(names.text("global_step"), (), "int64", "layer", None, None, origin)
        if existing is None and graph.current.custom_getter:
            self.api.unknown_variable(origin, "global_step")  # made on some paths, named by the getter
            return TensorVal((), "int64", True)
        if existing is None and not graph.eager:
            made = graph.clone()
            made.get_variable(request, "global_step")
            graph.merge(graph.clone(), made)
            return TensorVal((), "int64", True)
        graph.global_step = True
        self.api.store_variable(request, library_arguments(request), node, frame, "global_step")
        return TensorVal((), "int64", True)

    # ------------------------------------------------------------------ templates
    def make_template(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return templates.make_template(self, args, kwargs, node, frame)

    def call_template(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return templates.call_template(self, obj, args, kwargs, node, frame)
