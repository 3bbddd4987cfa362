"""Never crash, never lie, never damage (issue 7), through the real CLI and the real analysis.

1. The bad-input matrix: whatever a repository holds, each odd file gets one clear line naming it
   (a TFS001 finding at Python's own line, or a problem on stderr), the other files are still
   checked, the exit code says what happened (1 findings, 2 the tool could not do its job on some
   input), and no traceback ever reaches the output.
2. Pathological programs finish quickly and report no false error.
3. Isolation: an internal error on one file costs that file only; its traceback only with --verbose.
4. Read-only: `check` leaves the checked tree byte-identical, its cache directory excepted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from click.testing import Result

from frontend_helpers import REPO, cli, write
from tfscope_lint.analysis.interpreter import Interpreter

H = "import tensorflow as tf\n"
# A file with one certain error (TFS101 at line 3): proof that the rest of a run was still checked.
GOOD = H + "w = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n"


class Run:
    """One CLI run with JSON findings: what every test looks at."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.findings: List[dict] = json.loads(result.stdout) if result.stdout.strip() else []
        self.problems = [line for line in self.stderr.splitlines() if line.startswith("tfscope-lint: error:")]

    def at(self, path: Path) -> List[Tuple[str, int]]:
        """(code, line) of the findings in one file."""
        want = os.path.realpath(path)
        return sorted((f["code"], f["line"]) for f in self.findings if os.path.realpath(f["path"]) == want)

    def problem(self, path: Path) -> str:
        """The one problem line naming `path` (exactly one must)."""
        lines = [line for line in self.problems if f": {path}: " in line]
        assert len(lines) == 1, (path, self.stderr)
        return lines[0]


def check(*args: str, verbose: bool = False) -> Run:
    argv = ["check", "--output-format", "json", "--no-cache", "--jobs", "1"]
    result = cli(argv + (["--verbose"] if verbose else []) + list(args))
    run = Run(result)
    if not verbose:
        assert_no_traceback(run.stdout + run.stderr)
    return run


def assert_no_traceback(output: str) -> None:
    for marker in ("Traceback (most recent call last)", "RecursionError", 'File "'):
        assert marker not in output, output[-3000:]


def one_line_each(run: Run) -> None:
    """Every problem is one line that names a file and gives a reason."""
    for line in run.problems:
        assert line.count(": ") >= 2 and "\n" not in line


# ============================================================================ 1. bad-input matrix
SYNTAX = {  # name: (source, line where Python places the error)
    "print_statement": (H + 'print "hello"\n', 2),
    "print_chevron_trailing_comma": (H + "import sys\nprint >>sys.stderr, 'x',\nprint 'y',\n", 4),
    "backticks": (H + "x = `1`\n", 2),
    "long_suffix": (H + "x = 10L\n", 2),
    "old_octal": (H + "mode = 0755\n", 2),
    "except_comma": (H + "try:\n    pass\nexcept ValueError, e:\n    pass\n", 4),  # libcst reads a tuple
    "exec_statement": (H + 'exec "x = 1"\n', 2),
    "raise_comma": (H + 'raise ValueError, "bad"\n', 2),
    "ur_prefix": (H + 'x = ur"abc"\n', 2),
    "diamond_operator": (H + "if 1 <> 2:\n    pass\n", 2),
    "tuple_parameters": (H + "def f((a, b)):\n    return a\n", 2),
    "lambda_tuple_parameters": (H + "g = lambda (a, b): a\n", 2),
    "async_as_argument_name": (H + "f(async=True)\n", 2),
    "unclosed_paren": (H + "x = (1,\ny = 2\n", 2),
    "unclosed_bracket_at_eof": (H + "x = [1,\n", 2),
    "unterminated_string": (H + 's = "abc\n', 2),
    "unterminated_triple_quote": (H + 's = """abc\n\nmore\n', 2),
    "unexpected_indent": (H + "x = 1\n    y = 2\n", 3),
    "unindent_mismatch": (H + "if True:\n        x = 1\n    y = 2\n", 4),
    "missing_colon": (H + "def f()\n    pass\n", 2),
    "double_equals": (H + "x = = 1\n", 2),
    "bad_parameter_list": (H + "\n\ndef f(:\n  pass\n", 4),
    "assign_to_literal": (H + "1 = x\n", 2),
    "tabs_mixed_with_spaces": (H + "if True:\n\tx = 1\n        y = 2\n", 4),
    "nested_parentheses_1000": (H + "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", 2),
    "nested_blocks_1000": (H + "".join(" " * i + "if True:\n" for i in range(1000)) + " " * 1000 + "x = 1\n", 102),
}


