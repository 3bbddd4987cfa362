"""Files named on the command line are checked in the context of their project, and the cache
stays out of the way (its own .gitignore and CACHEDIR.TAG, at the project root, never in the
current directory or next to a --config file)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

from frontend_helpers import cli, needs_interpreter, write
from tfscope_lint.analysis import engine, units

# Checked under TensorFlow (tests/oracle/run_oracle.py on the project, train.py as main.py): with
# reuse=True, the graph builds; without it, "Variable discriminator/h0/kernel already exists" at
# train.py:7 -> models/gan.py:11 -> models/gan.py:6.
GAN = '''import tensorflow as tf


def discriminator(images, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(images, 128, activation=tf.nn.leaky_relu, name="h0")
        return tf.layers.dense(h, 1, name="logit")


def discriminate_fake(images):
    return discriminator(images, reuse=True)
'''
TRAIN = '''import tensorflow as tf
from models.gan import discriminate_fake, discriminator

real = tf.placeholder(tf.float32, [None, 784])
fake = tf.placeholder(tf.float32, [None, 784])
d_real = discriminator(real)
d_fake = discriminate_fake(fake)
'''
BROKEN_GAN = GAN.replace("discriminator(images, reuse=True)", "discriminator(images)")
OTHER = "import tensorflow as tf\nw = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n"  # TFS101


def gan_project(root: Path, broken: bool = True) -> Path:
    write(root, "models/__init__.py", "")
    write(root, "models/gan.py", BROKEN_GAN if broken else GAN)
    write(root, "train.py", TRAIN)
    write(root, "other.py", OTHER)
    return root


def findings(*args: str, input: str = None) -> List[dict]:  # type: ignore[assignment]
    result = cli(["check", "--output-format", "json", *args], input=input)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@needs_interpreter
@pytest.mark.parametrize("named", ["models/gan.py", "train.py"])
def test_one_file_is_checked_with_its_project(named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder's module alone (pre-commit's staged file) or the script alone: the cross-module
    TFS102 is found either way, and the unrelated TFS101 of other.py is not reported."""
    gan_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = findings("--no-cache", named)
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("TFS102", "models/gan.py", 6)]
    assert [(r["path"], r["line"]) for r in found[0]["related"]][-2:] == [("train.py", 7), ("models/gan.py", 11)]
    summary = cli(["check", "--no-cache", named])
    assert "1 file checked" in summary.stderr


@needs_interpreter
def test_from_a_subfolder_and_with_absolute_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    monkeypatch.chdir(tmp_path / "models")
    assert [f["code"] for f in findings("--no-cache", "gan.py")] == ["TFS102"]
    assert [f["code"] for f in findings("--no-cache", str(tmp_path / "models" / "gan.py"))] == ["TFS102"]


@needs_interpreter
def test_stdin_stands_for_the_file_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor sends its buffer: the buffer is what is checked, with the project read from disk."""
    gan_project(tmp_path, broken=False)
    monkeypatch.chdir(tmp_path)
    found = findings("--no-cache", "--stdin-filename", "models/gan.py", input=BROKEN_GAN)
    assert [(f["code"], f["path"]) for f in found] == [("TFS102", "models/gan.py")]
    write(tmp_path, "models/gan.py", BROKEN_GAN)
    assert findings("--no-cache", "--stdin-filename", "models/gan.py", input=GAN) == []


@needs_interpreter
def test_only_the_entry_scripts_that_reach_the_file_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    ran: List[str] = []
    real = units.run_entry

    def spy(project, path):  # type: ignore[no-untyped-def]
        ran.append(path)
        return real(project, path)

    monkeypatch.setattr(units, "run_entry", spy)
    findings("--no-cache", "--jobs", "1", "models/gan.py")
    assert sorted(ran) == ["models/gan.py", "train.py"]
    ran.clear()
    findings("--no-cache", "--jobs", "1", ".")
    assert sorted(ran) == ["models/gan.py", "other.py", "train.py"]


@needs_interpreter
def test_a_file_checked_alone_shares_the_cache_of_the_whole_project(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keys are those of `check .`: after a full run, checking one file runs nothing."""
    gan_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.tfscope-lint]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert len(findings(".")) == 2
    ran: List[str] = []
    monkeypatch.setattr(units, "run_entry", lambda project, path: ran.append(path))
    assert [f["code"] for f in findings("--jobs", "1", "models/gan.py")] == ["TFS102"]
    assert ran == []


# ---------------------------------------------------------------------------- the cache folder
def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root),
                               "PATH": "/usr/bin:/bin:/usr/local/bin"})
    return done.stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_the_cache_goes_to_the_git_top_with_its_own_gitignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    monkeypatch.chdir(tmp_path / "models")
    cli(["check", "gan.py"])
    cache = tmp_path / ".tfscope_cache"
    assert cache.is_dir() and not (tmp_path / "models" / ".tfscope_cache").exists()
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert list(cache.rglob("*.json"))  # results were stored there
    assert git(tmp_path, "status", "--porcelain", "--untracked-files=all") == ""


