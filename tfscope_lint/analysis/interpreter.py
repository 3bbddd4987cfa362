"""The abstract interpreter: runs Python statements and expressions over libcst nodes.

It walks only the code that executes (module code, then the functions it calls, at their call
sites), keeps the TF graph state of `model.graph`, and hands TF API calls to `tfapi`. What it
cannot decide it runs both ways and merges; errors seen only on some paths stay unreported.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from tfscope_lint.analysis import builtins_impl, strings
from tfscope_lint.analysis.context import Frame, ModuleContext, Origin, RawReport, Site
from tfscope_lint.analysis.values import (
    AUTO_REUSE, BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, IndexAtom, InstanceVal, LazyImport,
    ModuleVal, PartialVal, ScopeVal, SeqVal, SymStr, TFCall, TFObject, TFRef, TensorVal, Unknown, Value,
    truth,
)
from tfscope_lint.model.graph import GraphState
from tfscope_lint.model.names import Atom

MAX_DEPTH = 40
MAX_UNROLL = 64
MAX_STEPS = 200_000
ALONE_DEPTH = 3  # the function and the helpers it calls directly
ALONE_STEPS = 10_000


class ReturnSignal(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class BreakSignal(Exception):
    pass


class ContinueSignal(Exception):
    pass


class RaiseSignal(Exception):
    """The abstract program raises here (a `raise`, or a TF error inside a handling `try`)."""

    def __init__(self, kind: str = "Exception") -> None:
        self.kind = kind


class BudgetExceeded(Exception):
    pass


EXCEPTION_FAMILY = {
    "ValueError": {"ValueError", "Exception", "BaseException", "StandardError"},
    "TypeError": {"TypeError", "Exception", "BaseException", "StandardError"},
}


class Interpreter:
    """Runs entry points of a project; collects RawReports."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self.graph = GraphState()
        self.other_graphs: Dict[object, GraphState] = {}
        self.reports: List[RawReport] = []
        self.call_stack: List[Tuple[Site, Any]] = []
        self.uncertain = 0
        self.handlers: List[List[str]] = []  # exception classes caught by enclosing try blocks
        self.steps = 0
        self.called: set = set()
        self.site_runs: Dict[Tuple[int, object], int] = {}
        self.loop_ids = itertools.count(1)
        self.budget_hit: Optional[str] = None
        self.max_depth = MAX_DEPTH
        self.max_steps = MAX_STEPS
        self.cascades: Dict[tuple, RawReport] = {}
        self.manual_exits: Dict[int, list] = {}
        from tfscope_lint.analysis.tfapi import TFApi  # late import: tfapi calls back into us
        self.tf = TFApi(self)

    # ------------------------------------------------------------------ reporting
    def origin(self, module: ModuleContext, node: cst.CSTNode) -> Origin:
        chain = tuple(site for site, _ in self.call_stack)
        text = ""
        try:
            text = module.tree.code_for_node(node) if isinstance(node, cst.Call) else ""
        except Exception:  # noqa: BLE001 - text is only a hint
            text = ""
        return Origin(Site(module, node), chain, text)

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
        return any(f.extra_uncertain for f in self.frames)

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
        self.graph = GraphState(open_world=True)
        self.frames = []
        args: List[Value] = []
        params = func.node.params
        positional = list(params.posonly_params) + list(params.params)
        for i, _ in enumerate(positional):
            if i == 0 and owner is not None and func.is_method_kind in ("function", "property"):
                args.append(InstanceVal(owner, {}))
            elif i == 0 and owner is not None and func.is_method_kind == "classmethod":
                args.append(owner)
            else:
                args.append(Unknown("argument"))
        try:
            self.call_function(func, args, {}, None, standalone=True)
        except (RaiseSignal, ReturnSignal, BreakSignal, ContinueSignal):
            pass

    # ------------------------------------------------------------------ statements
    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            self.budget_hit = "step budget"
            raise BudgetExceeded("step budget")

    def exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        for stmt in body:
            self.exec_stmt(stmt, frame)

    def exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self.tick()
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.exec_small(small, frame)
            return
        handler = getattr(self, "stmt_" + type(stmt).__name__, None)
        if handler is not None:
            handler(stmt, frame)

    def exec_small(self, small: cst.CSTNode, frame: Frame) -> None:
        if isinstance(small, cst.Expr):
            self.eval(small.value, frame)
        elif isinstance(small, cst.Assign):
            value = self.eval(small.value, frame)
            for target in small.targets:
                self.assign(target.target, value, frame)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.assign(small.target, self.eval(small.value, frame), frame)
        elif isinstance(small, cst.AugAssign):
            current = self.eval(small.target, frame)
            value = self.eval(small.value, frame)
            op = type(small.operator).__name__.replace("Assign", "")
            self.assign(small.target, self.binop(op, current, value), frame)
        elif isinstance(small, cst.Return):
            raise ReturnSignal(self.eval(small.value, frame) if small.value is not None else Const(None))
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self.eval(small.exc, frame)
            raise RaiseSignal("Exception")
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            self.project.do_import(self, small, frame)
        elif isinstance(small, cst.Global):
            frame.global_names.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Nonlocal):
            frame.nonlocal_names.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Break):
            raise BreakSignal()
        elif isinstance(small, cst.Continue):
            raise ContinueSignal()
        elif isinstance(small, cst.Del):
            pass
        elif isinstance(small, cst.Assert):
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
        if isinstance(deco, FunctionVal):
            result = self.call_value(deco, [value], {}, deco_node, frame)
            return result
        name = strings.dotted_name(deco_node)
        if name and name.split(".")[-1] in ("wraps", "abstractmethod", "overload", "cached_property", "override"):
            if name.split(".")[-1] == "cached_property":
                func.is_method_kind = "property"
            return value
        return Unknown("decorated function")

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
            value = Unknown("decorated class") if any(
                not (strings.dotted_name(d.decorator) or "").endswith(("dataclass", "add_metaclass"))
                for d in node.decorators) else cls
        self.bind(node.name.value, value, frame)

    def stmt_If(self, node: cst.If, frame: Frame) -> None:
        cond = truth(self.eval(node.test, frame))
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

    def exec_suite(self, suite: cst.BaseSuite, frame: Frame) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self.exec_block(suite.body, frame)
        elif isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
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
        if not live:
            kinds = {o[2] for o in outcomes}
            self.graph = outcomes[0][0]
            frame.vars.clear()
            frame.vars.update(outcomes[0][1])
            if kinds == {"raise"}:
                raise RaiseSignal()
            if kinds <= {"return", "raise"}:
                raise ReturnSignal(self.join_all(frame.returns) if frame.returns else Const(None))
            frame.extra_uncertain += 1
            return
        graph = live[0][0]
        env = live[0][1]
        for other_graph, other_env, _ in live[1:]:
            merged = base_graph.clone()
            merged.merge(graph, other_graph)
            graph = merged
            env = self.join_envs(env, other_env)
        self.graph = graph
        frame.vars.clear()
        frame.vars.update(env)
        if len(live) < len(outcomes) and any(o[2] in ("return", "loop") for o in outcomes):
            frame.extra_uncertain += 1

    def join_envs(self, a: Dict[str, Value], b: Dict[str, Value]) -> Dict[str, Value]:
        out: Dict[str, Value] = {}
        for key in set(a) | set(b):
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
        return Unknown("merged")

    def join_all(self, values: List[Value]) -> Value:
        result = values[0]
        for value in values[1:]:
            result = self.join(result, value)
        return result

    def stmt_For(self, node: cst.For, frame: Frame) -> None:
        iterable = self.eval(node.iter, frame)
        items = self.iterate(iterable)
        broke = False
        if items is not None and len(items) <= MAX_UNROLL:
            for item in items:
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
            self.assign(node.target, item, frame)
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                frame.extra_uncertain += 1
                return
            except ContinueSignal:
                continue

    def iterate(self, value: Value) -> Optional[List[Value]]:
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
        for _ in range(MAX_UNROLL):
            cond = truth(self.eval(node.test, frame))
            if cond is False:
                if node.orelse is not None:
                    self.exec_suite(node.orelse.body, frame)
                return
            if cond is None:
                break
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                return
            except ContinueSignal:
                continue
        else:
            return
        # An undecidable condition: the body may run or not.
        def body() -> None:
            try:
                self.exec_suite(node.body, frame)
            except BreakSignal:
                pass
            except ContinueSignal:
                pass
        self.fork([body, lambda: None], frame)

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
        caught: List[str] = []
        for handler in node.handlers:
            if handler.type is None:
                caught.append("*")
            else:
                text = strings.dotted_name(handler.type) or ""
                if isinstance(handler.type, cst.Tuple):
                    caught.extend((strings.dotted_name(el.value) or "").split(".")[-1] for el in handler.type.elements)
                else:
                    caught.append(text.split(".")[-1])
        self.handlers.append(caught)
        raised = False
        try:
            try:
                self.exec_suite(node.body, frame)
            finally:
                self.handlers.pop()
        except RaiseSignal as signal:
            if caught and self._catches(caught, signal.kind):
                raised = True
            else:
                self._finally(node, frame)
                raise
        except (ReturnSignal, BreakSignal, ContinueSignal):
            self._finally(node, frame)
            raise
        if raised:
            self.exec_suite(node.handlers[0].body, frame)
        else:
            if node.handlers:
                self.fork([lambda: self.exec_suite(node.handlers[0].body, frame), lambda: None], frame)
            if node.orelse is not None:
                self.exec_suite(node.orelse.body, frame)
        self._finally(node, frame)

    def _catches(self, caught: List[str], kind: str) -> bool:
        family = EXCEPTION_FAMILY.get(kind, {kind, "Exception", "BaseException"})
        return "*" in caught or bool(set(caught) & family)

    def _finally(self, node: cst.Try, frame: Frame) -> None:
        if node.finalbody is not None:
            self.exec_suite(node.finalbody.body, frame)

    # ------------------------------------------------------------------ binding
    def bind(self, name: str, value: Value, frame: Frame) -> None:
        if name in frame.global_names and not frame.is_module:
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
            return self._forced(frame.vars, name)
        outer = frame.parent
        while outer is not None:
            if name in outer.vars and not outer.class_body:
                return self._forced(outer.vars, name)
            outer = outer.parent
        if name in frame.module.globals:
            return self._forced(frame.module.globals, name)
        return builtins_impl.builtin(name)

    def _forced(self, scope: Dict[str, Value], name: str) -> Value:
        value = scope[name]
        if isinstance(value, LazyImport):
            saved = self.frames
            try:
                value = self.project.force(self, value)
            finally:
                self.frames = saved
            scope[name] = value
        return value

    def assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, value, frame)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = self.iterate(value)
            star = [i for i, el in enumerate(elements) if isinstance(el, cst.StarredElement)]
            if items is not None and not star and len(items) == len(elements):
                for el, item in zip(elements, items):
                    self.assign(el.value, item, frame)
            else:
                for el in elements:
                    self.assign(el.value, Unknown("unpacked"), frame)
        elif isinstance(target, cst.Attribute):
            owner = self.eval(target.value, frame)
            if isinstance(owner, InstanceVal):
                owner.attrs[target.attr.value] = value
            elif isinstance(owner, ClassVal):
                owner.attrs[target.attr.value] = value
            elif isinstance(owner, TFObject):
                owner.state.setdefault("attrs", {})[target.attr.value] = value
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, frame)
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, frame)
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

    # ------------------------------------------------------------------ expressions
    def eval(self, node: Optional[cst.BaseExpression], frame: Frame) -> Value:
        if node is None:
            return Const(None)
        handler = getattr(self, "expr_" + type(node).__name__, None)
        if handler is None:
            return Unknown(type(node).__name__)
        return handler(node, frame)

    def expr_Name(self, node: cst.Name, frame: Frame) -> Value:
        if node.value in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[node.value])
        return self.lookup(node.value, frame)

    def expr_Integer(self, node: cst.Integer, frame: Frame) -> Value:
        try:
            return Const(int(node.value.replace("_", ""), 0))
        except ValueError:
            return Unknown("integer")

    def expr_Float(self, node: cst.Float, frame: Frame) -> Value:
        try:
            return Const(float(node.value.replace("_", "")))
        except ValueError:
            return Unknown("float")

    def expr_Imaginary(self, node: cst.Imaginary, frame: Frame) -> Value:
        return Unknown("complex")

    def expr_SimpleString(self, node: cst.SimpleString, frame: Frame) -> Value:
        raw = node.value
        quote = raw[-3:] if raw.endswith(('"""', "'''")) else raw[-1:]
        if raw.startswith(quote) and "\\" not in raw and len(raw) >= 2 * len(quote):
            return Const(raw[len(quote):-len(quote)])  # the common case, without Python's literal_eval
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return Unknown("string")
        return Const(value) if isinstance(value, str) else Unknown("bytes")

    def expr_ConcatenatedString(self, node: cst.ConcatenatedString, frame: Frame) -> Value:
        return strings.concat(self.eval(node.left, frame), self.eval(node.right, frame))

    def expr_FormattedString(self, node: cst.FormattedString, frame: Frame) -> Value:
        return strings.fstring(node, lambda e: self.eval(e, frame))

    def expr_Tuple(self, node: cst.Tuple, frame: Frame) -> Value:
        return self.sequence(node.elements, frame, True)

    def expr_List(self, node: cst.List, frame: Frame) -> Value:
        return self.sequence(node.elements, frame, False)

    def expr_Set(self, node: cst.Set, frame: Frame) -> Value:
        self.sequence(node.elements, frame, False)
        return Unknown("set")

    def sequence(self, elements: Sequence[cst.BaseElement], frame: Frame, is_tuple: bool) -> Value:
        items: List[Value] = []
        for el in elements:
            value = self.eval(el.value, frame)
            if isinstance(el, cst.StarredElement):
                expanded = self.iterate(value)
                if expanded is None:
                    return Unknown("starred sequence")
                items.extend(expanded)
            else:
                items.append(value)
        return SeqVal(items, is_tuple)

    def expr_Dict(self, node: cst.Dict, frame: Frame) -> Value:
        items: Dict[Any, Value] = {}
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                key = self.eval(el.key, frame)
                value = self.eval(el.value, frame)
                if isinstance(key, Const):
                    items[key.value] = value
                else:
                    return Unknown("dict with unknown keys")
            else:
                spread = self.eval(el.value, frame)
                if isinstance(spread, DictVal):
                    items.update(spread.items)
                else:
                    return Unknown("dict spread")
        return DictVal(items)

    def expr_Attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        owner = self.eval(node.value, frame)
        return self.get_attr(owner, node.attr.value, node)

    def get_attr(self, owner: Value, attr: str, node: cst.CSTNode) -> Value:
        if isinstance(owner, TFRef):
            return self.tf.attribute(owner, attr)
        if isinstance(owner, ModuleVal):
            return self.project.module_attr(self, owner, attr)
        if isinstance(owner, InstanceVal):
            if attr in owner.attrs:
                return owner.attrs[attr]
            found = owner.cls.lookup(attr)
            if isinstance(found, FunctionVal):
                if found.is_method_kind == "staticmethod":
                    return found
                if found.is_method_kind == "classmethod":
                    return BoundMethod(found, owner.cls)
                if found.is_method_kind == "property":
                    return self.call_value(found, [owner], {}, node, None)
                return BoundMethod(found, owner)
            if found is not None:
                return found
            if attr == "__class__":
                return owner.cls
            return Unknown(f"attribute {attr}")
        if isinstance(owner, ClassVal):
            found = owner.lookup(attr)
            if isinstance(found, FunctionVal) and found.is_method_kind == "classmethod":
                return BoundMethod(found, owner)
            if found is not None:
                return found
            if attr == "__name__":
                return Const(owner.name)
            return Unknown(f"class attribute {attr}")
        if isinstance(owner, TFCall) and attr in ("__enter__", "__exit__"):
            return BoundMethod(BuiltinVal("cm." + attr), owner)
        if isinstance(owner, (ScopeVal, TensorVal, TFObject, TFCall)) or owner.__class__.__name__ == "GraphVal":
            return self.tf.object_attribute(owner, attr, node)
        if isinstance(owner, FunctionVal) and attr == "__name__":
            return Const(owner.name)
        if isinstance(owner, Const) and attr == "value" and isinstance(owner.value, int):
            return owner  # Dimension.value
        if isinstance(owner, (Const, SymStr, SeqVal, DictVal)):
            return BoundMethod(BuiltinVal("method." + attr), owner)
        return Unknown(f"attribute {attr}")

    def expr_Subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        owner = self.eval(node.value, frame)
        if isinstance(owner, TensorVal) and owner.shape is not None and not owner.opaque:
            return self.tensor_subscript(owner, node, frame)
        if len(node.slice) != 1:
            return Unknown("subscript")
        element = node.slice[0].slice
        if isinstance(element, cst.Index):
            key = self.eval(element.value, frame)
            if isinstance(owner, TFObject) and owner.kind == "shape":
                return self.tf.shape_item(owner, key)
            return builtins_impl.subscript(owner, key)
        if isinstance(element, cst.Slice):
            lower = self.eval(element.lower, frame) if element.lower else Const(None)
            upper = self.eval(element.upper, frame) if element.upper else Const(None)
            step = self.eval(element.step, frame) if element.step else Const(None)
            if isinstance(owner, TFObject) and owner.kind == "shape":
                bounds = [v.value if isinstance(v, Const) else "?" for v in (lower, upper, step)]
                shape = owner.state.get("shape")
                if "?" in bounds or shape is None:
                    return Unknown("shape slice")
                return TFObject("shape", None, state={"shape": tuple(shape[slice(*bounds)])})
            return builtins_impl.slice_value(owner, lower, upper, step)
        return Unknown("subscript")

    def tensor_subscript(self, owner: TensorVal, node: cst.Subscript, frame: Frame) -> Value:
        """x[i], x[:, :1], x[..., 0]: axes indexed by an int go, full slices keep their size, others are unknown."""
        shape = list(owner.shape or ())
        out: List[Optional[int]] = []
        axis = 0
        elements = list(node.slice)
        for position, element in enumerate(elements):
            item = element.slice
            if isinstance(item, cst.Index) and isinstance(item.value, cst.Ellipsis):
                rest = len(elements) - position - 1
                keep = len(shape) - axis - rest
                if keep < 0:
                    return TensorVal(None, owner.dtype)
                out.extend(shape[axis:axis + keep])
                axis += keep
                continue
            if axis >= len(shape):
                return TensorVal(None, owner.dtype)
            if isinstance(item, cst.Slice):
                full = item.lower is None and item.upper is None and item.step is None
                out.append(shape[axis] if full else None)
            elif isinstance(item, cst.Index):
                index = self.eval(item.value, frame)
                if not (isinstance(index, Const) and isinstance(index.value, int)):
                    return TensorVal(None, owner.dtype)  # a new axis (None) or a tensor index: not modelled
            axis += 1
        out.extend(shape[axis:])
        return TensorVal(tuple(out), owner.dtype)

    def expr_BinaryOperation(self, node: cst.BinaryOperation, frame: Frame) -> Value:
        left = self.eval(node.left, frame)
        right = self.eval(node.right, frame)
        return self.binop(type(node.operator).__name__, left, right)

    def binop(self, op: str, left: Value, right: Value) -> Value:
        return builtins_impl.binop(op, left, right)

    def expr_UnaryOperation(self, node: cst.UnaryOperation, frame: Frame) -> Value:
        value = self.eval(node.expression, frame)
        op = type(node.operator).__name__
        if op == "Not":
            t = truth(value)
            return Const(not t) if t is not None else Unknown("not")
        if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            return Const(-value.value if op == "Minus" else value.value if op == "Plus" else ~value.value)
        if isinstance(value, TensorVal):
            return TensorVal(value.shape, value.dtype)
        return Unknown("unary")

    def expr_BooleanOperation(self, node: cst.BooleanOperation, frame: Frame) -> Value:
        left = self.eval(node.left, frame)
        t = truth(left)
        is_and = isinstance(node.operator, cst.And)
        if t is None:
            right = self.eval(node.right, frame)
            if is_and and truth(right) is False:
                return Const(False) if isinstance(right, Const) and right.value is False else Unknown("and")
            return Unknown("boolean operation")
        if is_and:
            return self.eval(node.right, frame) if t else left
        return left if t else self.eval(node.right, frame)

    def expr_Comparison(self, node: cst.Comparison, frame: Frame) -> Value:
        left = self.eval(node.left, frame)
        result: Optional[bool] = True
        for target in node.comparisons:
            right = self.eval(target.comparator, frame)
            outcome = builtins_impl.compare(type(target.operator).__name__, left, right)
            if outcome is False:
                return Const(False)
            if outcome is None:
                result = None
            left = right
        return Const(True) if result else Unknown("comparison")

    def expr_IfExp(self, node: cst.IfExp, frame: Frame) -> Value:
        cond = truth(self.eval(node.test, frame))
        if cond is True:
            return self.eval(node.body, frame)
        if cond is False:
            return self.eval(node.orelse, frame)
        self.uncertain += 1
        try:
            a = self.eval(node.body, frame)
            b = self.eval(node.orelse, frame)
        finally:
            self.uncertain -= 1
        return self.join(a, b)

    def expr_Lambda(self, node: cst.Lambda, frame: Frame) -> Value:
        defaults: Dict[str, Value] = {}
        for param in list(node.params.params) + list(node.params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, frame)
        return FunctionVal(node, frame.module, frame if not frame.is_module else None, defaults, "<lambda>")

    def expr_NamedExpr(self, node: cst.NamedExpr, frame: Frame) -> Value:
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def expr_ListComp(self, node: cst.ListComp, frame: Frame) -> Value:
        return self.comprehension(node, frame)

    def expr_GeneratorExp(self, node: cst.GeneratorExp, frame: Frame) -> Value:
        return self.comprehension(node, frame)

    def expr_SetComp(self, node: cst.SetComp, frame: Frame) -> Value:
        self.comprehension(node, frame)
        return Unknown("set")

    def expr_DictComp(self, node: cst.DictComp, frame: Frame) -> Value:
        self.comprehension(node, frame)
        return Unknown("dict comprehension")

    def comprehension(self, node: Any, frame: Frame) -> Value:
        """Comprehensions run like the loops they are: they may call builders once per element."""
        inner = Frame(frame.module, frame, "<comprehension>", {})
        self.frames.append(inner)
        results: List[Value] = []
        known = True
        try:
            known = self._comp_level(node, node.for_in, inner, results)
        finally:
            self.frames.pop()
        return SeqVal(results) if known else Unknown("comprehension")

    def _comp_level(self, node: Any, comp: cst.CompFor, frame: Frame, results: List[Value]) -> bool:
        iterable = self.eval(comp.iter, frame)
        items = self.iterate(iterable)
        known = items is not None and len(items) <= MAX_UNROLL
        if not known:
            items = [Unknown("element"), Unknown("element")]
        for item in items or []:
            self.assign(comp.target, item, frame)
            keep: Optional[bool] = True
            for cond in comp.ifs:
                t = truth(self.eval(cond.test, frame))
                if t is False:
                    keep = False
                    break
                if t is None:
                    keep = None
            if keep is False:
                continue
            if keep is None:
                known = False
            if comp.inner_for_in is not None:
                known = self._comp_level(node, comp.inner_for_in, frame, results) and known
            elif isinstance(node, cst.DictComp):
                self.eval(node.key, frame)
                self.eval(node.value, frame)
            else:
                results.append(self.eval(node.elt, frame))
        return known

    def expr_Await(self, node: cst.Await, frame: Frame) -> Value:
        return Unknown("await")

    def expr_Yield(self, node: cst.Yield, frame: Frame) -> Value:
        return Unknown("yield")

    def expr_StarredElement(self, node: cst.StarredElement, frame: Frame) -> Value:
        return self.eval(node.value, frame)

    def expr_Ellipsis(self, node: cst.Ellipsis, frame: Frame) -> Value:
        return Unknown("ellipsis")

    # ------------------------------------------------------------------ calls
    def expr_Call(self, node: cst.Call, frame: Frame) -> Value:
        func = self.eval(node.func, frame)
        args: List[Value] = []
        kwargs: Dict[str, Value] = {}
        unknown_spread = False
        for arg in node.args:
            value = self.eval(arg.value, frame)
            if arg.star == "*":
                items = self.iterate(value)
                if items is None:
                    unknown_spread = True
                else:
                    args.extend(items)
            elif arg.star == "**":
                if isinstance(value, DictVal) and all(isinstance(k, str) for k in value.items):
                    kwargs.update(value.items)
                else:
                    unknown_spread = True
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        if unknown_spread:
            kwargs["**unknown**"] = Unknown("spread arguments")
        return self.call_value(func, args, kwargs, node, frame)

    def call_value(self, func: Value, args: List[Value], kwargs: Dict[str, Value], node: Optional[cst.CSTNode],
                   frame: Optional[Frame]) -> Value:
        if isinstance(func, FunctionVal):
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, BoundMethod):
            inner = func.func
            if isinstance(inner, BuiltinVal):
                kind, _, method = inner.name.partition(".")
                if kind == "method":
                    return builtins_impl.call_method(self, method, func.self_value, args, kwargs, node)
                if kind == "scope" and isinstance(func.self_value, ScopeVal):
                    return self.tf.scope_method(method, func.self_value, node, frame)
                if inner.name == "graph.as_default":
                    return TFCall("as_default", (func.self_value,), {}, node)
                if kind == "cm" and isinstance(func.self_value, TFCall):
                    return self.manual_context(method, func.self_value, node, frame)
                if kind in ("argparser", "flags") and isinstance(func.self_value, TFObject):
                    return self.tf.programs.call_method(method, func.self_value, args, kwargs)
                if kind in ("optimizer", "ema") and isinstance(func.self_value, TFObject):
                    return self.tf.libraries.call_method(inner.name, func.self_value, args, kwargs, node, frame)
                if inner.name == "tensor.derived" and isinstance(func.self_value, TensorVal):
                    return TensorVal(None, func.self_value.dtype, opaque=func.self_value.opaque)
                if inner.name == "tensor.get_shape":
                    return func.self_value
                if inner.name == "shape.as_list" and isinstance(func.self_value, TFObject):
                    shape = func.self_value.state.get("shape")
                    return SeqVal([Const(d) if d is not None else Const(None) for d in shape]) \
                        if shape is not None else Unknown("as_list")
                return Unknown("method")
            return self.call_value(inner, [func.self_value] + args, kwargs, node, frame)
        if isinstance(func, PartialVal):
            merged = dict(func.kwargs)
            merged.update(kwargs)
            return self.call_value(func.func, list(func.args) + args, merged, node, frame)
        if isinstance(func, ClassVal):
            return self.instantiate(func, args, kwargs, node, frame)
        if isinstance(func, BuiltinVal):
            return builtins_impl.call_builtin(self, func.name, args, kwargs, node, frame)
        if isinstance(func, TFRef):
            return self.tf.call(func, args, kwargs, node, frame)
        if isinstance(func, TFObject):
            return self.tf.call_object(func, args, kwargs, node, frame)
        if isinstance(func, InstanceVal):
            method = self.get_attr(func, "__call__", node) if func.cls.lookup("__call__") else None
            if isinstance(method, BoundMethod):
                return self.call_value(method, args, kwargs, node, frame)
        if isinstance(func, (ScopeVal, TensorVal)):
            return Unknown("call")
        return Unknown("call of unknown")

    def manual_context(self, method: str, manager: TFCall, node: Any, frame: Optional[Frame]) -> Value:
        """`cm.__enter__()` / `cm.__exit__(...)` called by hand, as some scripts do around optional blocks."""
        exits = self.manual_exits.setdefault(id(manager), [])
        if method == "__enter__" and frame is not None:
            value, on_exit = self.tf.enter(manager, node, frame)
            exits.append((manager, on_exit))
            return value
        if method == "__exit__" and exits:
            exits.pop()[1]()
        return Const(None)

    def instantiate(self, cls: ClassVal, args: List[Value], kwargs: Dict[str, Value], node: Optional[cst.CSTNode],
                    frame: Optional[Frame]) -> Value:
        instance = InstanceVal(cls, {})
        init = cls.lookup("__init__")
        if isinstance(init, FunctionVal):
            self.call_function(init, [instance] + args, kwargs, node)
        elif cls.has_unknown_base():
            return self.tf.instantiate_subclass(cls, instance, args, kwargs, node) or instance
        return instance

    def call_function(self, func: FunctionVal, args: List[Value], kwargs: Dict[str, Value],
                      node: Optional[cst.CSTNode], standalone: bool = False) -> Value:
        self.called.add(func.node)
        if len(self.call_stack) >= self.max_depth:
            self.budget_hit = self.budget_hit or "call depth"
            return Unknown("call depth")
        active = sum(1 for _, fn in self.call_stack if fn is func.node)
        if active >= 2:
            return Unknown("recursion")
        local_vars = self.bind_arguments(func, args, kwargs)
        callee = Frame(func.module, func.closure, func.name, local_vars)
        if node is not None and self.frames:
            self.call_stack.append((Site(self.frames[-1].module, node), func.node))
        else:
            self.call_stack.append((Site(func.module, func.node), func.node))
        self.frames.append(callee)
        try:
            if isinstance(func.node, cst.Lambda):
                return self.eval(func.node.body, callee)
            if self.is_generator(func):
                return Unknown("generator")
            try:
                self.exec_suite(func.node.body, callee)
            except ReturnSignal as signal:
                callee.returns.append(signal.value)
                return self.join_all(callee.returns)
            except (BreakSignal, ContinueSignal):
                pass
            if callee.returns:
                return self.join(self.join_all(callee.returns), Const(None))
            return Const(None)
        finally:
            self.frames.pop()
            self.call_stack.pop()

    @staticmethod
    def is_generator(func: FunctionVal) -> bool:
        source = getattr(func.module, "source", None)
        facts = source.function_facts() if source is not None else None
        fact = facts.get(id(func.node)) if facts is not None else None
        if fact is not None:
            return fact.is_generator
        return strings.is_generator(func.node)

    def bind_arguments(self, func: FunctionVal, args: List[Value], kwargs: Dict[str, Value]) -> Dict[str, Value]:
        params = func.node.params
        positional = list(params.posonly_params) + list(params.params)
        bound: Dict[str, Value] = {}
        unknown_spread = "**unknown**" in kwargs
        remaining = dict((k, v) for k, v in kwargs.items() if k != "**unknown**")
        for i, param in enumerate(positional):
            name = param.name.value
            if i < len(args):
                bound[name] = args[i]
            elif name in remaining:
                bound[name] = remaining.pop(name)
            elif unknown_spread:
                bound[name] = Unknown("spread argument")
            elif name in func.defaults:
                bound[name] = func.defaults[name]
            else:
                bound[name] = Unknown("missing argument")
        extra = args[len(positional):]
        star = params.star_arg
        if isinstance(star, cst.Param):
            bound[star.name.value] = SeqVal(list(extra), True) if not unknown_spread else Unknown("*args")
        for param in params.kwonly_params:
            name = param.name.value
            if name in remaining:
                bound[name] = remaining.pop(name)
            elif unknown_spread:
                bound[name] = Unknown("spread argument")
            else:
                bound[name] = func.defaults.get(name, Unknown("missing argument"))
        if params.star_kwarg is not None:
            bound[params.star_kwarg.name.value] = DictVal(remaining) if not unknown_spread else Unknown("**kwargs")
        return bound

    def make_partial(self, args: List[Value], kwargs: Dict[str, Value]) -> Value:
        if not args:
            return Unknown("partial")
        return PartialVal(args[0], list(args[1:]), dict(kwargs))


__all__ = ["Interpreter", "RaiseSignal", "BudgetExceeded", "AUTO_REUSE"]
