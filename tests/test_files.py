"""File discovery: .gitignore, excludes, --force-exclude, and reading files as Python decodes them."""

from __future__ import annotations

import json
import subprocess
import shutil
from pathlib import Path

import pytest

from frontend_helpers import cli, fake_analysis, write  # noqa: F401
from tfscope_lint.files import GitIgnore, PatternSet, SourceError, decode_source, discover

MARK = "w = 1  # fake: TFS102\n"
pytestmark = pytest.mark.usefixtures("fake_analysis")


def checked(tmp_path: Path, *args: str) -> list:
    result = cli(["check", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.stderr
    return sorted(Path(f["path"]).resolve().relative_to(tmp_path.resolve()).as_posix()
                  for f in json.loads(result.stdout))


def test_walks_py_and_pyi_only(tmp_path: Path) -> None:
    for name in ("a.py", "b.pyi", "c.txt", "sub/d.py", "sub/e.ipynb"):
        write(tmp_path, name, MARK)
    assert checked(tmp_path, str(tmp_path)) == ["a.py", "b.pyi", "sub/d.py"]


def test_respects_gitignore_with_negation_and_nesting(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n*_pb2.py\n!keep_pb2.py\n")
    write(tmp_path, "sub/.gitignore", "local.py\n")
    for name in ("a.py", "generated/g.py", "x_pb2.py", "keep_pb2.py", "sub/local.py", "sub/b.py", "local.py"):
        write(tmp_path, name, MARK)
    assert checked(tmp_path, str(tmp_path)) == ["a.py", "keep_pb2.py", "local.py", "sub/b.py"]
    # the repository's .gitignore applies when only a sub-directory is checked
    assert checked(tmp_path, str(tmp_path / "sub")) == ["sub/b.py"]
    # but a directory named on the command line is checked even when git ignores it (as ripgrep and ruff
    # do: a virtualenv's site-packages under a repository that ignores it); its own .gitignore files apply
    write(tmp_path, "generated/.gitignore", "skip_me.py\n")
    write(tmp_path, "generated/inner/skip_me.py", MARK)
    assert checked(tmp_path, str(tmp_path / "generated")) == ["generated/g.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_agrees_with_git(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, ".gitignore", "/build_out/\n**/tmp_*.py\n*.gen.py\n!important.gen.py\nlogs\n")
    names = ["a.py", "build_out/x.py", "pkg/build_out/y.py", "pkg/tmp_1.py", "m.gen.py", "important.gen.py",
             "logs/z.py", "pkg/logs/w.py"]
    for name in names:
        write(tmp_path, name, MARK)
    git = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    expected = sorted(line for line in git.stdout.splitlines() if line.endswith(".py"))
    assert checked(tmp_path, str(tmp_path)) == expected


def test_default_excludes_and_extend_exclude(tmp_path: Path) -> None:
    for name in ("a.py", ".venv/lib/x.py", "build/y.py", "node_modules/z.py", "pkg.egg-info/q.py", "legacy/old.py"):
        write(tmp_path, name, MARK)
    assert checked(tmp_path, str(tmp_path)) == ["a.py", "legacy/old.py"]
    assert checked(tmp_path, "--extend-exclude", "legacy", str(tmp_path)) == ["a.py"]
    # exclude replaces the defaults
    assert "build/y.py" in checked(tmp_path, "--exclude", "legacy", str(tmp_path))


def test_explicit_paths_are_checked_unless_force_exclude(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint]\nextend-exclude = ["legacy/"]\n')
    old = write(tmp_path, "legacy/old.py", MARK)
    new = write(tmp_path, "new.py", MARK)
    assert checked(tmp_path, str(old), str(new)) == ["legacy/old.py", "new.py"]
    assert checked(tmp_path, "--force-exclude", str(old), str(new)) == ["new.py"]
    result = cli(["check", "--force-exclude", str(old)])
    assert result.exit_code == 0 and "No Python files to check." in result.stderr


def test_explicit_directory_inside_an_excluded_one_is_walked(tmp_path: Path) -> None:
    for name in ("venv/lib/site-packages/pkg/a.py", "venv/lib/site-packages/pkg/build/b.py", "c.py"):
        write(tmp_path, name, MARK)
    package = tmp_path / "venv/lib/site-packages/pkg"
    assert checked(tmp_path, str(package)) == ["venv/lib/site-packages/pkg/a.py"]  # build/ still excluded below it
    assert checked(tmp_path, "--force-exclude", str(package)) == []


def test_force_exclude_applies_to_stdin_filename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint]\nextend-exclude = ["legacy/"]\n')
    monkeypatch.chdir(tmp_path)
    args = ["check", "--stdin-filename", "legacy/old.py"]
    assert cli(args, input=MARK).exit_code == 1
    assert cli([*args, "--force-exclude"], input=MARK).exit_code == 0


def test_per_file_ignores_apply_to_stdin_filename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "pyproject.toml", '[tool.tfscope-lint.per-file-ignores]\n"tests/*" = ["TFS1"]\n')
    monkeypatch.chdir(tmp_path)
    assert cli(["check", "--stdin-filename", "tests/test_x.py"], input=MARK).exit_code == 0
    assert cli(["check", "--stdin-filename", "src/x.py"], input=MARK).exit_code == 1


def test_same_file_twice_is_checked_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", MARK)
    files, problems = discover([str(path), str(tmp_path)])
    assert len(files) == 1 and problems == []


def test_pattern_set_is_anchored_at_its_root(tmp_path: Path) -> None:
    patterns = PatternSet(["/top.py", "deep/", "*.gen.py"], tmp_path)
    assert patterns.matches(tmp_path / "top.py")
    assert not patterns.matches(tmp_path / "pkg" / "top.py")
    assert patterns.matches(tmp_path / "a" / "deep", is_dir=True)
    assert patterns.matches(tmp_path / "a" / "deep" / "x.py")
    assert patterns.matches(tmp_path / "x.gen.py")


def test_gitignore_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path, ".gitignore", "*.py\n")
    assert not GitIgnore(tmp_path / "repo").ignored(tmp_path / "repo" / "a.py", False)


@pytest.mark.parametrize("data, text", [
    (b"# -*- coding: latin-1 -*-\nname = '\xe9'\n", "name = 'é'"),
    (b"\xef\xbb\xbfx = 1\n", "x = 1"),
    (b"", ""),
])
def test_decoding_follows_python(data: bytes, text: str) -> None:
    assert text in decode_source(data)


@pytest.mark.parametrize("data", [b"x = '\xff'\n", b"\x00\x00", b"# coding: klingon\n"])
def test_undecodable_sources(data: bytes) -> None:
    with pytest.raises(SourceError):
        decode_source(data)
