"""One TensorFlow graph's variable store and variable-scope stack, as SEMANTICS.md describes them.

Pure Python, no syntax. Where the analysis does not know a fact, it says so: a reuse flag is
the set of values it may have (`F`, `T`, `A` for False, True, AUTO_REUSE); a name may hold
atoms; a store built in an unknown context ("open world") may already hold any variable. A
check reports an error only when it fails for every possibility; the caller decides what the
error means for the user.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from tfscope_lint.model import names
from tfscope_lint.model.catalogue import NON_FLOAT_DTYPES
from tfscope_lint.model.names import Atom, Name
from tfscope_lint.model.shapes import Shape, canonical_dtype, compatible, fully_defined

Reuse = FrozenSet[str]
NO_REUSE: Reuse = frozenset("F")
REUSE: Reuse = frozenset("T")
AUTO: Reuse = frozenset("A")
ANY_REUSE: Reuse = frozenset("FTA")

# What a `reuse=` argument may be: N (None or False), T (True), A (AUTO_REUSE).
ARG_NONE: FrozenSet[str] = frozenset("N")
ARG_ANY: FrozenSet[str] = frozenset("NTA")

_ids = itertools.count(1)


def reusing(reuse: Reuse) -> bool:
    """True when the scope certainly reuses (True or AUTO_REUSE in every possibility)."""
    return bool(reuse) and "F" not in reuse


@dataclass(eq=False)
class ScopeHandle:
    """A VariableScope object. Its mutable reuse flag lives in the GraphState, keyed by `id`."""

    name: Name
    dtype: Optional[str] = None  # default dtype set by variable_scope(dtype=...)
    has_initializer: bool = False
    custom_getter: Any = None  # a getter (here or in a parent) that may rename what is created; True if unknown
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class ScopeFrame:
    handle: ScopeHandle
    kind: str  # "root", "string", "default", "captured"
    open_id: int
    counts_snapshot: Optional[Dict[Name, int]] = None


@dataclass
class VarRecord:
    name: Name
    shape: Shape
    dtype: Optional[str]
    origin: Any  # where it was created: opaque to the model
    open_id: int  # which opening of its scope created it
    certain: bool = True  # False: exists on some paths only
    created_by: str = "get_variable"
    scope: Name = ()  # the variable scope it was created in


@dataclass
class ModelError:
    """A graph-construction error TensorFlow raises, with the facts needed to explain it."""

    kind: str
    full_name: Name
    scope: Name
    existing: Optional[VarRecord] = None
    reuse_origin: Any = None
    detail: Dict[str, Any] = field(default_factory=dict)


@dataclass
class VarRequest:
    """The arguments of one get_variable call, as far as they are known.

    shape: a Shape when given (None inside means unknown rank), `NOT_GIVEN`, or `UNKNOWN`.
    init: "none", "callable" (needs shape), "lambda" (no arguments), "constant", "unknown",
    "layer" (a library computes the shape from its input: unknown dimensions are not missing ones).
    init_dtype: a constant initializer's dtype; "float" for a callable one that makes floats only.
    """

    local_name: Name
    shape: Any
    dtype: Any  # a dtype name, None when not given, UNKNOWN
    init: str = "none"
    init_shape: Shape = None
    init_dtype: Optional[str] = None
    origin: Any = None
    context_open: Optional[int] = None  # for a library's variables: the opening of the scope around the library's own
    absolute: bool = False  # the name is already full (a custom getter passed it on)
    reuse: Optional[Reuse] = None  # reuse passed to the store by a custom getter, instead of the scope's
    init_exact: bool = False  # a constant initializer's init_shape is TF's own static shape (its Nones are TF's)


class _Sentinel:
    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return self.label


NOT_GIVEN = _Sentinel("NOT_GIVEN")
UNKNOWN = _Sentinel("UNKNOWN")
MAYBE_GIVEN = _Sentinel("MAYBE_GIVEN")  # a shape argument whose value may be None
UNKNOWN_COUNT = -1


def _union(a: Dict[Any, Any], b: Dict[Any, Any]) -> List[Any]:
    """The keys of both, in a's order then b's: a set's order would depend on PYTHONHASHSEED, and the
    store's order decides which variable a message names."""
    return list(a) + [key for key in b if key not in a]


