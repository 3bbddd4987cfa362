"""Imports shared between entry runs: done once, and never a change in what is found."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

import pytest

from frontend_helpers import REPO, fixture_projects
from tfscope_lint.analysis import engine, units
from tfscope_lint.analysis.interpreter import Interpreter
from tfscope_lint.analysis.project import SHARE_IMPORTS, Project
from tfscope_lint.analysis.sharing import UndoLog

# A builder that reuses its variables from its second call on, counting its calls in a module list.
ENCODER = '''import tensorflow as tf

CREATED = []


def encoder(x):
    with tf.variable_scope("enc", reuse=len(CREATED) > 0):
        w = tf.get_variable("w", [4, 4])
    CREATED.append(w)
    return w
'''
# Builds twice: the second call reuses. TF: fine.
TRAIN_TWICE = '''import tensorflow as tf
import encoders

x = tf.placeholder(tf.float32, [None, 4])
encoders.encoder(x)
encoders.encoder(x)
'''
# Builds once, in its own process: CREATED starts empty and the call creates. TF: fine. Seeing the
# list TRAIN_TWICE filled would make this call reuse a variable that does not exist here.
TRAIN_ONCE = '''import tensorflow as tf
import encoders

x = tf.placeholder(tf.float32, [None, 4])
encoders.encoder(x)
'''
LIBRARY = '''import tensorflow as tf

SIZES = [4, 8]


def dense(x, name):
    with tf.variable_scope(name):
        return tf.get_variable("w", [SIZES[0], SIZES[1]])
'''


def _sources(tmp_path: Path, files: Dict[str, str]) -> Dict[str, str]:
    sources = {}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        sources[str(path)] = text
    return sources


def _codes(sources: Dict[str, str]) -> List[tuple]:
    findings, _ = engine.analyze(sources, jobs=1)
    return sorted((Path(f.location.path).name, f.location.line, f.code) for f in findings)


def test_a_library_import_runs_once_for_every_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"layers.py": LIBRARY}
    for k in range(3):
        files[f"train{k}.py"] = f"import tensorflow as tf\nimport layers\n\nlayers.dense(None, 'd{k}')\n"
    sources = _sources(tmp_path, files)
    runs: List[str] = []
    original = Interpreter.run_module

    def counting(self, module, as_main):  # type: ignore[no-untyped-def]
        if not as_main:
            runs.append(Path(module.path).name)
        return original(self, module, as_main)

    monkeypatch.setattr(Interpreter, "run_module", counting)
    project = Project(sources)
    engine.run_entries(project, sorted(p for p in sources if "train" in p))
    assert runs.count("layers.py") == 1
    monkeypatch.setenv(SHARE_IMPORTS, "0")
    runs.clear()
    engine.run_entries(Project(sources), sorted(p for p in sources if "train" in p))
    assert runs.count("layers.py") == 3


def _encoder_project(tmp_path: Path) -> Dict[str, str]:
    return _sources(tmp_path, {"encoders.py": ENCODER, "a_train_twice.py": TRAIN_TWICE,
                               "b_train_once.py": TRAIN_ONCE})


def test_what_a_run_writes_into_a_shared_import_is_undone(tmp_path: Path) -> None:
    assert _codes(_encoder_project(tmp_path)) == []


def test_without_the_undo_log_the_next_run_sees_the_last_ones_writes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: with the list left filled, the second script's call reuses."""
    monkeypatch.setattr(UndoLog, "restore", lambda self: None)
    assert ("encoders.py", 8, "TFS103") in _codes(_encoder_project(tmp_path))


def test_an_import_that_defines_flags_or_makes_a_template_is_not_shared(tmp_path: Path) -> None:
    sources = _sources(tmp_path, {
        "flagdefs.py": "import tensorflow as tf\ntf.flags.DEFINE_boolean('train', False, 'train')\n",
        "nets.py": "import tensorflow as tf\n\n\ndef body(x):\n    return tf.get_variable('w', [2])\n\n\n"
                   "net = tf.make_template('net', body)\n",
        "plain.py": LIBRARY,
        "main.py": "import tensorflow as tf\nimport flagdefs\nimport nets\nimport plain\n\n"
                   "print(flagdefs.tf, nets.net, plain.SIZES)\n",
    })
    project = Project(sources)
    units.run_entry(project, next(p for p in sources if p.endswith("main.py")))  # run_entries forgets them
    shared = {Path(p).name for p in project.shared_modules}
    assert "plain.py" in shared
    assert not shared & {"flagdefs.py", "nets.py"}


