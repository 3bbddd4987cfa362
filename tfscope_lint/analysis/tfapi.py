"""TensorFlow's API as the interpreter sees it: calls are dispatched on a TF name's canonical path.

Spellings and argument readers are in `tfnames`; the modelled parts are mixins of `TFApi`:
`scopes_api` (scopes, graphs), `variables_api` (get_variable and its errors), `tensor_ops` (shapes).
Anything of TF that is not modelled returns an unknown tensor, which keeps the analysis quiet.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis.context import Frame, Origin
from tfscope_lint.analysis import control_flow, pylib
from tfscope_lint.analysis.numpy_arrays import numpy_array
from tfscope_lint.analysis.scopes_api import ScopesMixin
from tfscope_lint.analysis.signals import RaiseSignal
from tfscope_lint.analysis.tensor_ops import TensorOpsMixin
from tfscope_lint.analysis.tfnames import (
    DTYPES, canonical, constant_info, dtype_of, is_initializer_path, module_ref, shape_of,
)
from tfscope_lint.analysis.values import (
    AUTO_REUSE, BoundMethod, BuiltinVal, ClassVal, Const, GraphVal, InstanceVal, NoneDimension, OpaqueCode,
    RuntimeDim, ScopeVal, SeqVal, TFObject, TFRef, TensorVal, Unknown, Value, str_value,
)
from tfscope_lint.analysis import variable_notes
from tfscope_lint.analysis.variables_api import VariablesMixin
from tfscope_lint.model import catalogue
from tfscope_lint.model.graph import GraphState

# Ops whose result has the shape of their first argument.
SAME_SHAPE_OPS = {
    "tf.nn.relu", "tf.nn.relu6", "tf.nn.elu", "tf.nn.selu", "tf.nn.tanh", "tf.nn.sigmoid", "tf.tanh",
    "tf.sigmoid", "tf.nn.dropout", "tf.identity", "tf.nn.leaky_relu", "tf.abs", "tf.exp", "tf.log",
    "tf.square", "tf.sqrt", "tf.nn.softmax", "tf.nn.l2_normalize", "tf.stop_gradient", "tf.nn.softplus",
    "tf.negative", "tf.nn.log_softmax", "tf.layers.dropout", "slim.dropout", "tf.nn.swish", "tf.math.tanh",
}

# Ops that keep the rank and the channel (last) dimension but change the others.
CONVOLUTIONS = {"tf.nn.conv2d", "tf.nn.conv1d", "tf.nn.conv3d"}  # out channels: the filter's last dimension
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


class TFApi(ScopesMixin, VariablesMixin, TensorOpsMixin):
    """Dispatch of TF names for one interpreter."""

    def __init__(self, interp: Any) -> None:
        self.interp = interp
        from tfscope_lint import rules
        from tfscope_lint.analysis import libraries, programs
        version = getattr(getattr(interp.project, "project", None), "tf_version", "1.15")
        self.before_auto_reuse = rules.parse_version(version) < (1, 4)
        self.reuse_causes: Dict[int, Tuple[Value, Origin]] = {}
        self.patched: Dict[str, Value] = {}  # TF names the program assigned to
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
            "tf.add_to_collection": self.add_to_collection,
            "tf.add_to_collections": lambda a, k, n, f: self.add_to_collection(a, k, n, f, many=True),
            "tf.VariableV1": self.tf_variable,
            "tf.reset_default_graph": self.reset_default_graph,
            "tf.Graph": self.new_graph,
            "tf.get_default_graph": lambda *a: GraphVal(self.interp.graph),
            "tf.placeholder": self.placeholder,
            "tf.as_dtype": self.as_dtype,
            "tf.dtypes.as_dtype": self.as_dtype,
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
            "tf.dimension_value": self.dimension_value,
            "tf.compat.dimension_value": self.dimension_value,
            "tf.disable_v2_behavior": self.graph_mode,
            "tf.disable_eager_execution": self.graph_mode,
            "tf.enable_eager_execution": self.eager_mode,
            "tf.enable_v2_behavior": self.eager_mode,
        }

    # ------------------------------------------------------------ names and attributes
    def patch(self, owner: TFRef, attr: str, value: Value) -> None:
        """A program that replaces a TF name gets its replacement wherever it later reads that name."""
        self.patched[canonical(owner.path + "." + attr)] = value

    def attribute(self, owner: TFRef, attr: str) -> Value:
        path = canonical(owner.path + "." + attr)
        if path in self.patched:
            return self.patched[path]
        if path in ("tf.AUTO_REUSE", "slim.AUTO_REUSE"):
            if self.before_auto_reuse:
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
            if attr in ("reshape", "copy", "transpose", "flatten", "squeeze"):
                return BoundMethod(BuiltinVal("tensor.derived"), owner)
            if attr == "astype":  # another dtype: unknown here
                return BoundMethod(BuiltinVal("tensor.derived"), TensorVal(None, None, opaque=owner.opaque))
            if attr == "T":
                return TensorVal(None, owner.dtype, opaque=owner.opaque)
            if attr in ("get_shape", "shape"):
                shape_obj = TFObject("shape", None, state={"shape": owner.shape, "exact": owner.precise(),
                                                           "exact_dims": owner.precise_dims()})
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
            if owner.kind == "record":
                attrs = owner.state["attrs"]
                return attrs[attr] if attr in attrs else pylib.attribute(owner, attr)
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
    def dimension_value(args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        """tf.compat.dimension_value(x.shape[i]): the int, or None for a dimension TF does not know."""
        dim = args[0] if args else kwargs.get("dimension")
        if isinstance(dim, NoneDimension):  # x.shape[i] that TF does not know either
            return Const(None)
        return dim if isinstance(dim, Const) and isinstance(dim.value, int) else Unknown("dimension")

    @staticmethod
    def shape_as_list(owner: TFObject) -> Value:
        """TensorShape.as_list(): a None is certain only when the shape is TF's own; else that dim is unknown."""
        shape = owner.state.get("shape")
        if shape is None:
            return Unknown("as_list")
        exact = owner.state.get("exact", False)
        return SeqVal([Const(d) if d is not None or exact else Unknown("dimension") for d in shape])

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
            return TFObject("shape", None, state={"shape": picked, "exact": owner.state.get("exact", False)})
        index = key.value % len(shape) if isinstance(key.value, int) and shape else None
        if picked is None and (owner.state.get("exact") or index in owner.state.get("exact_dims", ())):
            return RuntimeDim("dimension") if owner.state.get("dynamic") else NoneDimension()
        return Const(picked) if picked is not None else Unknown("dimension")

    def graph_of(self, scope: ScopeVal) -> GraphState:
        current = self.interp.graph
        if scope.graph.lineage is current.lineage:
            return current
        return self.interp.other_graphs.get(scope.graph.lineage, scope.graph)

    # ------------------------------------------------------------ calls
    def call(self, ref: TFRef, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Optional[Frame]) -> Value:
        path = ref.path
        if "name" in kwargs:
            variable_notes.note_op_name(self.interp, path, kwargs["name"])  # for `vars`: tf.Variable's uniquified names
        handler = self.handlers.get(path)
        if handler is not None:
            return handler(args, kwargs, node, frame)
        flow = control_flow.HANDLERS.get(path)
        if flow is not None:
            return flow(control_flow.CallContext(self.interp, args, kwargs, node, frame))
        handled = self.libraries.call(path, args, kwargs, node, frame)
        if handled is None:
            handled = self.programs.call(path, args, kwargs, node, frame)
        if handled is not None:
            return handled
        last = path.rsplit(".", 1)[-1]
        if pylib.handles(path):
            return pylib.call(self.interp, path, args, kwargs)
        if path in ("re.sub", "re.escape"):
            return self.regex(path, args, kwargs)
        if path.startswith("re."):
            return Unknown("regular expression")
        if path.startswith("numpy."):
            if path in ("numpy.random.RandomState", "numpy.random.default_rng"):
                return TFRef("numpy.random")  # a generator draws arrays like the module does
            if last[:1].islower():
                return numpy_array(path, args, kwargs)  # an ndarray (or numpy scalar): a value, never a callable
            return Unknown("numpy object")
        if is_initializer_path(path):
            return TFObject("initializer", last, tuple(args), dict(kwargs))
        if path in SAME_SHAPE_OPS and args and isinstance(args[0], TensorVal):
            return TensorVal(args[0].shape, args[0].dtype, exact=args[0].precise(), exact_dims=args[0].exact_dims)
        if path in CHANNEL_OPS and args and isinstance(args[0], TensorVal):
            shape = args[0].shape
            if not shape:
                return TensorVal(None, args[0].dtype)
            kept = args[0].precise_dims()  # the batch and the channels pass through as TF knows them
            return TensorVal((shape[0],) + (None,) * (len(shape) - 2) + (shape[-1],), args[0].dtype,
                             exact_dims=tuple(i for i in (0, len(shape) - 1) if i in kept or i - len(shape) in kept))
        if path in CONVOLUTIONS:
            return self.convolution(args, kwargs)
        if path.endswith(".partial") or path == "functools.partial":
            return self.interp.make_partial(args, kwargs)
        if last in DTYPES:
            return TensorVal(None, last)
        if catalogue.may_create_variables(path):
            reason = f"{path}, which the analysis does not model"
            if last[:1].isupper():
                return OpaqueCode(reason)  # a layer or cell object: its call creates the variables
            self.interp.unseen_call(node, reason)
        return TensorVal(opaque=True)

    def convolution(self, args: List[Value], kwargs: Dict[str, Value]) -> Value:
        """tf.nn.conv2d and its kin (NHWC): the input's batch, spatial sizes not computed, the filter's out
        channels; the batch and the channels are what TF knows too when the analysis knows them exactly."""
        bound = self.bind(args, kwargs, ("input", "filter"))
        tensor, kernel = bound.get("input"), bound.get("filter", bound.get("filters"))
        if not isinstance(tensor, TensorVal) or not tensor.shape or not isinstance(kernel, TensorVal) \
                or not kernel.shape or len(kernel.shape) != len(tensor.shape) or "data_format" in kwargs:
            return TensorVal(None, tensor.dtype if isinstance(tensor, TensorVal) else None)
        rank = len(tensor.shape)
        exact = tuple(i for i, ok in ((0, 0 in tensor.precise_dims()), (rank - 1, rank - 1 in kernel.precise_dims()))
                      if ok)
        return TensorVal((tensor.shape[0],) + (None,) * (rank - 2) + (kernel.shape[-1],), tensor.dtype,
                         exact_dims=exact)

    @staticmethod
    def as_dtype(args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        """tf.as_dtype("float16") (a dtype named by a setting): the dtype itself."""
        value = args[0] if args else kwargs.get("type_value")
        if isinstance(value, Const) and isinstance(value.value, str) and value.value in DTYPES:
            return TFRef("tf." + value.value)
        if isinstance(value, TFRef) and value.path.rsplit(".", 1)[-1] in DTYPES:
            return value
        return Unknown("dtype")

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

    def call_object(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any,
                    frame: Optional[Frame]) -> Value:
        if obj.kind == "true_getter" and frame is not None:
            return self.call_true_getter(obj, args, kwargs, node, frame)
        if obj.kind == "record_class":
            return pylib.instantiate(obj, args, kwargs)
        if obj.kind in ("record", "namespace"):
            return Unknown("call of a record")
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


__all__ = ["TFApi", "canonical", "module_ref", "dtype_of", "shape_of", "constant_info"]
