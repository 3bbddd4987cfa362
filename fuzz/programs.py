"""Generated programs and the properties every run of tfscope-lint on them must keep.

Two sources of programs:

* `tf_programs()`: TF1-shaped projects (one to three files) from a small grammar of the things the
  analysis models: variable_scope (names, reuse True/False/AUTO_REUSE/a parameter, captured scope
  objects, default_name), get_variable (names, shapes, initializers, dtypes), tf.Variable,
  tf.layers.dense, reuse_variables(), name_scope, make_template, loops over known ranges, if/else,
  builder functions called once or many times, and imports between the files.
* `python_programs()`: syntactically valid random Python from hypothesmith (when it is installed),
  prefixed with `import tensorflow as tf` so that the analysis does run on it.

`check_project()` runs the real CLI on a project and returns every broken property: an exception
or traceback, an internal-error problem, a finding (or related location) outside its file's
lines, an unexpected exit code, and nondeterminism (a second run, and a run with --jobs 2, must
print exactly the same findings).
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
import traceback
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from hypothesis import strategies as st

from tfscope_lint.files import SourceError, decode_source, python_lines

Project = Dict[str, str]  # relative file name -> source

HEADER = "import tensorflow as tf\n"
VARIABLES = ["w", "b", "kernel", "bias", "embedding", "gamma"]
SCOPES = ["model", "layer", "enc", "dec", "shared", "tower"]
FUNCTIONS = ["build", "dense", "block"]
SHAPES = ["[3]", "[3, 4]", "[4, 3]", "[]", "[None, 3]", "[n, 3]", "shape", "(3, 4)"]
INITIALIZERS = ["", ", initializer=tf.zeros_initializer()", ", initializer=tf.constant_initializer(1.0)",
                ", initializer=tf.constant([1.0, 2.0, 3.0])", ", initializer=[1.0, 2.0, 3.0]",
                ", initializer=tf.random_normal_initializer()"]
DTYPES = ["", "", ", dtype=tf.float32", ", dtype=tf.int32", ", dtype=tf.float64"]
REUSES = ["", "", ", reuse=True", ", reuse=False", ", reuse=tf.AUTO_REUSE", ", reuse=reuse", ", reuse=None"]


class _Writer:
    """Draws statements with hypothesis, so that failing programs shrink to small ones."""

    def __init__(self, draw: Callable, functions: Sequence[str]) -> None:
        self.draw = draw
        self.functions = list(functions)
        self.counter = 0

    def pick(self, options: Sequence[str]) -> str:
        return self.draw(st.sampled_from(options))

    def name(self, pool: Sequence[str], loop_var: Optional[str]) -> str:
        base = self.pick(pool)
        form = self.draw(st.integers(0, 3 if loop_var else 2))
        if form == 0 or form == 1:
            return repr(base)
        if form == 2:
            return f"{base!r} + '_x'"
        return f"'{base}_%d' % {loop_var}"

    def block(self, indent: int, depth: int, loop_var: Optional[str], in_function: bool) -> List[str]:
        count = self.draw(st.integers(1, 3))
        lines: List[str] = []
        for _ in range(count):
            lines.extend(self.statement(indent, depth, loop_var, in_function))
        return lines

    def statement(self, indent: int, depth: int, loop_var: Optional[str], in_function: bool) -> List[str]:
        pad = "    " * indent
        kinds = ["get_variable", "get_variable", "variable", "dense", "call", "reuse_variables", "pass"]
        if depth > 0:
            kinds += ["scope", "scope", "scope_default_name", "captured", "name_scope", "for", "if", "template"]
        kind = self.pick(kinds)
        self.counter += 1
        n = self.counter
        if kind == "get_variable":
            name = self.name(VARIABLES, loop_var)
            return [f"{pad}v{n} = tf.get_variable({name}, {self.pick(SHAPES)}"
                    f"{self.pick(INITIALIZERS)}{self.pick(DTYPES)})"]
        if kind == "variable":
            return [f"{pad}t{n} = tf.Variable(tf.zeros([3]), name={self.name(VARIABLES, loop_var)})"]
        if kind == "dense":
            named = self.pick(["", f", name={self.name(SCOPES, loop_var)}"])
            return [f"{pad}x = tf.layers.dense(x, {self.pick(['3', '4', 'n'])}{named}{self.pick(REUSES[:5])})"]
        if kind == "call":
            if not self.functions:
                return [f"{pad}x = tf.identity(x)"]
            func = self.pick(self.functions)
            return [f"{pad}x = {func}(x{self.pick(['', ', reuse=True', ', reuse=tf.AUTO_REUSE', ', reuse=False'])})"]
        if kind == "reuse_variables":
            return [f"{pad}tf.get_variable_scope().reuse_variables()"]
        if kind == "pass":
            return [f"{pad}pass"]
        if kind == "scope":
            reuse = self.pick(REUSES if in_function else [r for r in REUSES if "reuse=reuse" not in r])
            head = f"{pad}with tf.variable_scope({self.name(SCOPES, loop_var)}{reuse}):"
            return [head] + self.block(indent + 1, depth - 1, loop_var, in_function)
        if kind == "scope_default_name":
            head = f"{pad}with tf.variable_scope(None, default_name={self.pick(SCOPES)!r}):"
            return [head] + self.block(indent + 1, depth - 1, loop_var, in_function)
        if kind == "captured":
            lines = [f"{pad}with tf.variable_scope({self.name(SCOPES, loop_var)}) as sc{n}:"]
            lines += self.block(indent + 1, depth - 1, loop_var, in_function)
            lines += [f"{pad}with tf.variable_scope(sc{n}{self.pick(['', ', reuse=True', ', reuse=tf.AUTO_REUSE'])}):"]
            lines += self.block(indent + 1, depth - 1, loop_var, in_function)
            return lines
        if kind == "name_scope":
            return [f"{pad}with tf.name_scope({self.pick(SCOPES)!r}):"] + self.block(
                indent + 1, depth - 1, loop_var, in_function)
        if kind == "for":
            var = f"i{n}"
            bound = self.pick(["2", "3", "n", "len(sizes)", "100"])
            return [f"{pad}for {var} in range({bound}):"] + self.block(indent + 1, depth - 1, var, in_function)
        if kind == "if":
            cond = self.pick(["training", "not training", "n > 2", "x is None", "len(sizes) == 3"])
            lines = [f"{pad}if {cond}:"] + self.block(indent + 1, depth - 1, loop_var, in_function)
            if self.draw(st.booleans()):
                lines += [f"{pad}else:"] + self.block(indent + 1, depth - 1, loop_var, in_function)
            return lines
        # template
        if not self.functions:
            return [f"{pad}pass"]
        func = self.pick(self.functions)
        return [f"{pad}tmpl{n} = tf.make_template({self.pick(SCOPES)!r}, {func})",
                f"{pad}x = tmpl{n}(x)", f"{pad}x = tmpl{n}(x)"]

    def function(self, name: str, depth: int) -> List[str]:
        lines = [f"def {name}(x, reuse=None):"]
        if self.draw(st.booleans()):
            lines.append(f"    with tf.variable_scope({self.pick(SCOPES + [name])!r}, reuse=reuse):")
            lines += self.block(2, depth, None, True)
        else:
            lines += self.block(1, depth, None, True)
        lines.append("    return x")
        return lines


PRELUDE = """n = 3
sizes = [3, 4, 5]
shape = [3, 4]
training = True
x = tf.zeros([2, 3])
"""


@st.composite
def tf_programs(draw: Callable) -> Project:
    """One to three files shaped like TF1 model code; the last is the script that runs."""
    depth = draw(st.integers(0, 3))
    module_functions = draw(st.lists(st.sampled_from(FUNCTIONS), max_size=2, unique=True))
    files: Project = {}
    main_lines = [HEADER.rstrip()]
    if module_functions:
        writer = _Writer(draw, [])
        lines = [HEADER.rstrip(), PRELUDE.rstrip(), ""]
        for name in module_functions:
            lines += ["", ""] + writer.function(name, depth)
        files["layers.py"] = "\n".join(lines) + "\n"
        style = draw(st.sampled_from(["star", "from", "module"]))
        if style == "star":
            main_lines.append("from layers import *")
        elif style == "from":
            main_lines.append(f"from layers import {', '.join(module_functions)}")
        else:
            main_lines.append("import layers")
            main_lines += [f"{name} = layers.{name}" for name in module_functions]
    main_lines += [PRELUDE.rstrip()]
    local = draw(st.lists(st.sampled_from([f for f in FUNCTIONS if f not in module_functions] or ["extra"]),
                          max_size=2, unique=True))
    writer = _Writer(draw, module_functions + local)
    for name in local:
        main_lines += ["", ""] + _Writer(draw, module_functions).function(name, depth)
    body = writer.block(0, depth, None, False)
    if draw(st.booleans()):
        main_lines += ["", "", "def main():", "    global x"] + ["    " + line for line in body]
        main_lines += ["", "", "if __name__ == '__main__':", "    main()"]
    else:
        main_lines += [""] + body
    files["main.py"] = "\n".join(main_lines) + "\n"
    if draw(st.booleans()):
        files["sibling.py"] = files["main.py"].replace("main.py", "sibling.py")  # a second entry sharing layers.py
    return files


def python_programs(kind: str = "grammar") -> "st.SearchStrategy[Project]":
    """hypothesmith's valid Python as a one-file project (ImportError when hypothesmith is missing)."""
    import hypothesmith

    source = hypothesmith.from_grammar() if kind == "grammar" else hypothesmith.from_node()
    return source.map(lambda text: {"main.py": HEADER + text})


