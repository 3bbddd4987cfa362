"""`tfscope-lint check`, `rules`, `explain`, `--version` end to end through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_helpers import BUILDER_TWICE, REPO, cli, fake_analysis, needs_interpreter, write  # noqa: F401
from tfscope_lint import __version__
from tfscope_lint.output.progress import ProgressBar, wanted
from tfscope_lint.rules import RULES

BROKEN = "import tensorflow as tf\n\nw = tf.get_variable('w', [3])  # fake: TFS102\n"
CLEAN = "import tensorflow as tf\n\nw = tf.get_variable('w', [3])\n"


def test_version() -> None:
    result = cli(["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tfscope-lint {__version__}"


@pytest.mark.usefixtures("fake_analysis")
def test_concise_line_related_and_summary(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", BROKEN)
    result = cli(["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:3:1: TFS102 missing-reuse: fake TFS102 finding",
        f"  {path}:1:1: first created here",
    ]
    assert result.stderr.strip() == "Found 1 error (1 file checked)."


@pytest.mark.usefixtures("fake_analysis")
def test_clean_run_exits_zero(tmp_path: Path) -> None:
    write(tmp_path, "a.py", CLEAN)
    write(tmp_path, "pkg/b.py", CLEAN)
    result = cli(["check", str(tmp_path)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert "All checks passed (2 files checked)." in result.stderr


@pytest.mark.usefixtures("fake_analysis")
def test_warnings_alone_still_exit_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", "x = 1  # fake: TFS201\n")
    result = cli(["check", str(path)])
    assert result.exit_code == 1
    assert "Found 1 warning (1 file checked)." in result.stderr


@pytest.mark.usefixtures("fake_analysis")
def test_exit_zero_and_quiet(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", BROKEN)
    result = cli(["check", "--exit-zero", "--quiet", str(path)])
    assert result.exit_code == 0
    assert "TFS102" in result.stdout
    assert result.stderr == ""


def test_nonexistent_path_is_named_and_others_still_checked(tmp_path: Path) -> None:
    write(tmp_path, "a.py", CLEAN)
    missing = tmp_path / "nope.py"
    result = cli(["check", str(missing), str(tmp_path / "a.py")])
    assert result.exit_code == 2
    assert f"tfscope-lint: error: {missing}: no such file or directory" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert "1 file checked" in result.stderr


@pytest.mark.usefixtures("fake_analysis")
@pytest.mark.parametrize("content, reason", [
    (b"x = '\xff\xfe'  # latin-1 bytes, no cookie\n", "cannot decode"),
    (b"\x00\x01binary", "not a text file"),
])
def test_unreadable_file_is_named_and_the_others_checked(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(content)
    write(tmp_path, "good.py", BROKEN)
    result = cli(["check", str(tmp_path)])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("tfscope-lint: error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and reason in errors[0]
    assert "TFS102" in result.stdout  # good.py was still checked


def test_empty_file_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.py", "")
    assert cli(["check", str(path)]).exit_code == 0


def test_bad_option_exits_two() -> None:
    result = cli(["check", "--no-such-option"])
    assert result.exit_code == 2
    assert "--no-such-option" in result.stderr


def test_bad_output_format_exits_two() -> None:
    result = cli(["check", "--output-format", "xml", "."])
    assert result.exit_code == 2
    assert "xml" in result.stderr


@pytest.mark.usefixtures("fake_analysis")
def test_stdin_filename(tmp_path: Path) -> None:
    result = cli(["check", "--stdin-filename", "pkg/model.py", "-"], input=BROKEN)
    assert result.exit_code == 1
    assert result.stdout.startswith("pkg/model.py:3:1: TFS102 missing-reuse:")


def test_stdin_filename_with_paths_is_refused(tmp_path: Path) -> None:
    result = cli(["check", "--stdin-filename", "a.py", str(tmp_path)], input=CLEAN)
    assert result.exit_code == 2
    assert "--stdin-filename" in result.stderr


@pytest.mark.usefixtures("fake_analysis")
def test_statistics(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BROKEN + "v = 1  # fake: TFS102\nu = 2  # fake: TFS201\n")
    result = cli(["check", "--statistics", str(tmp_path)])
    assert result.exit_code == 1
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["2", "TFS102", "missing-reuse"],
        ["1", "TFS201", "variable-in-reused-builder"],
    ]
    as_json = json.loads(cli(["check", "--statistics", "--output-format", "json", str(tmp_path)]).stdout)
    assert as_json[0] == {"code": "TFS102", "name": "missing-reuse", "severity": "error", "count": 2}


@pytest.mark.usefixtures("fake_analysis")
def test_output_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", BROKEN)
    out = tmp_path / "report.json"
    result = cli(["check", "--output-format", "json", "-o", str(out), str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())[0]["code"] == "TFS102"


@pytest.mark.usefixtures("fake_analysis")
class TestColour:
    def test_no_colour_in_a_pipe(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.py", BROKEN)
        result = cli(["check", str(path)])
        assert "\x1b[" not in result.stdout + result.stderr

    def test_colour_when_forced_as_a_terminal(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.py", BROKEN)
        result = cli(["check", str(path)], env={"FORCE_COLOR": "1"})
        assert "\x1b[" in result.stdout

    @pytest.mark.parametrize("args, env", [(["--no-color"], {}), ([], {"NO_COLOR": "1"})])
    def test_no_color_flag_and_env(self, tmp_path: Path, args: list, env: dict) -> None:
        path = write(tmp_path, "a.py", BROKEN)
        result = cli(["check", *args, str(path)], env=dict({"FORCE_COLOR": "1"}, **env))
        assert "\x1b[" not in result.stdout + result.stderr
        assert "TFS102 missing-reuse" in result.stdout


def test_progress_bar_only_for_a_person_at_a_terminal() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert wanted(Tty(), quiet=False, env={})
    assert not wanted(Tty(), quiet=True, env={})
    assert not wanted(Tty(), quiet=False, env={"CI": "true"})
    with open(os.devnull, "w") as pipe:
        assert not wanted(pipe, quiet=False, env={})


def test_progress_bar_waits_for_many_files(tmp_path: Path) -> None:
    stream = open(tmp_path / "tty.txt", "w")
    bar = ProgressBar(stream, threshold=3)
    bar.files_found(2)
    assert bar._bar is None
    bar.files_found(3)
    assert bar._bar is not None
    bar.file_read("a.py")
    bar.analysing()
    bar.close()


def test_progress_bar_counts_the_analysis_and_its_clock_runs_on(tmp_path: Path) -> None:
    from tfscope_lint.analysis import engine

    stream = open(tmp_path / "tty.txt", "w")
    bar = ProgressBar(stream, threshold=1)
    bar.files_found(2)
    bar.file_read("a.py")
    bar.file_read("b.py")
    assert bar._bar is not None
    started = bar._bar.tasks[0].start_time
    bar.analysing()
    seen = []
    for jobs in (1, 2):  # the main process counts, or the workers through a shared counter
        sources = {str(tmp_path / f"m{i}.py"): "import tensorflow as tf\nx = tf.get_variable('x', [1])\n"
                   for i in range(3)}
        engine.analyze(sources, jobs=jobs, on_entry=lambda done, total: (seen.append((done, total)),
                                                                          bar.entries_done(done, total)))
        assert seen[0] == (0, 3) and seen[-1] == (3, 3)
        seen.clear()
    task = bar._bar.tasks[0]
    assert (task.description, task.completed, task.total) == ("analysing", 3, 3)
    assert task.start_time == started  # one clock from the first file read
    bar.close()
    assert bar._bar is None


@pytest.mark.usefixtures("fake_analysis")
def test_no_progress_bar_in_pipes(tmp_path: Path) -> None:
    for index in range(30):
        write(tmp_path, f"m{index}.py", CLEAN)
    result = cli(["check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.strip() == "All checks passed (30 files checked)."


def test_internal_error_is_reported_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfscope_lint.analysis import project

    def crash(sources: dict, **options: object) -> tuple:
        raise RuntimeError("boom")

    monkeypatch.setattr(project, "analyze_sources", crash)
    path = write(tmp_path, "a.py", CLEAN)
    result = cli(["check", str(path)])
    assert result.exit_code == 2
    assert f"tfscope-lint: error: {path}: internal error in the analysis: RuntimeError: boom" in result.stderr


def test_rules_table_lists_every_rule() -> None:
    result = cli(["rules"])
    assert result.exit_code == 0
    for rule in RULES.values():
        line = next(line for line in result.stdout.splitlines() if rule.code in line)
        assert rule.name in line and rule.severity in line


def test_rules_json() -> None:
    data = json.loads(cli(["rules", "--output-format", "json"]).stdout)
    assert [r["code"] for r in data] == list(RULES)
    assert set(data[0]) == {"code", "name", "severity", "summary", "opt_in"}


@pytest.mark.parametrize("code", list(RULES))
def test_explain_every_rule(code: str) -> None:
    rule = RULES[code]
    result = cli(["explain", code.lower()])
    assert result.exit_code == 0
    page = result.stdout
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to fix"):
        assert heading in page
    assert rule.bad_example.strip() in page and rule.good_example.strip() in page
    assert cli(["explain", rule.name]).stdout == page


def test_explain_unknown_rule() -> None:
    result = cli(["explain", "TFS999"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "tfscope-lint: error: unknown rule 'TFS999'; `tfscope-lint rules` lists them all"


def _run_module(*args: str, cwd: Path = REPO, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "tfscope_lint", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, input=stdin, timeout=120)


def test_python_dash_m_works_the_same(tmp_path: Path) -> None:
    assert _run_module("--version").stdout.strip() == f"tfscope-lint {__version__}"
    clean = write(tmp_path, "clean.py", CLEAN)
    proc = _run_module("check", str(clean))
    assert (proc.returncode, proc.stdout) == (0, "")
    proc = _run_module("check", str(tmp_path / "missing.py"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == f"tfscope-lint: error: {tmp_path / 'missing.py'}: no such file or directory"
    assert "Traceback" not in proc.stderr
    bogus = _run_module("check", "--bogus")
    assert "Usage: tfscope-lint" in bogus.stderr and bogus.returncode == 2


def test_fast_exit_flushes_long_output(tmp_path: Path) -> None:
    """The process ends with os._exit (no freeing of the trees): everything written must still arrive."""
    for i in range(40):
        write(tmp_path, f"m{i}.py", "import tensorflow as tf\n" + "".join(
            f"w = tf.get_variable('w', [{n}])\n" for n in range(1, 60)))
    proc = _run_module("check", "--no-cache", "--output-format", "json", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert len(json.loads(proc.stdout)) == 40 * 58


@needs_interpreter
def test_real_finding_end_to_end() -> None:
    proc = _run_module("check", "--output-format", "json", str(BUILDER_TWICE.relative_to(REPO)))
    assert proc.returncode == 1, proc.stderr
    codes = [(f["code"], f["line"]) for f in json.loads(proc.stdout)]
    assert ("TFS102", 5) in codes


@needs_interpreter
def test_real_stdin_end_to_end() -> None:
    proc = _run_module("check", "--stdin-filename", "model.py", stdin=BUILDER_TWICE.read_text())
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("model.py:5:")
