"""Statements of the abstract interpreter: blocks, definitions, branches, loops, `with` and `try`.

Where the analysis cannot choose a path it forks and joins; these are the parts that decide the
control flow, apart from what single expressions evaluate to.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from tfscope_lint.analysis import generators, strings
from tfscope_lint.analysis.context import Frame, Site, node_handler
from tfscope_lint.analysis.lazy_bodies import LazyBody
from tfscope_lint.analysis.signals import (
    EXCEPTION_FAMILY, MAX_UNROLL, BreakSignal, BudgetExceeded, ContinueSignal, RaiseSignal, ReturnSignal,
)
from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, IndexAtom, InstanceVal, OpaqueCode, SeqVal, TFCall,
    TFRef, Unknown, Value, is_code, truth,
)
from tfscope_lint.model.graph import GraphState
from tfscope_lint.model.names import Atom


class StatementsMixin:
    """Runs statements over libcst nodes; a part of `Interpreter`."""

    def tick(self, frame: Frame, stmt: cst.CSTNode) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            self.budget_hit = "step budget"
            self.budget_site = Site(frame.module, stmt, self.running_function())
            raise BudgetExceeded("step budget")

    def exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        for stmt in body:
            self.exec_stmt(stmt, frame)

    def exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self.tick(frame, stmt)
        kind = type(stmt)
        if kind is cst.SimpleStatementLine:
            for small in stmt.body:  # type: ignore[attr-defined]
                self.exec_small(small, frame)
            return
        handler = node_handler(type(self), "stmt_", kind)
        if handler is None:
            return
        if kind is cst.For or kind is cst.While:
            saved = frame.loop_uncertain
            try:
                with self.looping(stmt):
                    handler(self, stmt, frame)
            finally:
                frame.loop_uncertain = saved
        else:
            handler(self, stmt, frame)

    @contextmanager
    def looping(self, loop: cst.CSTNode) -> Iterator[None]:
        """Mark a loop as running: what one iteration repeats has one cause (see VariablesMixin.cascade_key)."""
        self.loops.append([loop, 0])
        try:
            yield
        finally:
            self.loops.pop()

    def next_iteration(self) -> None:
        if self.loops:
            self.loops[-1][1] += 1

    def exec_small(self, small: cst.CSTNode, frame: Frame) -> None:
        # by the node's class, as statements and expressions are: a chain of isinstance tests against
        # libcst's classes (ABCs) costs a Python-level check for every test that fails
        handler = node_handler(type(self), "small_", type(small))
        if handler is not None:
            handler(self, small, frame)

    def small_Expr(self, small: cst.Expr, frame: Frame) -> None:
        self.eval(small.value, frame)

    def small_Assign(self, small: cst.Assign, frame: Frame) -> None:
        value = self.eval(small.value, frame)
        for target in small.targets:
            self.assign(target.target, value, frame)

    def small_AnnAssign(self, small: cst.AnnAssign, frame: Frame) -> None:
        if small.value is not None:
            self.assign(small.target, self.eval(small.value, frame), frame)

    def small_AugAssign(self, small: cst.AugAssign, frame: Frame) -> None:
        current = self.eval(small.target, frame)
        value = self.eval(small.value, frame)
        op = type(small.operator).__name__.replace("Assign", "")
        self.assign(small.target, self.binop(op, current, value), frame)

    def small_Return(self, small: cst.Return, frame: Frame) -> None:
        raise ReturnSignal(self.eval(small.value, frame) if small.value is not None else Const(None))

    def small_Raise(self, small: cst.Raise, frame: Frame) -> None:
        kind = "Exception"
        if small.exc is not None:
            self.eval(small.exc, frame)
            raised = small.exc.func if isinstance(small.exc, cst.Call) else small.exc
            # the class by its name: a handler naming it (or Exception) catches it; one naming a base class
            # the analysis does not relate to it lets it go on, which only ends the path
            kind = (strings.dotted_name(raised) or "Exception").split(".")[-1]
        raise RaiseSignal(kind)

    def small_Import(self, small: cst.Import, frame: Frame) -> None:
        self.project.do_import(self, small, frame)

    small_ImportFrom = small_Import

    def small_Global(self, small: cst.Global, frame: Frame) -> None:
        frame.global_names.update(n.name.value for n in small.names)

    def small_Nonlocal(self, small: cst.Nonlocal, frame: Frame) -> None:
        frame.nonlocal_names.update(n.name.value for n in small.names)

    def small_Break(self, small: cst.Break, frame: Frame) -> None:
        raise BreakSignal()

    def small_Continue(self, small: cst.Continue, frame: Frame) -> None:
        raise ContinueSignal()

    def small_Assert(self, small: cst.Assert, frame: Frame) -> None:
        self.eval(small.test, frame)

    def stmt_FunctionDef(self, node: cst.FunctionDef, frame: Frame) -> None:
        defaults: Dict[str, Value] = {}
        params = node.params
        for param in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, frame)
        func = FunctionVal(node, frame.module, frame if not frame.is_module else None, defaults, node.name.value)
        value: Value = func
        for deco in reversed(node.decorators):
            value = self.apply_decorator(deco.decorator, value, func, frame)
        if frame.is_module or frame.class_body:
            frame.module.functions.append((func, None))
        self.bind(node.name.value, value, frame)

    def apply_decorator(self, deco_node: cst.BaseExpression, value: Value, func: FunctionVal, frame: Frame) -> Value:
        deco = self.eval(deco_node, frame)
        if isinstance(deco, BuiltinVal) and deco.name in ("staticmethod", "classmethod", "property"):
            func.is_method_kind = deco.name
            return value
        if isinstance(deco, TFRef):
            if deco.path.endswith("add_arg_scope"):
                func.arg_scope_ok = True
                return value
            handled = self.tf.decorate(deco, value)
            if handled is not None:
                return handled
        if isinstance(deco, (FunctionVal, BoundMethod, ClassVal)) or (
                isinstance(deco, InstanceVal) and deco.cls.lookup("__call__") is not None):
            # a project decorator: a function, a decorator object's __call__, or a class wrapping the function
            return self.call_value(deco, [value], {}, deco_node, frame)
        name = strings.dotted_name(deco_node)
        if name and name.split(".")[-1] in ("wraps", "abstractmethod", "overload", "cached_property", "override"):
            if name.split(".")[-1] == "cached_property":
                func.is_method_kind = "cached_property"
            return value
        return OpaqueCode(f"{func.name} behind a decorator")

    def stmt_ClassDef(self, node: cst.ClassDef, frame: Frame) -> None:
        bases = [self.eval(arg.value, frame) for arg in node.bases if arg.keyword is None]
        cls = ClassVal(node.name.value, {}, bases, frame.module)
        body_frame = Frame(frame.module, frame if not frame.is_module else None, node.name.value, {})
        body_frame.class_body = True
        before = len(frame.module.functions)
        self.frames.append(body_frame)
        try:
            self.exec_block(node.body.body if isinstance(node.body, cst.IndentedBlock) else [], body_frame)
        except (ReturnSignal, BreakSignal, ContinueSignal, RaiseSignal):
            pass
        finally:
            self.frames.pop()
        new_functions = frame.module.functions[before:]
        del frame.module.functions[before:]
        frame.module.functions.extend((fn, cls) for fn, _ in new_functions)
        cls.attrs.update(body_frame.vars)
        value: Value = cls
        if node.decorators:
            value = OpaqueCode(f"the class {node.name.value} behind a decorator") if any(
                not (strings.dotted_name(d.decorator) or "").endswith(("dataclass", "add_metaclass"))
                for d in node.decorators) else cls
        self.bind(node.name.value, value, frame)

    def stmt_If(self, node: cst.If, frame: Frame) -> None:
        cond = self.condition(node.test, frame)
        orelse = node.orelse
        if cond is True:
            self.exec_suite(node.body, frame)
        elif cond is False:
            if isinstance(orelse, cst.If):
                self.stmt_If(orelse, frame)
            elif isinstance(orelse, cst.Else):
                self.exec_suite(orelse.body, frame)
        else:
            def else_branch() -> None:
                if isinstance(orelse, cst.If):
                    self.stmt_If(orelse, frame)
                elif isinstance(orelse, cst.Else):
                    self.exec_suite(orelse.body, frame)
            self.fork([lambda: self.exec_suite(node.body, frame), else_branch], frame)

    def condition(self, test: cst.BaseExpression, frame: Frame) -> Optional[bool]:
        """The truth of an `if`/`while` test; settings it reads are the ones worth flipping (see engine)."""
        self.in_condition += 1
        try:
            return truth(self.eval(test, frame))
        finally:
            self.in_condition -= 1

    def exec_suite(self, suite: cst.BaseSuite, frame: Frame) -> None:
        kind = type(suite)
        if kind is cst.IndentedBlock or kind is LazyBody:
            self.exec_block(suite.body, frame)  # type: ignore[attr-defined]
        elif kind is cst.SimpleStatementSuite:
            for small in suite.body:  # type: ignore[attr-defined]
                self.exec_small(small, frame)

    def fork(self, branches: List[Callable[[], None]], frame: Frame) -> None:
        """Run branches the analysis cannot choose between, each from the same state; merge the survivors."""
        base_graph = self.graph
        base_vars = dict(frame.vars)
        outcomes: List[Tuple[GraphState, Dict[str, Value], Optional[str]]] = []
        for branch in branches:
            self.graph = base_graph.clone()
            frame.vars.clear()
            frame.vars.update(base_vars)
            ended: Optional[str] = None
            self.uncertain += 1
            try:
                branch()
            except ReturnSignal as signal:
                frame.returns.append(signal.value)
                ended = "return"
            except RaiseSignal:
                ended = "raise"
            except (BreakSignal, ContinueSignal):
                ended = "loop"
            finally:
                self.uncertain -= 1
            outcomes.append((self.graph, dict(frame.vars), ended))
        live = [o for o in outcomes if o[2] is None]
        # A branch that returned, broke out or raised goes on elsewhere (after the call, the loop, in a handler)
        # with what it created: the graph that follows holds its variables as possible, never as missing.
        graph = self.join_graphs(base_graph, [o[0] for o in live] + [o[0] for o in outcomes if o[2] is not None])
        if not live:
            kinds = {o[2] for o in outcomes}
            self.graph = graph
            frame.vars.clear()
            frame.vars.update(outcomes[0][1])
            if kinds == {"raise"}:
                raise RaiseSignal()
            if kinds <= {"return", "raise"}:
                raise ReturnSignal(self.join_all(frame.returns) if frame.returns else Const(None))
            if "return" in kinds:
                frame.extra_uncertain += 1
            else:
                frame.loop_uncertain += 1
            return
        env = live[0][1]
        for _, other_env, _ in live[1:]:
            env = self.join_envs(env, other_env)
        self.graph = graph
        frame.vars.clear()
        frame.vars.update(env)
        ended = {o[2] for o in outcomes}
        if "return" in ended:
            frame.extra_uncertain += 1  # the rest of the function runs on some paths only
        elif "loop" in ended:
            frame.loop_uncertain += 1  # the rest of this iteration does; after the loop every path goes on

    @staticmethod
    def join_graphs(base: GraphState, graphs: List[GraphState]) -> GraphState:
        """The join of branch outcomes (in order: the first one's scope stack is kept)."""
        graph = graphs[0]
        for other in graphs[1:]:
            merged = base.clone()
            merged.merge(graph, other)
            graph = merged
        return graph

    def join_envs(self, a: Dict[str, Value], b: Dict[str, Value]) -> Dict[str, Value]:
        out: Dict[str, Value] = {}
        for key in list(a) + [k for k in b if k not in a]:  # not a set: its order varies by hash seed
            if key in a and key in b:
                out[key] = self.join(a[key], b[key])
            else:
                out[key] = Unknown("bound on one path")
        return out

    @staticmethod
    def join(a: Value, b: Value) -> Value:
        if a is b:
            return a
        if isinstance(a, Const) and isinstance(b, Const) and type(a.value) is type(b.value) and a.value == b.value:
            return a
        if is_code(a) or is_code(b):  # one of two builders, cells or layers: calling it may create variables
            return OpaqueCode("one of several values")
        return Unknown("merged")

    def join_all(self, values: List[Value]) -> Value:
        result = values[0]
        for value in values[1:]:
            result = self.join(result, value)
        return result

    def stmt_For(self, node: cst.For, frame: Frame) -> None:
        iterable = self.eval(node.iter, frame)
        if generators.is_lazy(iterable):
            # the body runs between the generator's items: certain only when it cannot change what they see
            quiet = not generators.harmless_between_items(iterable, [node.target], [node.body])
            items = generators.consume(self, iterable, quiet)
            iterable = Unknown("generator") if items is None else iterable  # its items: how many is not known
        else:
            items = self.iterate(iterable)
        broke = False
        if items is not None and len(items) <= MAX_UNROLL:
            for item in items:
                self.next_iteration()
                self.assign(node.target, item, frame)
                try:
                    self.exec_suite(node.body, frame)
                except BreakSignal:
                    broke = True
                    break
                except ContinueSignal:
                    continue
        else:
            self.run_unknown_loop(node, frame, iterable)
            return
        if not broke and node.orelse is not None:
            self.exec_suite(node.orelse.body, frame)

    def run_unknown_loop(self, node: cst.For, frame: Frame, iterable: Value) -> None:
        """Two distinct iterations: what the body does twice without reuse fails on any run of two or more."""
        if isinstance(iterable, Unknown) and iterable.reason == "generator":
            # A generator's own code runs between iterations and may open scopes or switch reuse on.
            self.uncertain += 1
            try:
                self._unknown_iterations(node, frame, iterable)
            finally:
                self.uncertain -= 1
            return
        self._unknown_iterations(node, frame, iterable)

    def _unknown_iterations(self, node: cst.For, frame: Frame, iterable: Value) -> None:
        self.unknown_loops += 1
        try:
            self._two_iterations(node, frame, iterable)
        finally:
            self.unknown_loops -= 1

    def _two_iterations(self, node: cst.For, frame: Frame, iterable: Value) -> None:
        group = object()
        is_range = isinstance(iterable, TFCall) and iterable.kind == "range"
        enumerate_of = isinstance(iterable, TFCall) and iterable.kind == "enumerate"
        for index in range(2):
            if is_range or enumerate_of:
                index_value: Value = Const(0) if index == 0 else IndexAtom(Atom("i", group, 1, frozenset({"0"})), 1)
                item: Value = index_value if is_range else SeqVal([index_value, Unknown("element")], True)
            else:
                item = Unknown("element")
                atom = item.atom()
                atom.group = group
                atom.index = index
                item._atom = None  # elements of an unknown list may repeat: no distinctness claim
            self.next_iteration()
            self.assign(node.target, item, frame)
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                frame.extra_uncertain += 1
                return
            except ContinueSignal:
                continue

    def iterate(self, value: Value) -> Optional[List[Value]]:
        if generators.is_lazy(value):
            return generators.consume(self, value)
        if isinstance(value, SeqVal):
            return list(value.items)
        if isinstance(value, DictVal):
            return [Const(k) if not isinstance(k, Value) else k for k in value.items]
        if isinstance(value, Const) and isinstance(value.value, (str, tuple, list, range)):
            return [Const(v) for v in value.value]
        if isinstance(value, TFCall) and value.kind in ("range", "enumerate", "zip") and value.args:
            return None
        return None

    def stmt_While(self, node: cst.While, frame: Frame) -> None:
        """Unrolled while the condition is known and no path may have left the loop yet. From the iteration
        where it may end on any pass (an undecidable break, return or condition, as in `while True:` training
        loops), two passes have shown what repeats; what later ones create is left undecided (unseen_code),
        which is sound and spares the 64 passes that dominate real scripts' cost."""
        exits_before = frame.loop_uncertain + frame.extra_uncertain
        for count in range(MAX_UNROLL):
            if count >= 2 and frame.loop_uncertain + frame.extra_uncertain > exits_before:
                self.graph.unseen_code(self.origin(frame.module, node), "later passes of a while loop")
                return
            cond = self.condition(node.test, frame)
            if cond is False:
                if node.orelse is not None:
                    self.exec_suite(node.orelse.body, frame)
                return
            if cond is None:
                break
            self.next_iteration()
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                return
            except ContinueSignal:
                continue
        else:
            self.graph.unseen_code(self.origin(frame.module, node), f"passes of a while loop after the first {MAX_UNROLL}")
            return
        # An undecidable condition: the body may run or not, and again.
        def body() -> None:
            self.next_iteration()
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                pass
            except ContinueSignal:
                pass
        self.fork([body, lambda: None], frame)
        self.graph.unseen_code(self.origin(frame.module, node), "later passes of a while loop")

    def stmt_With(self, node: cst.With, frame: Frame) -> None:
        exits: List[Callable[[], None]] = []
        unknown_graph = False
        try:
            for item in node.items:
                manager = self.eval(item.item, frame)
                if not isinstance(manager, TFCall) and (strings.dotted_name(item.item) or "").endswith(".as_default"):
                    unknown_graph = True  # some graph: maybe the current one, maybe a fresh one
                entered, on_exit = self.enter_context(manager, item.item, frame)
                exits.append(on_exit)
                if item.asname is not None:
                    self.assign(item.asname.name, entered, frame)
            if unknown_graph:
                self.fork([lambda: self.exec_suite(node.body, frame), lambda: None], frame)
            else:
                self.exec_suite(node.body, frame)
        finally:
            for on_exit in reversed(exits):
                on_exit()

    def enter_context(self, manager: Value, node: cst.CSTNode, frame: Frame) -> Tuple[Value, Callable[[], None]]:
        if isinstance(manager, TFCall):
            return self.tf.enter(manager, node, frame)
        if isinstance(manager, InstanceVal):
            enter = self.get_attr(manager, "__enter__", node)
            if isinstance(enter, BoundMethod):
                value = self.call_value(enter, [], {}, node, frame)
                exit_method = self.get_attr(manager, "__exit__", node)
                return value, lambda: (self.call_value(exit_method, [Const(None)] * 3, {}, node, frame)
                                       if isinstance(exit_method, BoundMethod) else None) and None
        if isinstance(manager, (Unknown,)) and not self.tf.harmless_context(node):
            return self.tf.enter_unknown_scope(node)
        return Unknown("context value"), lambda: None

    def stmt_Try(self, node: cst.Try, frame: Frame) -> None:
        per_handler: List[List[str]] = []
        for handler in node.handlers:
            if handler.type is None:
                per_handler.append(["*"])
            elif isinstance(handler.type, cst.Tuple):
                per_handler.append([(strings.dotted_name(el.value) or "").split(".")[-1]
                                    for el in handler.type.elements])
            else:
                per_handler.append([(strings.dotted_name(handler.type) or "").split(".")[-1]])
        caught = [name for names in per_handler for name in names]
        self.handlers.append(caught)
        raised = False
        signal_kind = ""
        try:
            try:
                self.exec_suite(node.body, frame)
            finally:
                self.handlers.pop()
        except RaiseSignal as signal:
            if caught and self._catches(caught, signal.kind):
                raised = True
                signal_kind = signal.kind
            else:
                self._finally(node, frame)
                raise
        except (ReturnSignal, BreakSignal, ContinueSignal):
            self._finally(node, frame)
            raise
        if raised:
            handler = next(h for h, names in zip(node.handlers, per_handler) if self._catches(names, signal_kind))
            self._run_handler(handler, frame)
        elif node.handlers:
            # Whether the body raised for a reason the analysis cannot see is unknown: each handler may run,
            # or none of them and then the else block.
            branches: List[Callable[[], None]] = [
                (lambda h=h: self._run_handler(h, frame)) for h in node.handlers]  # type: ignore[misc]
            branches.append(lambda: self.exec_suite(node.orelse.body, frame) if node.orelse is not None else None)
            self.fork(branches, frame)
        elif node.orelse is not None:
            self.exec_suite(node.orelse.body, frame)
        self._finally(node, frame)

    def _run_handler(self, handler: cst.ExceptHandler, frame: Frame) -> None:
        if handler.name is not None and isinstance(handler.name.name, cst.Name):
            self.bind(handler.name.name.value, Unknown("exception"), frame)
        self.exec_suite(handler.body, frame)

    def _catches(self, caught: List[str], kind: str) -> bool:
        family = EXCEPTION_FAMILY.get(kind, {kind, "Exception", "BaseException"})
        return "*" in caught or bool(set(caught) & family)

    def _finally(self, node: cst.Try, frame: Frame) -> None:
        if node.finalbody is not None:
            self.exec_suite(node.finalbody.body, frame)
