"""An entry's variables against a checkpoint's: what `tf.train.Saver.restore` would find (the TFS3xx findings).

Saver.restore looks up every variable of the program by name: one the checkpoint lacks is an error
(TFS301), so is another shape (TFS303) or dtype (TFS304). A checkpoint variable nothing is named after
is never restored (TFS302; optimizer state and the global step go under the opt-in TFS305). When a
missing name and an orphan differ only in a scope prefix, the rename is suggested, preferring the
prefix change that explains the most pairs.

Certainty: only variables the analysis is sure of (made on every path, under a fully known name) are
reported missing; orphans are reported only when the inventory is complete and no uncertain name may
be the orphan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from tfscope_lint import rules
from tfscope_lint.checkpoint import CheckpointVariable
from tfscope_lint.findings import Finding, Location, Related
from tfscope_lint.inventory import Inventory, Variable
from tfscope_lint.model import names, shapes

# Slot names of the optimizers and the moving average (model/catalogue's OPTIMIZER_SLOTS, default names).
TRAINING_SLOTS = ("Adam", "Adam_1", "Momentum", "RMSProp", "RMSProp_1", "Adagrad", "Adadelta", "Adadelta_1",
                  "Ftrl", "Ftrl_1", "ProximalAdagrad", "AdagradDA", "AdagradDA_1", "ExponentialMovingAverage")
NOT_VARIABLES = ("_CHECKPOINTABLE_OBJECT_GRAPH",)  # the object graph an object-based checkpoint also stores


@dataclass
class Comparison:
    findings: List[Finding]
    uncertain: List[Variable] = field(default_factory=list)  # not reported missing: their names are not sure
    orphans_checked: bool = True  # False: the inventory is incomplete, orphans were not reported


def _components(name: str) -> List[str]:
    return name.split("/")


def _rename_key(missing: str, orphan: str) -> Optional[Tuple[str, str, int]]:
    """(program prefix, checkpoint prefix, shared suffix length) when the names differ only in a scope prefix."""
    a, b = _components(missing), _components(orphan)
    common = 0
    while common < min(len(a), len(b)) and a[-1 - common] == b[-1 - common]:
        common += 1
    if common == 0 or common == len(a) and common == len(b):
        return None
    return "/".join(a[:len(a) - common]), "/".join(b[:len(b) - common]), common


def training_state(name: str) -> Optional[str]:
    """What kind of training state a checkpoint name is, if it is one."""
    base = name.rsplit("/", 1)[-1]
    stripped = base.rstrip("0123456789").rstrip("_") if base.startswith(("beta1_power", "beta2_power")) else base
    if stripped in ("beta1_power", "beta2_power"):
        return "an Adam beta power"
    if base == "global_step":
        return "the global step"
    if "/" in name and base in TRAINING_SLOTS:
        return "an optimizer slot" if base != "ExponentialMovingAverage" else "a moving average"
    return None


def _shape_text(shape: Optional[Tuple[Optional[int], ...]]) -> str:
    return "<unknown>" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def compare(inv: Inventory, ckpt: List[CheckpointVariable], ckpt_path: str, enabled: Set[str]) -> Comparison:
    ckpt = [v for v in ckpt if v.name not in NOT_VARIABLES]
    held: Dict[str, CheckpointVariable] = {v.name: v for v in ckpt}
    certain = [v for v in inv.variables if v.certain and v.known]
    uncertain = [v for v in inv.variables if not (v.certain and v.known)]
    created = {v.name for v in certain}
    missing = [v for v in certain if v.name not in held]

    def maybe_created(name: str) -> bool:
        parts = names.text(name)
        return any(names.equal(v.parts, parts) is not False for v in uncertain)

    orphans: List[CheckpointVariable] = []
    if inv.complete:
        orphans = [c for c in ckpt if c.name not in created and not maybe_created(c.name)]
    weights = [c for c in orphans if training_state(c.name) is None]

    renames = _suggest(missing, weights)
    where = f"'{ckpt_path}'"
    findings: List[Finding] = []

    def add(code: str, location: Location, variable: str, related: Tuple[Related, ...] = (), **facts: object) -> None:
        if code in enabled:
            message = rules.render_message(code, checkpoint=where, variable=variable, **facts)
            findings.append(Finding(code, message, location, related, variable, None, rules.rule(code).hint or None))

    def ckpt_location(c: CheckpointVariable) -> Location:
        return Location(ckpt_path, c.line or 1, 1, c.line or 1, 1)

    groups: Dict[str, List[Variable]] = {}  # one finding per prefix change: the rest are related locations
    for v in missing:
        other = renames.get(v.name)
        groups.setdefault(other[1] if other is not None else "\0" + v.name, []).append(v)
    for key, members in groups.items():
        first = members[0]
        other = renames.get(first.name)
        rename = ""
        related: List[Related] = []
        if other is not None:
            rename = f"; the checkpoint holds it as '{other[0]}' ({other[1]})"
            if len(members) > 1:
                rename += f", and {len(members) - 1} more variable{'s' if len(members) > 2 else ''} differ the same way"
            related = [Related(v.location, f"'{v.name}' is missing too (the checkpoint holds '{renames[v.name][0]}')")
                       for v in members[1:] if v.location is not None]
        add("TFS301", first.location or Location(inv.entry, 1, 1), first.name, tuple(related), rename=rename)
    for v in certain:
        c = held.get(v.name)
        if c is None or v.location is None:
            continue
        if v.shape is not None and c.shape is not None and not shapes.compatible(v.shape, c.shape):
            add("TFS303", v.location, v.name, shape=_shape_text(v.shape), found=_shape_text(c.shape))
        elif v.dtype and c.dtype and shapes.canonical_dtype(v.dtype) != shapes.canonical_dtype(c.dtype):
            add("TFS304", v.location, v.name, dtype=shapes.canonical_dtype(v.dtype), found=c.dtype)
    back = {ckpt_name: (program, scopes) for program, (ckpt_name, scopes) in renames.items()}
    for c in orphans:
        kind = training_state(c.name)
        if kind is not None:
            add("TFS305", ckpt_location(c), c.name, what=kind)
            continue
        if c.name in back and "TFS301" in enabled:
            continue  # the other half of a rename, which the missing variable's finding names
        rename = ""
        if c.name in back:
            rename = f"; the program creates '{back[c.name][0]}' instead: probably renamed ({back[c.name][1]})"
        add("TFS302", ckpt_location(c), c.name, shape=_shape_text(c.shape), rename=rename)
    return Comparison(findings, uncertain, inv.complete)


def _suggest(missing: List[Variable], orphans: List[CheckpointVariable]) -> Dict[str, Tuple[str, str]]:
    """program name -> (checkpoint name, 'scope X, not Y'): pairs that differ only in a scope prefix, the prefix
    change explaining the most pairs first; a name with two equally good partners gets no suggestion."""
    candidates: Dict[str, List[Tuple[str, str, str, int]]] = {}
    votes: Counter = Counter()
    for v in missing:
        for c in orphans:
            if v.shape is not None and c.shape is not None and not shapes.compatible(v.shape, c.shape):
                continue
            key = _rename_key(v.name, c.name)
            if key is None:
                continue
            program, old, common = key
            candidates.setdefault(v.name, []).append((c.name, program, old, common))
            votes[(program, old)] += 1
    out: Dict[str, Tuple[str, str]] = {}
    used: Set[str] = set()
    ranked = sorted(candidates.items(), key=lambda item: -max(votes[(p, o)] for _, p, o, _ in item[1]))
    for name, options in ranked:
        scored = sorted(((votes[(p, o)], common, c, p, o) for c, p, o, common in options if c not in used),
                        reverse=True)
        if not scored or (len(scored) > 1 and scored[0][:2] == scored[1][:2]):
            continue
        count, _, ckpt_name, program, old = scored[0]
        used.add(ckpt_name)
        scope = (f"scope '{program}' was '{old}' when it was saved" if old and program else
                 f"the checkpoint has it under scope '{old}'" if old else
                 f"scope '{program}' was not there when it was saved")
        out[name] = (ckpt_name, scope)
    return out
