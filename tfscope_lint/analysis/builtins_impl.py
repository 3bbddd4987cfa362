"""Python's builtins and the methods of str, list and dict, over abstract values."""

from __future__ import annotations

import operator
from typing import Any, Dict, List, Optional

from tfscope_lint.analysis import generators, strings
from tfscope_lint.analysis.attributes import KNOWN_NON_INSTANCES
from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, IndexAtom, InstanceVal, PartialVal, SeqVal,
    SymStr, TFCall, TensorVal, Unknown, Value, truth,
)
from tfscope_lint.model.shapes import broadcast

KNOWN_BUILTINS = {
    "range", "len", "enumerate", "zip", "str", "int", "float", "bool", "list", "tuple", "dict", "print",
    "isinstance", "issubclass", "getattr", "setattr", "hasattr", "sorted", "reversed", "min", "max", "abs",
    "sum", "any", "all", "repr", "format", "super", "object", "staticmethod", "classmethod", "property",
    "map", "filter", "iter", "next", "type", "id", "hash", "round", "set", "frozenset", "open", "vars",
    "callable", "divmod", "pow", "ord", "chr", "exec", "eval", "globals", "locals", "xrange", "unicode",
    "basestring", "long", "Exception", "ValueError", "TypeError", "KeyError", "RuntimeError",
    "NotImplementedError", "AttributeError", "IndexError", "StopIteration", "AssertionError", "ImportError",
}


# list and dict methods that change their object in place
MUTATING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
                              "setdefault", "update", "popitem"})


def builtin(name: str) -> Value:
    if name in KNOWN_BUILTINS:
        return BuiltinVal(name)
    return Unknown(f"name {name}")


_ARITH = {
    "Add": operator.add, "Subtract": operator.sub, "Multiply": operator.mul, "Divide": operator.truediv,
    "FloorDivide": operator.floordiv, "Modulo": operator.mod, "Power": operator.pow,
    "LeftShift": operator.lshift, "RightShift": operator.rshift, "BitOr": operator.or_,
    "BitAnd": operator.and_, "BitXor": operator.xor,
}


def binop(op: str, left: Value, right: Value) -> Value:
    if isinstance(left, Const) and isinstance(right, Const) and op in _ARITH:
        if op == "Modulo" and isinstance(left.value, str):
            return strings.percent(left.value, right)
        try:
            if op == "Power" and isinstance(right.value, int) and abs(right.value) > 64:
                return Unknown("large power")
            if op == "Multiply" and isinstance(left.value, (str, list, tuple)) and isinstance(right.value, int) \
                    and right.value > 10_000:
                return Unknown("large repetition")
            return Const(_ARITH[op](left.value, right.value))
        except Exception:  # noqa: BLE001 - a failing constant operation is just unknown
            return Unknown("arithmetic")
    if op == "Modulo" and isinstance(left, Const) and isinstance(left.value, str):
        return strings.percent(left.value, right)
    if op == "Add":
        if isinstance(left, SeqVal) and isinstance(right, SeqVal):
            return SeqVal(left.items + right.items, left.is_tuple and right.is_tuple)
        if _stringish(left) or _stringish(right):
            return strings.concat(left, right)
    if op == "Multiply" and isinstance(left, SeqVal) and isinstance(right, Const) and isinstance(right.value, int) \
            and 0 <= right.value <= 1000:
        return SeqVal(left.items * right.value, left.is_tuple)
    if isinstance(left, TensorVal) or isinstance(right, TensorVal):
        ls = left.shape if isinstance(left, TensorVal) else (() if isinstance(left, Const) else None)
        rs = right.shape if isinstance(right, TensorVal) else (() if isinstance(right, Const) else None)
        dtype = _result_dtype(left, right)
        opaque = any(isinstance(v, TensorVal) and v.opaque for v in (left, right)) or not all(
            isinstance(v, (TensorVal, Const)) for v in (left, right))
        if op == "MatrixMultiply":
            return TensorVal(None, dtype, opaque=opaque)
        exact = all(v.precise() for v in (left, right) if isinstance(v, TensorVal))
        return TensorVal(broadcast(ls, rs) if not opaque else None, dtype, opaque=opaque, exact=exact)
    if isinstance(left, IndexAtom) and isinstance(right, Const) and isinstance(right.value, int):
        if op == "Add" and right.value >= 0:
            return IndexAtom(left.atom, left.low + right.value) if right.value == 0 else Unknown("index arithmetic")
    return Unknown("operation")


