"""The variables an entry script creates, as `tf.global_variables()` would list them after building its graph.

Read from the interpreter's final state after the entry ran (analysis.units.run_entry_state): the
store (`GraphState.vars`: get_variable, layers, cells, slots, the global step) and the variables made
outside it (`Interpreter.made_variables`: tf.Variable, Adam's beta powers), merged in creation order.
A name the analysis cannot fully spell keeps its unknown part (`tower_?/conv1/w`); a variable made on
some paths only, or under a name that is not certain, is listed with `certain` false, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tfscope_lint import rules
from tfscope_lint.analysis.context import Origin
from tfscope_lint.analysis.units import run_entry_state
from tfscope_lint.analysis.project import Project
from tfscope_lint.findings import FileProblem, Location
from tfscope_lint.model import names
from tfscope_lint.model.graph import GraphState, VarRecord
from tfscope_lint.model.names import Name

Shape = Optional[Tuple[Optional[int], ...]]
UNTRAINED_LAYER_VARIABLES = ("moving_mean", "moving_variance")  # batch norm's statistics


@dataclass
class Variable:
    name: str  # unknown parts as `?`
    shape: Shape
    dtype: Optional[str]
    trainable: Optional[bool]  # None: the analysis cannot tell
    certain: bool  # created on every path, under exactly this name
    created_by: str  # get_variable, layer, slim, rnn, slot, global_step, Variable, optimizer
    location: Optional[Location]
    slot_of: Optional[str] = None  # for an optimizer's or moving average's slot: the variable it belongs to
    parts: Name = field(default=(), repr=False, compare=False)

    @property
    def known(self) -> bool:
        return names.is_known(self.parts)


@dataclass
class Inventory:
    entry: str
    variables: List[Variable]
    complete: bool  # every path that could create a variable was seen: no unknown creation, no cut-short run
    problems: List[FileProblem] = field(default_factory=list)
    builds: bool = True  # False: `check` reports an error TF raises while building this graph


def render(name: Name) -> str:
    """Unknown parts as `?`; a uniquified default name keeps its known text (`w/Adam_?`)."""
    return "".join(part if isinstance(part, str) else part.label if "_?" in part.label else "?" for part in name)


def _clean(name: Name) -> Name:
    """A slot is made by get_variable("") in its default-named scope: the store's key ends with '/', TF's does not."""
    if name and isinstance(name[-1], str) and name[-1].endswith("/"):
        return names.make(name[:-1], (name[-1][:-1],))
    return name


def _location(origin: Any) -> Optional[Location]:
    return origin.site.location() if isinstance(origin, Origin) else None


def _final_graph(interp: Any) -> GraphState:
    """The default graph at the end, or, when it is empty, the tf.Graph() that holds the most variables."""
    graph: GraphState = interp.graph
    def size(g: GraphState) -> int:
        return len(g.vars) + sum(1 for m in interp.made_variables if m.lineage is g.lineage)
    if size(graph) == 0:
        others = [g for g in interp.other_graphs.values() if size(g) > 0]
        if others:
            graph = max(others, key=size)
    return graph


def _slot_primary(graph: GraphState, rec: VarRecord) -> Optional[VarRecord]:
    """A slot is `<scope>/<variable>/<slot name>`: the variable it belongs to, when the names are known."""
    if not names.is_known(rec.name) or not names.is_known(rec.scope):
        return None
    full = names.render(_clean(rec.name))
    scope = names.render(rec.scope)
    rest = full[len(scope) + 1:] if scope and full.startswith(scope + "/") else full
    if "/" not in rest:
        return None
    return graph.vars.get(names.text(rest.rsplit("/", 1)[0]))


def _store_variable(graph: GraphState, rec: VarRecord, flags: Dict[Any, Tuple[Optional[bool], Optional[bool]]],
                    ) -> Optional[Variable]:
    if rec.created_by == "unseen code":
        return None  # code the analysis did not follow may have created variables there: the list is incomplete
    trainable, is_global = flags.get(rec.name, (True, True))
    if is_global is False:
        return None  # collections= without GLOBAL_VARIABLES: a local variable, not in global_variables()
    shape, dtype, slot_of = rec.shape, rec.dtype, None
    if rec.created_by in ("slot", "global_step"):
        trainable = False
    if rec.created_by == "slot":
        primary = _slot_primary(graph, rec)
        if primary is not None:
            slot_of = names.render(primary.name)
            shape = shape if shape is not None else primary.shape
            dtype = dtype or primary.dtype
    elif rec.created_by in ("layer", "slim", "slim_net") and names.render(names.last_component(rec.name)) in \
            UNTRAINED_LAYER_VARIABLES:
        trainable = False
    certain = rec.certain and names.is_known(rec.name) and is_global is True
    name = _clean(rec.name)
    return Variable(render(name), shape, dtype, trainable, certain, rec.created_by, _location(rec.origin),
                    slot_of, name)


def collect(interp: Any) -> Tuple[List[Variable], bool]:
    """The variables of the entry's final graph, in creation order, and whether the list is complete."""
    graph = _final_graph(interp)
    store = [v for v in (_store_variable(graph, rec, interp.variable_flags) for rec in graph.vars.values())
             if v is not None]
    positions = [0]
    for rec in graph.vars.values():  # position k counts store records: map it to the kept ones
        positions.append(positions[-1] + (1 if flagged_global(interp, rec) else 0))
    made = [m for m in interp.made_variables if m.lineage is graph.lineage]
    out: List[Variable] = []
    taken = 0
    for m in made:
        place = positions[min(m.position, len(positions) - 1)]
        out.extend(store[taken:place])
        taken = max(taken, place)
        out.append(Variable(render(m.name), m.shape, m.dtype, m.trainable, m.certain, m.created_by,
                            _location(m.origin), None, m.name))
    out.extend(store[taken:])
    unknown = any(len(rec.name) == 1 and isinstance(rec.name[0], names.Atom) and "_?" not in rec.name[0].label
                  for rec in graph.vars.values())  # a name a custom getter chose: it may be any
    complete = not graph.open_world and not unknown and interp.budget_hit is None and not graph.unseen
    return out, complete


def flagged_global(interp: Any, rec: VarRecord) -> bool:
    """Whether a store record is listed (see `_store_variable`)."""
    return rec.created_by != "unseen code" and interp.variable_flags.get(rec.name, (True, True))[1] is not False


def inventory(project: Project, path: str) -> Inventory:
    """Run one entry script and list what it creates."""
    interp, result = run_entry_state(project, path)
    if interp is None:
        return Inventory(path, [], False, [FileProblem(path, "syntax error: nothing in the file can be listed")])
    variables, complete = collect(interp)
    errors = [p for p in result.problems if p.kind != "note"]
    builds = not any(rules.rule(raw.code).severity == rules.ERROR for raw in interp.reports)
    return Inventory(path, variables, complete and not result.problems, errors, builds)


def inventories(sources: Dict[str, str], entries: Sequence[str] = (), tf_version: str = "1.15",
                ) -> List[Inventory]:
    """Every entry script's inventory (or those of `entries`); scripts that create nothing are left out
    unless named."""
    project = Project(sources, tf_version)
    wanted = list(entries) or project.entry_paths()
    out = []
    for path in wanted:
        found = inventory(project, path)
        if found.variables or entries or found.problems:
            out.append(found)
    return out
