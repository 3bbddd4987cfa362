"""What memoising project function calls could save, measured in process with one job.

    python benchmarks/memo_bound.py DIR

Prints two figures for the code base in DIR:
- repeated: the time of calls (outermost only) repeated in the same interpreter with the same function
  and the same argument objects (constants by value) - an upper bound on any memo keyed on arguments;
- replayable: the time of those calls a memo could replay without knowing what a call reads: valid only
  while nothing has changed since the call was recorded (no write to an object or a module global, the
  same graph, no finding, no new TF object, the same certainty), for a call that changed nothing itself
  and returned a constant.
It patches the interpreter's methods to count; the findings are not affected.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import Any, Dict, List

from tfscope_lint.analysis import engine, values
from tfscope_lint.analysis.calls import CallsMixin
from tfscope_lint.analysis.interpreter import Interpreter
from tfscope_lint.analysis.runs import ProjectRun
from tfscope_lint.analysis.values import Const

_writes = [0]


def _counting(owner: type, name: str) -> None:
    original = getattr(owner, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        frame = args[2] if name == "bind" else None
        if frame is None or args[0] in frame.global_names or args[0] in frame.nonlocal_names or frame.is_module:
            _writes[0] += 1
        return original(self, *args, **kwargs)
    setattr(owner, name, counted)


def _key(value: Any) -> Any:
    if isinstance(value, Const) and isinstance(value.value, (int, float, str, bool, type(None))):
        return ("const", type(value.value), value.value)
    return id(value)


def _world(interp: Any) -> tuple:
    return (_writes[0], id(interp.graph), interp.graph.generation, len(interp.reports), values.last_tf_object(),
            interp.uncertain, interp.current_frame_uncertain(), len(interp.handlers))


def main(root: str) -> None:
    sources: Dict[str, str] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    with open(path, encoding="utf-8") as handle:
                        sources[path] = handle.read()
                except (OSError, UnicodeDecodeError):
                    pass
    for owner, name in ((Interpreter, "note_write"), (Interpreter, "store_attr"), (Interpreter, "bind"),
                        (ProjectRun, "note_module_write")):
        _counting(owner, name)
    seen: set = set()
    memo: Dict[tuple, tuple] = {}
    saved: Counter = Counter()
    inside: List[tuple] = []  # (repeated, replayable) of the calls running, innermost last
    original = CallsMixin.call_function

    def measured(self: Any, func: Any, args: Any, kwargs: Any, node: Any, standalone: bool = False) -> Any:
        key = (id(self), id(func), tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        before = _world(self)
        repeated, replayable = key in seen, memo.get(key) == before
        seen.add(key)
        start = time.perf_counter()
        inside.append((repeated, replayable))
        try:
            result = original(self, func, args, kwargs, node, standalone)
        finally:
            inside.pop()
        spent = time.perf_counter() - start
        if repeated and not any(r for r, _ in inside):
            saved["repeated"] += spent
        if replayable and not any(r for _, r in inside):
            saved["replayable"] += spent
            saved["replayable calls"] += 1
        if _world(self) == before and isinstance(result, Const) and \
                isinstance(result.value, (int, float, str, bool, type(None))):
            memo[key] = before
        return result
    CallsMixin.call_function = measured  # type: ignore[assignment]
    start = time.perf_counter()
    engine.analyze(sources, jobs=1)
    total = time.perf_counter() - start
    print(f"{root}: analysis {total:.2f} s; repeated calls {saved['repeated']:.2f} s; "
          f"replayable without read tracking {saved['replayable']:.2f} s ({saved['replayable calls']} calls)")


if __name__ == "__main__":
    main(sys.argv[1])