def _result_dtype(left: Value, right: Value) -> Optional[str]:
    """A tensor's dtype survives a Python number; two dtypes (a float64 ndarray and a float32 tensor, which
    TF converts to float32) or an unknown operand leave it unknown."""
    dtypes = {v.dtype for v in (left, right) if isinstance(v, TensorVal)}
    if len(dtypes) != 1 or not all(isinstance(v, (TensorVal, Const)) for v in (left, right)):
        return None
    return dtypes.pop()


def _stringish(value: Value) -> bool:
    return isinstance(value, SymStr) or (isinstance(value, Const) and isinstance(value.value, str))


_COMPARE = {
    "Equal": operator.eq, "NotEqual": operator.ne, "LessThan": operator.lt, "LessThanEqual": operator.le,
    "GreaterThan": operator.gt, "GreaterThanEqual": operator.ge,
}


def compare(op: str, left: Value, right: Value) -> Optional[bool]:
    if op in ("Is", "IsNot"):
        same = _identical(left, right)
        if same is None:
            return None
        return same if op == "Is" else not same
    if op in ("In", "NotIn"):
        items = right.items if isinstance(right, SeqVal) else None
        if isinstance(right, DictVal):
            if isinstance(left, Const) and all(not isinstance(k, Value) for k in right.items):
                return (left.value in right.items) == (op == "In")
            return None
        if isinstance(right, Const) and isinstance(right.value, (str, tuple, list)) and isinstance(left, Const):
            try:
                return (left.value in right.value) == (op == "In")
            except TypeError:
                return None
        if items is None:
            return None
        undecided = False
        for item in items:  # the first item certainly equal decides; any unknown one leaves "not in" open
            equal = compare("Equal", left, item)
            if equal is True:
                return op == "In"
            undecided = undecided or equal is not False
        return None if undecided else op == "NotIn"
    if isinstance(left, Const) and isinstance(right, Const) and op in _COMPARE:
        try:
            return bool(_COMPARE[op](left.value, right.value))
        except TypeError:
            return None
    for a, b, flipped in ((left, right, False), (right, left, True)):
        if isinstance(a, IndexAtom) and isinstance(b, Const) and isinstance(b.value, int) \
                and not isinstance(b.value, bool):
            real = op
            if flipped:
                real = {"LessThan": "GreaterThan", "GreaterThan": "LessThan", "LessThanEqual": "GreaterThanEqual",
                        "GreaterThanEqual": "LessThanEqual"}.get(op, op)
            if real == "GreaterThan" and a.low > b.value:
                return True
            if real == "GreaterThanEqual" and a.low >= b.value:
                return True
            if real in ("LessThan",) and a.low >= b.value:
                return False
            if real == "LessThanEqual" and a.low > b.value:
                return False
            if real == "Equal" and b.value < a.low:
                return False
            if real == "NotEqual" and b.value < a.low:
                return True
            return None
    if op in ("Equal", "NotEqual"):
        from tfscope_lint.analysis.values import to_name
        from tfscope_lint.model import names
        la, lb = (to_name(left) if _stringish(left) else None), (to_name(right) if _stringish(right) else None)
        if la is not None and lb is not None:
            same = names.equal(la, lb)
            if same is None:
                return None
            return same if op == "Equal" else not same
    return None


def _identical(a: Value, b: Value) -> Optional[bool]:
    if a is b:
        return True
    if isinstance(a, Const) and isinstance(b, Const):
        if a.value is None or b.value is None or isinstance(a.value, bool) or isinstance(b.value, bool):
            return a.value is b.value
        return None
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    none_a = isinstance(a, Const) and a.value is None
    none_b = isinstance(b, Const) and b.value is None
    if none_a or none_b:
        return False  # a known non-constant object is never None
    return None


