"""One interpreter run's modules: imports resolved against the project, each module executed once per run
or shared from an earlier run of this process (see sharing.py)."""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from tfscope_lint.analysis.context import ModuleContext
from tfscope_lint.analysis.interpreter import Interpreter
from tfscope_lint.analysis.project import Project, SourceFile
from tfscope_lint.analysis.sharing import ImportTrace, SharedModule, UndoLog, object_state, set_object_state
from tfscope_lint.analysis.tfnames import is_inert_module, module_ref
from tfscope_lint.analysis.values import Const, LazyImport, ModuleVal, OpaqueCode, TFRef, Unknown, Value, stamp


_MISSING = object()  # a global a shared import read is gone


def _is_script(ctx: ModuleContext) -> bool:
    """Whether a module is the script the run executes (`__main__`), not an import."""
    name = ctx.globals.get("__name__")
    return isinstance(name, Const) and name.value == "__main__"


class ProjectRun:
    """Module objects of one interpreter run: each project module is executed at most once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.modules: Dict[str, ModuleContext] = {}
        self.contexts_by_path: Dict[str, ModuleContext] = {}
        self.extra_deps: set = set()  # files read through modules shared from earlier runs
        self.importing: List[ImportTrace] = []  # the imports running now, innermost last
        self.undo = UndoLog()  # objects of shared imports this run changed, with their state before
        # An import of the script's own file makes another module than `__main__`, as Python does (the file
        # runs again, as an import): path -> that module, where this run imported it.
        self.script_copies: Dict[str, ModuleContext] = {}

    def context_for(self, source: SourceFile) -> Optional[ModuleContext]:
        tree = source.parse()
        if tree is None:
            return None
        ctx = self.contexts_by_path.get(source.path)
        if ctx is None:
            ctx = ModuleContext(source.path, source.dotted, tree, source.is_package, source)
            self.contexts_by_path[source.path] = ctx
        return ctx

    # -- called by the interpreter -----------------------------------------------------
    def do_import(self, interp: Interpreter, node: cst.CSTNode, frame) -> None:  # type: ignore[no-untyped-def]
        importer: Optional[SourceFile] = getattr(frame.module, "source", None)
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    target = alias.asname.name
                    if isinstance(target, cst.Name):
                        interp.bind(target.value, self.resolve_module(interp, dotted, importer, lazy=True), frame)
                else:
                    head = dotted.split(".")[0]
                    value = self.resolve_module(interp, head, importer, lazy=dotted == head)
                    if dotted != head:
                        self.resolve_module(interp, dotted, importer, lazy=True)  # the submodule, as Python would
                    interp.bind(head, value, frame)
            return
        assert isinstance(node, cst.ImportFrom)
        base = _dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level and importer is not None:
            package = importer.dotted.split(".") if importer.is_package else importer.dotted.split(".")[:-1]
            package = package[: len(package) - (level - 1)] if level > 1 else package
            base = ".".join([p for p in package if p] + ([base] if base else []))
        star = isinstance(node.names, cst.ImportStar)
        module_value = self.resolve_module(interp, base, importer, lazy=not star) if base else \
            Unknown("relative import")
        if star:
            if isinstance(module_value, ModuleVal):
                for key, value in list(module_value.context.globals.items()):
                    if not key.startswith("_"):
                        self.note_global_read(module_value.context, key, value)
                        interp.bind(key, value, frame)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            bound_as = alias.asname.name.value if alias.asname is not None and isinstance(
                alias.asname.name, cst.Name) else name
            value: Value
            if isinstance(module_value, LazyImport):
                value = LazyImport(module_value.source, importer, name)
            elif isinstance(module_value, ModuleVal):
                ctx = module_value.context
                if name in ctx.globals:
                    value = ctx.globals[name]
                    self.note_global_read(ctx, name, value)
                else:
                    value = self.resolve_module(interp, f"{base}.{name}", importer)
            elif isinstance(module_value, TFRef):
                value = interp.tf.attribute(module_value, name)
            elif base and self.project.is_namespace(base, importer):  # `from folder import module` (PEP 420)
                value = self.resolve_module(interp, f"{base}.{name}", importer)
            elif isinstance(module_value, OpaqueCode):
                value = OpaqueCode(module_value.reason)
            else:
                value = Unknown(f"import {name}")
            interp.bind(bound_as, value, frame)

    def resolve_module(self, interp: Interpreter, dotted: str, importer: Optional[SourceFile],
                       lazy: bool = False) -> Value:
        ref = module_ref(dotted)
        if ref is not None:
            return ref
        source = self.project.find(dotted, importer)
        if source is None:
            if is_inert_module(dotted):
                return Unknown(f"module {dotted}")
            return OpaqueCode(f"code of the module {dotted}, which is not among the checked files")
        if lazy and source.path not in self.contexts_by_path and not source.has_import_effects():
            return LazyImport(source, importer)
        return self.execute(interp, source, dotted)

    def force(self, interp: Interpreter, lazy: LazyImport) -> Value:
        """Run a lazily imported module now that one of its names is used."""
        for _ in range(32):  # a re-export of a re-export: follow the chain
            module = self.execute(interp, lazy.source, lazy.source.dotted)
            if lazy.name is None or not isinstance(module, ModuleVal):
                return module
            if lazy.name in module.context.globals:
                value = module.context.globals[lazy.name]
            else:
                value = self.resolve_module(interp, f"{lazy.source.dotted}.{lazy.name}", lazy.importer)
            if not isinstance(value, LazyImport):
                return value
            lazy = value
        return Unknown("import chain")

    def execute(self, interp: Interpreter, source: SourceFile, dotted: str) -> Value:
        """Import a module: run its code once per run, or reuse a run of it that left no trace (see
        `ImportTrace`) made in an earlier run of this process."""
        at_path = self.contexts_by_path.get(source.path)
        of_script = at_path is not None and _is_script(at_path)
        current = self.script_copies.get(source.path) if of_script else at_path
        shared = self.project.shared.rooted_at(source.path) if self.project.share_imports else None
        if shared is not None and current is None \
                and not any(self._imported(path) for path in shared.members) \
                and (not shared.unseen or shared.scope == interp.graph.current.name) \
                and all(module.globals.get(name, _MISSING) is value for module, name, value in shared.reads) \
                and all(self._may_replay(module) for module, _, _ in shared.writes) \
                and all(self._may_change(owner, before) for owner, before, _ in shared.changes):
            self._bind_module(source.path, shared.ctx)
            for path, member in shared.members.items():
                self._bind_module(path, member)
            self.extra_deps.update(shared.read)
            for prefix, key, record in shared.unseen:
                interp.graph.replay_unseen(prefix, key, record)
            for node in shared.called:
                interp.called[node] = None
                self.note_called(node)
            for module, name, value in shared.reads:
                self.note_global_read(module, name, value)
            for module, name, value in shared.writes:
                self.note_module_write(module, name, value)
                module.globals[name] = value
            for owner, _, after in shared.changes:
                self.note_write(owner, owner.born)
                set_object_state(owner, after)
            return ModuleVal(shared.ctx)
        start = stamp()
        ctx = current if of_script else self.context_for(source)
        if ctx is None:
            if of_script:  # the script's file, imported: a module of its own, on the same tree
                ctx = ModuleContext(source.path, source.dotted, at_path.tree, source.is_package, source)
                self.script_copies[source.path] = ctx
            else:
                return OpaqueCode(f"code of the module {dotted}, which does not parse")
        if ctx.executed:
            self._note_cycle(ctx)
        else:
            ctx.executed = True
            ctx.born = start
            before = set(self.contexts_by_path) | self.extra_deps
            trace = ImportTrace(interp, start, ctx)
            self.importing.append(trace)
            try:
                with interp.top_level():
                    interp.run_module(ctx, as_main=False)
            finally:
                self.importing.pop()
            read = (set(self.contexts_by_path) | self.extra_deps) - before
            read.update(path for path, copy in self.script_copies.items() if copy.born >= start)
            if self.project.share_imports and trace.left_no_trace(interp) and all(
                    self._read_shared(path, trace) for path in read):
                self._share(interp, trace, read | {source.path}, start)
        return ModuleVal(ctx)

    def _module_at(self, path: str) -> Optional[ModuleContext]:
        """The module an import of the file at `path` gets in this run, if it has one. The script is
        `__main__`, another module than the one an import of its file makes (`script_copies`)."""
        ctx = self.contexts_by_path.get(path)
        if ctx is not None and _is_script(ctx):
            return self.script_copies.get(path)
        return ctx

    def _bind_module(self, path: str, ctx: ModuleContext) -> None:
        """A module of a shared import, reused: the one this run's imports of `path` get from now on."""
        at_path = self.contexts_by_path.get(path)
        if at_path is None:
            self.contexts_by_path[path] = ctx
        elif _is_script(at_path):
            self.script_copies.setdefault(path, ctx)  # the script stays itself, as `__main__` would

    def _imported(self, path: str) -> bool:
        """Whether this run has imported the module at `path` (the script's own run does not count)."""
        return self._module_at(path) is not None

    def _read_shared(self, path: str, trace: ImportTrace) -> bool:
        """Whether the module an import read at `path` is the one later runs get: the shared module itself
        (not a fresh run of that file), one read through a shared import, a module of its own cycle, or one
        it imported itself that is shared nowhere else (it goes with it, see `_share`)."""
        if path in trace.members:
            return True
        ctx = self._module_at(path)
        if ctx is None:
            return path in self.extra_deps
        return self.project.shared.holding(ctx) is not None or ctx.born >= trace.start

    def _share(self, interp: Interpreter, trace: ImportTrace, read: set, start: int) -> None:
        """Keep an import that left no trace for later runs; with the modules of a cycle it entered.

        Never in place of an import shared before at the same root (one run in another scope): what was
        shared may be held by other shared imports, and its writes are undone by its entry."""
        path = trace.module.path
        shared = self.project.shared
        if shared.rooted_at(path) is not None or any(shared.holding(ctx) for ctx in trace.members.values()):
            return
        for nested in sorted(read):  # imported fresh inside it and held by no other shared import: its group
            ctx = self._module_at(nested)
            if nested != path and ctx is not None and ctx.born >= trace.start and shared.holding(ctx) is None:
                trace.members[nested] = ctx
        end = stamp()
        group = {id(trace.module)} | {id(ctx) for ctx in trace.members.values()}
        reads = tuple(read for read in trace.reads.values() if id(read[0]) not in group)  # its own state
        changes = tuple((owner, before, object_state(owner)) for owner, before in trace.changes.values())
        shared.add(SharedModule(trace.module, read, trace.scope, trace.unseen_effects(interp), tuple(trace.called),
                                start, end, dict(trace.members), reads=reads, writes=tuple(trace.writes.values()),
                                changes=changes))

    def _may_replay(self, module: ModuleContext) -> bool:
        """Whether a shared import's write into `module` can be repeated in this run: the module is still
        shared, and this run has not imported that file afresh (the shared import holds that one)."""
        return self.project.shared.holding(module) is not None and self._module_at(module.path) in (None, module)

    def _may_change(self, owner: Value, before: tuple) -> bool:
        """Whether a shared import's change of `owner` can be repeated in this run: the import that made it is
        still shared, this run has not imported its files afresh, and it is in the state the import found."""
        maker = self.project.shared.maker(owner.born)  # type: ignore[attr-defined]
        return (maker is not None and all(self._module_at(ctx.path) in (None, ctx) for ctx in maker.contexts())
                and object_state(owner) == before)

    def note_global_read(self, module: ModuleContext, name: str, value: object) -> None:
        """A global of `module` was read: a value the reuse of each import running now depends on. Not while
        that module's own import runs: what its import does with its globals is in its final state. A
        global of the script running (a callback of it, called at import) is another file in each run:
        those imports are not shared."""
        if not self.importing or any(trace.module is module for trace in self.importing):
            return
        script = _is_script(module)
        for trace in self.importing:
            if (id(module), name) not in trace.writes:  # else it reads what it wrote
                trace.reads.setdefault((id(module), name), (module, name, value))
            trace.saw_script = trace.saw_script or script

    def note_called(self, node: object) -> None:
        """A function ran while imports are running: each of them, when shared, counts it as called again."""
        for trace in self.importing:
            trace.called[node] = None

    def _note_cycle(self, ctx: ModuleContext) -> None:
        """An import of a module whose own import is still running (a cycle). What the modules of a cycle
        get from each other depends on which of them was imported first, so they are shared only as a
        group with that one (the root), and reused only where a run imports it first: a run entering the
        cycle elsewhere makes other partial modules, as Python would. (An import of the script's own file
        is another module, `script_copies`: the script's run itself is never part of a cycle.)"""
        for index, trace in enumerate(self.importing):
            if trace.module is ctx:
                root = trace.root if trace.root is not None else trace
                for inside in self.importing[index + 1:]:
                    inside.in_cycle = True
                    inside.root = root
                    root.members[inside.module.path] = inside.module
                return

    def note_write(self, owner: Value, born: int) -> None:
        """The interpreter is about to change `owner`, made at `born` (an item, an attribute). An import
        running now that did not make it is not shared (its effect would not be repeated), unless another
        shared import made it: then the import records the state it found it in, to compare and repeat
        where it is reused (see `SharedModule.changes`). An object of a shared import gets its state back
        when this run ends (later runs see it as it was made)."""
        maker = self.project.shared.maker(born)
        state: Optional[tuple] = None
        for trace in self.importing:
            if maker is not None:  # made before it, or by a shared import run inside it
                if id(owner) not in trace.changes:
                    state = object_state(owner) if state is None else state
                    if state is None:
                        trace.foreign_write = True
                    else:
                        trace.changes[id(owner)] = (owner, state)
            elif born < trace.start:
                trace.foreign_write = True
        if maker is not None and not self.undo.holds(owner):
            self.undo.save(owner)

    def note_module_write(self, ctx: ModuleContext, name: str, value: Value) -> None:
        """A module's global `name` is about to be set to `value` from outside its import (`global x`,
        `config.x = ...`). For an import running now, a write into a module a shared import holds is
        repeated where it is reused (the module gets its state back when the run ends); one into a module
        it ran itself is its own; any other is a trace it leaves (it is not shared)."""
        holder = self.project.shared.holding(ctx)
        for trace in self.importing:
            if trace.module is ctx:
                continue
            if holder is not None:
                trace.writes[(id(ctx), name)] = (ctx, name, value)
            elif ctx.born < trace.start:
                trace.foreign_write = True
        if holder is not None and not self.undo.holds(ctx.globals):
            self.undo.save(ctx.globals)

    def finish(self) -> None:
        """The run is over: shared imports get back the state they were made with."""
        self.undo.restore()

    def may_keep_forced(self, scope: Dict[str, Value]) -> bool:
        """Whether a forced lazy import may replace its placeholder in `scope`: not in the globals of a
        shared module, which would then hold this run's values."""
        return not self.project.shared.holds_globals(scope)

    def module_attr(self, interp: Interpreter, module: ModuleVal, attr: str) -> Value:
        ctx = module.context
        if attr in ctx.globals:
            self.note_global_read(ctx, attr, ctx.globals[attr])
            return ctx.globals[attr]
        source = getattr(ctx, "source", None)
        sub = self.resolve_module(interp, f"{ctx.dotted}.{attr}", source)
        return sub


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