def test_never_next_to_a_config_file_nor_in_the_current_directory(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    project = gan_project(tmp_path / "project")
    settings = write(tmp_path, "settings/lint.toml", "ignore = []\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cli(["check", "--config", str(settings), str(project / "train.py")])
    assert not (settings.parent / ".tfscope_cache").exists() and not (elsewhere / ".tfscope_cache").exists()
    assert (project / ".tfscope_cache" / "CACHEDIR.TAG").is_file()  # the folder the paths share


def test_a_found_pyproject_is_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = gan_project(tmp_path / "project")
    write(project, "pyproject.toml", "[tool.tfscope-lint]\n")
    monkeypatch.chdir(project / "models")
    cli(["check", "gan.py"])
    assert (project / ".tfscope_cache" / ".gitignore").is_file()
    assert not (project / "models" / ".tfscope_cache").exists()


@needs_git
def test_git_exclude_files_are_honoured_as_git_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """.git/info/exclude and the excludes file of core.excludesFile, beside .gitignore, with git's precedence."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(tmp_path, "global_ignore", "*.local.py\nscratch/\n")
    git(repo, "config", "core.excludesFile", str(tmp_path / "global_ignore"))
    write(repo, ".git/info/exclude", "secret_*.py\n!secret_ok.py\n")
    write(repo, ".gitignore", "!keep.local.py\n")  # a .gitignore overrides the global file
    names = ["a.py", "b.local.py", "keep.local.py", "scratch/s.py", "secret_1.py", "secret_ok.py", "pkg/secret_2.py"]
    for name in names:
        write(repo, name, "x = 1\n")
    listed = git(repo, "ls-files", "--others", "--exclude-standard")
    expected = sorted(line for line in listed.splitlines() if line.endswith(".py"))
    assert expected == ["a.py", "keep.local.py", "secret_ok.py"]
    monkeypatch.chdir(repo)
    shown = cli(["check", "--no-cache", "--show-files", "."])
    files = shown.stdout.split("# ")[1].splitlines()[1:]
    assert sorted(files) == expected


@needs_interpreter
@pytest.mark.parametrize("importing", ["from models.gan import discriminate_fake, discriminator",
                                       "from models import gan\ndiscriminator, discriminate_fake = "
                                       "gan.discriminator, gan.discriminate_fake"])
def test_a_namespace_package_resolves_as_python_would(importing: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """models/ without __init__.py (PEP 420): Python 3 imports models.gan from train.py's folder."""
    gan_project(tmp_path)
    (tmp_path / "models" / "__init__.py").unlink()
    write(tmp_path, "train.py", TRAIN.replace("from models.gan import discriminate_fake, discriminator", importing))
    monkeypatch.chdir(tmp_path)
    found = findings("--no-cache", "models/gan.py")
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("TFS102", "models/gan.py", 6)]


def test_verbose_lists_the_project_imports_that_find_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gan_project(tmp_path)
    (tmp_path / "models" / "__init__.py").unlink()
    write(tmp_path, "imports.py", "import numpy\nfrom models import gan\nfrom models.gann import x\n"
                                  "import models.gan as g\nfrom .sibling import y\nimport other, otherr\n")
    monkeypatch.chdir(tmp_path)
    quiet = cli(["check", "--no-cache", "imports.py"])
    assert "note" not in quiet.stderr
    verbose = cli(["check", "--no-cache", "--verbose", "imports.py"])
    notes = [line for line in verbose.stderr.splitlines() if ": note: " in line]
    assert notes == ["tfscope-lint: note: imports.py:3: import models.gann: no such module in the project "
                     "(analysed as unknown)",
                     "tfscope-lint: note: imports.py:5: import .sibling: no such module in the project "
                     "(analysed as unknown)"], verbose.stderr


@needs_interpreter
def test_a_src_setting_names_the_import_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two models/gan.py, one under src/ (on PYTHONPATH when the script runs), one vendored elsewhere:
    which one `from models.gan import ...` means is unknown (quiet) until `src` says so."""
    write(tmp_path, "src/models/gan.py", BROKEN_GAN)
    write(tmp_path, "vendor/old/models/gan.py", GAN)
    write(tmp_path, "scripts/train.py", TRAIN)
    write(tmp_path, "pyproject.toml", "[tool.tfscope-lint]\n")
    monkeypatch.chdir(tmp_path)
    assert findings("--no-cache", "scripts/train.py") == []
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint]\nsrc = ["src"]\n')
    found = findings("--no-cache", "scripts/train.py")
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("TFS102", "src/models/gan.py", 6)]
    assert f"src: {tmp_path.resolve() / 'src'}" in cli(["check", "--show-settings"]).stdout
    bad = cli(["check", "--no-cache", "--config", str(write(tmp_path, "bad.toml", 'src = "src"\n')), "."])
    assert bad.exit_code == 2 and "'src'" in bad.stderr


@needs_interpreter
def test_context_files_report_nothing_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unused noqa (TFS900) or a syntax error (TFS001) in a file read only as context is not reported."""
    gan_project(tmp_path, broken=False)
    write(tmp_path, "unused.py", "x = 1  # noqa: TFS101\n")
    write(tmp_path, "broken_syntax.py", "import tensorflow as tf\ndef (:\n")
    monkeypatch.chdir(tmp_path)
    assert findings("--no-cache", "--extend-select", "TFS900", "models/gan.py") == []
    assert sorted(f["code"] for f in findings("--no-cache", "--extend-select", "TFS900", ".")) == ["TFS001", "TFS101", "TFS900"]
