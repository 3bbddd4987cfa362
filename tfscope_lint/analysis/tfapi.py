"""TensorFlow's API as the interpreter sees it: spellings, scopes, get_variable, graphs, tensors.

Every spelling of a TF name is folded onto one canonical path ('tf.variable_scope',
'tf.layers.dense', 'slim.conv2d', ...); calls are dispatched on that path. Anything of TF that
is not modelled returns an unknown tensor, which keeps the analysis quiet.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis import strings
from tfscope_lint.analysis.context import Frame, Origin, RawReport
from tfscope_lint.analysis.values import (
    AUTO_REUSE, AutoReuse, BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, GraphVal, InstanceVal,
    PartialVal, ScopeVal, SeqVal, SymStr, TFCall, TFObject, TFRef, TensorVal, Unknown, Value, str_value, to_name,
)
from tfscope_lint.model import names
from tfscope_lint.model.graph import (
    ARG_ANY, ARG_NONE, MAYBE_GIVEN, NOT_GIVEN, UNKNOWN, GraphState, ModelError, ScopeFrame, ScopeHandle, VarRecord, VarRequest,
    reusing,
)
from tfscope_lint.model.names import Name
from tfscope_lint.model.shapes import Shape

# Prefix rewrites that fold every spelling onto a canonical path, applied until stable.
REWRITES: Tuple[Tuple[str, str], ...] = (
    ("tensorflow", "tf"),
    ("tf_slim", "slim"),
    ("tf.compat.v1", "tf"),
    ("tf.compat.v2", "tf"),
    ("tf.python.ops.variable_scope", "tf"),
    ("tf.python.ops.variables", "tf"),
    ("tf.python.ops.init_ops", "tf"),
    ("tf.python.ops.array_ops", "tf"),
    ("tf.python.ops.math_ops", "tf"),
    ("tf.python.ops.nn", "tf.nn"),
    ("tf.python.ops.rnn_cell_impl", "tf.nn.rnn_cell"),
    ("tf.python.ops.rnn_cell", "tf.nn.rnn_cell"),
    ("tf.python.ops.rnn", "tf.nn"),
    ("tf.python.framework.ops", "tf"),
    ("tf.python.framework.dtypes", "tf"),
    ("tf.python.framework.constant_op", "tf"),
    ("tf.python.ops.random_ops", "tf"),
    ("tf.python.ops.state_ops", "tf"),
    ("tf.python.ops.nn_ops", "tf.nn"),
    ("tf.python.ops.nn_impl", "tf.nn"),
    ("tf.python.layers.core", "tf.layers"),
    ("tf.python.layers.convolutional", "tf.layers"),
    ("tf.python.layers.normalization", "tf.layers"),
    ("tf.python.layers", "tf.layers"),
    ("tf.python.training", "tf.train"),
    ("tf.contrib.slim", "slim"),
    ("tf.contrib.layers", "slim"),
    ("tf.contrib.framework", "slim"),
    ("tf.contrib.rnn", "tf.nn.rnn_cell"),
    ("tf.nn.rnn_cell.static_rnn", "tf.nn.static_rnn"),
    ("tf.nn.rnn_cell.static_bidirectional_rnn", "tf.nn.static_bidirectional_rnn"),
    ("tf.app.flags", "flags"),
    ("tf.flags", "flags"),
    ("absl.flags", "flags"),
    ("tf.compat.v1.app", "tf.app"),
    ("slim.python.slim", "slim"),
    ("slim.layers", "slim"),
    ("slim.ops", "slim"),
    ("slim.framework", "slim"),
    ("slim.variables", "slim"),
    ("slim.arg_scope", "slim.arg_scope"),

    ("tf.glorot_uniform_initializer", "tf.glorot_uniform_initializer"),
)

DTYPES = {
    "float16", "float32", "float64", "bfloat16", "half", "double", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "bool", "string", "complex64", "complex128", "float", "int",
}

# Short names count as initializers only inside an initializers namespace (tf.keras.initializers.zeros).
SHORT_INITIALIZER_NAMES = {
    "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "glorot_uniform", "glorot_normal", "zeros", "ones",
    "constant", "random_normal", "random_uniform", "truncated_normal", "orthogonal", "variance_scaling",
}
INITIALIZER_NAMES = {
    "zeros_initializer", "ones_initializer", "constant_initializer", "random_normal_initializer",
    "random_uniform_initializer", "truncated_normal_initializer", "glorot_uniform_initializer",
    "glorot_normal_initializer", "orthogonal_initializer", "variance_scaling_initializer", "xavier_initializer",
    "xavier_initializer_conv2d", "uniform_unit_scaling_initializer", "identity_initializer",
    "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "GlorotUniform",
    "GlorotNormal", "Orthogonal", "VarianceScaling", "HeNormal", "HeUniform",
}

# Ops whose result has the shape of their first argument.
SAME_SHAPE_OPS = {
    "tf.nn.relu", "tf.nn.relu6", "tf.nn.elu", "tf.nn.selu", "tf.nn.tanh", "tf.nn.sigmoid", "tf.tanh",
    "tf.sigmoid", "tf.nn.dropout", "tf.identity", "tf.nn.leaky_relu", "tf.abs", "tf.exp", "tf.log",
    "tf.square", "tf.sqrt", "tf.nn.softmax", "tf.nn.l2_normalize", "tf.stop_gradient", "tf.nn.softplus",
    "tf.negative", "tf.nn.log_softmax", "tf.layers.dropout", "slim.dropout", "tf.nn.swish", "tf.math.tanh",
}

# Ops that keep the rank and the channel (last) dimension but change the others.
CHANNEL_OPS = {
    "tf.layers.max_pooling2d", "tf.layers.average_pooling2d", "tf.layers.max_pooling1d", "tf.layers.average_pooling1d",
    "tf.nn.max_pool", "tf.nn.avg_pool", "tf.nn.max_pool2d", "tf.nn.avg_pool2d", "slim.max_pool2d", "slim.avg_pool2d",
    "tf.nn.local_response_normalization", "tf.nn.lrn",
}

HARMLESS_CONTEXTS = {
    "tf.device", "tf.control_dependencies", "tf.Session", "tf.InteractiveSession", "tf.colocate_with",
    "tf.train.MonitoredTrainingSession", "tf.train.SingularMonitoredSession", "tf.gradient_tape",
    "tf.GradientTape", "tf.summary.FileWriter", "tf.python_io.TFRecordWriter", "tf.io.TFRecordWriter",
    "tf.init_scope", "tf.summary.record_if", "tf.distribute", "tf.container",
}


def canonical(path: str) -> str:
    changed = True
    while changed:
        changed = False
        for old, new in REWRITES:
            if path == old or path.startswith(old + "."):
                rewritten = new + path[len(old):]
                if rewritten != path:
                    path = rewritten
                    changed = True
    return path


def module_ref(dotted: str) -> Optional[TFRef]:
    """A TFRef for an imported module path of TF or slim, else None."""
    head = dotted.split(".")[0]
    if head in ("tensorflow", "tf_slim", "numpy", "functools", "absl", "argparse", "re"):
        return TFRef(canonical(dotted))
    return None


def is_initializer_path(path: str) -> bool:
    last = path.rsplit(".", 1)[-1]
    if last in INITIALIZER_NAMES or last.endswith(("_initializer", "Initializer")):
        return True
    return ".initializers." in path and last in SHORT_INITIALIZER_NAMES


def dtype_of(value: Value) -> Any:
    """A dtype name, None when the argument is absent/None, UNKNOWN otherwise."""
    if isinstance(value, Const):
        if value.value is None:
            return None
        if isinstance(value.value, str) and value.value in DTYPES:
            return value.value
        return UNKNOWN
    if isinstance(value, TFRef):
        last = value.path.rsplit(".", 1)[-1]
        if last in DTYPES:
            return {"float": "float32", "half": "float16", "double": "float64", "int": "int32"}.get(last, last)
    return UNKNOWN


def shape_of(value: Value) -> Any:
    """A Shape for a shape argument, NOT_GIVEN for None, UNKNOWN when it cannot be read."""
    if isinstance(value, Const):
        if value.value is None:
            return NOT_GIVEN
        if isinstance(value.value, int) and not isinstance(value.value, bool):
            return (value.value,)
        if isinstance(value.value, (tuple, list)):
            dims = []
            for d in value.value:
                if d is None or (isinstance(d, int) and not isinstance(d, bool)):
                    dims.append(d)
                else:
                    return UNKNOWN
            return tuple(dims)
        return UNKNOWN
    if isinstance(value, SeqVal):
        dims = []
        for item in value.items:
            if isinstance(item, Const) and (item.value is None or (isinstance(item.value, int)
                                                                    and not isinstance(item.value, bool))):
                dims.append(item.value)
            else:
                return UNKNOWN  # a dimension computed at run time may well be known to TF
        return tuple(dims)
    if isinstance(value, TFObject) and value.kind == "shape":
        if value.state.get("dynamic") or value.state.get("shape") is None:
            return UNKNOWN  # tf.shape(x) is a tensor: what TF knows statically may be more than we do
        return value.state["shape"]
    return UNKNOWN


def constant_info(value: Value) -> Tuple[Shape, Optional[str], bool]:
    """Shape and dtype of a Python constant used as a value; the flag says whether it is one."""
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, bool):
            return (), "bool", True
        if isinstance(v, int):
            return (), "int32", True
        if isinstance(v, float):
            return (), "float32", True
        if isinstance(v, str):
            return (), "string", True
        return None, None, False
    if isinstance(value, SeqVal):
        if not value.items:
            return (0,), "float32", True
        inner = [constant_info(item) for item in value.items]
        if not all(flag for _, _, flag in inner):
            return None, None, True
        shapes = {s for s, _, _ in inner}
        dtypes = {d for _, d, _ in inner}
        shape: Shape = ((len(value.items),) + next(iter(shapes))) if len(shapes) == 1 and None not in shapes else None
        dtype = dtypes.pop() if len(dtypes) == 1 else ("float32" if dtypes <= {"int32", "float32"} else None)
        return shape, dtype, True
    return None, None, False


class TFApi:
    """Dispatch of TF names for one interpreter."""

    def __init__(self, interp: Any) -> None:
        self.interp = interp
        from tfscope_lint import rules
        from tfscope_lint.analysis import libraries, programs
        version = getattr(getattr(interp.project, "project", None), "tf_version", "1.15")
        self.before_auto_reuse = rules.parse_version(version) < (1, 4)
        self.reuse_causes: Dict[int, Tuple[Value, Origin]] = {}
        self.libraries = libraries.Libraries(self)
        self.programs = programs.Programs(interp)
        self.handlers: Dict[str, Callable[..., Value]] = {
            "tf.variable_scope": self.variable_scope,
            "tf.variable_op_scope": self.variable_op_scope,
            "tf._pure_variable_scope": self.variable_scope,
            "tf.name_scope": self.name_scope,
            "tf.op_scope": self.name_scope,
            "tf.get_variable": self.get_variable,
            "tf.get_local_variable": self.get_variable,
            "tf.get_variable_scope": self.get_variable_scope,
            "tf.Variable": self.tf_variable,
            "tf.VariableV1": self.tf_variable,
            "tf.reset_default_graph": self.reset_default_graph,
            "tf.Graph": self.new_graph,
            "tf.get_default_graph": lambda *a: GraphVal(self.interp.graph),
            "tf.placeholder": self.placeholder,
            "tf.constant": self.constant,
            "tf.convert_to_tensor": self.constant,
            "tf.zeros": self.filled,
            "tf.ones": self.filled,
            "tf.random_normal": self.filled,
            "tf.random_uniform": self.filled,
            "tf.truncated_normal": self.filled,
            "tf.random.normal": self.filled,
            "tf.random.uniform": self.filled,
            "tf.matmul": self.matmul,
            "tf.reshape": self.reshape,
            "tf.layers.flatten": self.flatten,
            "tf.shape": self.dynamic_shape,
            "tf.nn.embedding_lookup": self.embedding_lookup,
            "tf.gather": self.embedding_lookup,
            "tf.split": self.split,
            "tf.concat": self.concat,
            "slim.flatten": self.flatten,
            "tf.image.resize_bilinear": self.resize,
            "tf.image.resize_images": self.resize,
            "tf.image.resize_nearest_neighbor": self.resize,
            "tf.image.resize_bicubic": self.resize,
            "tf.image.resize": self.resize,
            "tf.disable_v2_behavior": self.graph_mode,
            "tf.disable_eager_execution": self.graph_mode,
            "tf.enable_eager_execution": self.eager_mode,
            "tf.enable_v2_behavior": self.eager_mode,
        }

    # ------------------------------------------------------------ names and attributes
    def attribute(self, owner: TFRef, attr: str) -> Value:
        path = canonical(owner.path + "." + attr)
        if path in ("tf.AUTO_REUSE", "slim.AUTO_REUSE"):
            if self.before_auto_reuse:
                from tfscope_lint.analysis.interpreter import RaiseSignal
                raise RaiseSignal("AttributeError")  # AUTO_REUSE came in TF 1.4: the program stops right there
            return AUTO_REUSE
        special = self.programs.attribute(path)
        if special is not None:
            return special
        return TFRef(path)

    def object_attribute(self, owner: Value, attr: str, node: cst.CSTNode) -> Value:
        if isinstance(owner, ScopeVal):
            if attr == "name":
                return str_value(owner.handle.name)
            if attr == "original_name_scope":
                return Unknown("original_name_scope")
            if attr == "reuse":
                reuse = self.graph_of(owner).reuse_of(owner.handle)
                if reuse == frozenset("T"):
                    return Const(True)
                if reuse == frozenset("F"):
                    return Const(False)
                if reuse == frozenset("A"):
                    return AUTO_REUSE
                return Unknown("reuse flag")
            if attr in ("reuse_variables", "set_initializer", "set_dtype", "set_partitioner",
                        "set_custom_getter", "set_regularizer", "set_caching_device"):
                return BoundMethod(BuiltinVal("scope." + attr), owner)
            return Unknown(f"scope attribute {attr}")
        if isinstance(owner, GraphVal):
            if attr == "as_default":
                return BoundMethod(BuiltinVal("graph.as_default"), owner)
            return Unknown("graph attribute")
        if isinstance(owner, TensorVal):
            if attr in ("astype", "reshape", "copy", "transpose", "flatten", "squeeze"):
                return BoundMethod(BuiltinVal("tensor.derived"), owner)
            if attr == "T":
                return TensorVal(None, owner.dtype, opaque=owner.opaque)
            if attr in ("get_shape", "shape"):
                shape_obj = TFObject("shape", None, state={"shape": owner.shape})
                return shape_obj if attr == "shape" else BoundMethod(BuiltinVal("tensor.get_shape"), shape_obj)
            if attr == "dtype":
                return TFRef("tf." + owner.dtype) if owner.dtype else Unknown("dtype")
            if attr == "name":
                return Unknown("tensor name")
            return Unknown("tensor attribute")
        if isinstance(owner, TFObject):
            if owner.kind == "shape":
                return self.shape_attribute(owner, attr)
            special = self.programs.object_attribute(owner, attr)
            if special is not None:
                return special
            return self.libraries.object_attribute(owner, attr, node)
        return Unknown("attribute")

    @staticmethod
    def shape_attribute(owner: TFObject, attr: str) -> Value:
        shape = owner.state.get("shape")
        if attr in ("as_list", "get_shape") and shape is not None:
            return BoundMethod(BuiltinVal("shape.as_list"), owner)
        if attr == "ndims":
            return Const(len(shape)) if shape is not None else Unknown("ndims")
        return Unknown("shape attribute")

    @staticmethod
    def shape_item(owner: TFObject, key: Value) -> Value:
        shape = owner.state.get("shape")
        if shape is None or not isinstance(key, Const):
            return Unknown("dimension")
        try:
            picked = shape[key.value]
        except (IndexError, TypeError):
            return Unknown("dimension")
        if isinstance(picked, tuple):
            return TFObject("shape", None, state={"shape": picked})  # a slice of a shape is a shape
        return Const(picked) if picked is not None else Unknown("dimension")

    def graph_of(self, scope: ScopeVal) -> GraphState:
        current = self.interp.graph
        if scope.graph.lineage is current.lineage:
            return current
        return self.interp.other_graphs.get(scope.graph.lineage, scope.graph)

    # ------------------------------------------------------------ calls
    def call(self, ref: TFRef, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Optional[Frame]) -> Value:
        path = ref.path
        handler = self.handlers.get(path)
        if handler is not None:
            return handler(args, kwargs, node, frame)
        handled = self.libraries.call(path, args, kwargs, node, frame)
        if handled is None:
            handled = self.programs.call(path, args, kwargs, node, frame)
        if handled is not None:
            return handled
        last = path.rsplit(".", 1)[-1]
        if path in ("re.sub", "re.escape"):
            return self.regex(path, args, kwargs)
        if path.startswith("re."):
            return Unknown("regular expression")
        if path.startswith("numpy."):
            if path in ("numpy.random.RandomState", "numpy.random.default_rng"):
                return TFRef("numpy.random")  # a generator draws arrays like the module does
            if last[:1].islower():
                return TensorVal()  # an ndarray (or numpy scalar): a value, never a callable
            return Unknown("numpy object")
        if is_initializer_path(path):
            return TFObject("initializer", last, tuple(args), dict(kwargs))
        if path in SAME_SHAPE_OPS and args and isinstance(args[0], TensorVal):
            return TensorVal(args[0].shape, args[0].dtype)
        if path in CHANNEL_OPS and args and isinstance(args[0], TensorVal):
            shape = args[0].shape
            return TensorVal(None if not shape else (shape[0],) + (None,) * (len(shape) - 2) + (shape[-1],),
                             args[0].dtype)
        if path.endswith(".partial") or path == "functools.partial":
            return self.interp.make_partial(args, kwargs)
        if last in DTYPES:
            return TensorVal(None, last)
        if path in ("tf.cond", "tf.while_loop", "tf.map_fn", "tf.scan", "tf.case", "tf.foldl", "tf.foldr"):
            return self.call_callbacks(path, args, kwargs, node, frame)
        return TensorVal(opaque=True)

    @staticmethod
    def regex(path: str, args: List[Value], kwargs: Dict[str, Value]) -> Value:
        """re.sub and re.escape on known text, as getters rewrite variable names."""
        import re
        if kwargs or not all(isinstance(a, Const) and isinstance(a.value, str) for a in args):
            return Unknown("regular expression")
        values = [a.value for a in args]  # type: ignore[union-attr]
        try:
            if path == "re.escape" and len(values) == 1:
                return Const(re.escape(values[0]))
            if path == "re.sub" and len(values) == 3:
                return Const(re.sub(values[0], values[1], values[2]))
        except re.error:
            pass
        return Unknown("regular expression")

    def call_callbacks(self, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any,
                       frame: Optional[Frame]) -> Value:
        """In graph mode tf.cond builds both branches, and while_loop, map_fn and scan trace their body once."""
        fns = [a for a in list(args) + list(kwargs.values()) if isinstance(a, (FunctionVal, PartialVal, BoundMethod))]
        for fn in fns:
            params = getattr(getattr(fn, "node", None), "params", None)
            count = len(params.params) if params is not None else 0
            self.interp.call_value(fn, [TensorVal(opaque=True)] * count, {}, node, frame)
        return TensorVal(opaque=True)

    def call_object(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                    frame: Optional[Frame]) -> Value:
        if obj.kind == "true_getter" and frame is not None:
            return self.call_true_getter(obj, args, kwargs, node, frame)
        return self.libraries.call_object(obj, args, kwargs, node, frame)

    def decorate(self, deco: TFRef, value: Value) -> Optional[Value]:
        return None

    def instantiate_subclass(self, cls: ClassVal, instance: InstanceVal, args: List[Value], kwargs: Dict[str, Value],
                             node: Any) -> Optional[Value]:
        return None

    @staticmethod
    def bind(args: List[Value], kwargs: Dict[str, Value], order: Tuple[str, ...]) -> Dict[str, Value]:
        bound: Dict[str, Value] = {}
        for name, value in zip(order, args):
            bound[name] = value
        for name, value in kwargs.items():
            bound[name] = value
        return bound

    # ------------------------------------------------------------ scopes
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
            return (str_value(names.make(text, ("/",))) if text else Unknown("name scope")), lambda: None
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
        self.interp.graph = GraphState(open_world=self.interp.graph.open_world)
        self.interp.graph.eager = eager
        return Const(None)

    def new_graph(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return GraphVal(GraphState())

    def graph_mode(self, *args: Any) -> Value:
        self.interp.graph.eager = False
        return Const(None)

    def eager_mode(self, *args: Any) -> Value:
        """enable_eager_execution(): get_variable makes a new variable every time and reuse is ignored."""
        if not self.interp.other_graphs:  # inside `with tf.Graph().as_default()` graph mode stays
            self.interp.graph.eager = True
        return Const(None)

    # ------------------------------------------------------------ tensors
    def placeholder(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("dtype", "shape", "name"))
        dtype = dtype_of(bound.get("dtype", Const(None)))
        shape = shape_of(bound.get("shape", Const(None)))
        return TensorVal(shape if isinstance(shape, tuple) else None, dtype if isinstance(dtype, str) else None)

    def constant(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("value", "dtype", "shape", "name"))
        value = bound.get("value", Unknown("value"))
        shape, dtype, _ = constant_info(value)
        if isinstance(value, TensorVal):
            shape, dtype = value.shape, value.dtype
        explicit = dtype_of(bound.get("dtype", Const(None)))
        if explicit is not None:
            dtype = explicit if isinstance(explicit, str) else None
        given_shape = shape_of(bound.get("shape", Const(None)))
        if isinstance(given_shape, tuple):
            shape = given_shape
        return TensorVal(shape, dtype)

    def filled(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("shape",))
        given = bound.get("shape", Const(None))
        shape = given.state.get("shape") if isinstance(given, TFObject) and given.kind == "shape" else \
            shape_of(given)
        dtype = dtype_of(kwargs.get("dtype", Const("float32")))
        return TensorVal(shape if isinstance(shape, tuple) else None, dtype if isinstance(dtype, str) else None)

    def matmul(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("a", "b"))
        a, b = bound.get("a"), bound.get("b")
        if isinstance(a, TensorVal) and isinstance(b, TensorVal) and a.shape is not None and b.shape is not None \
                and len(a.shape) == 2 and len(b.shape) == 2 and "transpose_a" not in kwargs \
                and "transpose_b" not in kwargs:
            return TensorVal((a.shape[0], b.shape[1]), a.dtype or b.dtype)
        return TensorVal(None, a.dtype if isinstance(a, TensorVal) else None)

    def reshape(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("tensor", "shape"))
        shape = shape_of(bound.get("shape", Const(None)))
        tensor = bound.get("tensor")
        dtype = tensor.dtype if isinstance(tensor, TensorVal) else None
        if isinstance(shape, tuple):
            return TensorVal(tuple(None if d == -1 else d for d in shape), dtype)
        return TensorVal(None, dtype)

    def embedding_lookup(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        """Rows of a [vocab, dim] table picked by ids: the ids' shape plus dim."""
        bound = self.bind(args, kwargs, ("params", "ids"))
        params, ids = bound.get("params"), bound.get("ids")
        if "axis" in kwargs or not isinstance(params, TensorVal) or params.shape is None or params.opaque \
                or not isinstance(ids, TensorVal) or ids.shape is None or ids.opaque:
            return TensorVal(None, params.dtype if isinstance(params, TensorVal) else None)
        return TensorVal(tuple(ids.shape) + tuple(params.shape[1:]), params.dtype)

    def dynamic_shape(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        tensor = args[0] if args else kwargs.get("input")
        shape = tensor.shape if isinstance(tensor, TensorVal) and not tensor.opaque else None
        return TFObject("shape", None, state={"shape": shape, "dynamic": True})

    @staticmethod
    def _axis(value: Optional[Value], rank: int) -> Optional[int]:
        if isinstance(value, Const) and isinstance(value.value, int) and -rank <= value.value < rank:
            return value.value % rank
        return None

    def split(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("value", "num_or_size_splits", "axis"))
        value, parts = bound.get("value"), bound.get("num_or_size_splits")
        if not isinstance(value, TensorVal) or value.shape is None or value.opaque:
            return Unknown("split")
        axis = self._axis(bound.get("axis", Const(0)), len(value.shape))
        if axis is None:
            return Unknown("split")
        dim = value.shape[axis]
        if isinstance(parts, Const) and isinstance(parts.value, int) and 0 < parts.value <= 64:
            size = dim // parts.value if dim is not None else None
            sizes: List[Optional[int]] = [size] * parts.value
        elif isinstance(parts, SeqVal) and all(isinstance(p, Const) and isinstance(p.value, int) for p in parts.items):
            sizes = [p.value for p in parts.items]  # type: ignore[union-attr]
        else:
            return Unknown("split")
        return SeqVal([TensorVal(value.shape[:axis] + (size,) + value.shape[axis + 1:], value.dtype)
                       for size in sizes], False)

    def concat(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("values", "axis"))
        items = self.interp.iterate(bound.get("values", Unknown("values")))
        if not items or not all(isinstance(t, TensorVal) and t.shape is not None and not t.opaque for t in items):
            return TensorVal(opaque=True)
        shapes = [t.shape for t in items]  # type: ignore[union-attr]
        rank = len(shapes[0])
        axis = self._axis(bound.get("axis"), rank)
        if axis is None or any(len(sh) != rank for sh in shapes):
            return TensorVal(None, items[0].dtype)  # type: ignore[union-attr]
        total: Optional[int] = 0
        for sh in shapes:
            total = total + sh[axis] if total is not None and sh[axis] is not None else None
        return TensorVal(shapes[0][:axis] + (total,) + shapes[0][axis + 1:], items[0].dtype)  # type: ignore

    def flatten(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("inputs",))
        inputs = bound.get("inputs")
        if not isinstance(inputs, TensorVal) or inputs.opaque:
            return TensorVal(opaque=True)
        shape = inputs.shape
        if shape is None or len(shape) < 1:
            return TensorVal(None, inputs.dtype)
        rest = shape[1:]
        size: Optional[int] = 1
        for dim in rest:
            size = size * dim if size is not None and dim is not None else None
        return TensorVal((shape[0], size), inputs.dtype)

    def resize(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("images", "size"))
        images, size = bound.get("images"), shape_of(bound.get("size", Const(None)))
        if isinstance(images, TensorVal) and images.shape is not None and len(images.shape) == 4 \
                and isinstance(size, tuple) and len(size) == 2:
            return TensorVal((images.shape[0],) + size + (images.shape[3],), images.dtype)
        return TensorVal(None, images.dtype if isinstance(images, TensorVal) else None)

    # ------------------------------------------------------------ variables
    VAR_ARGS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "collections",
                "caching_device", "partitioner", "validate_shape", "use_resource", "custom_getter", "constraint")

    def get_variable(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Frame) -> Value:
        origin = self.interp.origin(frame.module, node)
        if "reuse" in kwargs:
            self.interp.report(RawReport("TFS109", origin, {
                "detail": "get_variable() has no reuse parameter: TensorFlow raises \"get_variable() got an "
                          "unexpected keyword argument 'reuse'\"; set reuse on the enclosing variable_scope"},
                cascade=("reuse keyword", id(frame))), "TypeError")
            kwargs = {k: v for k, v in kwargs.items() if k != "reuse"}
        if "**unknown**" in kwargs:
            return TensorVal(None, None, True)
        bound = self.bind(args, kwargs, self.VAR_ARGS)
        name = to_name(bound.get("name", Unknown("name")))
        if name is None:
            return TensorVal(None, None, True)
        getter = self.interp.graph.current.custom_getter
        if "custom_getter" in bound or getter is True:
            return TensorVal(None, None, True)
        if getter:
            return self.through_custom_getter(getter, name, bound, node, frame)
        return self.request_variable(name, bound, origin, frame)

    def request_variable(self, name: Name, bound: Dict[str, Value], origin: Origin, frame: Frame,
                         absolute: bool = False, reuse: Any = None) -> Value:
        """get_variable's own work once the name is final: build the request, run the store."""
        shape = shape_of(bound["shape"]) if "shape" in bound else NOT_GIVEN
        if "shape" in bound and isinstance(bound["shape"], Unknown):
            shape = MAYBE_GIVEN
        dtype = dtype_of(bound["dtype"]) if "dtype" in bound else None
        init, init_shape, init_dtype = self.initializer_kind(bound.get("initializer"))
        if init == "none" and self.interp.graph.current.has_initializer:
            init = "callable" if shape is not NOT_GIVEN else "unknown"
        if "partitioner" in bound:
            init = "unknown" if init == "none" else init
        request = VarRequest(name, shape, dtype, init, init_shape, init_dtype, origin, absolute=absolute,
                             reuse=reuse)
        record = self.create(request, origin, frame)
        shape_out = record.shape if record is not None else None
        return TensorVal(shape_out, record.dtype if record is not None else None, True,
                         record.name if record is not None else None)

    def through_custom_getter(self, getter: Value, name: Name, bound: Dict[str, Value], node: Any,
                              frame: Frame) -> Value:
        """A scope's custom_getter gets the full name and every argument; what it passes on is created."""
        graph = self.interp.graph
        full = names.join(graph.current.name, name)
        reuse = graph.current_reuse()
        reuse_value: Value = Const(True) if reuse == frozenset("T") else Const(False) if reuse == frozenset("F") \
            else AUTO_REUSE if reuse == frozenset("A") else Unknown("reuse")
        kwargs: Dict[str, Value] = {k: v for k, v in bound.items() if k != "name"}
        for key in ("shape", "dtype", "initializer"):
            kwargs.setdefault(key, Const(None))
        true_getter = TFObject("true_getter", None, state={"reuse": reuse_value})
        kwargs.update({"getter": true_getter, "name": str_value(full), "reuse": reuse_value})
        result = self.interp.call_value(getter, [], kwargs, node, frame)
        return result if isinstance(result, TensorVal) else TensorVal(None, None, True)

    def call_true_getter(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                         frame: Frame) -> Value:
        """The getter a custom getter receives: the store's get_variable, with the full name as given."""
        if "**unknown**" in kwargs:
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
        return self.request_variable(name, bound, origin, frame, absolute=True, reuse=reuse)

    def initializer_kind(self, value: Optional[Value]) -> Tuple[str, Shape, Optional[str]]:
        if value is None or (isinstance(value, Const) and value.value is None):
            return "none", None, None
        if isinstance(value, TFObject) and value.kind == "initializer":
            return "callable", None, None
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
        record, errors = graph.get_variable(request, created_by)
        for error in errors:
            self.report_model_error(error, request, origin, graph)
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
            rebuilt = (existing is not None and isinstance(existing.origin, Origin) and bool(origin.text)
                       and existing.scope == graph.current.name and existing.open_id != current_open
                       and (existing.created_by == "rnn"
                            or "".join(existing.origin.text.split()) == "".join(origin.text.split())))
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
        elif error.kind == "undefined_shape":
            code = "TFS107"
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
        the outermost scope the current function opened. Lookups that fail: the place that switched reuse on,
        within that same outermost scope.
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
            outer = stack[1].open_id if len(stack) > 1 else None
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
        if runs >= 1 and reusing(graph.current_reuse()):
            origin = self.interp.origin(frame.module, node)
            name = to_name(bound.get("name", Const("Variable"))) or names.text("Variable")
            scope = names.render(graph.current.name) or "<root>"
            self.interp.report(RawReport("TFS201", origin, {
                "scope": scope, "variable": names.render(names.join(graph.current.name, name))},
                related=self.reuse_related(graph, graph.current), variable=None, scope=scope), None)
        return TensorVal(shape, dtype if isinstance(dtype, str) else None, True)