REPO = Path(__file__).resolve().parent.parent
ODD_BYTES = [b"(", b")", b":", b"\t", b"    ", b"\\", b"'", b'"', b'"""', b"#", b"\x0c", b"\r", b"\r\n",
             "\u00e9".encode(), "\u2028".encode(), b"\xff", b"\x00", b"\xef\xbb\xbf", b"reuse=True, ",
             b"tf.AUTO_REUSE", b"lambda: ", b"yield ", b"await ", b"global x\n", b"*", b"@", b"\n"]


@functools.lru_cache(maxsize=None)
def _fixture_projects() -> tuple:
    return tuple(_read_fixture_projects())


def fixture_projects() -> List[Project]:
    """Every fixture as a project (a file, or a directory of files), keyed by path relative to it."""
    return [dict(p) for p in _fixture_projects()]


def _read_fixture_projects() -> List[Project]:
    """Every fixture as a project (a file, or a directory of files), keyed by path relative to it."""
    projects: List[Project] = []
    for group in sorted((REPO / "fixtures").iterdir()):
        if not group.is_dir():
            continue
        for entry in sorted(group.iterdir()):
            if entry.suffix == ".py":
                projects.append({entry.name: entry.read_text(encoding="utf-8")})
            elif entry.is_dir():
                projects.append({p.relative_to(entry).as_posix(): p.read_text(encoding="utf-8")
                                 for p in sorted(entry.rglob("*.py"))})
    return [p for p in projects if p]


