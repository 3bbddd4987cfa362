"""How a script is started: tf.app.run / absl.app.run, tf.app.flags / absl.flags and argparse.

A script run with no arguments uses its flags' defaults, so the analysis gives each flag its
declared default; what has no default (a required argument) stays unknown.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from tfscope_lint.analysis.values import (
    BoundMethod, BuiltinVal, Const, FunctionVal, SeqVal, TFObject, Unknown, Value,
)

FLAG_DEFINERS = {"DEFINE_integer", "DEFINE_string", "DEFINE_boolean", "DEFINE_bool", "DEFINE_float",
                 "DEFINE_enum", "DEFINE_list", "DEFINE_multi_string", "DEFINE_multi_integer"}
PARSER_METHODS = {"add_argument", "add_argument_group", "add_mutually_exclusive_group", "parse_args",
                  "parse_known_args", "set_defaults", "add_subparsers", "print_help", "error"}


class Programs:
    """Flags and argument parsers of one interpreter run."""

    def __init__(self, interp: Any) -> None:
        self.interp = interp
        self.flags: Dict[str, Value] = {}
        self.flags_object = TFObject("flags", None)
        # on/off settings (a boolean flag, a store_true argument): name -> (default, how a user sets it)
        self.switches: Dict[str, Tuple[bool, str]] = {}
        self.switches_read: List[str] = []  # the switches the program looked at, in order
        self.overrides: Dict[str, bool] = dict(getattr(interp, "switch_overrides", {}) or {})
        self.settings_read = 0  # reads of a defined flag or argument: an import that made any is not shared

    def switch(self, name: str, default: Value, option: Optional[str] = None) -> Value:
        """A boolean setting's value in this run: its default, unless this run flips it. `option`: the
        argparse option that flips it (`--train`); a flag is flipped as `--name=True`."""
        if not (isinstance(default, Const) and isinstance(default.value, bool)):
            return default
        self.switches.setdefault(name, (default.value, option or f"--{name}={not default.value}"))
        if name in self.overrides:
            return Const(self.overrides[name])
        return default

    def read_switch(self, name: str) -> None:
        if self.interp.in_condition and name in self.switches and name not in self.switches_read:
            self.switches_read.append(name)

    def call(self, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Optional[Value]:
        last = path.rsplit(".", 1)[-1]
        if path.startswith("flags.") and last in FLAG_DEFINERS:
            name = args[0] if args else kwargs.get("name")
            default = args[1] if len(args) > 1 else kwargs.get("default", Unknown("flag default"))
            if isinstance(name, Const) and isinstance(name.value, str):
                if last in ("DEFINE_boolean", "DEFINE_bool") and isinstance(default, Const) \
                        and isinstance(default.value, str):
                    default = Const(default.value.lower() in ("true", "1", "yes"))
                elif last in ("DEFINE_list", "DEFINE_multi_string", "DEFINE_multi_integer") \
                        and isinstance(default, Const) and isinstance(default.value, str):
                    # absl splits a list flag's string default on commas; a multi flag wraps it in a list
                    pieces = default.value.split(",") if last == "DEFINE_list" else [default.value]
                    default = SeqVal([Const(p.strip() if last == "DEFINE_list" else p) for p in pieces if p])
                elif last in ("DEFINE_integer", "DEFINE_float") and isinstance(default, Const) \
                        and isinstance(default.value, str):
                    try:  # absl parses a string default as it would parse the command line
                        default = Const(int(default.value) if last == "DEFINE_integer" else float(default.value))
                    except ValueError:
                        default = Unknown("flag default")
                if last in ("DEFINE_boolean", "DEFINE_bool"):
                    default = self.switch(name.value, default)
                self.flags[name.value] = default
            return Const(None)
        if path.startswith("flags.") and last.startswith(("DEFINE", "mark_", "register_")):
            return Const(None)
        if path in ("tf.app.run", "absl.app.run", "app.run"):
            return self.run_main(args, kwargs, node, frame)
        if path == "argparse.ArgumentParser":
            return TFObject("argparser", None, state={"defaults": {}})
        if path == "argparse.Namespace":
            return TFObject("namespace", None, state={"attrs": {k: v for k, v in kwargs.items()}})
        return None

    def attribute(self, path: str) -> Optional[Value]:
        if path == "flags.FLAGS":
            return self.flags_object
        return None

    def object_attribute(self, obj: TFObject, attr: str) -> Optional[Value]:
        if obj.kind == "flags":
            if attr in self.flags:
                self.settings_read += 1
                self.read_switch(attr)
                return self.flags[attr]
            if attr in ("mark_as_parsed", "unparse_flags", "is_parsed", "__call__"):
                return BoundMethod(BuiltinVal("flags." + attr), obj)
            return Unknown(f"flag {attr}")
        if obj.kind == "argparser" and attr in PARSER_METHODS:
            return BoundMethod(BuiltinVal("argparser." + attr), obj)
        if obj.kind == "namespace":
            self.settings_read += 1
            self.read_switch(attr)
            return obj.state["attrs"].get(attr, Unknown(f"argument {attr}"))
        return None

    def call_method(self, method: str, obj: TFObject, args: List[Value], kwargs: Dict[str, Value]) -> Value:
        if obj.kind != "argparser":
            return Const(None)
        defaults: Dict[str, Value] = obj.state["defaults"]
        if method == "add_argument":
            dest = self._dest(args, kwargs)
            if dest is not None:
                value = self._default(args, kwargs)
                action = kwargs.get("action")
                if isinstance(action, Const) and action.value in ("store_true", "store_false"):
                    options = [str(a.value) for a in args if isinstance(a, Const) and str(a.value).startswith("-")]
                    if options:
                        value = self.switch(dest, value, max(options, key=len))
                defaults[dest] = value
            return Const(None)
        if method in ("add_argument_group", "add_mutually_exclusive_group"):
            return obj
        if method == "set_defaults":
            defaults.update(kwargs)
            return Const(None)
        if method in ("parse_args", "parse_known_args"):
            namespace = TFObject("namespace", None, state={"attrs": dict(defaults)})
            return namespace if method == "parse_args" else SeqVal([namespace, Unknown("extra arguments")], True)
        return Unknown("argparse")

    @staticmethod
    def _dest(args: List[Value], kwargs: Dict[str, Value]) -> Optional[str]:
        dest = kwargs.get("dest")
        if isinstance(dest, Const) and isinstance(dest.value, str):
            return dest.value
        options = [a.value for a in args if isinstance(a, Const) and isinstance(a.value, str)]
        if len(options) != len(args) or not options:
            return None
        longs = [o for o in options if o.startswith("--")]
        chosen = longs[0][2:] if longs else options[0].lstrip("-")
        return chosen.replace("-", "_")

    @staticmethod
    def _default(args: List[Value], kwargs: Dict[str, Value]) -> Value:
        positional = all(isinstance(a, Const) and not str(a.value).startswith("-") for a in args)
        required = kwargs.get("required")
        if positional or (isinstance(required, Const) and required.value) or not isinstance(required, (Const,
                                                                                                       type(None))):
            return Unknown("required argument")
        action = kwargs.get("action")
        if isinstance(action, Const) and action.value == "store_true":
            return kwargs.get("default", Const(False))
        if isinstance(action, Const) and action.value == "store_false":
            return kwargs.get("default", Const(True))
        if action is not None:
            return Unknown("argument action")
        default = kwargs.get("default", Const(None))
        kind = kwargs.get("type")
        if isinstance(default, Const) and isinstance(default.value, str) and isinstance(kind, BuiltinVal) \
                and kind.name in ("int", "float"):
            try:
                return Const(int(default.value) if kind.name == "int" else float(default.value))
            except ValueError:
                return Unknown("argument default")
        return default

    def run_main(self, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        """app.run(main) calls main(argv) and then exits."""
        main = args[0] if args else kwargs.get("main")
        if main is None or (isinstance(main, Const) and main.value is None):
            main = frame.module.globals.get("main") if frame is not None else None
        if isinstance(main, FunctionVal) or isinstance(main, BoundMethod):
            self.interp.call_value(main, [SeqVal([Const("main")])], {}, node, frame)
        return Const(None)
