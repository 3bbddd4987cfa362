"""Abstract values the interpreter computes with.

A value is known (a Python constant, a symbolic string, a function, an instance, a TF object)
or `Unknown`. Unknown values keep their identity, so the same unknown parameter used twice is
the same text both times, while two different unknowns may or may not be equal.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from tfscope_lint.model import names
from tfscope_lint.model.graph import GraphState, ScopeHandle
from tfscope_lint.model.names import Atom, Name
from tfscope_lint.model.shapes import Shape

if TYPE_CHECKING:
    import libcst as cst

_clock = itertools.count(1)


# TF objects whose state never changes once made (others, such as layers and templates, change as code uses them)
STATELESS_TF_OBJECTS = frozenset({"initializer", "record_class", "record", "shape", "true_getter"})
_tf_objects_made = [0]  # when the latest TFObject was made: its state changes as later code uses it


def last_tf_object() -> int:
    """When the latest stateful TF object was made (a module that made one at import is not shared)."""
    return _tf_objects_made[0]


def stamp() -> int:
    """A process-wide time for attribute stores (see `attributes`): objects outliving an interpreter compare."""
    return next(_clock)


class Value:
    """Base of every abstract value."""


class Unknown(Value):
    """A value the analysis cannot compute. `atom` makes it usable inside names."""

    __slots__ = ("reason", "_atom")

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        self._atom: Optional[Atom] = None

    def atom(self) -> Atom:
        if self._atom is None:
            self._atom = Atom(self.reason or "?")
        return self._atom

    def __repr__(self) -> str:
        return f"Unknown({self.reason})"


class OpaqueCode(Unknown):
    """Code the analysis cannot follow: a module outside the checked files, a call cut by a budget, a
    function behind an unknown decorator, one of several callables. Calling it may create variables
    under the current scope (the interpreter records that), and what it returns or holds is opaque too."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"OpaqueCode({self.reason})"


class RuntimeDim(Unknown):
    """`tf.shape(x)[i]` where x's static dimension i is unknown to TF too: a scalar tensor whose value TF's
    static shape inference cannot fold, so a shape built from it has that dimension unknown (None)."""

    __slots__ = ()


@dataclass(eq=False)
class Const(Value):
    """A known Python value: str, int, float, bool, None, or a tuple/list of known values."""

    value: Any


class NoneDimension(Value):
    """Dimension(None): a dimension of a static shape that TF does not know either (a placeholder's batch).
    Not the None object (in TF 1.x `x.shape[0] is None` is False), but its `.value` is None and a variable
    shape holding it is not fully defined."""


class AutoReuse(Value):
    """tf.AUTO_REUSE."""


AUTO_REUSE = AutoReuse()


@dataclass(eq=False)
class SymStr(Value):
    """A string with unknown pieces."""

    parts: Name


@dataclass(eq=False)
class IndexAtom(Value):
    """The index of a loop iteration the analysis does not unroll: an int >= `low`, distinct per iteration."""

    atom: Atom
    low: int


@dataclass(eq=False)
class SeqVal(Value):
    """A list or tuple of values (lists are shared by reference, as in Python)."""

    items: List[Value]
    is_tuple: bool = False
    exact: bool = True  # False once grown where the analysis cannot count: its length is then unknown
    born: int = field(default_factory=stamp)  # for writes into a module shared between runs


@dataclass(eq=False)
class DictVal(Value):
    items: Dict[Any, Value]
    born: int = field(default_factory=stamp)


@dataclass(eq=False)
class FunctionVal(Value):
    node: Any  # cst.FunctionDef or cst.Lambda
    module: Any  # ModuleContext
    closure: Any  # Frame where it was defined
    defaults: Dict[str, Value]
    name: str
    is_method_kind: str = "function"  # "function", "staticmethod", "classmethod", "property", "cached_property"
    arg_scope_ok: bool = False


@dataclass(eq=False)
class ClassVal(Value):
    name: str
    attrs: Dict[str, Value]
    bases: List[Value]
    module: Any
    stamps: Dict[str, int] = field(default_factory=dict)  # attribute -> when a resolved store set it
    born: int = field(default_factory=stamp)

    def lookup(self, attr: str) -> Optional[Value]:
        holder = self.holder(attr)
        return holder.attrs[attr] if holder is not None else None

    def holder(self, attr: str) -> Optional["ClassVal"]:
        """The class in the (single-inheritance, depth-first) chain whose body or stores define `attr`."""
        if attr in self.attrs:
            return self
        for base in self.bases:
            if isinstance(base, ClassVal):
                found = base.holder(attr)
                if found is not None:
                    return found
        return None

    def has_unknown_base(self) -> bool:
        for base in self.bases:
            if isinstance(base, ClassVal):
                if base.has_unknown_base():
                    return True
            elif not (isinstance(base, BuiltinVal) and base.name == "object"):
                return True
        return False


@dataclass(eq=False)
class InstanceVal(Value):
    cls: ClassVal
    attrs: Dict[str, Value] = field(default_factory=dict)
    stamps: Dict[str, int] = field(default_factory=dict)  # attribute -> when a resolved store set it
    born: int = field(default_factory=stamp)


@dataclass(eq=False)
class BoundMethod(Value):
    func: Value
    self_value: Value


