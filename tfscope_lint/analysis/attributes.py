"""Attribute stores and which known attribute values they may have made stale.

A store the interpreter can resolve (`self.reuse = True`, `Model.reuse = True`) sets the value and
stamps it. A store it cannot resolve (`unknown.reuse = True`, `setattr(obj, name, v)` with a name it
cannot read) might have hit any object: every value of that attribute stamped before it is stale,
and reads of it give Unknown until a resolved store sets it again. A stale known value would be a
false error (a `reuse` flag believed False); an unknown one only keeps the analysis quiet.

Stamps come from one process-wide clock so that objects outliving an interpreter still compare.
"""

from __future__ import annotations

from typing import Dict, Optional, Union

from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, GraphVal, InstanceVal, PartialVal, ScopeVal,
    SeqVal, SymStr, TensorVal, TFCall, Value, stamp,
)

ANY_ATTR = "*"  # a stamp key: when every attribute of the object may have been replaced

# Values that are certainly not a project instance, class or module: a store on them changes nothing known.
KNOWN_NON_INSTANCES = (Const, SeqVal, DictVal, FunctionVal, BoundMethod, PartialVal, BuiltinVal, TensorVal,
                       ScopeVal, GraphVal, TFCall, SymStr)

Owner = Union[InstanceVal, ClassVal]


class AttributeStores:
    """Per-interpreter record of unresolved attribute stores."""

    def __init__(self) -> None:
        self.unresolved: Dict[str, int] = {}  # attribute name (or ANY_ATTR) -> when a store may have set it

    @staticmethod
    def store(owner: Owner, attr: str, value: Value) -> None:
        """A resolved store: the value is known from now on."""
        owner.attrs[attr] = value
        owner.stamps[attr] = stamp()

    def store_unknown_name(self, owner: Optional[Owner]) -> None:
        """`setattr(owner, name, v)` with a name the analysis cannot read (owner None: not known either)."""
        if owner is not None:
            owner.stamps[ANY_ATTR] = stamp()
        else:
            self.unresolved[ANY_ATTR] = stamp()

    def store_unknown_owner(self, attr: str) -> None:
        """`x.attr = v` where x may be any object the analysis knows."""
        self.unresolved[attr] = stamp()

    def stale(self, holder: Owner, attr: str, value: Value, via: Optional[InstanceVal] = None) -> bool:
        """May `holder.attr` have changed since it was set? `via` is the instance it is read through when
        holder is its class: an unresolved store after the instance was made may have landed on it.

        Methods of a class body survive stores with unknown names (a `setattr` loop over hyperparameters):
        losing them would lose the whole analysis, for a case programs do not write.
        """
        set_at = holder.stamps.get(attr, holder.born)
        hit = self.unresolved.get(attr, 0)
        if not (isinstance(value, FunctionVal) and attr not in holder.stamps):
            hit = max(hit, self.unresolved.get(ANY_ATTR, 0), holder.stamps.get(ANY_ATTR, 0))
            if via is not None:
                hit = max(hit, via.stamps.get(ANY_ATTR, 0))
        if via is not None:
            return hit > min(set_at, via.born)
        return hit > set_at

    def certainly_absent(self, owner: Value, attr: str) -> bool:
        """Is `owner.attr` certainly unset (hasattr False)? Only for an instance of classes all known, with no
        dynamic attribute hooks, where no store the analysis could not resolve may have set it: the lazy
        `if not hasattr(self, '_cache')` of a cached property runs its body on the first access."""
        if not isinstance(owner, InstanceVal) or type(owner) is not InstanceVal:
            return False
        cls = owner.cls
        if attr in owner.attrs or cls.holder(attr) is not None or cls.has_unknown_base():
            return False
        if cls.holder("__getattr__") is not None or cls.holder("__getattribute__") is not None:
            return False
        chain = _classes(cls)
        hit = max([self.unresolved.get(attr, 0), self.unresolved.get(ANY_ATTR, 0), owner.stamps.get(ANY_ATTR, 0)]
                  + [c.stamps.get(ANY_ATTR, 0) for c in chain])
        return hit == 0 or hit < min([owner.born] + [c.born for c in chain])


def _classes(cls: ClassVal) -> list:
    out = [cls]
    for base in cls.bases:
        if isinstance(base, ClassVal):
            out.extend(_classes(base))
    return out