def subscript(owner: Value, key: Value) -> Value:
    if isinstance(owner, SeqVal) and isinstance(key, Const) and isinstance(key.value, int):
        try:
            return owner.items[key.value]
        except IndexError:
            return Unknown("index")
    if isinstance(owner, DictVal) and isinstance(key, Const):
        try:
            return owner.items.get(key.value, Unknown("dict item"))
        except TypeError:
            return Unknown("dict item")
    if isinstance(owner, Const) and isinstance(key, Const):
        try:
            value = owner.value[key.value]
        except Exception:  # noqa: BLE001
            return Unknown("subscript")
        return Const(value)
    if isinstance(owner, TensorVal):
        return TensorVal(None, owner.dtype)
    if isinstance(owner, SeqVal) and isinstance(key, IndexAtom):
        return Unknown("element")
    return Unknown("subscript")


def slice_value(owner: Value, lower: Value, upper: Value, step: Value) -> Value:
    bounds = [v.value if isinstance(v, Const) else "?" for v in (lower, upper, step)]
    if any(b is not None and (not isinstance(b, int) or isinstance(b, bool)) for b in bounds) or bounds[2] == 0:
        return Unknown("slice")  # unknown, or what Python itself would reject (x[4 / 2:])
    sl = slice(*bounds)
    if isinstance(owner, SeqVal):
        return SeqVal(owner.items[sl], owner.is_tuple)
    if isinstance(owner, Const) and isinstance(owner.value, (str, tuple, list)):
        return Const(owner.value[sl])
    if isinstance(owner, TensorVal):
        return TensorVal(None, owner.dtype)
    return Unknown("slice")


