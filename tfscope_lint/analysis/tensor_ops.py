"""Tensor ops of the TF model whose result shapes matter: placeholders, constants, matmul, reshape, split,
concat, flatten, resize, embedding lookups and tf.shape.

A part of `tfapi.TFApi`: shapes flow through these to the variables that are checked against them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from tfscope_lint.analysis.tfnames import constant_info, dtype_of, shape_of
from tfscope_lint.analysis.values import Const, SeqVal, TFObject, TensorVal, Unknown, Value


class TensorOpsMixin:
    """Shape-tracking tensor ops; a part of `TFApi`."""

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
