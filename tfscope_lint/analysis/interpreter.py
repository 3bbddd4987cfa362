"""The abstract interpreter: runs Python statements and expressions over libcst nodes.

It walks only the code that executes (module code, then the functions it calls, at their call
sites), keeps the TF graph state of `model.graph`, and hands TF API calls to `tfapi`. What it
cannot decide it runs both ways and merges; errors seen only on some paths stay unreported.

`Interpreter` is composed of parts: `statements` (control flow: blocks, branches, loops, with, try),
`expressions` and `calls`; its limits and control-flow signals are in `signals`. This module keeps
the state, reporting, the entry points and name binding.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

import libcst as cst

from tfscope_lint.analysis import builtins_impl
from tfscope_lint.analysis.attributes import KNOWN_NON_INSTANCES, AttributeStores
from tfscope_lint.analysis.calls import CallsMixin
from tfscope_lint.analysis.context import Frame, ModuleContext, Origin, RawReport, Site
from tfscope_lint.analysis.expressions import ExpressionsMixin
from tfscope_lint.analysis.signals import (
    ALONE_DEPTH, ALONE_STEPS, CONSTRUCTOR_STEPS, EXCEPTION_FAMILY, MAX_DEPTH, MAX_STEPS, BreakSignal, BudgetExceeded,
    ContinueSignal, RaiseSignal, ReturnSignal,
)
from tfscope_lint.analysis.statements import StatementsMixin
from tfscope_lint.analysis.tfapi import TFApi
from tfscope_lint.analysis.values import (
    AUTO_REUSE, ClassVal, Const, DictVal, FunctionVal, InstanceVal, LazyImport, ModuleVal, SeqVal, TFObject, TFRef,
    Unknown, Value,
)
from tfscope_lint.model.graph import GraphState


class Interpreter(StatementsMixin, ExpressionsMixin, CallsMixin):
    """Runs entry points of a project; collects RawReports."""

    def __init__(self, project: Any, switch_overrides: Optional[Dict[str, bool]] = None) -> None:
        self.project = project
        self.switch_overrides = switch_overrides or {}  # boolean settings this run flips from their defaults
        self.in_condition = 0  # > 0 while an if/while test is evaluated
        self.graph = GraphState()
        self.other_graphs: Dict[object, GraphState] = {}
        self.reports: List[RawReport] = []
        self.call_stack: List[Tuple[Site, Any]] = []
        self.uncertain = 0
        self.unknown_loops = 0  # > 0 inside a loop run as two iterations of an unknown count
        self.alone = False  # analysing a function nothing called, in an unknown context
        self.creations: set = set()  # full names of the variables some call asked to create (not only fetch)
        self.handlers: List[List[str]] = []  # exception classes caught by enclosing try blocks
        self.steps = 0  # statements run, against max_steps; each import counts its own (see top_level)
        self.import_steps = 0  # statements run by imports, done
        self.called: Dict[Any, None] = {}  # the function nodes called, in the order first called (an ordered set)
        self.trainable_variables: List[str] = []  # names of trainable tf.Variables made on every path, in order
        # for `tfscope-lint vars` only (see variable_notes): tf.Variables, get_variable's flags, op names
        self.made_variables: List[Any] = []
        self.variable_flags: Dict[Any, Tuple[Optional[bool], Optional[bool]]] = {}
        self.op_names: Dict[int, Dict[str, int]] = {}
        self.name_scopes = 0  # tf.name_scope blocks open
        self.template_reruns = 0  # > 0 inside a template's later call, where TFS110 covers a trainable tf.Variable
        self.site_runs: Dict[Tuple[int, object], int] = {}
        self.loop_ids = itertools.count(1)
        self.loops: List[list] = []  # [loop node, iteration] of the loops and comprehensions running, innermost last
        self.budget_hit: Optional[str] = None  # why the analysis was cut short, and where (for --verbose)
        self.budget_site: Optional[Site] = None
        self.max_depth = MAX_DEPTH
        self.max_steps = MAX_STEPS
        self.cascades: Dict[tuple, RawReport] = {}
        self.manual_exits: Dict[int, list] = {}
        self.attributes = AttributeStores()
        self.yield_sinks: List[Any] = []  # generators.Sink of the generator bodies running, innermost last
        self.starting_generator: Any = None  # the generator function whose body call_function is to run
        self.unknown_loops = 0  # loops over what the analysis cannot enumerate, running now
        self.tf = TFApi(self)

    # ------------------------------------------------------------------ reporting
    def origin(self, module: ModuleContext, node: cst.CSTNode) -> Origin:
        return Origin(Site(module, node), tuple(site for site, _ in self.call_stack))

    def running_function(self) -> Any:
        """The node of the innermost function called (a hint for positions: the code may be elsewhere)."""
        return self.call_stack[-1][1] if self.call_stack else None

    def handled_by_try(self, kind: str = "ValueError") -> bool:
        family = EXCEPTION_FAMILY.get(kind, {kind, "Exception", "BaseException"})
        return any(("*" in caught) or (set(caught) & family) for caught in self.handlers)

    def report(self, raw: RawReport, error_kind: Optional[str] = "ValueError") -> None:
        """Keep a report if it holds on every path; a TF error inside a handling try unwinds to it."""
        if error_kind and self.handled_by_try(error_kind):
            if self.uncertain == 0:
                raise RaiseSignal(error_kind)
            return
        if self.uncertain > 0 or self.current_frame_uncertain():
            return
        if raw.cascade is not None:
            first = self.cascades.get(raw.cascade)
            if first is not None:
                first.followers += 1
                return
            self.cascades[raw.cascade] = raw
        self.reports.append(raw)

    def current_frame_uncertain(self) -> bool:
        return any(f.extra_uncertain or f.loop_uncertain for f in self.frames)

    # ------------------------------------------------------------------ entry points
    frames: List[Frame]

    def run_module(self, module: ModuleContext, as_main: bool) -> None:
        frame = Frame(module, None, "<module>", is_module=True)
        module.globals.setdefault("__name__", Const("__main__" if as_main else module.dotted))
        module.globals.setdefault("__file__", Const(module.path))
        self.frames = [frame]
        module.executed = True
        try:
            self.exec_block(module.tree.body, frame)
        except (ReturnSignal, BreakSignal, ContinueSignal, RaiseSignal):
            pass

    def run_function_alone(self, func: FunctionVal, owner: Optional[ClassVal]) -> None:
        """Analyse a function nothing called, in an unknown context: any scope, any store.

        Only argument errors at the function's own API calls can be certain there, so the calls it makes
        are followed only a little way, on a small budget.
        """
        self.max_depth = ALONE_DEPTH
        self.max_steps = ALONE_STEPS
        self.alone = True
        self.graph = GraphState(open_world=True)
        self.frames = []
        args: List[Value] = []
        params = func.node.params
        positional = list(params.posonly_params) + list(params.params)
        for i, _ in enumerate(positional):
            if i == 0 and owner is not None and func.is_method_kind in ("function", "property", "cached_property"):
                args.append(InstanceVal(owner, {}))
            elif i == 0 and owner is not None and func.is_method_kind == "classmethod":
                args.append(owner)
            else:
                args.append(Unknown("argument"))
        try:
            self.call_function(func, args, {}, None, standalone=True)
        except (RaiseSignal, ReturnSignal, BreakSignal, ContinueSignal):
            pass

    def run_constructor_alone(self, init: FunctionVal, owner: ClassVal) -> None:
        """Build a class nothing in the project instantiates, as a script would: `Model(...)` on a fresh graph.

        Its arguments are unknown and whatever it calls that the analysis cannot follow may create variables.
        The store starts empty, but the program may have made variables before calling it, so a fetch of a
        name counts as missing only when this constructor itself asks to create that name (`creations`).
        """
        self.alone = True
        self.max_steps = CONSTRUCTOR_STEPS
        self.graph = GraphState()
        self.frames = []
        positional = list(init.node.params.posonly_params) + list(init.node.params.params)
        args: List[Value] = [InstanceVal(owner, {})] + [Unknown("argument") for _ in positional[1:]]
        try:
            self.call_function(init, args, {}, None, standalone=True)
        except (RaiseSignal, ReturnSignal, BreakSignal, ContinueSignal):
            pass
        self.reports = [r for r in self.reports
                        if r.code not in ("TFS103", "TFS104") or r.facts.get("variable") in self.creations]

    # ------------------------------------------------------------------ binding
    def bind(self, name: str, value: Value, frame: Frame) -> None:
        if name in frame.global_names and not frame.is_module:
            self.project.note_module_write(frame.module, name, value)
            frame.module.globals[name] = value
            return
        if name in frame.nonlocal_names:
            outer = frame.parent
            while outer is not None:
                if name in outer.vars:
                    outer.vars[name] = value
                    return
                outer = outer.parent
        frame.vars[name] = value

    def lookup(self, name: str, frame: Frame) -> Value:
        if name in frame.vars and not (name in frame.global_names and not frame.is_module):
            return self._global(frame, frame.vars, name) if frame.is_module else self._forced(frame.vars, name)
        outer = frame.parent
        while outer is not None:
            if name in outer.vars and not outer.class_body:
                return self._global(outer, outer.vars, name) if outer.is_module else self._forced(outer.vars, name)
            outer = outer.parent
        if name in frame.module.globals:
            return self._global(frame, frame.module.globals, name)
        return builtins_impl.builtin(name)

    def _global(self, frame: Frame, scope: Dict[str, Value], name: str) -> Value:
        """A module's global, read: imports running now depend on it (see ProjectRun.note_global_read)."""
        value = self._forced(scope, name)
        if self.project.importing:
            self.project.note_global_read(frame.module, name, scope.get(name))
        return value

    def _forced(self, scope: Dict[str, Value], name: str) -> Value:
        value = scope[name]
        if isinstance(value, LazyImport):
            saved = self.frames
            try:
                value = self.project.force(self, value)
            finally:
                self.frames = saved
            if self.project.may_keep_forced(scope):
                scope[name] = value
        return value

    # what a module's code runs without: Python runs an import at the top of its own stack, wherever
    # the analysis happens to run it (a lazy import is run where one of its names is first used)
    _CALL_CONTEXT = ("frames", "call_stack", "uncertain", "unknown_loops", "handlers", "loops", "in_condition",
                     "template_reruns")

    @contextmanager
    def top_level(self) -> Iterator[None]:
        """Run a module's code as an import: no caller, no branch, no loop, no try around it.

        The import's statements count against a budget of its own, not the importer's: an import shared
        from an earlier run costs none, so a cut that depended on which imports ran fresh would make the
        analysis of the same code depend on what ran before it in the process."""
        saved = {name: getattr(self, name) for name in self._CALL_CONTEXT}
        saved_steps, self.steps = self.steps, 0
        self.call_stack, self.handlers, self.loops = [], [], []
        self.uncertain = self.unknown_loops = self.in_condition = self.template_reruns = 0
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(self, name, value)
            self.import_steps += self.steps
            self.steps = saved_steps

    def note_write(self, owner: Value) -> None:
        """`owner` (a list, a dict, an object, a class) is being changed: see ProjectRun.note_write."""
        born = getattr(owner, "born", None)
        if born is not None:
            self.project.note_write(owner, born)

    def assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        kind = type(target)  # compared by identity: isinstance against libcst's ABCs is slow when it fails
        if kind is cst.Name:
            self.bind(target.value, value, frame)  # type: ignore[attr-defined]
        elif kind is cst.Tuple or kind is cst.List:
            elements = target.elements  # type: ignore[attr-defined]
            items = self.iterate(value)
            star = [i for i, el in enumerate(elements) if type(el) is cst.StarredElement]
            if items is not None and not star and len(items) == len(elements):
                for el, item in zip(elements, items):
                    self.assign(el.value, item, frame)
            else:
                for el in elements:
                    self.assign(el.value, Unknown("unpacked"), frame)
        elif isinstance(target, cst.Attribute):
            self.store_attr(self.eval(target.value, frame), target.attr.value, value)
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, frame)
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, frame)
                self.note_write(owner)
                if isinstance(owner, DictVal):
                    if isinstance(key, Const):
                        owner.items[key.value] = value
                    else:
                        owner.items.clear()
                        owner.items["<unknown>"] = Unknown("dict")
                elif isinstance(owner, SeqVal) and isinstance(key, Const) and isinstance(key.value, int):
                    try:
                        owner.items[key.value] = value
                    except IndexError:
                        pass
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, Unknown("starred"), frame)

    def store_attr(self, owner: Value, attr: str, value: Value) -> None:
        """`owner.attr = value`; a store on an object the analysis does not know may have hit any it knows."""
        if isinstance(owner, (InstanceVal, ClassVal)):
            self.note_write(owner)
            self.attributes.store(owner, attr, value)
        elif isinstance(owner, TFObject):
            owner.state.setdefault("attrs", {})[attr] = value
        elif isinstance(owner, TFRef):
            self.tf.patch(owner, attr, value)  # `tf.get_variable = my_getter`
        elif isinstance(owner, ModuleVal):
            self.project.note_module_write(owner.context, attr, value)
            owner.context.globals[attr] = value  # `config.REUSE = True`: the module's global
        elif not isinstance(owner, KNOWN_NON_INSTANCES):
            self.attributes.store_unknown_owner(attr)


__all__ = ["Interpreter", "RaiseSignal", "BudgetExceeded", "AUTO_REUSE"]
