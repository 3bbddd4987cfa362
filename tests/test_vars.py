"""`tfscope-lint vars`: the inventory of an entry's variables and its comparison with a checkpoint.

What TF itself lists for the programs of tests/data/vars_programs is checked by tests/oracle/test_vars_oracle.py;
here the names below are the ones TF gave (run under TF 2.x compat.v1 when these tests were written).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest

from frontend_helpers import REPO, cli, write
from tfscope_lint.checkpoint import CheckpointVariable, read_listing
from tfscope_lint.compare import compare, training_state
from tfscope_lint.inventory import Inventory, inventories
from tfscope_lint.rules import RULES

PROGRAMS = REPO / "tests" / "data" / "vars_programs"
CHECKPOINTS = REPO / "tests" / "data" / "checkpoints"
ALL = set(RULES)
DEFAULT = {code for code, rule in RULES.items() if not rule.opt_in}


def listed(source: str, name: str = "main.py") -> Inventory:
    (inv,) = inventories({name: source}, [name])
    return inv


def by_name(inv: Inventory) -> Dict[str, object]:
    return {v.name: v for v in inv.variables}


def test_store_and_tf_variables_in_creation_order_with_tf_names() -> None:
    inv = listed((PROGRAMS / "naming.py").read_text(encoding="utf-8"))
    certain = [(v.name, v.shape, v.dtype, v.trainable) for v in inv.variables if v.certain]
    assert certain == [
        ("Variable", (), "float32", True), ("Variable_1", (), "float32", True),
        ("layer/w", (2,), "float32", True), ("layer/w_1", (2,), "float32", True),  # get_variable took 'layer/w'
        ("layer/scale", (), "float32", True),
        ("tower_0/conv", (3, 3), "float32", True), ("tower_1/conv", (3, 3), "float32", True),
        ("frozen", (1,), "float32", False),  # trainable=False is still global; 'local' is not listed
        ("layer/w/ExponentialMovingAverage", (2,), "float32", False),
        ("feed_1", (2,), "float32", True),  # a placeholder named by hand took 'feed'
    ]
    uncertain = [v.name for v in inv.variables if not v.certain]
    assert uncertain == ["?/bias", "?/total"]  # TF: layer_1/bias (scope opened again), stats/total (name_scope)
    assert inv.complete and by_name(inv)["layer/w/ExponentialMovingAverage"].slot_of == "layer/w"


def test_default_names_are_uniquified_case_insensitively_like_tf() -> None:
    inv = listed("import tensorflow as tf\nwith tf.variable_scope('a'):\n    tf.get_variable('w', [1])\n"
                 "    tf.Variable(1.0, name='w')\n    tf.Variable(1.0, name='W')\n"
                 "tf.Variable(1.0)\ntf.Variable(1.0, name='Variable_1')\ntf.Variable(2.0)\n")
    assert [v.name for v in inv.variables] == ["a/w", "a/w_1", "a/W_2", "Variable", "Variable_1", "Variable_2"]
    assert all(v.certain for v in inv.variables)


def test_unknown_parts_are_shown_never_dropped() -> None:
    inv = listed("import tensorflow as tf\nimport sys\nfor i in range(int(sys.argv[1])):\n"
                 "    with tf.variable_scope('tower_%d' % i):\n        tf.get_variable('w', [2])\n"
                 "if sys.argv[2]:\n    tf.get_variable('maybe', [1])\n")
    names = [(v.name, v.certain) for v in inv.variables]
    assert ("maybe", False) in names
    assert any(name.startswith("tower_?") and name.endswith("/w") for name, _ in names)
    assert not any(certain for name, certain in names if "?" in name)


def test_a_getter_the_analysis_cannot_follow_makes_the_inventory_incomplete() -> None:
    inv = listed("import tensorflow as tf\nimport getters\nwith tf.variable_scope('m', custom_getter=getters.g):\n"
                 "    tf.get_variable('w', [2])\n")
    assert not inv.complete


@pytest.mark.parametrize("creation", ["tf.keras.layers.Dense(4)(x)", "tf.get_variable(**options)",
                                      "tf.contrib.crf.crf_log_likelihood(x, y, z)"])
def test_a_creation_the_model_does_not_follow_makes_the_inventory_incomplete(creation: str) -> None:
    inv = listed(f"import tensorflow as tf\nimport config\noptions = config.OPTIONS\nx = tf.zeros([2, 3])\n"
                 f"w = tf.get_variable('w', [2])\n{creation}\n")
    assert [v.name for v in inv.variables] == ["w"] and not inv.complete
    assert listed("import tensorflow as tf\nx = tf.nn.relu(tf.zeros([2]))\nw = tf.get_variable('w', [2])\n"
                  "v = tf.trainable_variables()\ninit = tf.global_variables_initializer()\n").complete


def test_an_entry_that_does_not_build_says_so() -> None:
    inv = listed((REPO / "examples" / "gan_discriminator.py").read_text(encoding="utf-8"))
    assert not inv.builds and inv.variables[0].name == "generator/h0/w"
    assert listed((PROGRAMS / "small_model.py").read_text(encoding="utf-8")).builds


def test_uniquified_default_names_keep_their_known_text() -> None:
    inv = listed((REPO / "examples" / "gan_discriminator.py").read_text(encoding="utf-8"))
    assert "discriminator/logit/b/Adam_?" in [v.name for v in inv.variables if not v.certain]


def test_multi_module_project_lists_the_entry_once() -> None:
    sources = {str(p): p.read_text(encoding="utf-8") for p in sorted((PROGRAMS / "gan").glob("*.py"))}
    found = inventories(sources)
    assert [Path(inv.entry).name for inv in found] == ["main.py"]  # ops.py and models.py create nothing alone
    names = [v.name for v in found[0].variables if v.certain]
    assert names[:2] == ["generator/h0/w", "generator/h0/b"] and "discriminator/h1/b" in names
    assert names[-3:] == ["global_step", "beta1_power", "beta2_power"]


# ---------------------------------------------------------------------------- comparison
def _codes(inv: Inventory, listing: List[CheckpointVariable], enabled: set = DEFAULT) -> List[str]:
    return [f.code for f in compare(inv, listing, "ckpt", enabled).findings]


def test_the_unchanged_program_is_clean_against_the_checkpoint_tf_wrote() -> None:
    result = cli(["vars", str(PROGRAMS / "small_model.py"), "--checkpoint", str(CHECKPOINTS / "small.ckpt")])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "model/h0/w" in result.stdout


def test_a_renamed_scope_is_reported_with_the_rename(tmp_path: Path) -> None:
    program = tmp_path / "small_model.py"
    program.write_text((PROGRAMS / "small_model.py").read_text(encoding="utf-8").replace('"model"', '"net"'),
                       encoding="utf-8")
    result = cli(["vars", str(program), "--checkpoint", str(CHECKPOINTS / "small.ckpt"), "--output-format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (finding,) = data["findings"]
    assert finding["code"] == "TFS301" and finding["line"] == 8
    assert "'net/h0/w'" in finding["message"] and "'model/h0/w'" in finding["message"]
    assert "scope 'net' was 'model' when it was saved" in finding["message"]
    assert "3 more variables differ the same way" in finding["message"]
    assert [r["line"] for r in finding["related"]] == [9, 12, 13]
    assert data["checkpoint"]["variables"] == 13


def test_shape_and_dtype_differences() -> None:
    inv = listed("import tensorflow as tf\nw = tf.get_variable('w', [3, 4])\nv = tf.get_variable('v', [2], "
                 "dtype=tf.float64)\nu = tf.get_variable('u', [2])\n")
    listing = read_listing("w [3, 5] float32\nv [2] float32\nu [2]\n")
    findings = compare(inv, listing, "ckpt", DEFAULT).findings
    assert [(f.code, f.variable, f.location.line) for f in findings] == [("TFS303", "w", 2), ("TFS304", "v", 3)]
    assert "[3, 4]" in findings[0].message and "[3, 5]" in findings[0].message


def test_uncertain_names_are_never_missing_and_may_be_an_orphan() -> None:
    inv = listed("import tensorflow as tf\nimport sys\nwith tf.variable_scope(sys.argv[1]):\n"
                 "    tf.get_variable('w', [2])\nif sys.argv[2]:\n    tf.get_variable('b', [2])\n")
    assert _codes(inv, read_listing("enc/w [2]\n")) == []  # '?/w' may be enc/w; b exists on some paths only
    assert _codes(inv, read_listing("enc/w [2]\nother [1]\n")) == ["TFS302"]


def test_orphans_wait_for_a_complete_inventory() -> None:
    inv = listed("import tensorflow as tf\nimport getters\nw = tf.get_variable('w', [2])\n"
                 "with tf.variable_scope('m', custom_getter=getters.g):\n    tf.get_variable('v', [2])\n")
    assert _codes(inv, read_listing("w [2]\nold [2]\n")) == []
    assert _codes(inv, read_listing("x [2]\n")) == ["TFS301"]  # w is certain: it is missing whatever the rest


def test_training_state_is_opt_in() -> None:
    inv = listed("import tensorflow as tf\nw = tf.get_variable('w', [4, 2])\n")
    listing = read_listing("w [4, 2]\nw/Adam [4, 2]\nw/Adam_1 [4, 2]\nbeta1_power []\nbeta2_power_1 []\n"
                           "global_step []\nw/ExponentialMovingAverage [4, 2]\n")
    assert _codes(inv, listing) == []
    assert _codes(inv, listing, ALL) == ["TFS305"] * 6
    assert training_state("dense/kernel") is None and training_state("scope/global_step") == "the global step"


def test_an_orphan_that_is_no_rename_is_a_warning() -> None:
    inv = listed("import tensorflow as tf\nwith tf.variable_scope('enc'):\n    tf.get_variable('w', [2])\n")
    findings = compare(inv, read_listing("enc/w [2]\nenc/b [2]\n"), "ckpt.txt", DEFAULT).findings
    assert [(f.code, f.location.path, f.location.line) for f in findings] == [("TFS302", "ckpt.txt", 2)]


def test_ambiguous_renames_are_not_suggested() -> None:
    inv = listed("import tensorflow as tf\nwith tf.variable_scope('new'):\n    tf.get_variable('w', [2])\n")
    (finding,) = compare(inv, read_listing("a/w [2]\nb/w [2]\n"), "ckpt", {"TFS301"}).findings
    assert "holds it as" not in finding.message
    (finding,) = compare(inv, read_listing("a/w [2]\nb/w [3]\n"), "ckpt", {"TFS301"}).findings
    assert "'a/w'" in finding.message  # b/w has another shape: not the same variable


# ---------------------------------------------------------------------------- the command line
def test_vars_formats(tmp_path: Path) -> None:
    project = tmp_path / "gan"
    shutil.copytree(PROGRAMS / "gan", project)
    table = cli(["vars", str(project)])
    assert table.exit_code == 0 and "generator/h0/w" in table.stdout and "Momentum" in table.stdout
    data = json.loads(cli(["vars", str(project), "--output-format", "json"]).stdout)
    (entry,) = data["entries"]
    assert entry["entry"].endswith("main.py") and entry["complete"] is True
    first = entry["variables"][0]
    assert first == {"entry": entry["entry"], "name": "generator/h0/w", "shape": [3, 8], "dtype": "float32",
                     "trainable": True, "certain": True, "created_by": "get_variable", "slot_of": None,
                     "path": str(project / "ops.py"), "line": 7, "column": 13}
    rows = list(csv.DictReader(io.StringIO(cli(["vars", str(project), "--output-format", "csv"]).stdout)))
    assert len(rows) == len(entry["variables"]) and rows[0]["shape"] == "[3, 8]"


def test_vars_entry_and_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import tensorflow as tf\ntf.get_variable('a', [1])\n")
    write(tmp_path, "b.py", "import tensorflow as tf\ntf.get_variable('b', [1])\n")
    write(tmp_path, "ckpt.txt", "a [1]\n")
    several = cli(["vars", str(tmp_path), "--checkpoint", str(tmp_path / "ckpt.txt")])
    assert several.exit_code == 2 and "--entry" in several.stderr
    one = cli(["vars", str(tmp_path), "--entry", str(tmp_path / "a.py"), "--checkpoint", str(tmp_path / "ckpt.txt")])
    assert one.exit_code == 0, one.stderr
    other = cli(["vars", "--entry", str(tmp_path / "b.py"), "--checkpoint", str(tmp_path / "ckpt.txt"), "-q"])
    assert other.exit_code == 1 and "TFS301" in other.stdout and "b.py:2:1" in other.stdout
    assert cli(["vars", "--entry", str(tmp_path / "b.py"), "--checkpoint", str(tmp_path / "ckpt.txt"),
                "--ignore", "TFS301", "--exit-zero"]).exit_code == 0
    missing = cli(["vars", str(tmp_path), "--checkpoint", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such checkpoint" in missing.stderr


def test_explain_a_checkpoint_rule() -> None:
    page = cli(["explain", "TFS301", "--no-color"]).stdout
    assert "## Checkpoint" in page and "generator/h0/w [4, 2]" in page


@pytest.mark.parametrize("name", ["small_model.py", "naming.py", "gan"])
def test_check_findings_are_unchanged_by_the_notes(name: str) -> None:
    """The programs are clean for `check` (they build under TF): the inventory's notes change no check."""
    result = cli(["check", "--no-cache", str(PROGRAMS / name)])
    assert result.exit_code == 0, result.stdout