class GraphState:
    """A graph's variable store, scope counts, reuse flags and the current scope stack."""

    def __init__(self, open_world: bool = False) -> None:
        self.open_world = open_world
        self.vars: Dict[Name, VarRecord] = {}
        self.counts: Dict[Name, int] = {}
        self.scope_reuse: Dict[int, Reuse] = {}
        self.reuse_origin: Dict[int, Any] = {}
        self.root = ScopeHandle(names.ROOT)
        self.scope_reuse[self.root.id] = ANY_REUSE if open_world else NO_REUSE
        self.stack: List[ScopeFrame] = [ScopeFrame(self.root, "root", 0)]
        self.root_leak: Any = None  # where reuse_variables() was called on the root scope
        self.generation = 0  # bumped on every change, for memo keys
        self.lineage = object()  # the same graph across clones made for branches
        # whether the GLOBAL_STEP collection holds a variable: True, False, None when unknown
        self.global_step: Optional[bool] = False
        self.eager = False  # TF2 eager execution: the store remembers nothing and nothing raises
        # scope prefix -> the store key standing for variables that code the analysis did not see may have
        # created under it (see `unseen_code`)
        self.unseen: Dict[Name, Name] = {}

    # -- copying and merging, for branches the analysis cannot decide -------------------
    def clone(self) -> "GraphState":
        other = GraphState.__new__(GraphState)
        other.open_world = self.open_world
        other.vars = dict(self.vars)
        other.counts = dict(self.counts)
        other.scope_reuse = dict(self.scope_reuse)
        other.reuse_origin = dict(self.reuse_origin)
        other.root = self.root
        other.stack = list(self.stack)
        other.root_leak = self.root_leak
        other.generation = self.generation
        other.lineage = self.lineage
        other.global_step = self.global_step
        other.eager = self.eager
        other.unseen = dict(self.unseen)
        return other

    def merge(self, a: "GraphState", b: "GraphState") -> None:
        """Become the join of two branch outcomes: what holds on both stays certain.

        Most undecidable branches change none of the store, counts and reuse flags (all of baselines'
        5,632 joins): equal tables join to themselves, compared at C speed (records are stored under
        their own names and never changed in place, so they can be shared)."""
        if a.vars == b.vars:
            self.vars = dict(a.vars)
        else:
            self._merge_vars(a, b)
        if a.counts == b.counts:
            self.counts = dict(a.counts)
        else:
            self.counts = {}
            for key in _union(a.counts, b.counts):
                ca, cb = a.counts.get(key, 0), b.counts.get(key, 0)
                self.counts[key] = ca if ca == cb else UNKNOWN_COUNT
        if a.scope_reuse == b.scope_reuse:
            self.scope_reuse = dict(a.scope_reuse)
        else:
            self.scope_reuse = {}
            for key in _union(a.scope_reuse, b.scope_reuse):
                self.scope_reuse[key] = a.scope_reuse.get(key, frozenset()) | b.scope_reuse.get(key, frozenset())
        self.reuse_origin = {**b.reuse_origin, **a.reuse_origin}
        self.stack = list(a.stack)
        self.root_leak = a.root_leak or b.root_leak
        self.global_step = a.global_step if a.global_step == b.global_step else None
        self.unseen = {**a.unseen, **{k: v for k, v in b.unseen.items() if k not in a.unseen}}
        self.generation = max(a.generation, b.generation) + 1

    def _merge_vars(self, a: "GraphState", b: "GraphState") -> None:
        self.vars = {}
        for key in _union(a.vars, b.vars):
            ra, rb = a.vars.get(key), b.vars.get(key)
            if ra is rb or (rb is None and ra is not None and not ra.certain):
                if ra.name == key:  # type: ignore[union-attr]
                    self.vars[key] = ra  # type: ignore[assignment]  # the join would be an equal record
                    continue
            elif ra is None and rb is not None and not rb.certain and rb.name == key:
                self.vars[key] = rb
                continue
            if ra is not None and rb is not None:
                same = ra.shape == rb.shape and ra.dtype == rb.dtype
                self.vars[key] = VarRecord(
                    key, ra.shape if same else None, ra.dtype if ra.dtype == rb.dtype else None,
                    ra.origin, ra.open_id, ra.certain and rb.certain, ra.created_by, ra.scope)
            else:
                rec = ra or rb
                assert rec is not None
                self.vars[key] = VarRecord(key, rec.shape, rec.dtype, rec.origin, rec.open_id, False, rec.created_by,
                                           rec.scope)

    # -- scopes ---------------------------------------------------------------------------
    @property
    def current(self) -> ScopeHandle:
        return self.stack[-1].handle

    def reuse_of(self, handle: ScopeHandle) -> Reuse:
        return self.scope_reuse.get(handle.id, ANY_REUSE)

    def current_reuse(self) -> Reuse:
        return self.reuse_of(self.current)

    def _count_up(self, name: Name) -> None:
        old = self.counts.get(name, 0)
        self.counts[name] = UNKNOWN_COUNT if old == UNKNOWN_COUNT else old + 1

    def unique_default(self, default: str) -> Name:
        """The name `variable_scope(None, default_name=default)` gets here."""
        parent = self.current.name
        k = 0
        while True:
            candidate = default if k == 0 else f"{default}_{k}"
            full = names.join(parent, names.text(candidate))
            count = self.counts.get(full, 0)
            if count == UNKNOWN_COUNT:
                return names.join(parent, (Atom(default + "_?"),))
            if count == 0:
                return full
            k += 1

    def enter(self, target: Any, arg_reuse: FrozenSet[str], origin: Any,
              default_name: Optional[str] = None, dtype: Optional[str] = None) -> Tuple[ScopeFrame, List[ModelError]]:
        """Open a variable scope. `target` is a Name (string scope), a ScopeHandle (captured) or None."""
        errors: List[ModelError] = []
        parent = self.current
        parent_reuse = self.reuse_of(parent)
        if target is None and "N" not in arg_reuse:
            errors.append(ModelError("reuse_without_name", parent.name, parent.name))
        if isinstance(target, ScopeHandle):
            base_reuse = self.reuse_of(target)
            new_reuse = frozenset(r for a in arg_reuse for r in ((a,) if a != "N" else base_reuse))
            handle = ScopeHandle(target.name, dtype or target.dtype, target.has_initializer, target.custom_getter)
            snapshot = None  # taken after this open is counted: TF restores counts that include it
            kind = "captured"
            reuse_from = origin if "N" not in arg_reuse else self.reuse_origin.get(target.id)
        else:
            if target is None:
                name = self.unique_default(default_name or "")
            else:
                name = names.join(parent.name, target)
            new_reuse = frozenset(r for a in arg_reuse for r in ((a,) if a != "N" else parent_reuse))
            handle = ScopeHandle(name, dtype or parent.dtype, parent.has_initializer, parent.custom_getter)
            snapshot = None
            kind = "string" if target is not None else "default"
            reuse_from = origin if "N" not in arg_reuse else self.reuse_origin.get(parent.id)
        self.scope_reuse[handle.id] = new_reuse
        if reuse_from is not None:
            self.reuse_origin[handle.id] = reuse_from
        self._count_up(handle.name)
        if kind == "captured":
            snapshot = dict(self.counts)
        frame = ScopeFrame(handle, kind, next(_ids), snapshot)
        self.stack.append(frame)
        self.generation += 1
        return frame, errors

    def exit(self, frame: ScopeFrame) -> None:
        """Close a scope: captured scopes restore the counts, others reset their sub-scope counts."""
        if frame in self.stack:
            while self.stack[-1] is not frame:
                self.stack.pop()
            self.stack.pop()
        if frame.kind == "captured":
            self.counts = dict(frame.counts_snapshot or {})
        else:
            prefix = names.make(frame.handle.name, ("/",))
            for key in list(self.counts):
                if names.starts_with(key, prefix):
                    self.counts[key] = 0
        self.generation += 1

    def reuse_variables(self, handle: ScopeHandle, origin: Any) -> None:
        self.scope_reuse[handle.id] = REUSE
        self.reuse_origin[handle.id] = origin
        if handle is self.root:
            self.root_leak = origin
        self.generation += 1

    def open_id(self) -> int:
        return self.stack[-1].open_id

    def unseen_code(self, origin: Any, reason: str) -> None:
        """Code the analysis did not follow ran here (a call cut by a budget, an unknown cell, a module it
        cannot read): it may have created variables anywhere under the current scope, so from now on every
        name under that prefix is undecided, neither existing nor missing. Names elsewhere stay decidable."""
        if self.eager:
            return
        prefix = self.current.name
        key = self.unseen.get(prefix)
        if key is None:
            key = names.join(prefix, (Atom(f"created by {reason}"),))
            self.unseen[prefix] = key
        if key not in self.vars:
            self.vars[key] = VarRecord(key, None, None, origin, self.open_id(), False, "unseen code", prefix)
        self.generation += 1

    def signature(self) -> tuple:
        """The state's content apart from unseen-code records (which `replay_unseen` can repeat): equal
        signatures before and after some code mean that code left the graph as it found it. Generation
        numbers cannot tell, as a join of two unchanged branches bumps them."""
        return (tuple(k for k, rec in self.vars.items() if rec.created_by != "unseen code"),
                tuple(self.counts.items()), len(self.scope_reuse), len(self.stack), id(self.root_leak),
                self.global_step, self.eager)

    def replay_unseen(self, prefix: Name, key: Name, record: "VarRecord") -> None:
        """Repeat an `unseen_code` made in another run, at the same scope."""
        if self.eager or prefix in self.unseen:
            return
        self.unseen[prefix] = key
        self.vars.setdefault(key, record)
        self.generation += 1

    # -- the store ------------------------------------------------------------------------
    def lookup(self, full: Name) -> Tuple[Optional[bool], Optional[VarRecord]]:
        """Does `full` exist? (True, record), (False, None) or (None, record-or-None) when unsure."""
        rec = self.vars.get(full)
        if rec is not None:
            return (True if rec.certain else None), rec
        maybe: Optional[VarRecord] = None
        if not names.is_known(full):
            for key, other in self.vars.items():
                same = names.equal(full, key)
                if same:
                    return (True if other.certain else None), other
                if same is None:
                    maybe = other
        else:
            for key, other in self.vars.items():
                if not names.is_known(key) and names.equal(full, key) is not False:
                    maybe = other
        if maybe is not None or self.open_world:
            return None, maybe
        return False, None

    def same_short_name(self, full: Name) -> List[VarRecord]:
        """Certain variables elsewhere whose last component equals that of `full`."""
        short = names.last_component(full)
        return [rec for key, rec in self.vars.items()
                if key != full and rec.certain and names.equal(names.last_component(key), short) is True]

    def get_variable(self, req: VarRequest, created_by: str = "get_variable") -> Tuple[Optional[VarRecord], List[ModelError]]:
        """Apply get_variable's decision table; return the variable it yields and the certain errors."""
        scope = self.current
        full = req.local_name if req.absolute else names.join(scope.name, req.local_name)
        errors: List[ModelError] = []

        def error(kind: str, existing: Optional[VarRecord] = None, **detail: Any) -> ModelError:
            return ModelError(kind, full, scope.name, existing, self.reuse_origin.get(scope.id), detail)

        explicit_dtype = canonical_dtype(req.dtype) if isinstance(req.dtype, str) else req.dtype
        if (isinstance(explicit_dtype, str) and req.init == "constant" and req.init_dtype is not None
                and canonical_dtype(req.init_dtype) != explicit_dtype):
            errors.append(error("init_dtype_mismatch", init_dtype=canonical_dtype(req.init_dtype), dtype=explicit_dtype))
        if req.init == "callable" and req.init_dtype == "float" and explicit_dtype in NON_FLOAT_DTYPES:
            errors.append(error("float_initializer", dtype=explicit_dtype))
        if req.init == "constant" and req.shape is not NOT_GIVEN and req.shape is not MAYBE_GIVEN:
            errors.append(error("constant_with_shape"))
        wanted_dtype = explicit_dtype if explicit_dtype is not None else (scope.dtype or "float32")
        exists, rec = self.lookup(full)
        reuse = req.reuse if req.reuse is not None else self.reuse_of(scope)
        outcomes = set()
        for r in reuse:
            for e in ((exists,) if exists is not None else (True, False)):
                outcomes.add(self._decide(r, e, req, rec if e else None, wanted_dtype))
        if len(outcomes) == 1:
            outcome = next(iter(outcomes))
            if outcome is not None and outcome[0] != "ok":
                kind, info = outcome
                errors.append(error(kind, rec if kind != "does_not_exist" else None, **dict(info)))
        self.generation += 1
        if rec is not None and exists is True:
            return rec, errors
        new_shape = self._creation_shape(req)
        new_dtype = explicit_dtype if isinstance(explicit_dtype, str) else (
            canonical_dtype(req.init_dtype) if req.init == "constant" and req.init_dtype else
            (scope.dtype or "float32") if explicit_dtype is None else None)
        # After a failed lookup the analysis goes on as if the variable existed, but nothing later may be
        # blamed on that stand-in: fixing the first error would change what follows.
        recovered = any(e.kind == "does_not_exist" for e in errors)
        opened = req.context_open if req.context_open is not None else self.open_id()
        created = VarRecord(full, new_shape, new_dtype, req.origin, opened, not recovered, created_by, scope.name)
        if rec is not None and exists is None and rec.name == full:
            created = VarRecord(full, rec.shape if rec.shape is not None else new_shape, rec.dtype or new_dtype,
                                rec.origin, rec.open_id, True, rec.created_by, rec.scope)
        self.vars[full] = created
        return created, errors

    @staticmethod
    def _creation_shape(req: VarRequest) -> Shape:
        if req.shape is NOT_GIVEN:
            return req.init_shape if req.init == "constant" else None
        if req.shape is UNKNOWN or req.shape is MAYBE_GIVEN:
            return None
        return req.shape

    @staticmethod
    def _decide(reuse: str, exists: bool, req: VarRequest, rec: Optional[VarRecord],
                wanted_dtype: Any) -> Optional[Tuple[str, Tuple]]:
        """One cell of the decision table; None where the outcome itself is unknown."""
        if exists:
            if reuse == "F":
                return ("already_exists", ())
            if rec is None:
                return None
            if req.shape is UNKNOWN or req.shape is MAYBE_GIVEN or (req.shape is not NOT_GIVEN and req.shape is None):
                shape_ok: Optional[bool] = None
            elif req.shape is NOT_GIVEN:
                shape_ok = True
            else:
                shape_ok = compatible(req.shape, rec.shape)
            if shape_ok is False:
                return ("shape_mismatch", (("shape", req.shape), ("found", rec.shape)))
            if not isinstance(wanted_dtype, str) or rec.dtype is None:
                return None if shape_ok is None else ("ok", ())
            if canonical_dtype(wanted_dtype) != canonical_dtype(rec.dtype):
                return ("dtype_mismatch", (("dtype", canonical_dtype(wanted_dtype)), ("found", rec.dtype)))
            return None if shape_ok is None else ("ok", ())
        if reuse == "T":
            return ("does_not_exist", ())
        # A new variable.
        if req.init == "unknown" or req.shape is UNKNOWN or req.shape is MAYBE_GIVEN:
            return None
        if req.init == "constant" and req.init_exact and req.shape is NOT_GIVEN and isinstance(req.init_shape, tuple) \
                and not fully_defined(req.init_shape):
            return ("undefined_shape", (("problem", "initial_value"), ("shape", req.init_shape)))  # "initial_value must
            # have a shape specified"
        if req.init in ("constant", "lambda", "layer"):
            return ("ok", ())  # a layer's unknown dimensions are ones TF knows from its input
        if req.shape is NOT_GIVEN:
            return ("undefined_shape", ())
        if req.shape is None:
            return None
        if not fully_defined(req.shape):
            return ("undefined_shape", (("shape", req.shape),))
        return ("ok", ())
