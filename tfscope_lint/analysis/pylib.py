"""The standard library's containers and iteration helpers that configs and builders are made of:
itertools over known lists, collections.namedtuple / OrderedDict, and tf.contrib.training.HParams.

A namedtuple or HParams object is a record: a TFObject of kind "record" whose attributes sit in
`state["attrs"]` (where attribute reads of any TF object look first). What cannot be followed (a
`parse("...")` of a string, an unknown `**kwargs`) makes the record's values unknown, never wrong.
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional

from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, Const, DictVal, SeqVal, TFObject, Unknown, Value,
)

MAX_ITEMS = 256  # products and permutations larger than this are left unknown
RECORD_METHODS = {"_replace", "_asdict", "set_hparam", "add_hparam", "values", "get", "override_from_dict",
                  "parse", "del_hparam", "to_json", "parse_json"}
HPARAMS = ("tf.contrib.training.HParams", "tf.training.HParams", "HParams")


def handles(path: str) -> bool:
    return path.startswith(("itertools.", "collections.")) or path in HPARAMS


def call(interp: Any, path: str, args: List[Value], kwargs: Dict[str, Value]) -> Value:
    last = path.rsplit(".", 1)[-1]
    if path in HPARAMS:
        if args and not (len(args) == 1 and isinstance(args[0], Const) and args[0].value is None):
            return Unknown("HParams from a proto")
        return _record("hparams", {k: v for k, v in kwargs.items() if k != "hparam_def"}, kwargs)
    if path.startswith("itertools."):
        return _itertools(interp, last, args, kwargs)
    if last == "namedtuple":
        return _namedtuple_class(args, kwargs)
    if last == "OrderedDict":
        if not args and "**unknown**" not in kwargs:
            return DictVal(dict(kwargs))
        if len(args) == 1 and not kwargs:
            if isinstance(args[0], DictVal):
                return DictVal(dict(args[0].items))
            pairs = interp.iterate(args[0])
            if pairs is not None and all(isinstance(p, SeqVal) and len(p.items) == 2 and isinstance(p.items[0], Const)
                                         for p in pairs):
                try:
                    return DictVal({p.items[0].value: p.items[1] for p in pairs})  # type: ignore[union-attr]
                except TypeError:
                    pass
    return Unknown(path)


def _itertools(interp: Any, name: str, args: List[Value], kwargs: Dict[str, Value]) -> Value:
    from tfscope_lint.analysis import generators
    if any(generators.is_lazy(a) for a in args):
        # itertools is lazy: a generator under it runs interleaved with the consumer, or only partly (islice)
        for a in args:
            if generators.is_lazy(a):
                generators.started(interp, a)
        return Unknown("itertools over a generator")
    if name == "repeat" and len(args) == 2 and isinstance(args[1], Const) and isinstance(args[1].value, int) \
            and 0 <= args[1].value <= MAX_ITEMS:
        return SeqVal([args[0]] * args[1].value)
    if name == "from_iterable":  # itertools.chain.from_iterable(lists)
        outer = interp.iterate(args[0]) if len(args) == 1 else None
        args, name = (outer, "chain") if outer is not None else (args, "?")
    lists = [interp.iterate(a) for a in args]
    if any(items is None for items in lists):
        return Unknown("itertools")
    known: List[List[Value]] = lists  # type: ignore[assignment]
    try:
        if name == "product" and set(kwargs) <= {"repeat"}:
            repeat = kwargs.get("repeat", Const(1))
            if not isinstance(repeat, Const) or not isinstance(repeat.value, int):
                return Unknown("product")
            size = 1
            for items in known:
                size *= len(items)
            if size ** max(repeat.value, 1) > MAX_ITEMS:
                return Unknown("product")
            return SeqVal([SeqVal(list(t), True) for t in itertools.product(*known, repeat=repeat.value)])
        if name == "chain" and not kwargs:
            return SeqVal([item for items in known for item in items])
        if name in ("combinations", "permutations") and len(known) == 1 and not kwargs:
            r = args[1] if len(args) > 1 else Const(None)
            if not isinstance(r, Const) or (r.value is None and name == "combinations"):
                return Unknown(name)
            made = list(getattr(itertools, name)(known[0], r.value)) if len(known[0]) <= 8 else None
            if made is None or len(made) > MAX_ITEMS:
                return Unknown(name)
            return SeqVal([SeqVal(list(t), True) for t in made])
    except (TypeError, ValueError):
        return Unknown(name)
    return Unknown(name)


def _namedtuple_class(args: List[Value], kwargs: Dict[str, Value]) -> Value:
    fields = args[1] if len(args) > 1 else kwargs.get("field_names")
    names: Optional[List[str]] = None
    if isinstance(fields, Const) and isinstance(fields.value, str):
        names = fields.value.replace(",", " ").split()
    elif isinstance(fields, SeqVal) and all(isinstance(f, Const) and isinstance(f.value, str) for f in fields.items):
        names = [f.value for f in fields.items]  # type: ignore[union-attr]
    elif isinstance(fields, Const) and isinstance(fields.value, (list, tuple)) \
            and all(isinstance(f, str) for f in fields.value):
        names = list(fields.value)
    if names is None or not all(n.isidentifier() for n in names) or "rename" in kwargs:
        return Unknown("namedtuple")
    defaults: List[Value] = []
    given = kwargs.get("defaults")
    if given is not None:
        items = given.items if isinstance(given, SeqVal) else None
        if items is None:
            return Unknown("namedtuple defaults")
        defaults = list(items)
    return TFObject("record_class", None, state={"fields": names, "defaults": defaults})


def instantiate(cls: TFObject, args: List[Value], kwargs: Dict[str, Value]) -> Value:
    fields: List[str] = cls.state["fields"]
    defaults: List[Value] = cls.state["defaults"]
    if "**unknown**" in kwargs or len(args) > len(fields):
        return Unknown("namedtuple instance")
    attrs: Dict[str, Value] = dict(zip(fields, args))
    attrs.update({k: v for k, v in kwargs.items() if k in fields})
    first_default = len(fields) - len(defaults)
    for i, name in enumerate(fields):
        if name not in attrs:
            attrs[name] = defaults[i - first_default] if i >= first_default else Unknown("missing field")
    return _record("namedtuple", attrs, {}, fields)


def _record(kind: str, attrs: Dict[str, Value], kwargs: Dict[str, Value], fields: Optional[List[str]] = None) -> Value:
    if "**unknown**" in kwargs:
        return Unknown("record from unknown arguments")
    return TFObject("record", None, state={"attrs": attrs, "kind": kind, "fields": fields or list(attrs)})


def attribute(obj: TFObject, attr: str) -> Value:
    """A record's attribute that is not a field: its methods (a missing field stays unknown)."""
    if attr in RECORD_METHODS:
        return BoundMethod(BuiltinVal("record." + attr), obj)
    if attr == "_fields" and obj.state["kind"] == "namedtuple":
        return SeqVal([Const(f) for f in obj.state["fields"]], True)
    return Unknown(f"record attribute {attr}")


