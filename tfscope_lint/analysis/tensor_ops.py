"""Tensor ops of the TF model whose result shapes matter: placeholders, constants, matmul, reshape, split,
concat, flatten, resize, embedding lookups and tf.shape.

A part of `tfapi.TFApi`: shapes flow through these to the variables that are checked against them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from tfscope_lint.analysis.tfnames import constant_info, dtype_of, shape_of
from tfscope_lint.analysis.values import Const, RuntimeDim, SeqVal, TFObject, TensorVal, Unknown, Value


class TensorOpsMixin:
    """Shape-tracking tensor ops; a part of `TFApi`."""

    def placeholder(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("dtype", "shape", "name"))
        dtype = dtype_of(bound.get("dtype", Const(None)))
        shape = shape_of(bound.get("shape", Const(None)))
        return TensorVal(shape if isinstance(shape, tuple) else None, dtype if isinstance(dtype, str) else None,
                         exact=True)

    def constant(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("value", "dtype", "shape", "name"))
        value = bound.get("value", Unknown("value"))
        shape, dtype, _ = constant_info(value)
        exact = True
        if isinstance(value, TensorVal):
            shape, dtype, exact = value.shape, value.dtype, value.precise()
        explicit = dtype_of(bound.get("dtype", Const(None)))
        if explicit is not None:
            dtype = explicit if isinstance(explicit, str) else None
        given_shape = shape_of(bound.get("shape", Const(None)))
        if isinstance(given_shape, tuple):
            shape, exact = given_shape, True
        return TensorVal(shape, dtype, exact=exact)

    def filled(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("shape",))
        given = bound.get("shape", Const(None))
        if isinstance(given, SeqVal) and any(isinstance(d, RuntimeDim) for d in given.items):
            # tf.shape(x)[i] of a dimension TF does not know: the result's static dimension is unknown (None)
            given = SeqVal([Const(None) if isinstance(d, RuntimeDim) else d for d in given.items], given.is_tuple)
        from_shape = isinstance(given, TFObject) and given.kind == "shape"
        shape = given.state.get("shape") if from_shape else shape_of(given)  # type: ignore[union-attr]
        exact = given.state.get("exact", False) if from_shape else True  # type: ignore[union-attr]
        dtype = dtype_of(kwargs.get("dtype", Const("float32")))
        return TensorVal(shape if isinstance(shape, tuple) else None, dtype if isinstance(dtype, str) else None,
                         exact=exact)

    def matmul(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("a", "b"))
        a, b = bound.get("a"), bound.get("b")
        if isinstance(a, TensorVal) and isinstance(b, TensorVal) and a.shape is not None and b.shape is not None \
                and len(a.shape) == 2 and len(b.shape) == 2 and "transpose_a" not in kwargs \
                and "transpose_b" not in kwargs:
            return TensorVal((a.shape[0], b.shape[1]), a.dtype or b.dtype, exact=a.precise() and b.precise())
        return TensorVal(None, a.dtype if isinstance(a, TensorVal) else None)

    def reshape(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("tensor", "shape"))
        target = bound.get("shape", Const(None))
        tensor = bound.get("tensor")
        dtype = tensor.dtype if isinstance(tensor, TensorVal) else None
        if isinstance(target, SeqVal) and any(isinstance(item, RuntimeDim) for item in target.items):
            return reshape_to_runtime_dims(target.items, tensor if isinstance(tensor, TensorVal) else None, dtype)
        shape = shape_of(target)
        if not isinstance(shape, tuple) or None in shape or shape.count(-1) > 1:
            return TensorVal(None, dtype)
        if -1 not in shape:
            return TensorVal(shape, dtype, exact=True)
        return reshape_inferred(shape, tensor if isinstance(tensor, TensorVal) else None, dtype)

    def embedding_lookup(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        """Rows of a [vocab, dim] table picked by ids: the ids' shape plus dim."""
        bound = self.bind(args, kwargs, ("params", "ids"))
        params, ids = bound.get("params"), bound.get("ids")
        if "axis" in kwargs or not isinstance(params, TensorVal) or params.shape is None or params.opaque \
                or not isinstance(ids, TensorVal) or ids.shape is None or ids.opaque:
            return TensorVal(None, params.dtype if isinstance(params, TensorVal) else None)
        return TensorVal(tuple(ids.shape) + tuple(params.shape[1:]), params.dtype,
                         exact=ids.precise() and params.precise())

    def dynamic_shape(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        tensor = args[0] if args else kwargs.get("input")
        shape = tensor.shape if isinstance(tensor, TensorVal) and not tensor.opaque else None
        exact = isinstance(tensor, TensorVal) and tensor.precise()
        exact_dims = tensor.precise_dims() if isinstance(tensor, TensorVal) else ()
        return TFObject("shape", None, state={"shape": shape, "dynamic": True, "exact": exact,
                                              "exact_dims": exact_dims})

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
            if dim is not None and dim % parts.value:
                return Unknown("split")  # TF rejects an uneven split
            size = dim // parts.value if dim is not None else None
            sizes: List[Optional[int]] = [size] * parts.value
        elif isinstance(parts, SeqVal) and all(isinstance(p, Const) and isinstance(p.value, int) for p in parts.items):
            sizes = [p.value for p in parts.items]  # type: ignore[union-attr]
            if sizes.count(-1) > 1:
                return Unknown("split")
            if -1 in sizes:  # the rest of the axis, as TF infers it: unknown when the axis is
                rest = dim - sum(n for n in sizes if n != -1) if dim is not None else None
                if rest is not None and rest < 0:
                    return Unknown("split")
                sizes = [rest if n == -1 else n for n in sizes]
        else:
            return Unknown("split")
        exact = value.precise()
        return SeqVal([TensorVal(value.shape[:axis] + (size,) + value.shape[axis + 1:], value.dtype, exact=exact)
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
        exact = all(t.precise() for t in items)  # type: ignore[union-attr]
        return TensorVal(shapes[0][:axis] + (total,) + shapes[0][axis + 1:], items[0].dtype,  # type: ignore
                         exact=exact)

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
        return TensorVal((shape[0], size), inputs.dtype, exact=inputs.precise())

    def resize(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        bound = self.bind(args, kwargs, ("images", "size"))
        images, size = bound.get("images"), shape_of(bound.get("size", Const(None)))
        if isinstance(images, TensorVal) and images.shape is not None and len(images.shape) == 4 \
                and isinstance(size, tuple) and len(size) == 2:
            return TensorVal((images.shape[0],) + size + (images.shape[3],), images.dtype,
                             exact=images.precise() and None not in size)
        return TensorVal(None, images.dtype if isinstance(images, TensorVal) else None)


def reshape_inferred(target: Tuple[int, ...], tensor: Optional[TensorVal], dtype: Optional[str]) -> TensorVal:
    """tf.reshape's -1, as TF's shape function infers it.

    A fully known input gives it a value (its size over the other target dims); an input with an unknown
    dimension leaves it None in TF too. An input the analysis does not know precisely (an unmodelled op, a
    layer's spatial dims) leaves it unknown to us, so nothing certain may follow from it.
    """
    axis = target.index(-1)
    rest = 1
    for d in target:
        rest = rest * d if d != -1 else rest
    if tensor is None or not tensor.precise():
        return TensorVal(target[:axis] + (None,) + target[axis + 1:], dtype)
    assert tensor.shape is not None
    if None in tensor.shape:
        return TensorVal(target[:axis] + (None,) + target[axis + 1:], dtype, exact=True)
    total = 1
    for d in tensor.shape:
        total *= d  # type: ignore[operator]
    if rest <= 0 or total % rest:
        return TensorVal(None, dtype)  # TF rejects it, or a zero-size corner: not modelled
    return TensorVal(target[:axis] + (total // rest,) + target[axis + 1:], dtype, exact=True)


def reshape_to_runtime_dims(items: List[Value], tensor: Optional[TensorVal], dtype: Optional[str]) -> TensorVal:
    """tf.reshape(x, [tf.shape(x)[0], -1]) and the like, as TF's static shape inference sees it: a dimension
    read from tf.shape() that TF does not know stays None; the one unknown dimension (-1 or such a read) is
    inferred only from an input whose size is known, e.g. (8, 15, 15, 64) -> [tf.shape(x)[0], -1] is
    (8, 14400) (that read folds to 8), (None, 15, 15, 64) gives (None, None)."""
    dims: List[Optional[int]] = []
    for item in items:
        if isinstance(item, RuntimeDim):
            dims.append(None)
        elif isinstance(item, Const) and isinstance(item.value, int) and not isinstance(item.value, bool):
            dims.append(None if item.value == -1 else item.value)
            if item.value < -1:
                return TensorVal(None, dtype)
        else:
            return TensorVal(None, dtype)
    unknown = [i for i, d in enumerate(dims) if d is None]
    if len(unknown) > 1:
        return TensorVal(tuple(dims), dtype, exact=True)  # two unknowns: TF cannot infer either
    if tensor is None or not tensor.precise():
        return TensorVal(tuple(dims), dtype)
    assert tensor.shape is not None
    if len(unknown) == 1 and None not in tensor.shape:
        total = 1
        for d in tensor.shape:
            total *= d  # type: ignore[operator]
        rest = 1
        for d in dims:
            rest *= d if d is not None else 1
        if rest <= 0 or total % rest:
            return TensorVal(None, dtype)
        dims[unknown[0]] = total // rest
    return TensorVal(tuple(dims), dtype, exact=True)
