"""[tool.tfscope-lint] configuration and the flags of the same names, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontend_helpers import cli, fake_analysis, write  # noqa: F401
from tfscope_lint.config import ConfigError, load_settings, resolve_selection
from tfscope_lint.rules import RULES

FILE = (
    "w = 1  # fake: TFS101\n"
    "w = 2  # fake: TFS102\n"
    "w = 3  # fake: TFS105\n"
    "w = 4  # fake: TFS201\n"
    "w = 5  # fake: TFS202\n"
)


def project(tmp_path: Path, config: str) -> Path:
    write(tmp_path, "pyproject.toml", f"[project]\nname = 'x'\n\n[tool.tfscope-lint]\n{config}")
    write(tmp_path, "pkg/model.py", FILE)
    return tmp_path


def codes(tmp_path: Path, *args: str, target: str = "") -> list:
    result = cli(["check", "--output-format", "json", *args, str(tmp_path / target)])
    assert result.exit_code in (0, 1), result.stderr
    return [f["code"] for f in json.loads(result.stdout)]


pytestmark = pytest.mark.usefixtures("fake_analysis")


def test_defaults_select_everything_but_opt_in(tmp_path: Path) -> None:
    write(tmp_path, "model.py", FILE)
    assert codes(tmp_path) == ["TFS101", "TFS102", "TFS105", "TFS201", "TFS202"]
    assert resolve_selection([]) == frozenset(c for c, r in RULES.items() if not r.opt_in)


def test_select_by_prefix_from_the_nearest_pyproject(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["TFS10"]\n')
    assert codes(tmp_path) == ["TFS101", "TFS102", "TFS105"]
    # the nearest pyproject is found from the path being checked, not the working directory
    assert codes(tmp_path, target="pkg/model.py") == ["TFS101", "TFS102", "TFS105"]


def test_ignore_and_extend_select(tmp_path: Path) -> None:
    project(tmp_path, 'ignore = ["TFS2", "TFS105"]\n')
    assert codes(tmp_path) == ["TFS101", "TFS102"]


def test_more_specific_selector_wins(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["TFS102"]\nignore = ["TFS1"]\n')
    assert codes(tmp_path) == ["TFS102"]
    project(tmp_path, 'select = ["TFS1"]\nignore = ["TFS102"]\n')
    assert codes(tmp_path) == ["TFS101", "TFS105"]


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["TFS2"]\n')
    assert codes(tmp_path) == ["TFS201", "TFS202"]
    assert codes(tmp_path, "--select", "TFS101,TFS105") == ["TFS101", "TFS105"]
    assert codes(tmp_path, "--extend-select", "TFS102") == ["TFS102", "TFS201", "TFS202"]
    assert codes(tmp_path, "--ignore", "TFS201") == ["TFS202"]


def test_per_file_ignores(tmp_path: Path) -> None:
    project(tmp_path, '[tool.tfscope-lint.per-file-ignores]\n"pkg/*" = ["TFS1"]\n"other/*" = ["TFS2"]\n')
    write(tmp_path, "top.py", "w = 1  # fake: TFS101\n")
    result = json.loads(cli(["check", "--output-format", "json", str(tmp_path)]).stdout)
    assert [(Path(f["path"]).name, f["code"]) for f in result] == [
        ("model.py", "TFS201"), ("model.py", "TFS202"), ("top.py", "TFS101"),
    ]
    assert codes(tmp_path, "--per-file-ignores", "model.py:TFS2") == ["TFS101", "TFS102", "TFS105", "TFS101"]


def test_output_format_from_the_file_and_overridden(tmp_path: Path) -> None:
    project(tmp_path, 'output-format = "json-lines"\n')
    result = cli(["check", str(tmp_path)])
    assert len(result.stdout.splitlines()) == 5 and result.stdout.startswith("{")
    result = cli(["check", "--output-format", "concise", str(tmp_path)])
    assert ": TFS101 duplicate-variable: " in result.stdout


def test_explicit_config_file(tmp_path: Path) -> None:
    write(tmp_path, "model.py", FILE)
    other = write(tmp_path, "conf/tfscope.toml", 'select = ["TFS202"]\n')
    assert codes(tmp_path, "--config", str(other)) == ["TFS202"]
    other_pyproject = write(tmp_path, "conf/pyproject.toml", '[tool.tfscope-lint]\nignore = ["TFS1"]\n')
    assert codes(tmp_path, "--config", str(other_pyproject)) == ["TFS201", "TFS202"]


@pytest.mark.parametrize("config, named", [
    ('selct = ["TFS1"]\n', "'selct'"),
    ('select = ["TFS999"]\n', "'TFS999'"),
    ('ignore = ["E501"]\n', "'E501'"),
    ('select = "TFS1"\n', "'select'"),
    ('[tool.tfscope-lint.per-file-ignores]\n"tests/*" = ["TFS77"]\n', "'TFS77'"),
    ('output-format = "xml"\n', "'xml'"),
    ('tf-version = 1.15\n', "'tf-version'"),
    ('tf-version = "1.99"\n', "'1.99'"),
    ('docs-url = "docs/rules"\n', "'docs-url'"),
    ('docs-url = "ftp://example.com/rules"\n', "'ftp://example.com/rules'"),
    ('docs-url = "https://"\n', "'docs-url'"),
    ('docs-url = ["https://example.com"]\n', "'docs-url'"),
])
def test_bad_configuration_exits_two_naming_it(tmp_path: Path, config: str, named: str) -> None:
    project(tmp_path, config)
    result = cli(["check", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfscope-lint: error: ") and named in lines[0]
    assert "pyproject.toml" in lines[0]
    assert result.stdout == ""


def test_bad_code_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, "model.py", FILE)
    result = cli(["check", "--select", "TFS7", str(tmp_path)])
    assert result.exit_code == 2
    assert "'TFS7'" in result.stderr and "command-line" in result.stderr


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.tfscope-lint\n")
    write(tmp_path, "model.py", FILE)
    result = cli(["check", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path)])
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = cli(["check", "--config", str(tmp_path / "nope.toml"), str(tmp_path)])
    assert result.exit_code == 2 and "nope.toml" in result.stderr


def test_pyproject_without_our_table_is_skipped_for_a_parent_one(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["TFS202"]\n')
    write(tmp_path, "pkg/pyproject.toml", "[project]\nname = 'inner'\n")
    assert codes(tmp_path, target="pkg") == ["TFS202"]


def test_tf_version_is_validated_and_kept(tmp_path: Path) -> None:
    assert load_settings([str(tmp_path)]).tf_version == "1.15"
    assert load_settings([str(tmp_path)], overrides={"tf-version": "1.3"}).tf_version == "1.3"
    with pytest.raises(ConfigError, match="tf-version"):
        load_settings([str(tmp_path)], overrides={"tf-version": "one"})
    result = cli(["check", "--tf-version", "0.9", str(tmp_path)])
    assert result.exit_code == 2 and "'0.9'" in result.stderr


def test_docs_url_is_validated_and_kept(tmp_path: Path) -> None:
    assert load_settings([str(tmp_path)]).docs_url is None
    url = "https://example.com/tfscope-lint/docs/rules/"
    assert load_settings([str(tmp_path)], overrides={"docs-url": url}).docs_url == url
    for bad in ("example.com/rules", "https://exa mple.com/rules", "https://example.com/rules?page=1",
                "https://example.com/règles"):
        with pytest.raises(ConfigError, match="docs-url"):
            load_settings([str(tmp_path)], overrides={"docs-url": bad})
    result = cli(["check", "--docs-url", "file:///srv/docs/rules", str(tmp_path)])
    assert result.exit_code == 2 and "'file:///srv/docs/rules'" in result.stderr and "command-line" in result.stderr


def test_exclude_from_the_file(tmp_path: Path) -> None:
    project(tmp_path, 'extend-exclude = ["pkg/"]\n')
    write(tmp_path, "kept.py", "w = 1  # fake: TFS101\n")
    assert codes(tmp_path) == ["TFS101"]