def test_syntax_errors_and_python2_files_are_tfs001_at_pythons_line(tmp_path: Path) -> None:
    for name, (source, _) in SYNTAX.items():
        write(tmp_path, f"{name}.py", source)
    good = write(tmp_path, "good.py", GOOD)
    run = check(str(tmp_path))
    wrong = {name: run.at(tmp_path / f"{name}.py") for name, (_, line) in SYNTAX.items()
             if run.at(tmp_path / f"{name}.py") != [("TFS001", line)]}
    assert wrong == {}, "\n".join(f"{name}: got {got}, want TFS001 at line {SYNTAX[name][1]}"
                                  for name, got in wrong.items())
    for finding in (f for f in run.findings if f["code"] == "TFS001"):
        assert "syntax error" in finding["message"] and "\n" not in finding["message"], finding
    assert run.at(good) == [("TFS101", 3)]  # the other files are still checked
    assert (run.code, run.problems) == (1, [])


@pytest.mark.parametrize("name", ["a\u200db", "\U00031a1a"], ids=["zero_width_joiner", "unassigned_code_point"])
def test_names_python_rejects_are_tfs001(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "odd_name.py", H + f"{name} = tf.get_variable('w', [3])\n")
    good = write(tmp_path, "good.py", GOOD)
    run = check(str(tmp_path))
    assert run.at(good) == [("TFS101", 3)]  # isolated either way
    assert (run.at(path), run.problems, run.code) == ([("TFS001", 2)], [], 1)


def test_python2_message_says_what_python_says(tmp_path: Path) -> None:
    path = write(tmp_path, "old.py", SYNTAX["print_statement"][0])
    run = check(str(path))
    assert "Missing parentheses in call to 'print'" in run.findings[0]["message"]


def test_compile_time_syntax_errors_are_tfs001(tmp_path: Path) -> None:
    cases = {"return_outside": H + "return 1\n", "break_outside": H + "break\n",
             "nonlocal_at_module": H + "nonlocal x\n", "duplicate_argument": H + "def f(a, a):\n    pass\n"}
    for name, source in cases.items():
        write(tmp_path, f"{name}.py", source)
    # the compiler allows 20 statically nested blocks; the 21st `with` is a SyntaxError on its line
    write(tmp_path, "blocks_nested_21_deep.py", H + "".join(
        "    " * i + f"with tf.variable_scope('s{i}'):\n" for i in range(21)) + "    " * 21 + "pass\n")
    run = check(str(tmp_path))
    assert {name: run.at(tmp_path / f"{name}.py") for name in cases} == {name: [("TFS001", 2)] for name in cases}
    assert run.at(tmp_path / "blocks_nested_21_deep.py") == [("TFS001", 22)]
    write(tmp_path, "with_21_items.py", H + "with " + ", ".join(f"tf.variable_scope('s{i}')" for i in range(21))
          + ":\n    pass\n")
    assert check(str(tmp_path)).at(tmp_path / "with_21_items.py") == [("TFS001", 2)]


@pytest.mark.parametrize("name, data, line, column", [
    ("bom.py", b"\xef\xbb\xbf" + GOOD.encode(), 3, 5),
    ("crlf.py", GOOD.replace("\n", "\r\n").encode(), 3, 5),
    ("cr_only.py", GOOD.replace("\n", "\r").encode(), 3, 5),
    ("tabs_only.py", (H + "if True:\n\tw = tf.get_variable('w', [3])\n\tw = tf.get_variable('w', [3])\n").encode(), 4, 6),
    ("latin1_cookie.py", b"# -*- coding: latin-1 -*-\n" + H.encode()
     + b"w = tf.get_variable('poids_\xe9', [3])\nw = tf.get_variable('poids_\xe9', [3])\n", 4, 5),
])
def test_encodings_and_line_endings_keep_lines_and_columns(tmp_path: Path, name: str, data: bytes,
                                                            line: int, column: int) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    run = check(str(path))
    assert [(f["code"], f["line"], f["column"]) for f in run.findings] == [("TFS101", line, column)]
    assert (run.code, run.problems) == (1, [])
    if "latin1" in name:
        assert "poids_é" in run.findings[0]["message"]  # decoded as the cookie says


