"""Variables of the TF model: get_variable (its custom getters are in `getters`), tf.Variable, and how
the store's errors become findings (rule codes, facts, cascade keys).

A part of `tfapi.TFApi`, apart so that the ModelError -> report logic can be read on its own.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis import global_step as gstep
from tfscope_lint.analysis import strings, variable_notes
from tfscope_lint.analysis.getters import GettersMixin
from tfscope_lint.analysis.context import Frame, Origin, RawReport
from tfscope_lint.analysis.tfnames import constant_info, dtype_of, is_initializer_path, shape_of
from tfscope_lint.analysis.values import (
    Const, FunctionVal, SeqVal, TFObject, TFRef, TensorVal, Unknown, Value, to_name,
)
from tfscope_lint.model import names
from tfscope_lint.model.catalogue import FLOAT_ONLY_INITIALIZERS
from tfscope_lint.model.graph import (
    MAYBE_GIVEN, NOT_GIVEN, GraphState, ModelError, VarRecord, VarRequest, reusing,
)
from tfscope_lint.model.names import Name
from tfscope_lint.model.shapes import Shape


def _same_text(first: Origin, again: Origin) -> bool:
    text = "".join(again.text.split())
    return bool(text) and "".join(first.text.split()) == text


class VariablesMixin(GettersMixin):
    """get_variable, tf.Variable and their reports; a part of `TFApi`."""

    VAR_ARGS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "collections",
                "caching_device", "partitioner", "validate_shape", "use_resource", "custom_getter", "constraint")

    def get_variable(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Frame) -> Value:
        if "reuse" in kwargs:
            origin = self.interp.origin(frame.module, node)
            self.interp.report(RawReport("TFS109", origin, {
                "detail": "get_variable() has no reuse parameter: TensorFlow raises \"get_variable() got an "
                          "unexpected keyword argument 'reuse'\"; set reuse on the enclosing variable_scope"},
                cascade=("reuse keyword", id(frame))), "TypeError")
            kwargs = {k: v for k, v in kwargs.items() if k != "reuse"}
        if "**unknown**" in kwargs:  # arguments the analysis cannot read: some variable under this scope
            self.interp.graph.unseen_code(self.interp.origin(frame.module, node), "get_variable(**kwargs)")
            return TensorVal(None, None, True)
        bound = self.bind(args, kwargs, self.VAR_ARGS)
        name = to_name(bound.get("name", Unknown("name")))
        if name is None:
            return TensorVal(None, None, True)
        origin = self.interp.origin(frame.module, node)
        if "custom_getter" in bound:  # a getter of its own, not followed: it may create any name
            self.unknown_variable(origin, "get_variable")
            return TensorVal(None, None, True)
        made = self.store_variable(self.build_request(name, bound, origin), bound, node, frame)
        variable_notes.note_store_flags(self.interp, made.name if isinstance(made, TensorVal) else None, bound)
        return made

    def build_request(self, name: Name, bound: Dict[str, Value], origin: Origin) -> VarRequest:
        """What get_variable's arguments ask the store for, as far as they are known."""
        shape = shape_of(bound["shape"]) if "shape" in bound else NOT_GIVEN
        if "shape" in bound and isinstance(bound["shape"], Unknown):
            shape = MAYBE_GIVEN
        dtype = dtype_of(bound["dtype"]) if "dtype" in bound else None
        init, init_shape, init_dtype = self.initializer_kind(bound.get("initializer"))
        if init == "none" and self.interp.graph.current.has_initializer:
            init = "callable" if shape is not NOT_GIVEN else "unknown"
        if "partitioner" in bound:
            init = "unknown" if init == "none" else init
        initial = bound.get("initializer")
        validate = bound.get("validate_shape", Const(True))  # validate_shape=False takes any initial value
        exact = isinstance(initial, TensorVal) and initial.precise() and isinstance(validate, Const) \
            and validate.value is True
        return VarRequest(name, shape, dtype, init, init_shape, init_dtype, origin, init_exact=exact)

    def initializer_kind(self, value: Optional[Value]) -> Tuple[str, Shape, Optional[str]]:
        if value is None or (isinstance(value, Const) and value.value is None):
            return "none", None, None
        if isinstance(value, TFObject) and value.kind == "initializer":
            return "callable", None, ("float" if makes_only_floats(value) else None)
        if isinstance(value, TFRef):
            return ("callable" if is_initializer_path(value.path) else "unknown"), None, None
        if isinstance(value, FunctionVal) and isinstance(value.node, cst.Lambda):
            params = value.node.params
            if not params.params and params.star_arg is cst.MaybeSentinel.DEFAULT or not params.params:
                return "lambda", None, None
            return "callable", None, None
        if isinstance(value, TensorVal):
            if value.opaque:
                return "unknown", None, None
            return "constant", value.shape, value.dtype
        shape, dtype, is_const = constant_info(value)
        if is_const:
            return "constant", shape, dtype
        return "unknown", None, None

    def create(self, request: VarRequest, origin: Origin, frame: Optional[Frame],
               created_by: str = "get_variable") -> Optional[VarRecord]:
        """Run get_variable's decision on the current graph and report its certain errors."""
        graph = self.interp.graph
        if graph.eager:
            shape = request.shape if isinstance(request.shape, tuple) else None
            return VarRecord(request.local_name, shape, request.dtype if isinstance(request.dtype, str) else None,
                             origin, graph.open_id(), True, created_by)
        full = request.local_name if request.absolute else names.join(graph.current.name, request.local_name)
        if request.shape is not NOT_GIVEN or request.init != "none":
            self.interp.creations.add(names.render(full))
        existed = full in graph.vars
        record, errors = graph.get_variable(request, created_by)
        for error in errors:
            self.report_model_error(error, request, origin, graph)
        if record is not None and not existed and record.certain and self.interp.current_frame_uncertain():
            # made after the function or the loop may already have been left: it exists on some paths only
            record.certain = False
        return record

    def report_model_error(self, error: ModelError, request: VarRequest, origin: Origin, graph: GraphState) -> None:
        variable = names.render(error.full_name)
        scope = names.render(error.scope) or "<root>"
        facts: Dict[str, Any] = {"variable": variable, "scope": scope}
        related: List[Tuple[str, Origin, Dict[str, Any]]] = []
        code: str
        existing = error.existing
        if existing is not None and error.kind in ("already_exists", "shape_mismatch", "dtype_mismatch"):
            related.append(("first_created", existing.origin, {"variable": variable}))
        if error.kind == "already_exists":
            same_site = existing is not None and isinstance(existing.origin, Origin) and \
                existing.origin.site.node is origin.site.node
            fetch = request.shape is NOT_GIVEN and request.init == "none"
            current_open = request.context_open if request.context_open is not None else graph.open_id()
            rebuilt = (existing is not None and isinstance(existing.origin, Origin)
                       and existing.scope == graph.current.name and existing.open_id != current_open
                       and (existing.created_by in ("rnn", "slim_net")  # the same builder, called again
                            or _same_text(existing.origin, origin)))
            if same_site or fetch or rebuilt:
                code = "TFS102"
                if same_site:
                    facts["why"] = self.second_run(existing.origin, origin) if existing is not None else \
                        "the same creation site runs a second time"
                elif fetch:
                    facts["why"] = "this call fetches it by name (no shape, no initializer)"
                else:
                    facts["why"] = f"scope '{scope}' is opened again and the same creation is repeated"
            else:
                code = "TFS101"
                facts["first"] = existing.origin.site.location().short() if existing is not None and isinstance(
                    existing.origin, Origin) else "an earlier call"
        elif error.kind == "does_not_exist":
            others = graph.same_short_name(error.full_name)
            facts["reuse_reason"] = self.reuse_reason(graph, graph.current)
            related.extend(self.reuse_related(graph, graph.current))
            if others:
                code = "TFS104"
                other = others[0]
                facts["short"] = names.render(names.last_component(error.full_name))
                facts["existing"] = names.render(other.name)
                related.append(("existing", other.origin, {"existing": facts["existing"]}))
            else:
                code = "TFS103"
        elif error.kind == "shape_mismatch":
            from tfscope_lint.model.shapes import render
            code = "TFS105"
            facts["shape"] = render(error.detail.get("shape"))
            facts["found"] = render(error.detail.get("found"))
        elif error.kind == "dtype_mismatch":
            code = "TFS106"
            facts["detail"] = (f"Trying to share variable '{variable}' as {error.detail.get('dtype')}, but it was "
                               f"created as {error.detail.get('found')}")
        elif error.kind == "init_dtype_mismatch":
            code = "TFS106"
            facts["detail"] = (f"Variable '{variable}' gets a constant initializer of dtype "
                               f"{error.detail.get('init_dtype')} but dtype={error.detail.get('dtype')}: TensorFlow "
                               f"raises 'Initializer type ... and explicit dtype ... don't match.'")
        elif error.kind == "float_initializer":
            code = "TFS106"
            facts["detail"] = (f"Variable '{variable}' is {error.detail.get('dtype')}, but its initializer makes "
                               f"floating-point values only: TensorFlow raises TypeError 'Expected "
                               f"{error.detail.get('dtype')}, but got ... of type 'float'' (or a ValueError on the dtype)")
        elif error.kind == "undefined_shape":
            from tfscope_lint.model.shapes import render
            code = "TFS107"
            shape = error.detail.get("shape")
            facts["problem"] = ("with no shape and no initializer that gives one" if shape is None else
                                f"with the shape {render(shape)}, which is not fully defined (TensorFlow needs every "
                                f"dimension of a new variable), and no initializer that gives one")
            if error.detail.get("problem") == "initial_value":
                facts["kind"] = "initial_value"
                facts["shape"] = render(shape)
                facts["problem"] = (f"from an initial value whose static shape {render(shape)} is not fully defined "
                                    f"(sized by a dimension TensorFlow does not know): pass shape= and an "
                                    f"initializer, or validate_shape=False")
        elif error.kind == "constant_with_shape":
            code = "TFS108"
        else:
            return
        cascade = self.cascade_key(code, origin, existing, graph)
        if code == "TFS107":
            cascade = self.shape_cascade(origin, graph)
        self.interp.report(RawReport(code, origin, facts, related, variable, scope, cascade))

    def cascade_key(self, code: str, origin: Origin, existing: Optional[VarRecord], graph: GraphState) -> Any:
        """Errors with one cause share a key, so that one run of a builder gives one finding, not one per variable.

        Creations that collide: the cause is where the current execution parts from the one that made the
        existing variable (the call that runs the builder again), or, when both ran through the same calls,
        the outermost scope opened (at the root: the loop running them). Lookups that fail: the place that
        switched reuse on, within that same outermost scope.
        """
        family = "exists" if code in ("TFS101", "TFS102", "TFS105", "TFS106") else "missing" \
            if code in ("TFS103", "TFS104") else None
        if family is None or (family == "exists" and (existing is None or not isinstance(existing.origin, Origin))):
            return None
        current = [s.node for s in origin.chain]
        where: Any = None
        if family == "exists" and existing is not None:
            earlier = [s.node for s in existing.origin.chain]
            for i in range(max(len(current), len(earlier))):
                a = current[i] if i < len(current) else None
                b = earlier[i] if i < len(earlier) else None
                if a is not b:
                    where = ("call", i, id(a), id(b), tuple(id(n) for n in current[:i]))
                    break
        stack = graph.stack
        if family == "missing" and len(stack) > 1:
            # lookups inside one model that reuse because of one value (a scope's reuse=, handed down) share it
            where = ("scope", stack[1].open_id, id(graph.reuse_origin.get(graph.current.id)))
        if where is None:
            # the same calls made both: the cause is the outermost scope opening around them, at the root the
            # innermost running loop (its next iteration repeats every creation of the body), else the line
            outer: Any = stack[1].open_id if len(stack) > 1 else None
            if outer is None and self.interp.loops:
                loop, iteration = self.interp.loops[-1]
                outer = ("loop", id(loop), iteration)
            where = ("frame", tuple(id(n) for n in current), outer if outer is not None else id(origin.site.node))
        return (family, id(graph.lineage), where)

    def shape_cascade(self, origin: Origin, graph: GraphState) -> Any:
        """Variables left without a shape in one scope opening usually share the missing value: one finding."""
        return ("no shape", id(graph.lineage), graph.open_id(), tuple(id(s.node) for s in origin.chain))

    @staticmethod
    def second_run(first: Any, again: Origin) -> str:
        """Name the call that runs the creation again: the first call where the two call chains part."""
        earlier = first.chain if isinstance(first, Origin) else ()
        for i, site in enumerate(again.chain):
            if i >= len(earlier) or earlier[i].node is not site.node:
                callee = strings.dotted_name(site.node) if isinstance(site.node, cst.Call) else None
                where = site.location().short()
                if callee:
                    return f"{callee}() runs a second time (the call at {where})"
                return f"the creation runs a second time (the call at {where})"
        return "the same creation site runs a second time"

    def report_error(self, code: str, origin: Origin, facts: Dict[str, Any],
                     related: Optional[List[Tuple[str, Origin, Dict[str, Any]]]] = None,
                     variable: Optional[str] = None, scope: Optional[str] = None) -> None:
        self.interp.report(RawReport(code, origin, facts, list(related or []), variable, scope))

    def tf_variable(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Frame) -> Value:
        graph = self.interp.graph
        key = (id(node), graph.lineage)
        runs = self.interp.site_runs.get(key, 0)
        self.interp.site_runs[key] = runs + 1
        bound = self.bind(args, kwargs, ("initial_value", "trainable", "collections", "validate_shape",
                                         "caching_device", "name", "variable_def", "dtype"))
        value = bound.get("initial_value")
        shape, dtype = (value.shape, value.dtype) if isinstance(value, TensorVal) else constant_info(value)[:2] \
            if value is not None else (None, None)
        given = to_name(bound.get("name", Const("Variable")))
        gstep.note_variable_name(graph, given)
        if "collections" in bound:
            gstep.note_collections(graph, gstep.read_keys(bound["collections"], self.interp.iterate))
        full = names.render(names.join(graph.current.name, given or names.text("Variable")))
        trainable = bound.get("trainable", Const(None))
        certainly_trainable = isinstance(trainable, Const) and trainable.value in (None, True)
        if certainly_trainable and self.interp.uncertain == 0 and not self.interp.current_frame_uncertain():
            self.interp.trainable_variables.append(full)  # for TFS110
        variable_notes.note_tf_variable(self.interp, given or names.text("Variable"), shape,
                                        dtype if isinstance(dtype, str) else None,
                                        variable_notes.flag(bound.get("trainable"), True),
                                        self.interp.origin(frame.module, node))
        if runs >= 1 and reusing(graph.current_reuse()) and not (certainly_trainable and self.interp.template_reruns):
            origin = self.interp.origin(frame.module, node)
            scope = names.render(graph.current.name) or "<root>"
            self.interp.report(RawReport("TFS201", origin, {"scope": scope, "variable": full},
                                         related=self.reuse_related(graph, graph.current), variable=None,
                                         scope=scope), None)
        return TensorVal(shape, dtype if isinstance(dtype, str) else None, True)

    def add_to_collection(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Frame,
                          many: bool = False) -> Value:
        """Only the GLOBAL_STEP collection matters to the model: what get_global_step finds there."""
        bound = self.bind(args, kwargs, ("names" if many else "name", "value"))
        key = bound.get("names" if many else "name", Unknown("collection"))
        gstep.note_collections(self.interp.graph, gstep.read_keys(key, self.interp.iterate) if many else [key])
        return Const(None)


def makes_only_floats(initializer: TFObject) -> bool:
    """An initializer certain to make floating-point values only (see catalogue.FLOAT_ONLY_INITIALIZERS)."""
    kind = initializer.spec
    if kind in FLOAT_ONLY_INITIALIZERS:
        return True
    if kind in ("constant_initializer", "constant"):
        value = initializer.args[0] if initializer.args else initializer.kwargs.get("value")
        if isinstance(value, SeqVal):
            return any(isinstance(item, Const) and isinstance(item.value, float) for item in value.items)
        return isinstance(value, Const) and isinstance(value.value, float)
    if kind in ("random_uniform_initializer", "random_uniform"):
        return len(initializer.args) < 2 and "maxval" not in initializer.kwargs
    return False