@pytest.mark.parametrize("project", fixture_projects(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_with_and_without_shared_imports(project: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sources = {str(p): p.read_text() for p in sorted(project.rglob("*.py"))}
    shared = engine.analyze(sources, jobs=1)
    monkeypatch.setenv(SHARE_IMPORTS, "0")
    alone = engine.analyze(sources, jobs=1)
    assert shared == alone


def test_findings_are_the_same_with_and_without_shared_imports_on_a_synthetic_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree of packages that import a common library, as real code bases do (benchmarks/synthetic.py):
    most imports are shared there, and what it finds must not change."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import synthetic
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    synthetic.generate(tmp_path / "tree", lines=8_000, seed=3)
    sources = {str(p): p.read_text() for p in sorted((tmp_path / "tree").rglob("*.py"))}
    shared = engine.analyze(sources, jobs=1)
    assert shared[0], "the tree holds errors TF raises: the comparison must cover findings"
    monkeypatch.setenv(SHARE_IMPORTS, "0")
    assert engine.analyze(sources, jobs=1) == shared


WARM = '''import encoders


def warm_up():
    encoders.CREATED.append("warm")  # the encoder's first call will reuse


warm_up()
'''
# TF: the first call reuses `enc/w`, which does not exist: a ValueError, in either script.
TRAIN_WARM = '''import tensorflow as tf
import warm
import encoders

x = tf.placeholder(tf.float32, [None, 4])
encoders.encoder(x)
'''


def test_an_import_that_writes_into_a_shared_import_is_run_again(tmp_path: Path) -> None:
    """warm.py imports encoders (shared once its import ends) and then fills its list: sharing warm
    would lose that write in the next run, once the undo log has emptied the list."""
    sources = _sources(tmp_path, {"encoders.py": ENCODER, "warm.py": WARM, "a.py": TRAIN_WARM,
                                  "b.py": TRAIN_WARM})
    project = Project(sources)
    for name in ("a.py", "b.py"):
        result = units.run_entry(project, next(p for p in sources if p.endswith("/" + name)))
        assert [(Path(f.location.path).name, f.code) for f in result.findings] == [("encoders.py", "TFS103")], name
    assert not any(p.endswith("/warm.py") for p in project.shared_modules)


UNITS = '''import tensorflow as tf

FLAGS = tf.flags.FLAGS
UNITS = FLAGS.units
'''
# Each script builds under TF: `sizes` is imported after the flags are parsed, and UNITS is the
# width this script defines. Sharing the first script's import of `sizes` would give the second
# script UNITS = 8 and a shape mismatch that TF does not raise.
SCRIPT_WITH_UNITS = '''import tensorflow as tf

tf.flags.DEFINE_integer("units", {units}, "layer width")


def main(_):
    import sizes
    with tf.variable_scope("m"):
        tf.get_variable("w", [sizes.UNITS])
    with tf.variable_scope("m", reuse=True):
        tf.get_variable("w", [{units}])


if __name__ == "__main__":
    tf.app.run(main)
'''


def test_an_import_that_reads_a_flag_is_not_shared(tmp_path: Path) -> None:
    sources = _sources(tmp_path, {"sizes.py": UNITS, "a_wide.py": SCRIPT_WITH_UNITS.format(units=8),
                                  "b_narrow.py": SCRIPT_WITH_UNITS.format(units=4)})
    assert _codes(sources) == []
    project = Project(sources)
    units.run_entry(project, next(p for p in sources if p.endswith("a_wide.py")))
    assert not any(p.endswith("/sizes.py") for p in project.shared_modules)


# A switch that selects a path: the script runs again with --train=True, and still imports `layers`.
# TF: builds as it is; with --train=True, `d/w` (4, 8) is fetched as (4, 4), a ValueError.
SWITCHED_SCRIPT = '''import tensorflow as tf
import layers

tf.flags.DEFINE_boolean("train", False, "build the training graph")
FLAGS = tf.flags.FLAGS


def main(_):
    layers.dense(None, "d")
    if FLAGS.train:
        with tf.variable_scope("d", reuse=True):
            tf.get_variable("w", [4, 4])


if __name__ == "__main__":
    tf.app.run(main)
'''


def test_the_run_with_a_setting_flipped_shares_the_imports_too(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _sources(tmp_path, {"layers.py": LIBRARY, "train.py": SWITCHED_SCRIPT})
    runs: List[str] = []
    original = Interpreter.run_module

    def counting(self, module, as_main):  # type: ignore[no-untyped-def]
        runs.append(Path(module.path).name + (" as a script" if as_main else ""))
        return original(self, module, as_main)

    monkeypatch.setattr(Interpreter, "run_module", counting)
    findings, _ = engine.analyze(sources, jobs=1)
    assert [(f.code, f.location.line, "--train=True" in f.message) for f in findings] == [("TFS105", 12, True)]
    assert runs.count("train.py as a script") == 2 and runs.count("layers.py") == 1