@dataclass(eq=False)
class PartialVal(Value):
    func: Value
    args: List[Value]
    kwargs: Dict[str, Value]


@dataclass(eq=False)
class BuiltinVal(Value):
    name: str


@dataclass(eq=False)
class ModuleVal(Value):
    """A module of the analysed project."""

    context: Any


@dataclass(eq=False)
class LazyImport(Value):
    """A project module (or a name from it) whose import has no effects: executed on first use."""

    source: Any
    importer: Any
    name: Optional[str] = None  # `from module import name`


@dataclass(eq=False)
class TFRef(Value):
    """A name in TensorFlow's API (or slim's), by canonical path such as 'tf.variable_scope'."""

    path: str


@dataclass(eq=False)
class TFCall(Value):
    """A deferred TF call whose effect happens later: a scope context manager, a graph's as_default()."""

    kind: str
    args: Tuple[Value, ...] = ()
    kwargs: Dict[str, Value] = field(default_factory=dict)
    node: Any = None


@dataclass(eq=False)
class ScopeVal(Value):
    """A VariableScope object."""

    handle: ScopeHandle
    graph: GraphState


@dataclass(eq=False)
class TensorVal(Value):
    """A tensor or variable with what is known of its shape and dtype."""

    shape: Shape = None
    dtype: Optional[str] = None
    is_variable: bool = False
    name: Optional[Name] = None
    opaque: bool = False  # the result of a call the analysis does not model: maybe not a tensor at all
    # Its None dimensions are ones TF does not know either (a placeholder's batch), not ones the analysis lost
    # (a conv layer's spatial size): only those may make "this shape has an unknown dimension" certain.
    exact: bool = False
    exact_dims: Tuple[int, ...] = ()  # dimensions TF knows exactly as `shape` has them, when not all do

    def precise(self) -> bool:
        """Whether the static shape TF gives this tensor is exactly `shape`: known ints always are."""
        if self.shape is None or self.opaque:
            return False
        return self.exact or all(d is not None for d in self.shape)

    def precise_dims(self) -> Tuple[int, ...]:
        """The dimensions whose static size (None included) is TF's own: all, or those known alone."""
        if self.shape is None or self.opaque:
            return ()
        if self.precise():
            return tuple(range(len(self.shape)))
        return tuple(sorted(set(self.exact_dims) | {i for i, d in enumerate(self.shape) if d is not None}))


@dataclass(eq=False)
class GraphVal(Value):
    state: GraphState


@dataclass(eq=False)
class TFObject(Value):
    """A stateful TF object built by a catalogued constructor: a layer, a cell, an optimizer, a template."""

    kind: str
    spec: Any
    args: Tuple[Value, ...] = ()
    kwargs: Dict[str, Value] = field(default_factory=dict)
    state: Dict[str, Any] = field(default_factory=dict)
    node: Any = None

    def __post_init__(self) -> None:
        if self.kind not in STATELESS_TF_OBJECTS:
            _tf_objects_made[0] = stamp()


def is_code(value: Value) -> bool:
    """Whether a value may be something whose call runs code (and so may create variables)."""
    return isinstance(value, (FunctionVal, BoundMethod, ClassVal, PartialVal, InstanceVal, TFObject, TFRef,
                              OpaqueCode, ModuleVal, LazyImport))


def is_unknown(value: Value) -> bool:
    return isinstance(value, Unknown)


def const_value(value: Value, default: Any = None) -> Any:
    return value.value if isinstance(value, Const) else default


def to_name(value: Value) -> Optional[Name]:
    """The text a value stands for in a name, possibly with atoms; None when it is no text."""
    if isinstance(value, Const):
        if isinstance(value.value, str):
            return names.text(value.value)
        if isinstance(value.value, bool) or value.value is None:
            return None
        if isinstance(value.value, (int, float)):
            return names.text(str(value.value))
        return None
    if isinstance(value, SymStr):
        return value.parts
    if isinstance(value, IndexAtom):
        return (value.atom,)
    if isinstance(value, Unknown):
        return (value.atom(),)
    if isinstance(value, ScopeVal):
        return value.handle.name
    return None


def str_value(name: Name) -> Value:
    return Const(names.render(name)) if names.is_known(name) else SymStr(name)


def truth(value: Value) -> Optional[bool]:
    """Python truthiness when known."""
    if isinstance(value, Const):
        try:
            return bool(value.value)
        except Exception:  # noqa: BLE001 - exotic constant
            return None
    if isinstance(value, SeqVal):
        return bool(value.items)
    if isinstance(value, DictVal):
        return bool(value.items)
    if isinstance(value, (FunctionVal, ClassVal, BoundMethod, PartialVal, ModuleVal, ScopeVal, AutoReuse,
                          BuiltinVal)):
        return True
    if isinstance(value, SymStr):
        return True if any(isinstance(p, str) and p for p in value.parts) else None
    if isinstance(value, IndexAtom):
        return True if value.low >= 1 else None
    if isinstance(value, InstanceVal):
        if value.cls.lookup("__bool__") is None and value.cls.lookup("__len__") is None \
                and not value.cls.has_unknown_base():
            return True
    return None


def node_of(value: Value) -> Optional[cst.CSTNode]:
    return getattr(value, "node", None)
