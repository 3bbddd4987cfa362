"""String building with unknown pieces: +, %, str.format, f-strings and join, as names are built."""

from __future__ import annotations

import re
from typing import Callable, List, Optional

import libcst as cst

from tfscope_lint.analysis.values import Const, IndexAtom, SymStr, Unknown, Value, str_value, to_name
from tfscope_lint.model import names
from tfscope_lint.model.names import Name


def piece(value: Value) -> Optional[Name]:
    """The text of a value inserted into a string (str() of it), or None when not text-like."""
    if isinstance(value, Const):
        if isinstance(value.value, str):
            return names.text(value.value)
        if isinstance(value.value, (int, float, bool)) or value.value is None:
            return names.text(str(value.value))
        return None
    return to_name(value)


def concat(left: Value, right: Value) -> Value:
    a, b = _as_text(left), _as_text(right)
    if a is None or b is None:
        return Unknown("string concatenation")
    return str_value(names.make(a, b))


def _as_text(value: Value) -> Optional[Name]:
    if isinstance(value, Const):
        return names.text(value.value) if isinstance(value.value, str) else None
    if isinstance(value, (SymStr, Unknown)):
        return to_name(value)
    return None


_PERCENT = re.compile(r"%(?:\(([^)]*)\))?([-#0 +]*\d*(?:\.\d+)?)([diouxXeEfFgGcrsa%])")


def percent(fmt: str, arg: Value) -> Value:
    """`fmt % arg` where some arguments may be unknown."""
    from tfscope_lint.analysis.values import DictVal, SeqVal
    if isinstance(arg, SeqVal) and arg.is_tuple:
        args: List[Value] = list(arg.items)
    else:
        args = [arg]
    out: List[Name] = []
    pos = 0
    index = 0
    for match in _PERCENT.finditer(fmt):
        out.append(names.text(fmt[pos:match.start()]))
        pos = match.end()
        key, flags, conv = match.groups()
        if conv == "%":
            out.append(("%",))
            continue
        if key is not None:
            if not isinstance(arg, DictVal) or key not in arg.items:
                return Unknown("format")
            value = arg.items[key]
        else:
            if index >= len(args):
                return Unknown("format")
            value = args[index]
            index += 1
        if isinstance(value, Const) and not isinstance(value.value, (list, tuple, dict)):
            try:
                out.append(names.text(("%" + flags + conv) % (value.value,)))
            except (TypeError, ValueError):
                return Unknown("format")
            continue
        if flags or conv not in "sdiur":
            return Unknown("format")
        text = piece(value)
        if text is None:
            return Unknown("format")
        out.append(text)
    out.append(names.text(fmt[pos:]))
    return str_value(names.make(*out))


_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def format_method(fmt: str, args: List[Value], kwargs: dict) -> Value:
    out: List[Name] = []
    pos = 0
    auto = 0
    for match in _BRACES.finditer(fmt):
        out.append(names.text(fmt[pos:match.start()]))
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            out.append((token[0],))
            continue
        field = match.group(1)
        spec = ""
        if ":" in field:
            field, spec = field.split(":", 1)
        if "!" in field:
            field = field.split("!", 1)[0]
        if field == "":
            if auto >= len(args):
                return Unknown("format")
            value = args[auto]
            auto += 1
        elif field.isdigit():
            if int(field) >= len(args):
                return Unknown("format")
            value = args[int(field)]
        elif field in kwargs:
            value = kwargs[field]
        else:
            return Unknown("format")
        if spec:
            if isinstance(value, Const):
                try:
                    out.append(names.text(format(value.value, spec)))
                    continue
                except (TypeError, ValueError):
                    return Unknown("format")
            return Unknown("format")
        text = piece(value)
        if text is None:
            return Unknown("format")
        out.append(text)
    out.append(names.text(fmt[pos:]))
    return str_value(names.make(*out))


def fstring(node: cst.FormattedString, evaluate: Callable[[cst.BaseExpression], Value]) -> Value:
    out: List[Name] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            out.append(names.text(part.value.replace("{{", "{").replace("}}", "}")))
            continue
        value = evaluate(part.expression)
        if part.format_spec:
            spec_parts = part.format_spec
            if isinstance(value, Const) and all(isinstance(p, cst.FormattedStringText) for p in spec_parts):
                spec = "".join(p.value for p in spec_parts)  # type: ignore[union-attr]
                try:
                    out.append(names.text(format(value.value, spec)))
                    continue
                except (TypeError, ValueError):
                    return Unknown("f-string")
            return Unknown("f-string")
        if part.conversion not in (None, "s") and not isinstance(value, Const):
            return Unknown("f-string")
        if part.conversion == "r" and isinstance(value, Const):
            out.append(names.text(repr(value.value)))
            continue
        text = piece(value)
        if text is None:
            return Unknown("f-string")
        out.append(text)
    if "b" in node.prefix.lower():
        return Unknown("bytes")
    return str_value(names.make(*out))


def join(separator: Value, items: Optional[List[Value]]) -> Value:
    if not isinstance(separator, Const) or not isinstance(separator.value, str) or items is None:
        return Unknown("join")
    out: List[Name] = []
    for i, item in enumerate(items):
        text = _as_text(item)
        if text is None:
            return Unknown("join")
        if i:
            out.append(names.text(separator.value))
        out.append(text)
    return str_value(names.make(*out))


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for Name/Attribute chains, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr.value}" if inner else None
    if isinstance(node, cst.Call):
        return dotted_name(node.func)
    return None


class _YieldFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


_generator_cache: dict = {}


def is_generator(node: cst.FunctionDef) -> bool:
    key = id(node)
    cached = _generator_cache.get(key)
    if cached is not None and cached[0] is node:
        return cached[1]
    finder = _YieldFinder()
    node.body.visit(finder)
    _generator_cache[key] = (node, finder.found)
    return finder.found


def index_text(value: Value) -> Optional[Name]:
    if isinstance(value, IndexAtom):
        return (value.atom,)
    return piece(value)
