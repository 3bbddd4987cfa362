"""Small conventions users expect: --fail-on, `check -`, --config files shared with other tools,
--show-settings and --show-files, JUnit counts that add up, SARIF links and code flows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from frontend_helpers import cli, fake_analysis, needs_interpreter, write  # noqa: F401
from test_cli_project import gan_project

WARNING_ONLY = "import tensorflow as tf\nx = 1  # fake: TFS201\n"
ERROR_TOO = WARNING_ONLY + "y = 2  # fake: TFS102\n"


@pytest.mark.usefixtures("fake_analysis")
def test_fail_on_error_lets_warnings_alone_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", WARNING_ONLY)
    assert cli(["check", "--no-cache", str(path)]).exit_code == 1
    assert cli(["check", "--no-cache", "--fail-on", "warning", str(path)]).exit_code == 1
    assert cli(["check", "--no-cache", "--fail-on", "error", str(path)]).exit_code == 0
    write(tmp_path, "a.py", ERROR_TOO)
    assert cli(["check", "--no-cache", "--fail-on", "error", str(path)]).exit_code == 1


@pytest.mark.usefixtures("fake_analysis")
def test_dash_reads_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(["check", "--no-cache", "--output-format", "json", "-"], input=WARNING_ONLY)
    assert result.exit_code == 1 and [f["path"] for f in json.loads(result.stdout)] == ["-"]
    assert cli(["check", "--no-cache", "-"], input="x = 1\n").exit_code == 0
    both = cli(["check", "--no-cache", "-", "other.py"], input="x = 1\n")
    assert both.exit_code == 2 and "do not pass other paths" in both.stderr


@pytest.mark.usefixtures("fake_analysis")
def test_a_config_file_shared_with_other_tools(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", ERROR_TOO)
    shared = write(tmp_path, "lint.toml", '[tool.ruff]\nline-length = 100\n\n[tool.tfscope-lint]\nignore = ["TFS102"]\n')
    result = cli(["check", "--no-cache", "--config", str(shared), "--output-format", "json", str(path)])
    assert [f["code"] for f in json.loads(result.stdout)] == ["TFS201"], result.stderr
    ours = write(tmp_path, "tfscope.toml", 'ignore = ["TFS2"]\n')  # a file of our keys only, as before
    result = cli(["check", "--no-cache", "--config", str(ours), "--output-format", "json", str(path)])
    assert [f["code"] for f in json.loads(result.stdout)] == ["TFS102"]


@pytest.mark.usefixtures("fake_analysis")
def test_junit_counts_add_up(tmp_path: Path) -> None:
    write(tmp_path, "clean.py", "x = 1\n")
    write(tmp_path, "found.py", ERROR_TOO)
    (tmp_path / "binary.py").write_bytes(b"\x00\x01")
    result = cli(["check", "--no-cache", "--output-format", "junit", str(tmp_path)])
    root = ET.fromstring(result.stdout)
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites), key
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")


@needs_interpreter
def test_sarif_links_related_locations_and_shows_the_call_chain(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    log = json.loads(cli(["check", "--no-cache", "--output-format", "sarif", "models/gan.py"]).stdout)
    (result,) = log["runs"][0]["results"]
    text = result["message"]["text"]
    assert "([" in text and "first created here](1)" in text and "[called from here](2)" in text
    ids = [r["id"] for r in result["relatedLocations"]]
    assert ids == list(range(1, len(ids) + 1))
    steps = [step["location"] for step in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    places = [(s["physicalLocation"]["artifactLocation"]["uri"], s["physicalLocation"]["region"]["startLine"])
              for s in steps]
    assert places == [("train.py", 7), ("models/gan.py", 11), ("models/gan.py", 6)]


@needs_interpreter
def test_show_settings_and_show_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint]\nignore = ["TFS202"]\n')
    monkeypatch.chdir(tmp_path / "models")
    shown = cli(["check", "--show-settings", "gan.py"])
    assert shown.exit_code == 0
    rows = dict(line.split(": ", 1) for line in shown.stdout.splitlines())
    assert rows["config file"] == str((tmp_path / "pyproject.toml").resolve())
    assert rows["project root"] == str(tmp_path) and rows["cache dir"] == str(tmp_path.resolve() / ".tfscope_cache")
    assert "TFS202" not in rows["enabled codes"].split() and "TFS102" in rows["enabled codes"].split()
    assert not (tmp_path / ".tfscope_cache").exists()  # showing creates nothing
    files = cli(["check", "--show-files", "gan.py"])
    assert files.exit_code == 0
    assert files.stdout.splitlines() == ["# 1 file checked", "gan.py",
                                         "# 2 entry scripts run (their imports reach a checked file)",
                                         "gan.py", str(tmp_path / "train.py")]
