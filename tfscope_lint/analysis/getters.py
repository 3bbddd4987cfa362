"""Custom getters: the one door every store variable goes through, as in TF.

TF's get_variable hands the full name and its arguments to the custom getter of the current variable
scope (a parent's getter is inherited), and the getter decides what the store is asked for. Every
library that creates store variables calls get_variable underneath (tf.layers and their batch-norm
moving statistics, slim / contrib layers, RNN cells, the global step, optimizer slots and moving
averages; verified under TF), so all of them come here through `store_variable`.

A getter the analysis cannot run, or one that does not visibly call the getter it receives, may
create any name: the store then gets a variable whose name is unknown, which makes later lookups
uncertain (quiet) instead of wrongly missing.

A part of `tfapi.TFApi` (through `VariablesMixin`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional

from tfscope_lint.analysis import global_step as gstep
from tfscope_lint.analysis.context import Frame, Origin
from tfscope_lint.analysis.values import (
    AUTO_REUSE, Const, TFObject, TensorVal, Unknown, Value, str_value, to_name,
)
from tfscope_lint.model import names
from tfscope_lint.model.graph import ARG_ANY, UNKNOWN, VarRecord, VarRequest

# The arguments whose values decide the request; a getter that passes them on unchanged keeps it.
REQUEST_ARGS = ("shape", "dtype", "initializer", "partitioner")


def library_arguments(request: VarRequest) -> Dict[str, Value]:
    """What a library's get_variable call passes, as values a getter can read and pass on."""
    shape: Value = Const(request.shape) if isinstance(request.shape, tuple) else Unknown("shape")
    dtype: Value = Const(request.dtype) if isinstance(request.dtype, str) else Unknown("dtype")
    return {"shape": shape, "dtype": dtype, "initializer": Const(None)}


class GettersMixin:
    """Store requests through the scope's custom getter; a part of `TFApi`."""

    interp: Any
    VAR_ARGS: tuple

    def store_variable(self, request: VarRequest, given: Dict[str, Value], node: Any, frame: Frame,
                       created_by: str = "get_variable") -> Value:
        """get_variable's call of the store, for get_variable itself and for every library.

        `given`: the get_variable arguments as values, for a getter to read; `request` is what they mean.
        """
        getter = self.interp.graph.current.custom_getter
        if getter is True:
            self.unknown_variable(request.origin, created_by)
            return TensorVal(None, None, True)
        if getter:
            return self.through_custom_getter(getter, request, given, node, frame, created_by)
        record = self.create(request, request.origin, frame, created_by)
        return self.created_value(record, given)

    def created_value(self, record: Optional[VarRecord], given: Dict[str, Value]) -> Value:
        if "collections" in given:
            gstep.note_collections(self.interp.graph, gstep.read_keys(given["collections"], self.interp.iterate))
        if record is None:
            return TensorVal(None, None, True)
        return TensorVal(record.shape, record.dtype, True, record.name)

    def unknown_variable(self, origin: Origin, created_by: str) -> None:
        """A creation whose name the analysis cannot know: any later lookup may find it."""
        graph = self.interp.graph
        if graph.eager:
            return
        full = (names.Atom("name chosen by a custom getter"),)
        graph.vars[full] = VarRecord(full, None, None, origin, graph.open_id(), False, created_by, graph.current.name)
        graph.generation += 1

    def through_custom_getter(self, getter: Value, request: VarRequest, given: Dict[str, Value], node: Any,
                              frame: Frame, created_by: str) -> Value:
        """A scope's custom_getter gets the full name and every argument; what it passes on is created."""
        graph = self.interp.graph
        full = request.local_name if request.absolute else names.join(graph.current.name, request.local_name)
        reuse = graph.current_reuse()
        reuse_value: Value = Const(True) if reuse == frozenset("T") else Const(False) if reuse == frozenset("F") \
            else AUTO_REUSE if reuse == frozenset("A") else Unknown("reuse")
        kwargs: Dict[str, Value] = {k: v for k, v in given.items() if k != "name"}
        for key in ("shape", "dtype", "initializer"):
            kwargs.setdefault(key, Const(None))
        state = {"reuse": reuse_value, "request": request, "given": dict(kwargs), "created_by": created_by,
                 "own": created_by == "get_variable", "calls": 0}
        true_getter = TFObject("true_getter", None, state=state)
        kwargs.update({"getter": true_getter, "name": str_value(full), "reuse": reuse_value})
        result = self.interp.call_value(getter, [], kwargs, node, frame)
        if not state["calls"]:
            # the getter may have called it where the analysis could not follow (unknown code, unknown name)
            self.unknown_variable(request.origin, created_by)
        return result if isinstance(result, TensorVal) else TensorVal(None, None, True)

    def call_true_getter(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                         frame: Frame) -> Value:
        """The getter a custom getter receives: the store's get_variable, with the full name as given."""
        if "**unknown**" in kwargs:  # arguments the analysis cannot read: through_custom_getter sees no call
            return TensorVal(None, None, True)
        order = ("name",) + self.VAR_ARGS[1:]
        bound = self.bind(args, {k: v for k, v in kwargs.items() if k != "reuse"}, order)
        name = to_name(bound.get("name", Unknown("name")))
        if name is None:
            return TensorVal(None, None, True)
        passed = kwargs.get("reuse")
        reuse: Any = None
        if passed is not None and passed is not obj.state["reuse"]:
            arg = self.reuse_arg(passed)
            reuse = frozenset("FTA") if arg == "invalid" or arg == ARG_ANY else \
                frozenset("F" if a == "N" else a for a in arg)
        origin = self.interp.origin(frame.module, node)
        request = self.passed_request(obj.state, bound, name, origin, reuse)
        obj.state["calls"] += 1
        record = self.create(request, origin, frame, obj.state["created_by"])
        return self.created_value(record, bound)

    def passed_request(self, state: Dict[str, Any], bound: Dict[str, Value], name: names.Name, origin: Origin,
                       reuse: Any) -> VarRequest:
        """The request the getter makes: the original one under the new name, with what it changed read anew."""
        template: VarRequest = state["request"]
        given: Dict[str, Value] = state["given"]
        changed = {key for key in REQUEST_ARGS if bound.get(key) is not given.get(key)}
        same = dict(local_name=name, absolute=True, reuse=reuse, origin=origin)
        if not changed:
            return dataclasses.replace(template, **same)
        fresh = self.build_request(name, bound, origin)
        if state["own"]:  # get_variable's own arguments, as the getter passed them
            return dataclasses.replace(fresh, context_open=template.context_open, **same)
        # a library's variable: its shape comes from the input, unknown dimensions are not missing ones
        fields: Dict[str, Any] = {}
        if "shape" in changed:
            fields["shape"] = fresh.shape
        if "dtype" in changed:
            fields["dtype"] = fresh.dtype
        if fresh.init in ("unknown", "constant") and changed & {"initializer", "partitioner"}:
            fields.update(init=fresh.init, init_shape=fresh.init_shape, init_dtype=fresh.init_dtype)
        if fields.get("shape", template.shape) is UNKNOWN:
            fields["init"] = "unknown"
        return dataclasses.replace(template, **fields, **same)