def _int(value: Value) -> Optional[int]:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def call_builtin(interp: Any, name: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
    if name in ("range", "xrange"):
        ints = [_int(a) for a in args]
        if args and all(i is not None for i in ints) and len(ints) <= 3:
            r = range(*ints)  # type: ignore[arg-type]
            if len(r) <= 10_000:
                return SeqVal([Const(i) for i in r])
        if len(args) == 1 or (len(args) >= 2 and _int(args[0]) == 0):
            return TFCall("range", tuple(args))
        return Unknown("range")
    if name == "len":
        if args and isinstance(args[0], SeqVal) and not args[0].exact:
            return Unknown("len of a list grown an unknown number of times")
        if args and isinstance(args[0], (SeqVal, DictVal)):
            return Const(len(args[0].items))
        if args and isinstance(args[0], Const) and isinstance(args[0].value, (str, tuple, list)):
            return Const(len(args[0].value))
        return Unknown("len")
    if name == "enumerate":
        start = _int(args[1]) if len(args) > 1 else _int(kwargs.get("start", Const(0)))
        lazy = generators.lazy_builtin(name, args[:1], start) if start is not None else None
        if lazy is not None:
            return lazy
        items = interp.iterate(args[0]) if args else None
        if items is not None and start is not None:
            return SeqVal([SeqVal([Const(start + i), item], True) for i, item in enumerate(items)])
        return TFCall("enumerate", tuple(args))
    if name == "zip":
        lazy = generators.lazy_builtin(name, args)
        if lazy is not None:
            return lazy
        lists = [interp.iterate(a) for a in args]
        if lists and all(items is not None for items in lists):
            return SeqVal([SeqVal(list(group), True) for group in zip(*lists)])  # type: ignore[misc]
        return Unknown("zip")
    if name in ("str", "unicode"):
        if not args:
            return Const("")
        text = strings.piece(args[0])
        from tfscope_lint.analysis.values import str_value
        return str_value(text) if text is not None else Unknown("str")
    if name in ("int", "float", "bool"):
        if args and isinstance(args[0], Const):
            try:
                return Const({"int": int, "float": float, "bool": bool}[name](args[0].value))
            except (TypeError, ValueError):
                return Unknown(name)
        if name == "bool" and args:
            t = truth(args[0])
            return Const(t) if t is not None else Unknown("bool")
        return Unknown(name)
    if name in ("list", "tuple"):
        if not args:
            return SeqVal([], name == "tuple")
        items = interp.iterate(args[0])
        return SeqVal(list(items), name == "tuple") if items is not None else Unknown(name)
    if name == "dict":
        base = dict(args[0].items) if args and isinstance(args[0], DictVal) else ({} if not args else None)
        if base is None:
            return Unknown("dict")
        base.update({k: v for k, v in kwargs.items() if k != "**unknown**"})
        return DictVal(base) if "**unknown**" not in kwargs else Unknown("dict")
    if name in ("sorted", "reversed"):
        items = interp.iterate(args[0]) if args else None
        if items is not None and name == "reversed":
            return SeqVal(list(reversed(items)))
        if items is not None and all(isinstance(i, Const) for i in items) and not kwargs:
            try:
                return SeqVal([Const(v) for v in sorted(i.value for i in items)])  # type: ignore[union-attr]
            except TypeError:
                return Unknown("sorted")
        return Unknown(name)
    if name in ("min", "max") and args and all(isinstance(a, Const) for a in args) and not kwargs:
        try:
            values = [a.value for a in args]  # type: ignore[union-attr]
            values = values[0] if len(values) == 1 else values
            return Const(min(values) if name == "min" else max(values))
        except (TypeError, ValueError):
            return Unknown(name)
    if name == "isinstance" and len(args) == 2:
        return _isinstance(args[0], args[1])
    if name in ("getattr", "hasattr") and len(args) >= 2 and isinstance(args[1], Const) \
            and isinstance(args[1].value, str):
        value = interp.get_attr(args[0], args[1].value, node)
        if name == "hasattr":
            if not isinstance(value, Unknown):
                return Const(True)
            return Const(False) if interp.attributes.certainly_absent(args[0], args[1].value) else Unknown("hasattr")
        if isinstance(value, Unknown) and len(args) == 3:
            return Unknown("getattr default")
        return value
    if name == "setattr" and len(args) == 3:
        if isinstance(args[1], Const) and isinstance(args[1].value, str):
            interp.store_attr(args[0], args[1].value, args[2])
        elif isinstance(args[0], (InstanceVal, ClassVal)):
            interp.note_write(args[0])
            interp.attributes.store_unknown_name(args[0])
        elif not isinstance(args[0], KNOWN_NON_INSTANCES):
            interp.attributes.store_unknown_name(None)
        return Const(None)
    if name == "vars" and args and isinstance(args[0], (InstanceVal, ClassVal)):
        interp.note_write(args[0])
        interp.attributes.store_unknown_name(args[0])  # vars(self).update(...) may set any attribute
        return Unknown("vars")
    if name == "type" and len(args) == 1 and isinstance(args[0], InstanceVal):
        return args[0].cls
    if name == "super":
        return _super(interp, args, frame)
    if name == "print":
        return Const(None)
    if name == "format" and args:
        return strings.format_method("{:" + (args[1].value if len(args) > 1 and isinstance(args[1], Const) else "")
                                     + "}", args[:1], {}) if len(args) <= 2 else Unknown("format")
    if name == "callable" and args:
        if isinstance(args[0], (FunctionVal, BoundMethod, PartialVal, ClassVal, BuiltinVal)):
            return Const(True)
        return Unknown("callable")
    if name == "next" and args and generators.is_lazy(args[0]):
        return generators.started(interp, args[0])
    if name in ("map", "filter") and len(args) == 2 and generators.is_lazy(args[1]):
        generators.consume(interp, args[1], quiet=True)  # the function runs between the generator's items
        return Unknown(name)
    if name in ("map", "filter") and len(args) == 2:
        items = interp.iterate(args[1])
        if items is not None and name == "map" and len(items) <= 64:
            return SeqVal([interp.call_value(args[0], [item], {}, node, frame) for item in items])
        return Unknown(name)
    return Unknown(f"builtin {name}")


def _isinstance(value: Value, cls: Value) -> Value:
    classes = cls.items if isinstance(cls, SeqVal) else [cls]
    if isinstance(value, InstanceVal):
        for c in classes:
            if isinstance(c, ClassVal) and _subclass(value.cls, c):
                return Const(True)
        if all(isinstance(c, ClassVal) for c in classes) and not value.cls.has_unknown_base():
            return Const(False)
        return Unknown("isinstance")
    py_types = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "tuple": tuple, "dict": dict}
    if isinstance(value, Const):
        wanted = [py_types.get(c.name) for c in classes if isinstance(c, BuiltinVal)]
        if len(wanted) == len(classes) and all(wanted):
            return Const(isinstance(value.value, tuple(wanted)))  # type: ignore[arg-type]
    if isinstance(value, SymStr):
        wanted_names = {c.name for c in classes if isinstance(c, BuiltinVal)}
        if len(wanted_names) == len(classes):
            return Const(bool(wanted_names & {"str", "basestring", "unicode"}))
    if isinstance(value, SeqVal):
        wanted_names = {c.name for c in classes if isinstance(c, BuiltinVal)}
        if len(wanted_names) == len(classes):
            return Const(("tuple" if value.is_tuple else "list") in wanted_names)
    return Unknown("isinstance")