def call_method(method: str, obj: TFObject, args: List[Value], kwargs: Dict[str, Value]) -> Value:
    attrs: Dict[str, Value] = obj.state["attrs"]
    kind = obj.state["kind"]
    if method == "_replace":
        if "**unknown**" in kwargs or args:
            return Unknown("_replace")
        updated = dict(attrs)
        updated.update(kwargs)
        return _record(kind, updated, {}, obj.state["fields"])
    if method in ("_asdict", "values"):
        return DictVal(dict(attrs))
    if method in ("set_hparam", "add_hparam") and len(args) == 2:
        if isinstance(args[0], Const) and isinstance(args[0].value, str):
            attrs[args[0].value] = args[1]
        else:
            _forget(obj)
        return Const(None)
    if method == "get" and args and isinstance(args[0], Const):
        return attrs.get(args[0].value, args[1] if len(args) > 1 else kwargs.get("default", Const(None)))
    if method == "override_from_dict" and args and isinstance(args[0], DictVal):
        attrs.update({k: v for k, v in args[0].items.items() if isinstance(k, str)})
        return obj
    if method in ("parse", "override_from_dict", "parse_json", "del_hparam"):
        _forget(obj)
        return obj
    return Unknown("record method")


def _forget(obj: TFObject) -> None:
    """A change the analysis cannot read: every value of the record is unknown from now on."""
    attrs: Dict[str, Value] = obj.state["attrs"]
    for key in list(attrs):
        attrs[key] = Unknown(f"hparam {key}")
    obj.state["kind"] = obj.state["kind"] + "?"  # reads of attributes it does not list stay unknown too
