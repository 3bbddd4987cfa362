"""Expressions of the abstract interpreter: literals, names, attributes, subscripts, operators, comprehensions.

Each `expr_*` turns one libcst expression into an abstract value; calls are left to `calls`.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence

import libcst as cst

from tfscope_lint.analysis import builtins_impl, generators, strings
from tfscope_lint.analysis.context import Frame, node_handler
from tfscope_lint.analysis.signals import MAX_UNROLL
from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, ClassVal, Const, DictVal, FunctionVal, InstanceVal, ModuleVal, NoneDimension, OpaqueCode,
    ScopeVal, SeqVal, SymStr, TFCall, TFObject, TFRef, TensorVal, Unknown, Value, is_code, truth,
)


class ExpressionsMixin:
    """Evaluates expressions to abstract values; a part of `Interpreter`."""

    def eval(self, node: Optional[cst.BaseExpression], frame: Frame) -> Value:
        if node is None:
            return Const(None)
        handler = node_handler(type(self), "expr_", type(node))
        if handler is None:
            return Unknown(type(node).__name__)
        return handler(self, node, frame)

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
            with warnings.catch_warnings():  # "\d" warns: the checked code's business, not our stderr's
                warnings.simplefilter("ignore")
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
            if type(el) is cst.StarredElement:
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
        if isinstance(owner, OpaqueCode):
            return OpaqueCode(f"{owner.reason}.{attr}" if len(owner.reason) < 80 else owner.reason)
        if isinstance(owner, InstanceVal):
            stores = self.attributes
            if attr == "__dict__":  # `self.__dict__.update(kwargs)`: any attribute may be set through it
                self.note_write(getattr(owner, "instance", owner))
                stores.store_unknown_name(getattr(owner, "instance", owner))
                return Unknown("instance dict")
            if attr in owner.attrs:
                own = owner.attrs[attr]
                return self.maybe_set_elsewhere(attr, own) if stores.stale(owner, attr, own) else own
            holder = owner.cls.holder(attr)
            found = holder.attrs[attr] if holder is not None else None
            if holder is not None and stores.stale(holder, attr, found, via=owner):
                return self.maybe_set_elsewhere(attr, found)
            if isinstance(found, FunctionVal):
                # super().m: looked up from the base, but bound to the real instance, so that what m calls
                # on self finds the subclass's overrides (a base's build() calling an overridden method)
                bound_to = getattr(owner, "instance", owner)
                if found.is_method_kind == "staticmethod":
                    return found
                if found.is_method_kind == "classmethod":
                    return BoundMethod(found, bound_to.cls)
                if found.is_method_kind == "property":
                    return self.call_value(found, [bound_to], {}, node, None)
                if found.is_method_kind == "cached_property":  # computed once, then kept in the instance's dict
                    value = self.call_value(found, [bound_to], {}, node, None)
                    self.attributes.store(bound_to, attr, value)
                    return value
                return BoundMethod(found, bound_to)
            if isinstance(found, InstanceVal) and found.cls.lookup("__get__") is not None:
                # a descriptor object of the project (a class-based lazy_property): its __get__ runs on each read
                # the instance's own dict does not answer; one with __set__ as well would win over that dict
                if found.cls.lookup("__set__") is not None or found.cls.has_unknown_base():
                    return Unknown(f"descriptor {attr}")
                getter = self.get_attr(found, "__get__", node)
                bound_to = getattr(owner, "instance", owner)
                return self.call_value(getter, [bound_to, bound_to.cls], {}, node, None)
            if found is not None:
                return found
            if attr == "__class__":
                return owner.cls
            if owner.cls.has_unknown_base():  # maybe a method of a class the analysis cannot read
                return OpaqueCode(f"attribute {attr} of an object of an unknown class")
            return Unknown(f"attribute {attr}")
        if isinstance(owner, ClassVal):
            holder = owner.holder(attr)
            found = holder.attrs[attr] if holder is not None else None
            if holder is not None and self.attributes.stale(holder, attr, found):
                return Unknown(f"class attribute {attr}, maybe set elsewhere")
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
        if isinstance(owner, NoneDimension) and attr == "value":
            return Const(None)
        if isinstance(owner, (Const, SymStr, SeqVal, DictVal)):
            return BoundMethod(BuiltinVal("method." + attr), owner)
        return Unknown(f"attribute {attr}")

    @staticmethod
    def maybe_set_elsewhere(attr: str, last_known: Value) -> Value:
        """An attribute a store the analysis could not place may have replaced: unknown, and code if it was."""
        if is_code(last_known):
            return OpaqueCode(f"attribute {attr}, maybe set elsewhere")
        return Unknown(f"attribute {attr}, maybe set elsewhere")

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
                return TFObject("shape", None, state={"shape": tuple(shape[slice(*bounds)]),
                                                      "exact": owner.state.get("exact", False)})
            return builtins_impl.slice_value(owner, lower, upper, step)
        return Unknown("subscript")

    def tensor_subscript(self, owner: TensorVal, node: cst.Subscript, frame: Frame) -> Value:
        """x[i], x[:, :1], x[..., 0]: axes indexed by an int go, full slices keep their size, others are unknown."""
        shape = list(owner.shape or ())
        out: List[Optional[int]] = []
        axis = 0
        exact = owner.precise()  # until a partial slice makes a dim the analysis does not compute
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
                exact = exact and full
            elif isinstance(item, cst.Index):
                index = self.eval(item.value, frame)
                if not (isinstance(index, Const) and isinstance(index.value, int)):
                    return TensorVal(None, owner.dtype)  # a new axis (None) or a tensor index: not modelled
            axis += 1
        out.extend(shape[axis:])
        return TensorVal(tuple(out), owner.dtype, exact=exact)

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
            return TensorVal(value.shape, value.dtype, exact=value.precise())
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
        cond = self.condition(node.test, frame)
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
        built = self.comprehension(node, frame)
        if isinstance(built, SeqVal) and all(isinstance(pair.items[0], Const) for pair in built.items):
            try:
                return DictVal({pair.items[0].value: pair.items[1] for pair in built.items})
            except TypeError:  # an unhashable key: Python raises, the analysis stays unknown
                pass
        return Unknown("dict comprehension")

    def comprehension(self, node: Any, frame: Frame) -> Value:
        """Comprehensions run like the loops they are: they may call builders once per element."""
        inner = Frame(frame.module, frame, "<comprehension>", {})
        self.frames.append(inner)
        results: List[Value] = []
        known = True
        try:
            with self.looping(node):
                known = self._comp_level(node, node.for_in, inner, results)
        finally:
            self.frames.pop()
        if known:
            return SeqVal(results)
        return OpaqueCode("a comprehension of code") if any(is_code(r) for r in results) else Unknown("comprehension")

    def _comp_level(self, node: Any, comp: cst.CompFor, frame: Frame, results: List[Value]) -> bool:
        iterable = self.eval(comp.iter, frame)
        quiet = False
        if generators.is_lazy(iterable):
            parts = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
            parts += [cond.test for cond in comp.ifs] + ([comp.inner_for_in] if comp.inner_for_in else [])
            quiet = not generators.harmless_between_items(iterable, [comp.target], parts)
            items = generators.consume(self, iterable, quiet)
        else:
            items = self.iterate(iterable)
        if quiet:  # the element's calls run between the generator's items: nothing here is certain
            self.uncertain += 1
        try:
            return self._comp_items(node, comp, frame, results, items)
        finally:
            if quiet:
                self.uncertain -= 1

    def _comp_items(self, node: Any, comp: cst.CompFor, frame: Frame, results: List[Value],
                    items: Optional[List[Value]]) -> bool:
        known = items is not None and len(items) <= MAX_UNROLL
        if not known:
            items = [Unknown("element"), Unknown("element")]
        for item in items or []:
            self.next_iteration()
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
                key = self.eval(node.key, frame)
                results.append(SeqVal([key, self.eval(node.value, frame)], True))
            else:
                results.append(self.eval(node.elt, frame))
        return known

    def expr_Await(self, node: cst.Await, frame: Frame) -> Value:
        return Unknown("await")

    def expr_Yield(self, node: cst.Yield, frame: Frame) -> Value:
        if isinstance(node.value, cst.From):
            generators.record(self, self.iterate(self.eval(node.value.item, frame)))
        else:
            generators.record(self, [self.eval(node.value, frame)])
        return Unknown("yield")

    def expr_StarredElement(self, node: cst.StarredElement, frame: Frame) -> Value:
        return self.eval(node.value, frame)

    def expr_Ellipsis(self, node: cst.Ellipsis, frame: Frame) -> Value:
        return Unknown("ellipsis")