def _subclass(cls: ClassVal, target: ClassVal) -> bool:
    if cls is target:
        return True
    return any(isinstance(b, ClassVal) and _subclass(b, target) for b in cls.bases)


def _super(interp: Any, args: List[Value], frame: Any) -> Value:
    """super() / super(Cls, self): the class after Cls in the instance's MRO, bound to self.

    Zero-argument super() finds Cls as the class whose body defines the running method (by node, so a
    base's __init__ reached through super() does not find the subclass's again).
    """
    if frame is None:
        return Unknown("super")
    if args:
        start = args[0] if isinstance(args[0], ClassVal) else None
        self_value = args[1] if len(args) > 1 else None
    else:
        self_value = frame.vars.get("self")
        running = interp.call_stack[-1][1] if interp.call_stack else None
        start = _defining_class(self_value.cls, running) if isinstance(self_value, InstanceVal) else None
    if isinstance(self_value, _SuperProxy):
        self_value = self_value.instance
    if not isinstance(self_value, InstanceVal) or start is None:
        return Unknown("super")
    order = _mro(self_value.cls)
    if order is None or start not in order:
        return Unknown("super")
    after = order[order.index(start) + 1:]
    if after and isinstance(after[0], ClassVal):
        return _SuperProxy(after[0], self_value)
    return Unknown("super")


def _defining_class(cls: ClassVal, node: Any) -> Optional[ClassVal]:
    """The class in cls's chain whose body defines the function `node`."""
    order = _mro(cls) or [cls]
    for klass in order:
        if isinstance(klass, ClassVal) and any(isinstance(v, FunctionVal) and v.node is node
                                               for v in klass.attrs.values()):
            return klass
    return None


def _mro(cls: ClassVal) -> Optional[List[Value]]:
    """C3 linearisation over the known classes; a base that is not a project class ends the known part (None
    when the bases cannot be linearised)."""
    def merge(seqs: List[List[Value]]) -> Optional[List[Value]]:
        out: List[Value] = []
        seqs = [list(s) for s in seqs if s]
        while seqs:
            for seq in seqs:
                head = seq[0]
                if not any(head in other[1:] for other in seqs):
                    break
            else:
                return None
            out.append(head)
            seqs = [[c for c in s if c is not head] for s in seqs]
            seqs = [s for s in seqs if s]
        return out

    def linear(klass: Value, depth: int) -> Optional[List[Value]]:
        if not isinstance(klass, ClassVal):
            return [klass]
        if depth > 20:
            return None
        parents = [b for b in klass.bases if not (isinstance(b, BuiltinVal) and b.name == "object")]
        lins = [linear(b, depth + 1) for b in parents]
        if any(lin is None for lin in lins):
            return None
        rest = merge([lin for lin in lins if lin] + [list(parents)])  # type: ignore[misc]
        return None if rest is None else [klass] + rest

    return linear(cls, 0)


