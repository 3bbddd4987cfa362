"""Scopes and graphs of the TF model: variable_scope/name_scope entry, reuse arguments, reuse_variables(),
graph switching and eager mode.

A part of `tfapi.TFApi`, apart so that scope entry can be read on its own.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis import strings
from tfscope_lint.analysis.context import Frame, Origin, RawReport
from tfscope_lint.analysis.tfnames import dtype_of
from tfscope_lint.analysis.values import (
    AutoReuse, BoundMethod, Const, DictVal, FunctionVal, GraphVal, InstanceVal, PartialVal, ScopeVal, SeqVal, SymStr,
    TFCall, TFRef, TensorVal, Unknown, Value, str_value, to_name,
)
from tfscope_lint.model import names
from tfscope_lint.model.graph import ARG_ANY, ARG_NONE, GraphState, ScopeHandle, reusing


class ScopesMixin:
    """Scope entry, reuse arguments, reuse_variables() and graphs; a part of `TFApi`."""

    SCOPE_ARGS = ("name_or_scope", "default_name", "values", "initializer", "regularizer", "caching_device",
                  "partitioner", "custom_getter", "reuse", "dtype", "use_resource", "constraint",
                  "auxiliary_name_scope")

    def variable_scope(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return TFCall("variable_scope", (), self.bind(args, kwargs, self.SCOPE_ARGS), node)

    def variable_op_scope(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        order = ("values", "name_or_scope", "default_name") + self.SCOPE_ARGS[3:]
        return TFCall("variable_scope", (), self.bind(args, kwargs, order), node)

    def name_scope(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return TFCall("name_scope", tuple(args), kwargs, node)

    def harmless_context(self, node: cst.CSTNode) -> bool:
        name = strings.dotted_name(node) or ""
        return name.split(".")[-1] in ("open", "Session", "device", "control_dependencies", "as_default",
                                       "suppress", "catch_warnings", "no_grad", "Pool", "Timer", "timer")

    def reuse_arg(self, value: Optional[Value], module: Any = None, node: Any = None) -> Any:
        """The possible values of a reuse= argument (N, T, A); 'invalid' for what TF rejects."""
        if value is None:
            return ARG_NONE
        if isinstance(value, Const):
            if value.value is True:
                return frozenset("T")
            if value.value is False or value.value is None:
                return ARG_NONE
            return "invalid"
        if isinstance(value, AutoReuse):
            return frozenset("A")
        if isinstance(value, (Unknown, TFRef, TensorVal)):
            return ARG_ANY
        if isinstance(value, (SeqVal, DictVal, SymStr, ScopeVal, FunctionVal, InstanceVal)):
            return "invalid" if not isinstance(value, InstanceVal) else ARG_ANY
        return ARG_ANY

    def enter(self, call: TFCall, node: cst.CSTNode, frame: Frame) -> Tuple[Value, Callable[[], None]]:
        if call.kind == "variable_scope":
            return self.enter_variable_scope(call, node, frame)
        if call.kind == "name_scope":
            first = call.args[0] if call.args else call.kwargs.get("name", Const(None))
            text = to_name(first) if not isinstance(first, Const) or first.value is not None else None
            self.interp.name_scopes += 1

            def leave_name_scope() -> None:
                self.interp.name_scopes -= 1

            return (str_value(names.make(text, ("/",))) if text else Unknown("name scope")), leave_name_scope
        if call.kind == "as_default":
            return self.enter_graph(call.args[0])
        return self.libraries.enter(call, node, frame)

    def enter_variable_scope(self, call: TFCall, node: cst.CSTNode, frame: Frame) -> Tuple[Value, Callable[[], None]]:
        kw = call.kwargs
        target_value = kw.get("name_or_scope", Const(None))
        default = kw.get("default_name", Const(None))
        reuse_value = kw.get("reuse")
        origin = self.interp.origin(frame.module, call.node or node)
        return self.open_scope(target_value, default, reuse_value, kw.get("dtype"), origin, frame,
                               initializer=kw.get("initializer"), report_node=call.node or node,
                               custom_getter=kw.get("custom_getter"))

    def open_scope(self, target_value: Value, default: Value, reuse_value: Optional[Value], dtype_value: Any,
                   origin: Origin, frame: Frame, initializer: Optional[Value] = None,
                   report_node: Any = None, custom_getter: Optional[Value] = None) -> Tuple[Value, Callable[[], None]]:
        """Enter a variable scope the way variable_scope() does; returns the `as` value and the exit action."""
        graph = self.interp.graph
        reuse = self.reuse_arg(reuse_value)
        if reuse == "invalid":
            self.report_error("TFS109", origin, {"detail": "The reuse parameter must be True or False or None: "
                                                 "TensorFlow rejects this value ('The reuse parameter must be True or "
                                                 "False or None.')"})
            reuse = ARG_ANY
        target: Any
        if isinstance(target_value, ScopeVal):
            target = target_value.handle
        elif isinstance(target_value, Const) and target_value.value is None:
            target = None
        else:
            name = to_name(target_value)
            if name is None:
                target = names.make((names.Atom("scope"),))
            else:
                target = name
        default_text = default.value if isinstance(default, Const) and isinstance(default.value, str) else None
        if target is None and default_text is None and not (isinstance(default, Const) and default.value is None):
            target = (names.Atom("default scope"),)
        if target is None and default_text is None:
            self.interp.report(RawReport("TFS109", origin, {
                "detail": "variable_scope() needs a name: TensorFlow raises 'If default_name is None then "
                          "name_or_scope is required'"}), "TypeError")
            target = (names.Atom("scope"),)
        explicit_false = isinstance(reuse_value, Const) and reuse_value.value is False
        parent_reuse = graph.current_reuse()
        dtype = dtype_of(dtype_value) if dtype_value is not None else None
        # One reuse value (a `reuse` parameter handed down to several scopes) is one cause: its first use stands
        # for all of them, so the failed lookups it leads to make one finding.
        cause = origin
        if isinstance(reuse_value, Const) and reuse_value.value is True:
            cause = self.reuse_causes.setdefault(id(reuse_value), (reuse_value, origin))[1]
        scope_frame, errors = graph.enter(target, reuse, cause, default_text, dtype if isinstance(dtype, str) else None)
        if initializer is not None and not (isinstance(initializer, Const) and initializer.value is None):
            scope_frame.handle.has_initializer = True
        if custom_getter is not None and not (isinstance(custom_getter, Const) and custom_getter.value is None):
            known = isinstance(custom_getter, (FunctionVal, PartialVal, BoundMethod))
            # Getters of nested scopes compose; only a single one the analysis can run is followed.
            scope_frame.handle.custom_getter = custom_getter if known and not scope_frame.handle.custom_getter \
                else True
        for error in errors:
            if error.kind == "reuse_without_name":
                self.interp.report(RawReport("TFS109", origin, {
                    "detail": "reuse=True cannot be used without a name_or_scope: TensorFlow rejects a reusing "
                              "variable_scope that has only a default_name"}))
                graph.scope_reuse[scope_frame.handle.id] = graph.reuse_of(graph.stack[-2].handle)
        if explicit_false and reusing(parent_reuse) and not isinstance(target, ScopeHandle):
            parent = graph.stack[-2].handle if len(graph.stack) >= 2 else graph.root
            self.interp.report(RawReport("TFS202", origin, {
                "parent": names.render(parent.name) or "<root>",
                "reuse_reason": self.reuse_reason(graph, parent)},
                related=self.reuse_related(graph, parent)), None)
        graph_ref = graph

        def on_exit() -> None:
            current = self.interp.graph
            if current.lineage is graph_ref.lineage:
                current.exit(scope_frame)

        return ScopeVal(scope_frame.handle, graph), on_exit

    def enter_unknown_scope(self, node: cst.CSTNode) -> Tuple[Value, Callable[[], None]]:
        """An unknown context manager may open any scope: names inside become unknown, reuse too."""
        graph = self.interp.graph
        frame_, _ = graph.enter((names.Atom("unknown context"),), ARG_ANY, None)
        graph_ref = graph

        def on_exit() -> None:
            if self.interp.graph.lineage is graph_ref.lineage:
                self.interp.graph.exit(frame_)

        return Unknown("context value"), on_exit

    def enter_graph(self, graph_value: Value) -> Tuple[Value, Callable[[], None]]:
        if not isinstance(graph_value, GraphVal):
            return Unknown("graph"), lambda: None
        previous = self.interp.graph
        target = self.interp.other_graphs.pop(graph_value.state.lineage, graph_value.state)
        if target.lineage is previous.lineage:
            return graph_value, lambda: None
        self.interp.other_graphs[previous.lineage] = previous
        self.interp.graph = target

        def on_exit() -> None:
            inner = self.interp.graph
            self.interp.other_graphs[inner.lineage] = inner
            self.interp.graph = self.interp.other_graphs.pop(previous.lineage, previous)

        return graph_value, on_exit

    def reuse_reason(self, graph: GraphState, handle: ScopeHandle) -> str:
        origin = graph.reuse_origin.get(handle.id)
        if graph.root_leak is not None and origin is graph.root_leak:
            return "reuse_variables() was called on the root scope"
        reuse = graph.reuse_of(handle)
        if reuse == frozenset("A"):
            return "reuse=tf.AUTO_REUSE"
        return "reuse=True"

    def reuse_related(self, graph: GraphState, handle: ScopeHandle) -> List[Tuple[str, Origin, Dict[str, Any]]]:
        origin = graph.reuse_origin.get(handle.id)
        if origin is None:
            return []
        kind = "reuse_leak" if origin is graph.root_leak else "reuse_on"
        return [(kind, origin, {})]

    def get_variable_scope(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return ScopeVal(self.interp.graph.current, self.interp.graph)

    def scope_method(self, method: str, scope: ScopeVal, node: Any, frame: Any) -> Value:
        if method == "reuse_variables":
            graph = self.graph_of(scope)
            module = self.interp.frames[-1].module if self.interp.frames else None
            origin = self.interp.origin(module, node) if module is not None and node is not None else None
            if self.interp.uncertain or self.interp.current_frame_uncertain():
                graph.scope_reuse[scope.handle.id] = graph.reuse_of(scope.handle) | frozenset("T")
            else:
                graph.reuse_variables(scope.handle, origin)
        return Const(None)

    # ------------------------------------------------------------ graphs and modes
    def reset_default_graph(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        eager = self.interp.graph.eager
        self.interp.graph = GraphState()  # empty, as `new_graph`
        self.interp.graph.eager = eager
        return Const(None)

    def new_graph(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        # A new graph is empty whatever the context, even in a function analysed alone: what may fill it there
        # is code the analysis does not follow, and every such call marks the names it may create (unseen_call).
        return GraphVal(GraphState())

    def graph_mode(self, *args: Any) -> Value:
        self.interp.graph.eager = False
        return Const(None)

    def eager_mode(self, *args: Any) -> Value:
        """enable_eager_execution(): get_variable makes a new variable every time and reuse is ignored."""
        if not self.interp.other_graphs:  # inside `with tf.Graph().as_default()` graph mode stays
            self.interp.graph.eager = True
        return Const(None)
