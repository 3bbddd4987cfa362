"""Imports shared between the runs of one process, and what keeps sharing them exact.

A module's import is run once per process and its globals reused by later entry runs when the import
left no trace a later run would miss (see `ImportTrace`). Later runs may still change the objects
it made (a registry dict that decorators fill, a class attribute): `UndoLog` gives them back their
state when the run ends, so every run sees the import as Python would have made it. An import is
shared with the modules it ran itself and is reused where a run imports it first (`SharedImports`);
what it wrote into modules shared before it is written again where it is reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from tfscope_lint.analysis.values import ClassVal, DictVal, InstanceVal, SeqVal, last_tf_object


@dataclass
class SharedModule:
    """A module's import that later runs of this process reuse instead of running it again."""

    ctx: Any  # ModuleContext
    read: Set[str]  # every project file the import read
    scope: Any  # the variable scope it ran in: with unseen records, reused only in the same one
    unseen: List[tuple]  # its unseen-code records (prefix, key, record), replayed in each run reusing it
    called: Tuple[Any, ...]  # the functions its code called, replayed too (they count as called by the run)
    start: int  # the clock span of the import: what it made has `born` in [start, end)
    end: int
    members: Dict[str, Any] = field(default_factory=dict)  # path -> module: those of an import cycle it entered
    # and those it imported itself that no other shared import holds; reused with it, never alone
    reads: Tuple[tuple, ...] = ()  # (module, name, value) of the other modules' globals it read: reused only
    # while each still holds that value (a script that set `config.SIZE = 8` before importing gets its own run)
    writes: Tuple[tuple, ...] = ()  # (module, name, value) it set in modules other shared imports hold (a
    # logger made on first use): set again, and undone with the run, where it is reused
    changes: Tuple[tuple, ...] = ()  # (object, before, after) of the objects other shared imports made that it
    # changed (a registry its decorators fill): reused only where each is in its `before` state, then set to
    # `after` (and undone with the run), so its code would have seen and done the same

    def contexts(self) -> List[Any]:
        return [self.ctx, *self.members.values()]


class SharedImports:
    """The imports shared between the runs of one process, each keyed by the module a run imported first
    (its root) and held with its group (`SharedModule.members`). A file may be in several groups, as the
    root of one and a member of others (an import cycle entered at different modules); each module
    context is in one."""

    def __init__(self) -> None:
        self.roots: Dict[str, SharedModule] = {}
        self._holder: Dict[int, SharedModule] = {}  # id of a module context -> the group it is in
        self._globals: Set[int] = set()  # ids of the globals of those module contexts
        self.until = 0  # no span ends later: objects made since belong to no shared module

    def rooted_at(self, path: str) -> Optional[SharedModule]:
        return self.roots.get(path)

    def holding(self, ctx: Any) -> Optional[SharedModule]:
        """The shared import whose group holds this module context, if any."""
        return self._holder.get(id(ctx))

    def add(self, shared: SharedModule) -> None:
        self.roots[shared.ctx.path] = shared
        for ctx in shared.contexts():
            self._holder[id(ctx)] = shared
            self._globals.add(id(ctx.globals))
        self.until = max(self.until, shared.end)

    def drop(self, path: str) -> None:
        """Stop sharing the import rooted at `path`, and every one that read that file: they hold values
        made from it."""
        for root, shared in list(self.roots.items()):
            if root == path or path in shared.read:
                del self.roots[root]
                for ctx in shared.contexts():
                    self._holder.pop(id(ctx), None)
                    self._globals.discard(id(ctx.globals))

    def made_by(self, born: int) -> bool:
        """Whether an object made at `born` was made by a shared import."""
        return self.maker(born) is not None

    def maker(self, born: int) -> Optional[SharedModule]:
        """The shared import that made an object made at `born`, if any."""
        if born >= self.until:
            return None
        return next((shared for shared in self.roots.values() if shared.start <= born < shared.end), None)

    def holds_globals(self, scope: Dict[str, Any]) -> bool:
        """Whether `scope` is the globals of a module some shared import holds."""
        return id(scope) in self._globals


