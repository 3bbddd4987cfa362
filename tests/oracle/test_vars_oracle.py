"""`tfscope-lint vars` against real TensorFlow, on the programs of tests/data/vars_programs.

For each program TF builds the graph and lists tf.global_variables(); `vars --output-format json` must
list the same variables: every certain one with TF's name, shape, dtype and trainability, in TF's order,
and every one TF lists either certain or matched by a name with unknown parts. Then TF saves a
checkpoint: the program is clean against it and TF restores it; a refactored copy that renames a scope
is reported (TFS301, with the rename) and TF's restore of it fails on a variable the finding names.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from frontend_helpers import REPO, cli  # noqa: E402

pytestmark = pytest.mark.oracle

PROGRAMS = REPO / "tests" / "data" / "vars_programs"
RUNNER = Path(__file__).resolve().parent / "vars_oracle.py"
# program -> (text replaced, replacement) for the refactor that renames a scope; None: listing only
CASES: Dict[str, Tuple[str, str]] = {"small_model.py": ('"model"', '"net"'), "gan": ("generator", "gen"),
                                     "naming.py": ('"layer"', '"block"')}


def _tf(target: Path, *options: str) -> dict:
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(RUNNER), str(target), *options], capture_output=True, text=True,
                          env=env, timeout=600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1])


def _vars(target: Path, *options: str) -> Tuple[int, dict]:
    entry = ["--entry", str(target / "main.py")] if target.is_dir() else []
    result = cli(["vars", str(target), *entry, "--output-format", "json", *options])
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed: pip install tensorflow-cpu tf-keras tf-slim")
    out = {}
    for name, (old, new) in CASES.items():
        work = tmp_path_factory.mktemp(name.replace(".py", ""))
        original = work / "original" / name
        renamed = work / "renamed" / name
        for target in (original, renamed):
            if (PROGRAMS / name).is_dir():
                shutil.copytree(PROGRAMS / name, target)
            else:
                target.parent.mkdir(parents=True)
                shutil.copy(PROGRAMS / name, target)
        for path in (renamed.rglob("*.py") if renamed.is_dir() else [renamed]):
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        prefix = str(work / "ckpt" / "model.ckpt")
        built = _tf(original, "--save", prefix, "--restore", prefix)
        out[name] = {"tf": built, "original": original, "renamed": renamed, "prefix": prefix,
                     "renamed_tf": _tf(renamed, "--restore", prefix)}
    return out


def _pattern(name: str) -> "re.Pattern[str]":
    return re.compile("".join(".+" if ch == "?" else re.escape(ch) for ch in name) + r"\Z")


@pytest.mark.parametrize("name", list(CASES))
def test_vars_lists_what_tf_global_variables_lists(name: str, runs: dict) -> None:
    tf_run = runs[name]["tf"]
    assert tf_run["built"], tf_run["error"]
    tf_vars: List[list] = tf_run["variables"]
    tf_by_name = {v[0]: v for v in tf_vars}
    _, data = _vars(runs[name]["original"])
    (entry,) = data["entries"]
    ours = entry["variables"]
    certain = [v for v in ours if v["certain"]]
    for v in certain:
        assert v["name"] in tf_by_name, f"{v['name']} is listed as certain but TF does not create it"
        _, shape, dtype, trainable = tf_by_name[v["name"]]
        if v["shape"] is not None:
            assert len(v["shape"]) == len(shape) and all(d is None or d == e for d, e in zip(v["shape"], shape)), v
        assert v["dtype"] in (None, dtype), v
        assert v["trainable"] in (None, trainable), v
    order = [n for n, *_ in tf_vars if n in {v["name"] for v in certain}]
    assert [v["name"] for v in certain] == order, "certain variables in TF's creation order"
    uncertain = [_pattern(v["name"]) for v in ours if not v["certain"]]
    for tf_name, *_ in tf_vars:
        assert tf_name in {v["name"] for v in certain} or any(p.match(tf_name) for p in uncertain), \
            f"TF creates {tf_name}, which vars does not list"


@pytest.mark.parametrize("name", list(CASES))
def test_the_unchanged_program_is_clean_against_its_checkpoint(name: str, runs: dict) -> None:
    assert runs[name]["tf"]["restore_error"] is None
    code, data = _vars(runs[name]["original"], "--checkpoint", runs[name]["prefix"], "--select", "TFS3")
    assert code == 0 and data["findings"] == []


@pytest.mark.parametrize("name", list(CASES))
def test_a_renamed_scope_is_reported_with_the_rename(name: str, runs: dict) -> None:
    old, new = CASES[name]
    error = runs[name]["renamed_tf"]["restore_error"]
    assert error and "not found in checkpoint" in error, error
    code, data = _vars(runs[name]["renamed"], "--checkpoint", runs[name]["prefix"])
    assert code == 1
    missing = [f for f in data["findings"] if f["code"] == "TFS301"]
    assert missing, data["findings"]
    reported = set()
    for finding in missing:
        reported.update(re.findall(r"^Variable '([^']+)'", finding["message"]))
        reported.update(re.findall(r"^'([^']+)' is missing too", r["message"])[0] for r in finding["related"])
    key = re.search(r"Key (\S+) not found in checkpoint", error).group(1)
    assert key in reported, (key, reported)
    old_scope, new_scope = old.strip('"'), new.strip('"')
    assert any(f"scope '{new_scope}' was '{old_scope}' when it was saved" in f["message"] for f in missing)


@pytest.mark.parametrize("change, code, tf_text", [
    (("[3, 1]", "[3, 2]"), "TFS303", "Assign requires shapes of both tensors to match"),
    (("dtype=tf.float64", "dtype=tf.float32"), "TFS304", "does not equal original dtype"),
])
def test_shape_and_dtype_changes_fail_as_tf_restore_does(change: Tuple[str, str], code: str, tf_text: str,
                                                         runs: dict, tmp_path: Path) -> None:
    program = tmp_path / "small_model.py"
    text = (PROGRAMS / "small_model.py").read_text(encoding="utf-8")
    assert change[0] in text
    program.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    prefix = runs["small_model.py"]["prefix"]
    error = _tf(program, "--restore", prefix)["restore_error"]
    assert error and tf_text in error, error
    exit_code, data = _vars(program, "--checkpoint", prefix)
    assert exit_code == 1
    line = next(i for i, row in enumerate(text.splitlines(), 1) if change[0] in row)
    assert [(f["code"], f["line"]) for f in data["findings"]] == [(code, line)]
