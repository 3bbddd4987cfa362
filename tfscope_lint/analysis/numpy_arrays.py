"""NumPy arrays used as TF values: the dtype and shape of the few constructors whose dtype is certain.

`np.zeros(shape)`, `np.ones`, `np.empty` without a dtype, and `np.random.rand/randn(d0, ...)`,
`np.random.uniform/normal/random(..., size=...)` with a size, are float64 ndarrays: TF keeps that
dtype when it converts them, so `get_variable(initializer=np.zeros(...), dtype=tf.float32)` fails
(SEMANTICS: a constant initializer's dtype must match dtype=). Every other numpy call is an array of
unknown dtype and shape. Without a size the random functions return a Python float, which TF reads
as float32: that is why the size must be given.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from tfscope_lint.analysis.tfnames import shape_of
from tfscope_lint.analysis.values import Const, TensorVal, Value

# constructor -> (position of the shape argument, position of the dtype argument)
_FILLED: Dict[str, Tuple[int, int]] = {"zeros": (0, 1), "ones": (0, 1), "empty": (0, 1)}
# random draw -> position of the size argument (None: the dimensions are the arguments themselves)
_RANDOM: Dict[str, Optional[int]] = {
    "rand": None, "randn": None, "uniform": 2, "normal": 2, "random": 0, "random_sample": 0, "standard_normal": 0,
}
_PARAMS = {"zeros": ("shape", "dtype"), "ones": ("shape", "dtype"), "empty": ("shape", "dtype"),
           "uniform": ("low", "high", "size"), "normal": ("loc", "scale", "size"), "random": ("size",),
           "random_sample": ("size",), "standard_normal": ("size",)}


def numpy_array(path: str, args: List[Value], kwargs: Dict[str, Value]) -> TensorVal:
    """The array a numpy call returns: float64 with its shape where certain, else unknown dtype and shape."""
    last = path.rsplit(".", 1)[-1]
    module = path.rsplit(".", 1)[0]
    if "**unknown**" in kwargs:
        return TensorVal()
    if module == "numpy" and last in _FILLED:
        bound = _bind(last, args, kwargs)
        if "dtype" in bound or "shape" not in bound:
            return TensorVal()
        return TensorVal(_shape(bound["shape"]), "float64")
    if module == "numpy.random" and last in _RANDOM:
        if _RANDOM[last] is None:
            if not args or kwargs:
                return TensorVal()
            return TensorVal(_shape_of_dims(args), "float64")
        bound = _bind(last, args, kwargs)
        size = bound.get("size")
        if size is None or (isinstance(size, Const) and size.value is None) or len(bound) < len(args) + len(kwargs):
            return TensorVal()
        return TensorVal(_shape(size), "float64")
    return TensorVal()


def _bind(name: str, args: List[Value], kwargs: Dict[str, Value]) -> Dict[str, Value]:
    params = _PARAMS[name]
    bound = dict(zip(params, args))
    bound.update({k: v for k, v in kwargs.items() if k in params})
    return bound


def _shape(value: Value) -> Optional[Tuple]:
    shape = shape_of(value)
    return shape if isinstance(shape, tuple) and None not in shape else None


def _shape_of_dims(dims: List[Value]) -> Optional[Tuple]:
    if all(isinstance(d, Const) and isinstance(d.value, int) and not isinstance(d.value, bool) for d in dims):
        return tuple(d.value for d in dims)  # type: ignore[union-attr]
    return None
