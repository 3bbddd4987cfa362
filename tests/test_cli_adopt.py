"""Adopting on a code base with findings: --add-noqa (the rest of each file byte-identical) and a
baseline (--write-baseline, then --baseline: only new findings fail)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest

from frontend_helpers import cli, needs_interpreter, write
from test_cli_project import BROKEN_GAN, TRAIN

H = b"import tensorflow as tf\n"
DUPLICATE = H + b"w = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n"  # TFS101 at line 3


def project(root: Path) -> Dict[str, bytes]:
    """Findings in files of every shape: CRLF, a BOM, latin-1, other tools' noqa, a comment, no newline."""
    files = {
        "models/__init__.py": b"",
        "models/gan.py": BROKEN_GAN.encode(),  # TFS102 at line 6, called twice from train.py
        "train.py": TRAIN.encode(),
        "crlf.py": DUPLICATE.replace(b"\n", b"\r\n"),
        "bom.py": b"\xef\xbb\xbf" + DUPLICATE.replace(b"[3])\n", b"[3])  # a second one\n", 2)[:-1],  # no final \n
        "latin.py": b"# -*- coding: latin-1 -*-\n" + H + b"w = tf.get_variable('w', [3])  # caf\xe9\n"
                    b"w = tf.get_variable('w', [3])  # noqa: E501   caf\xe9\n",
        "clean.py": H + b"v = tf.get_variable('v', [3])\n",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def check(*args: str) -> tuple:
    result = cli(["check", "--no-cache", "--output-format", "json", *args])
    found = json.loads(result.stdout) if result.stdout.strip().startswith("[") else []
    return result.exit_code, [(f["code"], f["path"], f["line"]) for f in found], result.stderr


@needs_interpreter
def test_add_noqa_then_check_passes_and_a_new_bug_is_still_found(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = project(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, found, _ = check(".")
    assert code == 1 and len(found) == 4
    added = cli(["check", "--no-cache", "--add-noqa", "."])
    assert added.exit_code == 0 and "Added 4 noqa directives." in added.stderr, added.stderr
    assert added.stdout == ""
    changed = {name for name, data in before.items() if (tmp_path / name).read_bytes() != data}
    assert changed == {"models/gan.py", "crlf.py", "bom.py", "latin.py"}
    for name in changed:
        old, new = before[name].splitlines(keepends=True), (tmp_path / name).read_bytes().splitlines(keepends=True)
        assert len(old) == len(new)
        differing = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        assert len(differing) == 1, name  # one line each; every other byte is as it was
        a, b = old[differing[0]], new[differing[0]]
        for added_text in (b"  # noqa: TFS101", b"  # noqa: TFS102", b", TFS101"):
            b = b.replace(added_text, b"")
        assert b == a, name  # only the comment was added: the line's end and encoding are as they were
    assert (tmp_path / "crlf.py").read_bytes().splitlines()[2].endswith(b"[3])  # noqa: TFS101")
    assert (tmp_path / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "bom.py").read_bytes().endswith(b"# a second one  # noqa: TFS101")  # still no final \n
    assert b"# noqa: E501, TFS101   caf\xe9\n" in (tmp_path / "latin.py").read_bytes()
    assert b"name=\"h0\")  # noqa: TFS102\n" in (tmp_path / "models/gan.py").read_bytes()
    code, found, stderr = check(".")
    assert (code, found) == (0, []) and "4 findings suppressed by noqa" in cli(["check", "--no-cache", "."]).stderr

    again = cli(["check", "--no-cache", "--add-noqa", "."])
    assert "Added 0 noqa directives." in again.stderr

    with (tmp_path / "clean.py").open("ab") as handle:
        handle.write(b"v = tf.get_variable('v', [3])\n")
    assert check(".")[:2] == (1, [("TFS101", "clean.py", 3)])


@needs_interpreter
def test_a_line_that_cannot_take_a_comment_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = b"import tensorflow as tf\nw = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3]); doc = '''\nend'''\n"
    write(tmp_path, "doc.py", text.decode())
    monkeypatch.chdir(tmp_path)
    added = cli(["check", "--no-cache", "--add-noqa", "doc.py"])
    assert "Added 0 noqa directives." in added.stderr and "doc.py:3: cannot take a noqa comment" in added.stderr
    assert (tmp_path / "doc.py").read_bytes() == text
    assert check("doc.py")[:2] == (1, [("TFS101", "doc.py", 3)])


def test_add_noqa_refuses_standard_input() -> None:
    result = cli(["check", "--add-noqa", "--stdin-filename", "x.py"], input="x = 1\n")
    assert result.exit_code == 2 and "--add-noqa edits files on disk" in result.stderr


@needs_interpreter
def test_a_baseline_lets_only_new_findings_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = project(tmp_path)
    monkeypatch.chdir(tmp_path)
    written = cli(["check", "--no-cache", "--write-baseline", "baseline.json", "."])
    assert written.exit_code == 0 and "Wrote 4 findings to baseline.json." in written.stderr
    assert all((tmp_path / name).read_bytes() == data for name, data in before.items())  # nothing edited
    data = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert sorted((e["code"], e["path"]) for e in data["findings"]) == [
        ("TFS101", "bom.py"), ("TFS101", "crlf.py"), ("TFS101", "latin.py"), ("TFS102", "models/gan.py")]
    assert check("--baseline", "baseline.json", ".")[:2] == (0, [])
    summary = cli(["check", "--no-cache", "--baseline", "baseline.json", "."]).stderr
    assert "4 findings in the baseline" in summary

    # Lines moving do not make a finding new; a new bug, or the same bug once more in a file, does.
    (tmp_path / "crlf.py").write_bytes(b"\r\n\r\n" + before["crlf.py"])
    assert check("--baseline", "baseline.json", ".")[:2] == (0, [])
    (tmp_path / "crlf.py").write_bytes(before["crlf.py"] + b"w = tf.get_variable('w', [3])\r\n")
    write(tmp_path, "new.py", DUPLICATE.decode())
    code, found, _ = check("--baseline", "baseline.json", ".")
    assert (code, found) == (1, [("TFS101", "crlf.py", 4), ("TFS101", "new.py", 3)])


def test_a_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    missing = cli(["check", "--no-cache", "--baseline", str(tmp_path / "none.json"), str(tmp_path)])
    assert missing.exit_code == 2 and "none.json" in missing.stderr
    other = write(tmp_path, "other.json", '{"version": 2}')
    wrong = cli(["check", "--no-cache", "--baseline", str(other), str(tmp_path)])
    assert wrong.exit_code == 2 and "not a baseline" in wrong.stderr