@st.composite
def mutated_fixtures(draw: Callable) -> Dict[str, bytes]:
    """A real fixture with one to four edits: lines deleted, repeated, swapped, cut short, odd bytes put in."""
    project = draw(st.sampled_from(fixture_projects()))
    files = {name: text.encode("utf-8") for name, text in project.items()}
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(files)))
        data = files[name]
        rows = data.split(b"\n")
        kind = draw(st.sampled_from(["delete", "repeat", "swap", "truncate", "insert", "dedent", "indent"]))
        i = draw(st.integers(0, max(0, len(rows) - 1)))
        j = draw(st.integers(0, max(0, len(rows) - 1)))
        if kind == "delete":
            del rows[i]
        elif kind == "repeat":
            rows.insert(i, rows[i])
        elif kind == "swap":
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "dedent":
            rows[i] = rows[i].lstrip()
        elif kind == "indent":
            rows[i] = b"    " + rows[i]
        joined = b"\n".join(rows)
        if kind == "truncate":
            joined = joined[: draw(st.integers(0, len(joined)))]
        elif kind == "insert":
            at = draw(st.integers(0, len(joined)))
            joined = joined[:at] + draw(st.sampled_from(ODD_BYTES)) + joined[at:]
        files[name] = joined
    return files


NAME_LITERAL = re.compile(r"""(?<![\w'"])(['"])([A-Za-z_][A-Za-z0-9_]{0,30})\1""")