class ImportTrace:
    """What one module's import did beyond defining names; if nothing, later runs may share it.

    Nothing means: no change to the graph but unseen-code records (replayed), no finding, no flag or
    setting defined or read (a later run may read another value there), no stateful TF object made (a
    template, a layer: later calls change it), no write into an object made before the import but into
    those of other shared imports (another module's registry: see `SharedModule.changes`), and the same
    scope at its end. The modules of an import cycle saw each other partial, in a way that depends on
    where the cycle was entered: they are shared only as a group, with the import that entered it, and
    reused only where a run imports that one first."""

    def __init__(self, interp: Any, start: int, module: Any) -> None:
        self.start = start
        self.module = module
        self.graph = (interp.graph.lineage, interp.graph.signature())
        self.scope = interp.graph.current.name
        self.unseen_before = dict(interp.graph.unseen)
        self.reports = len(interp.reports)
        self.settings = self._settings(interp)
        self.foreign_write = False
        self.in_cycle = False  # it ran inside a cycle entered by another import
        self.root: Optional["ImportTrace"] = None  # that import
        self.saw_script = False  # it read a global of the running script (a callback): another file in each run
        self.members: Dict[str, Any] = {}  # the modules of the cycles it entered: path -> module context
        self.called: Dict[Any, None] = {}  # the functions called while it ran, nested imports' included
        self.reads: Dict[tuple, tuple] = {}  # (id(module), name) -> (module, name, value): the globals of other
        # modules it read once their imports were done, nested imports' included
        self.writes: Dict[tuple, tuple] = {}  # (id(module), name) -> (module, name, value): its writes into
        # modules that shared imports made before it, to repeat where it is reused
        self.changes: Dict[int, tuple] = {}  # id -> (object, its state before): the objects of shared imports
        # made before it that it changed

    @staticmethod
    def _settings(interp: Any) -> tuple:
        programs = interp.tf.programs
        return len(programs.flags), len(programs.switches), len(programs.switches_read), programs.settings_read

    def left_no_trace(self, interp: Any) -> bool:
        return (not self.foreign_write and not self.in_cycle and not self.saw_script
                and last_tf_object() < self.start
                and self.graph == (interp.graph.lineage, interp.graph.signature())
                and interp.graph.current.name == self.scope
                and self.reports == len(interp.reports)
                and self.settings == self._settings(interp))

    def unseen_effects(self, interp: Any) -> List[tuple]:
        """The unseen-code records the import added, to replay where it is shared."""
        graph = interp.graph
        return [(prefix, key, graph.vars[key]) for prefix, key in graph.unseen.items()
                if prefix not in self.unseen_before and key in graph.vars]


def object_state(owner: Any) -> Optional[tuple]:
    """The content of a list, dict, object or class, or a module's globals, as a value to compare (values
    compare by identity) and to set back; None for any other kind of object."""
    if isinstance(owner, SeqVal):
        return (list(owner.items), owner.exact)
    if isinstance(owner, DictVal):
        return (dict(owner.items),)
    if isinstance(owner, (InstanceVal, ClassVal)):
        return (dict(owner.attrs), dict(owner.stamps))
    if isinstance(owner, dict):  # a module's globals
        return (dict(owner),)
    return None


def set_object_state(owner: Any, state: tuple) -> None:
    """Give `owner` the content `object_state` took of it (or of it in another run)."""
    if isinstance(owner, SeqVal):
        owner.items[:] = state[0]
        owner.exact = state[1]
    elif isinstance(owner, DictVal):
        _refill(owner.items, state[0])
    elif isinstance(owner, (InstanceVal, ClassVal)):
        _refill(owner.attrs, state[0])
        _refill(owner.stamps, state[1])
    else:
        _refill(owner, state[0])


class UndoLog:
    """The state, before one run changed them, of objects that shared imports made."""

    def __init__(self) -> None:
        self._saved: Dict[int, tuple] = {}

    def holds(self, owner: Any) -> bool:
        return id(owner) in self._saved

    def save(self, owner: Any) -> None:
        state = object_state(owner)
        if state is not None:
            self._saved[id(owner)] = (owner, state)

    def restore(self) -> None:
        for owner, state in self._saved.values():
            set_object_state(owner, state)
        self._saved.clear()


def _refill(target: dict, saved: dict) -> None:
    target.clear()
    target.update(saved)