@pytest.mark.parametrize("name, data, reason", [
    ("invalid_utf8.py", H.encode() + b"x = '\xff\xfe'\n", "cannot decode"),
    ("nul_byte.py", H.encode() + b"x = 1\x00\n", "NUL byte"),
    ("unknown_cookie.py", b"# coding: klingon\n" + H.encode(), "cannot decode"),
    ("cookie_disagrees_with_bom.py", b"\xef\xbb\xbf# coding: latin-1\n" + H.encode(), "cannot decode"),
])
def test_undecodable_files_are_one_line_problems(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    good = write(tmp_path, "good.py", GOOD)
    run = check(str(tmp_path))
    assert reason in run.problem(bad)
    assert run.at(good) == [("TFS101", 3)] and run.at(bad) == []
    assert run.code == 2 and len(run.problems) == 1
    one_line_each(run)


@pytest.mark.parametrize("odd", ["\x0c", "\u2028", "\x85", "\x1c"])
def test_code_frames_count_lines_as_python_does(tmp_path: Path, odd: str) -> None:
    """A form feed (or another character str.splitlines breaks at) inside a line does not shift the frames."""
    first = odd if odd == "\x0c" else f"# {odd}"  # only a form feed may stand outside a comment or string
    path = write(tmp_path, "m.py", H + f"{first}\nx = 'a{odd}b'  # {odd}\n" + GOOD[len(H):])
    result = cli(["check", "--no-cache", "--output-format", "full", str(path)])
    assert result.exit_code == 1
    assert "5 | w = tf.get_variable('w', [3])" in result.stdout
    assert "4 | w = tf.get_variable('w', [3])" in result.stdout


def test_noqa_in_a_file_with_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "cr.py"
    path.write_bytes(GOOD.replace("\n", "\r").replace("[3])\r", "[3])  # noqa: TFS101\r").encode())
    run = check(str(path))
    assert (run.code, run.findings) == (0, [])


def test_empty_and_comment_only_files(tmp_path: Path) -> None:
    write(tmp_path, "empty.py", "")
    write(tmp_path, "blank.py", "\n\n\n")
    write(tmp_path, "comment.py", "# import tensorflow as tf\n")
    write(tmp_path, "bom_only.py", "\ufeff")
    run = check(str(tmp_path))
    assert (run.code, run.findings, run.problems) == (0, [], [])
    assert cli(["check", "--no-cache", str(tmp_path)]).stderr.strip() == "All checks passed (4 files checked)."


def test_ten_megabyte_generated_file(tmp_path: Path) -> None:
    """A 10 MB generated data module (as *_pb2.py or weight tables are) beside a TF file."""
    row = ", ".join(f"{i / 7:.6f}" for i in range(12))
    rows = 10_000_000 // (len(row) + 8) + 1
    big = tmp_path / "generated_table.py"
    big.write_text("TABLE = [\n" + f"    [{row}],\n" * rows + "]\n", encoding="utf-8")
    assert big.stat().st_size >= 10_000_000
    good = write(tmp_path, "good.py", GOOD)
    started = time.perf_counter()
    run = check(str(tmp_path))
    assert time.perf_counter() - started < 20
    assert run.at(good) == [("TFS101", 3)] and run.at(big) == []
    assert (run.code, run.problems) == (1, [])


DEEP_VALID = {  # 1,000 levels that Python accepts: analysed, or one line saying what was skipped
    "not_1000": H + "x = " + "not " * 1000 + "1\n",
    "minus_1000": H + "x = " + "-" * 1000 + "1\n",
    "sum_1000": H + "x = " + " + ".join(["1"] * 1000) + "\n",
    "power_1000": H + "x = " + " ** ".join(["1"] * 1000) + "\n",
    "attribute_chain_1000": H + "x = tf" + ".a" * 1000 + "\n",
    "call_chain_1000": H + "x = tf.identity" + "()" * 1000 + "\n",
    "subscript_chain_1000": H + "x = y" + "[0]" * 1000 + "\n",
    "lambda_1000": H + "f = " + "lambda: " * 1000 + "1\n",
    "conditional_1000": H + "x = " + "1 if y else " * 1000 + "0\n",
    "elif_1000": H + "y = 0\nif y == 0:\n    pass\n" + "".join(f"elif y == {i}:\n    pass\n" for i in range(1, 1000)),
    "comparison_1000": H + "x = " + " < ".join(["1"] * 1000) + "\n",
    "boolean_1000": H + "x = " + " and ".join(["y"] * 1000) + "\n",
}


def test_thousand_deep_expressions(tmp_path: Path) -> None:
    for name, source in DEEP_VALID.items():
        write(tmp_path, f"{name}.py", source)
    good = write(tmp_path, "good.py", GOOD)
    started = time.perf_counter()
    run = check(str(tmp_path))
    elapsed = time.perf_counter() - started
    assert run.at(good) == [("TFS101", 3)]
    assert [f for f in run.findings if f["path"] != str(good)] == []  # valid Python: never TFS001
    one_line_each(run)
    assert run.problems == []  # the deep stack lets the analysis through every one of them
    assert run.code == 1
    assert elapsed < 30


@pytest.mark.skipif(__import__("multiprocessing").get_start_method(allow_none=False) != "fork",
                    reason="worker processes inherit the analysis thread's large stack only when forked")
def test_deep_nesting_in_worker_processes(tmp_path: Path) -> None:
    """8,000 chained operators crashed libcst's parser with a segmentation fault on an 8 MB stack."""
    source = H + "x = " + " and ".join(["y"] * 8000) + "\n"
    write(tmp_path, "a.py", source)
    write(tmp_path, "b.py", source)
    good = write(tmp_path, "good.py", GOOD)
    result = cli(["check", "--output-format", "json", "--no-cache", "--jobs", "2", str(tmp_path)])
    run = Run(result)
    assert_no_traceback(run.stdout + run.stderr)
    assert run.at(good) == [("TFS101", 3)] and run.problems == [] and run.code == 1


def test_symlink_loops_in_a_walked_directory(tmp_path: Path) -> None:
    root = tmp_path / "project"
    good = write(root, "pkg/good.py", GOOD)
    os.symlink("..", root / "pkg" / "parent")          # a directory loop: not followed
    os.symlink("self.py", root / "self.py")            # a file that is a loop of its own
    os.symlink("b.py", root / "a.py")
    os.symlink("a.py", root / "b.py")                  # a two-link loop
    os.symlink("missing.py", root / "dangling.py")
    run = check(str(root))
    assert run.at(good) == [("TFS101", 3)]
    for name in ("self.py", "a.py", "b.py", "dangling.py"):
        assert "cannot read" in run.problem(root / name)
    assert run.code == 2 and len(run.problems) == 4
    one_line_each(run)
    # named on the command line
    run = check(str(root / "self.py"), str(good))
    assert "symbolic link" in run.problem(root / "self.py") and run.at(good) == [("TFS101", 3)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    good = write(tmp_path, "good.py", GOOD)
    run = check(str(tmp_path))
    assert "not a regular file" in run.problem(tmp_path / "pipe.py")
    assert run.at(good) == [("TFS101", 3)] and run.code == 2


def _unreadable_really(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return True
    return False


def test_unreadable_file_permission_denied(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.py", GOOD)
    good = write(tmp_path, "good.py", GOOD)
    secret.chmod(0)
    try:
        if not _unreadable_really(secret):
            pytest.skip("running as root (or on a file system without permissions): chmod 000 does not "
                        "stop reads; test_unreadable_file_simulated covers the same path")
        run = check(str(tmp_path))
    finally:
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert "cannot read: Permission denied" in run.problem(secret)
    assert run.at(good) == [("TFS101", 3)] and run.code == 2


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as chmod 000 for a non-root user, whoever runs the tests."""
    secret = write(tmp_path, "secret.py", GOOD)
    good = write(tmp_path, "good.py", GOOD)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    run = check(str(tmp_path))
    assert run.problem(secret).endswith(f"{secret}: cannot read: Permission denied")
    assert run.at(good) == [("TFS101", 3)] and run.code == 2 and len(run.problems) == 1


def test_unlistable_directory_is_a_problem_not_a_silent_hole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    write(locked, "hidden.py", GOOD)
    good = write(tmp_path, "good.py", GOOD)
    real = os.scandir

    def scandir(path=".") -> object:  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    run = check(str(tmp_path))
    assert "cannot list directory: Permission denied" in run.problem(locked)
    assert run.at(good) == [("TFS101", 3)] and run.code == 2


def test_directory_named_like_a_python_file(tmp_path: Path) -> None:
    inner = write(tmp_path, "models.py/inner.py", GOOD)
    run = check(str(tmp_path))
    assert (run.at(inner), run.problems, run.code) == ([("TFS101", 3)], [], 1)
    run = check(str(tmp_path / "models.py"))  # named explicitly: walked as the directory it is
    assert (run.at(inner), run.problems, run.code) == ([("TFS101", 3)], [], 1)


def test_paths_with_spaces_and_non_ascii_names(tmp_path: Path) -> None:
    names = ["with space.py", "dir with space/m o d.py", "ünïcödé_模型.py", "каталог/файл.py"]
    for name in names:
        write(tmp_path, name, GOOD)
    run = check(str(tmp_path))
    assert sorted(os.path.relpath(f["path"], tmp_path) for f in run.findings) == sorted(names)
    assert (run.code, run.problems) == (1, [])
    run = check(*(str(tmp_path / name) for name in names))
    assert len(run.findings) == 4 and run.code == 1


def process_env(**extra: str) -> Dict[str, str]:
    """The environment of a real tfscope-lint process, importable from any working directory."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, NO_COLOR="1", **extra)


def test_non_ascii_names_on_an_ascii_terminal(tmp_path: Path) -> None:
    """A real process whose stdout cannot encode the file name: escaped, never UnicodeEncodeError."""
    path = write(tmp_path, "ünï_模型.py", GOOD)
    env = process_env(PYTHONIOENCODING="ascii")
    for fmt in ("concise", "full", "github", "json"):
        proc = subprocess.run([sys.executable, "-m", "tfscope_lint", "check", "--no-cache", "--output-format", fmt,
                               str(path)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert_no_traceback(proc.stdout + proc.stderr)
        assert "TFS101" in proc.stdout


def test_non_existent_path_and_the_others_still_checked(tmp_path: Path) -> None:
    good = write(tmp_path, "good.py", GOOD)
    missing = tmp_path / "nowhere" / "model.py"
    run = check(str(missing), str(good), str(tmp_path / "gone_dir"))
    assert run.problem(missing).endswith("no such file or directory")
    assert run.problem(tmp_path / "gone_dir").endswith("no such file or directory")
    assert run.at(good) == [("TFS101", 3)] and run.code == 2


def test_same_file_given_many_ways_is_checked_once(tmp_path: Path) -> None:
    good = write(tmp_path, "pkg/good.py", GOOD)
    os.symlink(good, tmp_path / "alias.py")
    run = check(str(good), str(good), str(tmp_path / "pkg" / ".." / "pkg" / "good.py"), str(tmp_path),
                str(tmp_path / "alias.py"))
    assert len(run.findings) == 1 and run.code == 1 and run.problems == []
    assert "(1 file checked)" in cli(["check", "--no-cache", str(good), str(tmp_path / "alias.py")]).stderr


def test_whole_matrix_in_a_real_process(tmp_path: Path) -> None:
    """Everything above in one directory, run as a user would: exit 2, one line each, no traceback."""
    for name, (source, _) in list(SYNTAX.items())[:8]:
        write(tmp_path, f"syntax/{name}.py", source)
    (tmp_path / "invalid_utf8.py").write_bytes(b"x = '\xff'\n")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    write(tmp_path, "empty.py", "")
    write(tmp_path, "dir.py/inner.py", GOOD)
    write(tmp_path, "spaced name ü.py", GOOD)
    os.symlink("loop.py", tmp_path / "loop.py")
    for name, source in list(DEEP_VALID.items())[:3]:
        write(tmp_path, f"deep/{name}.py", source)
    proc = subprocess.run([sys.executable, "-m", "tfscope_lint", "check", "--no-cache", str(tmp_path),
                           str(tmp_path / "missing.py")], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=process_env())
    assert proc.returncode == 2
    assert_no_traceback(proc.stdout + proc.stderr)
    problems = [line for line in proc.stderr.splitlines() if line.startswith("tfscope-lint: error:")]
    assert len(problems) == 4  # invalid UTF-8, NUL, the symlink loop, the missing path
    assert sum(1 for line in proc.stdout.splitlines() if " TFS001 " in line) == 8
    assert sum(1 for line in proc.stdout.splitlines() if " TFS101 " in line) == 3


# ============================================================================ 2. pathological programs
PATHOLOGICAL: Dict[str, Dict[str, str]] = {
    "direct_recursion": {"main.py": H + '''

def tower(x, depth):
    with tf.variable_scope("level%d" % depth):
        w = tf.get_variable("w", [4, 4])
        if depth > 0:
            return tower(tf.matmul(x, w), depth - 1)
        return x


def forever(x):
    with tf.variable_scope("f", reuse=tf.AUTO_REUSE):
        tf.get_variable("w", [4])
        return forever(x)


out = tower(tf.zeros([1, 4]), 30)
if out is None:
    forever(out)
'''},
    "mutual_recursion": {"main.py": H + '''

def even(x, n):
    with tf.variable_scope("even%d" % n):
        tf.get_variable("w", [2])
        return x if n == 0 else odd(x, n - 1)


def odd(x, n):
    with tf.variable_scope("odd%d" % n):
        tf.get_variable("w", [2])
        return even(x, n - 1)


def ping(x):
    return pong(x)


def pong(x):
    with tf.variable_scope("pp", reuse=tf.AUTO_REUSE):
        tf.get_variable("w", [2])
    return ping(x)


even(tf.zeros([2]), 40)
'''},
    "loop_10000_distinct_variables": {"main.py": H + '''
weights = []
for i in range(10000):
    weights.append(tf.get_variable("w_%d" % i, [3]))
with tf.variable_scope("blocks"):
    for i in range(10000):
        with tf.variable_scope("block%d" % i):
            tf.get_variable("kernel", [3, 3])
'''},
    "builder_5000_calls_auto_reuse": {"main.py": H + '''

def dense(x):
    with tf.variable_scope("dense", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", [8, 8])
        b = tf.get_variable("b", [8], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


x = tf.zeros([1, 8])
for _ in range(5000):
    x = dense(x)
'''},
    # 20 statically nested blocks is as deep as Python's compiler goes (21 is a SyntaxError: see below)
    "scopes_20_nested_blocks": {"main.py": H + "".join(
        "    " * i + f"with tf.variable_scope('s{i}'):\n" for i in range(20)) + "    " * 20 + "w = tf.get_variable('w', [1])\n"},
    "scopes_20_in_one_with": {"main.py": H + "with " + ", ".join(  # each item is a block too
        f"tf.variable_scope('s{i}')" for i in range(20)) + ":\n    w = tf.get_variable('w', [1])\n"},
    "scopes_200_by_recursion": {"main.py": H + '''

def deep(n):
    if n == 0:
        return tf.get_variable("w", [1])
    with tf.variable_scope("s%d" % n):
        return deep(n - 1)


deep(200)
'''},
    "scopes_200_exit_stack": {"main.py": H + '''import contextlib

with contextlib.ExitStack() as stack:
    for i in range(200):
        stack.enter_context(tf.variable_scope("s%d" % i))
    w = tf.get_variable("w", [1])
'''},
    "huge_strings": {"main.py": H + "PREFIX = " + " + ".join(f'"part{i}_"' for i in range(2000)) + "\n"
                     + "LITERAL = '" + "y" * 1_000_000 + "'\nBIG = 'x' * 10000000\n" + '''
s = ""
for i in range(10000):
    s += "ab%d" % i
w = tf.get_variable(PREFIX[:5] + "w", [1])
v = tf.get_variable(BIG[:3], [1])
u = tf.get_variable(s[:20], [1])
z = tf.get_variable(LITERAL + "q", [1])
t = tf.get_variable(BIG + "t", [1])
'''},
    "exec_and_eval": {"main.py": H + '''
namespace = {"tf": tf}
exec("w = tf.get_variable('w', [3])", namespace)
name = eval("'v'")
v = tf.get_variable(name, [3])
code = compile("tf.get_variable('u', [1])", "<generated>", "exec")
exec(code, {"tf": tf})
table = eval("{'a': 1}")
'''},
    "tf_rebound_to_something_else": {"main.py": H + '''

class FakeTF(object):
    def get_variable(self, name, shape):
        return (name, shape)

    def variable_scope(self, name):
        return open(__file__)


tf = FakeTF()
a = tf.get_variable("w", [3])
b = tf.get_variable("w", [3])
'''},
    "tf_rebound_by_assignment_chain": {"main.py": '''import tensorflow
import numpy as tf

tf = tensorflow.compat.v1 if False else tf
a = tf.zeros([3])
b = tf.zeros([3])
'''},
    "star_import_of_tf": {"defs.py": H + "import numpy as np\n\nHIDDEN = 16\n", "main.py": '''from defs import *


def layer(x, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [HIDDEN, HIDDEN])
        return tf.matmul(x, w)


h = layer(tf.zeros([1, HIDDEN]), "a")
h = layer(h, "b")
'''},
    "star_import_of_a_fake_tf": {"fakedefs.py": '''class _T(object):
    def get_variable(self, name, shape):
        return name


tf = _T()
''', "main.py": '''from fakedefs import *
import tensorflow

a = tf.get_variable("w", [3])
b = tf.get_variable("w", [3])
'''},
}

# Analysis bugs found by these programs: each keeps its test, marked strict so that the fix shows.
KNOWN_BAD: Dict[str, str] = {}  # name -> why the analysis still gets it wrong (strict xfail)
PATHOLOGICAL["monkeypatched_get_variable"] = {"main.py": H + '''
_real = tf.get_variable
_cache = {}


def my_getter(name, *args, **kwargs):
    if name not in _cache:
        _cache[name] = _real(name, *args, **kwargs)
    return _cache[name]


tf.get_variable = my_getter
a = tf.get_variable("w", [3])
b = tf.get_variable("w", [3])
'''}
PATHOLOGICAL["monkeypatched_variable_scope"] = {"main.py": H + '''
import contextlib


@contextlib.contextmanager
def no_scope(*args, **kwargs):
    yield


tf.variable_scope = no_scope
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("b"):
    v = tf.get_variable("v", [3])
'''}

BUDGET_SECONDS = 5.0
TIMINGS: Dict[str, float] = {}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BAD[name])) if name in KNOWN_BAD else name
    for name in PATHOLOGICAL])
def test_pathological_program(tmp_path: Path, name: str) -> None:
    for filename, source in PATHOLOGICAL[name].items():
        write(tmp_path, filename, source)
    started = time.perf_counter()
    run = check(str(tmp_path))
    TIMINGS[name] = elapsed = time.perf_counter() - started
    assert run.findings == [], f"false error: {run.findings}"
    assert run.problems == [], run.stderr
    assert run.code == 0
    assert elapsed < BUDGET_SECONDS, f"{name} took {elapsed:.1f}s"


def test_budget_cut_is_quiet_and_verbose_says_where(tmp_path: Path) -> None:
    """A run cut short by the step budget reports nothing it did not see; --verbose names the place."""
    write(tmp_path, "main.py", H + "\n\ndef count():\n    total = 0\n    for i in range(60):\n"
          "        for j in range(60):\n            for k in range(60):\n                total += 1\n"
          "    return total\n\n\ncount()\nw = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n")
    write(tmp_path, "deep.py", H + "".join(f"\n\ndef f{i}(x):\n    return f{i + 1}(x)\n" for i in range(50))
          + "\n\ndef f50(x):\n    return tf.get_variable('w', [3])\n\n\nf0(1)\nf0(1)\n")
    quiet = check(str(tmp_path))
    assert (quiet.findings, quiet.problems, quiet.code) == ([], [], 0)
    assert "note" not in quiet.stderr
    loud = check(str(tmp_path), verbose=True)
    assert (loud.findings, loud.problems, loud.code) == ([], [], 0)
    notes = sorted(line for line in loud.stderr.splitlines() if line.startswith("tfscope-lint: note:"))
    assert len(notes) == 2, loud.stderr
    assert f"{tmp_path / 'deep.py'}: calls nested deeper than 40 levels were not followed (first at " in notes[0]
    assert f"{tmp_path / 'main.py'}: analysis stopped at {tmp_path / 'main.py'}:9: it ran out of" in notes[1]


def test_pathological_controls_are_still_found(tmp_path: Path) -> None:
    """The same shapes with a real error: the programs above pass because they are right, not because the
    analysis gave up on them."""
    write(tmp_path, "builder.py", PATHOLOGICAL["builder_5000_calls_auto_reuse"]["main.py"].replace(
        ', reuse=tf.AUTO_REUSE', ''))
    write(tmp_path, "mutual.py", PATHOLOGICAL["mutual_recursion"]["main.py"] + "even(tf.zeros([2]), 40)\n")
    write(tmp_path, "nested.py", PATHOLOGICAL["scopes_20_nested_blocks"]["main.py"]
          + "    " * 20 + "v = tf.get_variable('w', [1])\n")
    write(tmp_path, "one_with.py", PATHOLOGICAL["scopes_20_in_one_with"]["main.py"]
          + "    v = tf.get_variable('w', [1])\n")
    write(tmp_path, "strings.py", H + "PREFIX = " + " + ".join(f'"p{i}"' for i in range(2000)) + "\n"
          + "a = tf.get_variable(PREFIX[:4], [1])\nb = tf.get_variable('p0p1', [1])\n")
    write(tmp_path, "star/defs.py", H + "HIDDEN = 16\n")
    write(tmp_path, "star/main.py", "from defs import *\n\na = tf.get_variable('w', [HIDDEN])\n"
          "b = tf.get_variable('w', [HIDDEN])\n")
    run = check(str(tmp_path))
    flagged = {os.path.relpath(f["path"], tmp_path) for f in run.findings}
    assert flagged == {"builder.py", "mutual.py", "nested.py", "one_with.py", "strings.py", "star/main.py"}
    assert run.problems == []


# ============================================================================ 3. isolation
def _boom_on(monkeypatch: pytest.MonkeyPatch, method: str, filename: str) -> None:
    """Make the interpreter raise while it runs `filename` (a stand-in for any analysis bug)."""
    real = getattr(Interpreter, method)

    def exploding(self, ctx, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.path.basename(ctx.path) == filename:
            raise RuntimeError("simulated analysis bug\nwith a second line that must not show")
        return real(self, ctx, *args, **kwargs)

    monkeypatch.setattr(Interpreter, method, exploding)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_internal_error_in_one_file_costs_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         jobs: str) -> None:
    _boom_on(monkeypatch, "run_module", "boom.py")
    boom = write(tmp_path, "boom.py", GOOD)
    first = write(tmp_path, "a_good.py", GOOD)
    last = write(tmp_path, "z_good.py", GOOD)
    result = cli(["check", "--output-format", "json", "--no-cache", "--jobs", jobs, str(tmp_path)])
    run = Run(result)
    assert_no_traceback(run.stdout + run.stderr)
    assert run.at(first) == [("TFS101", 3)] and run.at(last) == [("TFS101", 3)]
    line = run.problem(boom)
    assert "internal error" in line and "RuntimeError: simulated analysis bug" in line and "second line" not in line
    assert run.code == 2 and len(run.problems) == 1
    verbose = Run(cli(["check", "--output-format", "json", "--no-cache", "--jobs", jobs, "--verbose", str(tmp_path)]))
    assert "Traceback (most recent call last)" in verbose.stderr and "simulated analysis bug" in verbose.stderr
    assert verbose.findings == run.findings and verbose.code == 2


def test_internal_error_outside_the_interpreter_is_isolated_too(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception that escapes the whole analysis (here: while parsing one file) is pinned on its file; the
    other files are analysed together again, imports between them included."""
    from tfscope_lint.analysis.project import SourceFile

    real = SourceFile.parse

    def parse(self):  # type: ignore[no-untyped-def]
        if self.path.endswith("boom.py"):
            raise ValueError("simulated parser crash")
        return real(self)

    monkeypatch.setattr(SourceFile, "parse", parse)
    boom = write(tmp_path, "boom.py", GOOD)
    write(tmp_path, "layers.py", H + "\n\ndef dense(x):\n    with tf.variable_scope('dense'):\n"
          "        return tf.get_variable('w', [3])\n")
    main = write(tmp_path, "main.py", H + "from layers import dense\n\ndense(1)\ndense(2)\n")
    result = cli(["check", "--output-format", "json", "--no-cache", str(tmp_path)])
    run = Run(result)
    assert_no_traceback(run.stdout + run.stderr)
    assert "ValueError: simulated parser crash" in run.problem(boom)
    assert [f["code"] for f in run.findings] == ["TFS102"]  # the cross-module error, found without boom.py
    assert os.path.realpath(run.findings[0]["related"][-1]["path"]) == os.path.realpath(main)
    assert run.code == 2 and len(run.problems) == 1
    verbose = cli(["check", "--no-cache", "--verbose", str(tmp_path)])
    assert "Traceback (most recent call last)" in verbose.stderr and "simulated parser crash" in verbose.stderr


def test_a_crashed_worker_process_is_pinned_on_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies (a segmentation fault in a native parser, the OOM killer) loses one file, not the run."""
    from tfscope_lint.analysis.project import SourceFile

    real = SourceFile.parse

    def parse(self):  # type: ignore[no-untyped-def]
        if self.path.endswith("boom.py"):
            os._exit(139)
        return real(self)

    monkeypatch.setattr(SourceFile, "parse", parse)
    boom = write(tmp_path, "boom.py", GOOD)
    good = write(tmp_path, "good.py", GOOD)
    other = write(tmp_path, "other.py", GOOD)
    run = Run(cli(["check", "--output-format", "json", "--no-cache", "--jobs", "2", str(tmp_path)]))
    assert_no_traceback(run.stdout + run.stderr)
    assert "process died" in run.problem(boom)
    assert run.at(good) == [("TFS101", 3)] and run.at(other) == [("TFS101", 3)]
    assert run.code == 2 and len(run.problems) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_the_analysis_stops_at_once(tmp_path: Path) -> None:
    """The analysis runs on a thread of its own: Ctrl-C must still end the process quickly and cleanly
    (exit 130, no traceback, no SIGABRT from a shutdown under a running thread, no worker left behind).
    The real entry point (`python -m tfscope_lint`), and SIGINT to the process group as a terminal sends
    it; tests/test_cli_interrupt.py sends it at every moment of a run, 30 times each."""
    write(tmp_path, "a.py", GOOD)
    write(tmp_path, "b.py", GOOD)
    script = (
        "import runpy, sys, time\n"
        "from tfscope_lint.analysis import project\n"
        "def slow(sources, **options):\n"
        "    print('analysing', file=sys.stderr, flush=True)\n"
        "    time.sleep(60)\n"
        "project.analyze_sources = slow\n"
        f"sys.argv = ['tfscope-lint', 'check', '--no-cache', {str(tmp_path)!r}]\n"
        "runpy.run_module('tfscope_lint', run_name='__main__')\n"
    )
    import signal
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=process_env(), start_new_session=True)
    assert process.stderr is not None
    assert process.stderr.readline().strip() == "analysing"
    os.killpg(process.pid, signal.SIGINT)
    started = time.perf_counter()
    out, err = process.communicate(timeout=30)
    assert time.perf_counter() - started < 5
    assert process.returncode == 130 and "Aborted!" in err
    assert_no_traceback(out + err)


# ============================================================================ 4. read-only
def _snapshot(root: Path, skip: str) -> Dict[str, Tuple[str, int, Optional[str]]]:
    """Every entry under root: (kind, mode, sha256 or link target), the cache directory left out."""
    entries: Dict[str, Tuple[str, int, Optional[str]]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != skip]
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            key = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entries[key] = ("link", info.st_mode, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entries[key] = ("dir", info.st_mode, None)
            else:
                entries[key] = ("file", info.st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
    return entries


def test_output_file_never_overwrites_a_checked_file(tmp_path: Path) -> None:
    model = write(tmp_path, "model.py", GOOD)
    train = write(tmp_path, "train.py", GOOD)
    result = cli(["check", "--no-cache", "-o", str(model), str(model), str(train)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert model.read_text(encoding="utf-8") == GOOD


def test_check_leaves_the_checked_tree_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "project"
    shutil.copytree(REPO / "fixtures", tree / "fixtures", symlinks=True)
    shutil.copy(REPO / "pyproject.toml", tree / "pyproject.toml")  # so the project root, and its cache, is here
    before = _snapshot(tree, ".tfscope_cache")
    monkeypatch.chdir(tree)
    for args in (["fixtures"], ["fixtures"], ["--output-format", "sarif", "fixtures/core"]):  # cold, warm cache
        result = cli(["check", "--quiet", *args])
        assert result.exit_code == 1, result.stderr
    assert (tree / ".tfscope_cache").is_dir()  # the default cache went to the project root ...
    assert _snapshot(tree, ".tfscope_cache") == before  # ... and nothing else changed, appeared or vanished


def test_warnings_python_gives_about_the_checked_code_stay_off_stderr(tmp_path: Path) -> None:
    """`x is 1` and "\\d" make Python's compiler warn; those are the checked code's business."""
    write(tmp_path, "warns.py", H + 'x = 1\nif x is 1:\n    y = "\\d"\nw = tf.get_variable("w", [1])\n')
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "tfscope_lint", "check", "--no-cache",
                           str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


def test_code_for_older_pythons_and_other_toolchains(tmp_path: Path) -> None:
    """`async` as a name (valid up to 3.6) is a syntax error that says why; an unknown __future__ feature
    (Google's internal `google_type_annotations`) does not stop the analysis of the file."""
    old = write(tmp_path, "old.py", H + "def make(lr, async=False):\n    return tf.get_variable('w', [1])\n")
    future = write(tmp_path, "future.py", "from __future__ import google_type_annotations\n" + H
                   + "a = tf.get_variable('w', [1])\nb = tf.get_variable('w', [1])\n")
    run = check(str(tmp_path))
    assert run.at(old) == [("TFS001", 2)] and run.at(future) == [("TFS101", 4)]
    message = next(f["message"] for f in run.findings if f["path"] == str(old))
    assert "valid before Python 3.7" in message