@st.composite
def renamed_fixtures(draw: Callable) -> Project:
    """A fixture TensorFlow can run, with one name string changed: to a fresh name (no new collision can
    appear, but a shared variable may stop being found) or to another name of the same file (a collision
    may appear). TensorFlow judges the result (fuzz/oracle.py)."""
    candidates = [p for p in fixture_projects() if "oracle: skip" not in "".join(p.values())
                  and any(NAME_LITERAL.search(text) for text in p.values())]
    project = dict(draw(st.sampled_from(candidates)))
    name = draw(st.sampled_from(sorted(n for n, text in project.items() if NAME_LITERAL.search(text))))
    text = project[name]
    matches = list(NAME_LITERAL.finditer(text))
    target = draw(st.sampled_from(matches))
    others = sorted({m.group(2) for m in matches} - {target.group(2)})
    fresh = draw(st.sampled_from(["renamed_by_fuzz", target.group(2) + "_2"] + others[:20]))
    project[name] = text[: target.start(2)] + fresh + text[target.end(2):]
    return project


# ----------------------------------------------------------------------------------- the properties
def _cli(args: Sequence[str]):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from tfscope_lint.cli import main

    import inspect
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters \
        else CliRunner()
    env = {"NO_COLOR": "1", "FORCE_COLOR": None, "CI": None, "COLUMNS": "200"}
    return runner.invoke(main, list(args), env=env, catch_exceptions=True)


def check_project(files: Dict[str, "str | bytes"], jobs_two: bool = True, runs: int = 2) -> List[str]:
    """Run `check` on the project; return what went wrong (an empty list when every property holds).

    Files may be bytes (arbitrary input): one that cannot be decoded may be reported as a problem, but
    an internal error never may.
    """
    broken: List[str] = []
    with tempfile.TemporaryDirectory(prefix="tfscope-fuzz-") as tmp:
        root = Path(tmp)
        lines: Dict[str, int] = {}
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
                try:
                    text = decode_source(content)
                except SourceError:
                    continue
            else:
                path.write_text(content, encoding="utf-8")
                text = content
            lines[os.path.realpath(path)] = max(1, len(python_lines(text)))
        base = ["check", "--output-format", "json", "--no-cache", str(root)]
        outputs = []
        for extra in [["--jobs", "1"]] * runs + ([["--jobs", "2"]] if jobs_two else []):
            result = _cli(base + extra)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                detail = "".join(traceback.format_exception(type(result.exception), result.exception,
                                                            result.exception.__traceback__))
                return [f"the CLI raised {type(result.exception).__name__}: {result.exception}\n{detail}"]
            if "Traceback" in result.stdout + result.stderr:
                broken.append("a traceback in the output")
            problems = [line for line in result.stderr.splitlines() if line.startswith("tfscope-lint: error:")]
            internal = [line for line in problems if "internal error" in line]
            if internal:
                broken.append(f"internal errors: {internal}")
            unexpected = [line for line in problems if line not in internal
                          and not any(line.startswith(f"tfscope-lint: error: {root / name}: ")
                                      for name, content in files.items() if isinstance(content, bytes))]
            if unexpected:
                broken.append(f"problems with valid text files: {unexpected}")
            if result.exit_code not in ((0, 1, 2) if problems else (0, 1)):
                broken.append(f"exit code {result.exit_code}")
            outputs.append(result.stdout + "\n".join(sorted(problems)))
            if broken:
                return broken
        if len(set(outputs[:runs])) > 1:
            broken.append("two runs printed different findings")
        if jobs_two and outputs[-1] != outputs[0]:
            broken.append("--jobs 2 printed different findings than --jobs 1")
        for finding in json.loads(result.stdout or "[]"):
            places = [(finding["path"], finding["line"], finding["column"], finding["code"])]
            places += [(r["path"], r["line"], r["column"], "related") for r in finding["related"]]
            if (finding["end_line"], finding["end_column"]) < (finding["line"], finding["column"]):
                broken.append(f"{finding['code']} ends before it starts: {finding}")
            for path, line, column, what in places:
                last = lines.get(os.path.realpath(path))
                if last is None:
                    broken.append(f"{what} in a file that was not checked or not decoded: {path}")
                elif not (1 <= line <= last) or column < 1:
                    broken.append(f"{what} at {line}:{column}, outside the file's {last} lines")
    return broken


def findings_of(files: Dict[str, "str | bytes"]) -> List[dict]:
    """The JSON findings of one run (for reporting what the fuzzer produced)."""
    with tempfile.TemporaryDirectory(prefix="tfscope-fuzz-") as tmp:
        for name, content in files.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        result = _cli(["check", "--output-format", "json", "--no-cache", "--jobs", "1", tmp])
        return json.loads(result.stdout or "[]")