class _SuperProxy(InstanceVal):
    """Attribute lookups start at `cls`, methods bind to the real instance."""

    def __init__(self, cls: ClassVal, instance: InstanceVal) -> None:
        super().__init__(cls, instance.attrs, instance.stamps, instance.born)
        self.instance = instance


def call_method(interp: Any, method: str, owner: Value, args: List[Value], kwargs: Dict[str, Value],
                node: Any) -> Value:
    """Methods of str, list, tuple and dict values."""
    if isinstance(owner, (Const, SymStr)) and (isinstance(owner, SymStr) or isinstance(owner.value, str)):
        if method == "format" and isinstance(owner, Const):
            return strings.format_method(owner.value, args, {k: v for k, v in kwargs.items()})
        if method == "join" and args:
            return strings.join(owner, interp.iterate(args[0]))
        if isinstance(owner, Const):
            simple = getattr(owner.value, method, None)
            if simple is not None and all(isinstance(a, Const) for a in args) and not kwargs and method in (
                    "lower", "upper", "strip", "rstrip", "lstrip", "replace", "split", "startswith", "endswith",
                    "title", "capitalize", "rsplit", "count", "find", "isdigit", "zfill"):
                try:
                    result = simple(*[a.value for a in args])  # type: ignore[union-attr]
                except Exception:  # noqa: BLE001
                    return Unknown("str method")
                if isinstance(result, list):
                    return SeqVal([Const(r) for r in result])
                return Const(result)
        return Unknown("str method")
    if isinstance(owner, (SeqVal, DictVal)) and method in MUTATING_METHODS:
        interp.note_write(owner)
    if isinstance(owner, SeqVal):
        if method in ("append", "extend", "insert", "pop", "remove") and (interp.uncertain or interp.unknown_loops):
            owner.exact = False  # grown in a loop of unknown count, or on one path only
        if method == "append" and args:
            owner.items.append(args[0])
            return Const(None)
        if method == "extend" and args:
            items = interp.iterate(args[0])
            if items is None:
                owner.items.clear()
                owner.items.append(Unknown("extended"))
            else:
                owner.items.extend(items)
            return Const(None)
        if method == "insert" and len(args) == 2 and isinstance(args[0], Const):
            owner.items.insert(args[0].value, args[1])
            return Const(None)
        if method == "pop":
            if owner.items and not args:
                return owner.items.pop()
            return Unknown("pop")
        if method == "index" or method == "count":
            return Unknown(method)
        return Unknown("list method")
    if isinstance(owner, DictVal):
        if method == "get" and args and isinstance(args[0], Const):
            try:
                if args[0].value in owner.items:
                    return owner.items[args[0].value]
            except TypeError:
                return Unknown("dict get")
            return args[1] if len(args) > 1 else kwargs.get("default", Const(None))
        if method == "pop" and args and isinstance(args[0], Const):
            try:
                if args[0].value in owner.items:
                    return owner.items.pop(args[0].value)
            except TypeError:
                return Unknown("dict pop")
            return args[1] if len(args) > 1 else Unknown("dict pop")
        if method == "setdefault" and args and isinstance(args[0], Const):
            return owner.items.setdefault(args[0].value, args[1] if len(args) > 1 else Const(None))
        if method == "items":
            return SeqVal([SeqVal([Const(k), v], True) for k, v in owner.items.items()])
        if method == "keys":
            return SeqVal([Const(k) for k in owner.items])
        if method == "values":
            return SeqVal(list(owner.items.values()))
        if method == "update" and args and isinstance(args[0], DictVal):
            owner.items.update(args[0].items)
            return Const(None)
        if method == "copy":
            return DictVal(dict(owner.items))
        return Unknown("dict method")
    return Unknown("method")