def test_readme_vars_examples_are_what_the_command_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Variables and checkpoints", 1)[1].split("\n## ", 1)[0]
    table, comparison = [block.split("```", 1)[0] for block in section.split("```\n$ ")[1:3]]
    monkeypatch.chdir(PROGRAMS)
    shown = [line for line in table.splitlines()[1:] if not line.startswith("...")]
    printed = cli(["vars", "small_model.py"], env={"COLUMNS": "100"}).stdout.splitlines()
    assert shown == printed[:len(shown) - 1] + printed[-1:]
    shutil.copytree(CHECKPOINTS, tmp_path / "tests" / "data" / "checkpoints")
    (tmp_path / "small_model.py").write_text(
        (PROGRAMS / "small_model.py").read_text(encoding="utf-8").replace('"model"', '"net"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli(["vars", "small_model.py", "--checkpoint", "tests/data/checkpoints/small.ckpt", "-q"])
    lines = comparison.splitlines()
    assert lines[1] == "$ tfscope-lint vars small_model.py --checkpoint tests/data/checkpoints/small.ckpt -q"
    assert [line for line in lines[2:] if not line.startswith("tfscope-lint: note")] == result.stdout.splitlines()


def test_the_configuration_files_selection_is_checks_not_vars(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint]\nselect = ["TFS1"]\n')
    write(tmp_path, "m.py", "import tensorflow as tf\ntf.get_variable('b', [1])\n")
    write(tmp_path, "ckpt.txt", "a [1]\n")
    result = cli(["vars", str(tmp_path / "m.py"), "--checkpoint", str(tmp_path / "ckpt.txt"), "-q"])
    assert result.exit_code == 1 and "TFS301" in result.stdout and "TFS302" in result.stdout
