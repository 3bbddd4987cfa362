"""Calls in the abstract interpreter: dispatch on the callee, user functions, classes, arguments.

User code runs at its call sites; TF and library calls are handed to `tfapi`, builtins to `builtins_impl`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import libcst as cst

from tfscope_lint.analysis import builtins_impl, generators, pylib, strings
from tfscope_lint.analysis.context import Frame, Site
from tfscope_lint.analysis.lazy_bodies import LazyBody
from tfscope_lint.analysis.signals import BreakSignal, ContinueSignal, ReturnSignal
from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, InstanceVal, OpaqueCode, PartialVal, ScopeVal,
    SeqVal, TFCall, TFObject, TFRef, TensorVal, Unknown, Value,
)


class CallsMixin:
    """Calls values and binds arguments; a part of `Interpreter`."""

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
                if kind == "record" and isinstance(func.self_value, TFObject):
                    return pylib.call_method(method, func.self_value, args, kwargs)
                if kind in ("argparser", "flags") and isinstance(func.self_value, TFObject):
                    return self.tf.programs.call_method(method, func.self_value, args, kwargs)
                if kind in ("optimizer", "ema") and isinstance(func.self_value, TFObject):
                    return self.tf.libraries.call_method(inner.name, func.self_value, args, kwargs, node, frame)
                if inner.name == "tensor.derived" and isinstance(func.self_value, TensorVal):
                    return TensorVal(None, func.self_value.dtype, opaque=func.self_value.opaque)
                if inner.name == "tensor.get_shape":
                    return func.self_value
                if inner.name == "shape.as_list" and isinstance(func.self_value, TFObject):
                    return self.tf.shape_as_list(func.self_value)
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
            if func.cls.has_unknown_base():
                return self.unseen_call(node, "a call of an object of an unknown class")
        if isinstance(func, OpaqueCode) or (self.alone and isinstance(func, Unknown)):
            # in a function analysed alone any unknown value (a parameter, an attribute set by a caller) may be code
            return self.unseen_call(node, func.reason or "unknown code")
        if isinstance(func, (ScopeVal, TensorVal)):
            return Unknown("call")
        return Unknown("call of unknown")

    def unseen_call(self, node: Optional[cst.CSTNode], reason: str) -> Value:
        """A call of code the analysis does not follow: it may create variables under the current scope."""
        module = self.frames[-1].module if self.frames else None
        origin = self.origin(module, node) if module is not None and node is not None else None
        self.graph.unseen_code(origin, reason)
        return OpaqueCode(f"result of {reason}")

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
        self.called[func.node] = None
        if self.project.importing:
            self.project.note_called(func.node)
        if len(self.call_stack) >= self.max_depth:
            if self.budget_hit is None:
                self.budget_hit = "call depth"
                self.budget_site = (Site(self.frames[-1].module, node, self.running_function())
                                    if node is not None and self.frames else None)
            return self.unseen_call(node, f"a call of {func.name} cut by the depth limit")
        active = sum(1 for _, fn in self.call_stack if fn is func.node)
        if active >= 2:
            return self.unseen_call(node, f"a recursive call of {func.name}")
        is_lambda = type(func.node) is cst.Lambda
        if not is_lambda and self.is_generator(func):
            if self.starting_generator is not func.node:
                # a generator object: its body runs when it is consumed (generators.consume)
                return generators.GeneratorVal(func, args, kwargs, node,
                                               self.frames[-1].module if self.frames else func.module)
            self.starting_generator = None
        body = func.node.body
        unread = body.failure() if type(body) is LazyBody else None
        if unread is not None:
            return self.unseen_call(node, f"a call of {func.name}, whose body {unread}")
        local_vars = self.bind_arguments(func, args, kwargs)
        callee = Frame(func.module, func.closure, func.name, local_vars)
        if node is not None and self.frames:
            self.call_stack.append((Site(self.frames[-1].module, node), func.node))
        else:
            self.call_stack.append((Site(func.module, func.node), func.node))
        self.frames.append(callee)
        try:
            if is_lambda:
                return self.eval(func.node.body, callee)
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
        if type(star) is cst.Param:
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
