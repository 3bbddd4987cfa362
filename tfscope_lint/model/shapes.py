"""Abstract shapes and dtypes, with TensorFlow's compatibility rules for unknown dimensions."""

from __future__ import annotations

from typing import Optional, Tuple

Dim = Optional[int]
Shape = Optional[Tuple[Dim, ...]]  # None: rank unknown

# Base dtype names as TensorFlow prints them; aliases fold onto them.
DTYPE_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "int": "int32",
    "bool_": "bool", "float_": "float64", "int_": "int64",
}
FLOATING = {"float16", "bfloat16", "float32", "float64"}
INTEGER = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
DEFAULT_INIT_DTYPES = FLOATING | INTEGER | {"bool", "string"}


def canonical_dtype(name: Optional[str]) -> Optional[str]:
    if name is None:
        return None
    name = name.replace("_ref", "")
    return DTYPE_ALIASES.get(name, name)


def compatible(a: Shape, b: Shape) -> bool:
    """TensorShape.is_compatible_with: unknown ranks and dims match anything."""
    if a is None or b is None:
        return True
    if len(a) != len(b):
        return False
    return all(x is None or y is None or x == y for x, y in zip(a, b))


def fully_defined(shape: Shape) -> bool:
    return shape is not None and all(d is not None for d in shape)


def render(shape: Shape) -> str:
    """Shapes as TensorShape prints them: (2,), (3, 4), (None, 1), <unknown>."""
    if shape is None:
        return "<unknown>"
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def broadcast(a: Shape, b: Shape) -> Shape:
    """The result shape of an elementwise op; unknown dims become known where the other side knows them."""
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(pa, pb):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        else:
            out.append(x)
    return tuple(out)
