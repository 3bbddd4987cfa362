"""noqa comments, every form, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontend_helpers import cli, fake_analysis, write  # noqa: F401
from tfscope_lint.suppress import parse

pytestmark = pytest.mark.usefixtures("fake_analysis")


def run(tmp_path: Path, source: str, *args: str) -> list:
    path = write(tmp_path, "model.py", source)
    result = cli(["check", "--output-format", "json", *args, str(path)])
    assert result.exit_code in (0, 1), result.stderr
    return [(f["line"], f["code"], f["message"]) for f in json.loads(result.stdout)]


def lines(findings: list) -> list:
    return [(line, code) for line, code, _ in findings]


def test_noqa_with_the_code(tmp_path: Path) -> None:
    source = "a = 1  # fake: TFS102  # noqa: TFS102\nb = 2  # fake: TFS102\n"
    assert lines(run(tmp_path, source)) == [(2, "TFS102")]


def test_noqa_with_another_code_does_not_suppress(tmp_path: Path) -> None:
    source = "a = 1  # fake: TFS102  # noqa: TFS101, E501\n"
    assert lines(run(tmp_path, source)) == [(1, "TFS102")]


def test_noqa_with_several_codes_and_spellings(tmp_path: Path) -> None:
    source = (
        "a = 1  # fake: TFS102  # noqa:TFS101,TFS102\n"
        "b = 2  # fake: TFS105  # NOQA: TFS105 TFS106\n"
        "c = 3  # fake: TFS201  #noqa : TFS201\n"
    )
    # `# noqa : X` (space before the colon) is a blanket noqa, as in flake8
    assert lines(run(tmp_path, source)) == []


def test_bare_noqa(tmp_path: Path) -> None:
    assert run(tmp_path, "a = 1  # fake: TFS102  # noqa\n") == []


def test_noqa_in_a_string_is_not_a_comment(tmp_path: Path) -> None:
    source = "a = '# noqa'  # fake: TFS102\n"
    assert lines(run(tmp_path, source)) == [(1, "TFS102")]


def test_file_level_noqa(tmp_path: Path) -> None:
    source = "# tfscope-lint: noqa\na = 1  # fake: TFS102\nb = 2  # fake: TFS201\n"
    assert run(tmp_path, source) == []


def test_file_level_noqa_with_codes(tmp_path: Path) -> None:
    source = "a = 1  # fake: TFS102\nb = 2  # fake: TFS201\n# tfscope-lint: noqa: TFS2\n"
    assert lines(run(tmp_path, source)) == [(1, "TFS102")]
    source = "a = 1  # fake: TFS102\nb = 2  # fake: TFS201\n# tfscope-lint: noqa: TFS201\n"
    assert lines(run(tmp_path, source)) == [(1, "TFS102")]


def test_suppressed_count_in_the_summary(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", "a = 1  # fake: TFS102  # noqa: TFS102\n")
    result = cli(["check", str(path)])
    assert result.exit_code == 0
    assert result.stderr.strip() == "All checks passed (1 file checked). 1 finding suppressed by noqa."


def test_unused_noqa_is_off_by_default(tmp_path: Path) -> None:
    assert run(tmp_path, "a = 1  # noqa: TFS102\n") == []


def test_unused_noqa_when_selected(tmp_path: Path) -> None:
    source = (
        "a = 1  # noqa: TFS102\n"                      # suppresses nothing
        "b = 2  # fake: TFS102  # noqa: TFS102, TFS101\n"  # TFS101 is unused
        "c = 3  # fake: TFS102  # noqa: TFS102\n"      # used: fine
        "d = 4  # noqa: E501\n"                        # another tool's code: not ours to judge
        "e = 5  # noqa\n"                              # bare: left alone
        "f = 6  # noqa: TFS999\n"                      # a code that does not exist
    )
    found = run(tmp_path, source, "--extend-select", "TFS900")
    assert found == [
        (1, "TFS900", "Unused noqa directive (unused: TFS102)"),
        (2, "TFS900", "Unused noqa directive (unused: TFS101)"),
        (6, "TFS900", "Unused noqa directive (unknown: TFS999)"),
    ]


def test_unused_noqa_location_is_the_comment(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", "a = 1  # noqa: TFS102\n")
    result = cli(["check", "--extend-select", "TFS900", str(path)])
    assert result.stdout.startswith(f"{path}:1:8: TFS900 unused-noqa: Unused noqa directive (unused: TFS102)")


def test_unused_noqa_ignores_codes_that_are_not_enabled(tmp_path: Path) -> None:
    source = "a = 1  # noqa: TFS202\n"
    assert run(tmp_path, source, "--extend-select", "TFS900", "--ignore", "TFS202") == []


def test_parse_survives_files_that_do_not_tokenize() -> None:
    directives = parse("def f(:\n    x = '''unterminated  # noqa: TFS102\n")
    assert 2 in directives.by_line
