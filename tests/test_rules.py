"""The rule catalogue as users read it: complete pages, examples that lint as they claim, the README table."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from frontend_helpers import REPO, cli, needs_interpreter
from tfscope_lint.config import load_settings
from tfscope_lint.output.docs import explain_markdown, rule_pages, rules_markdown_table
from tfscope_lint.rules import ERROR, RULES, WARNING
from tfscope_lint.runner import run

README = REPO / "README.md"
PAGES = REPO / "docs" / "rules"
TABLE = re.compile(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", re.DOTALL)


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    assert re.fullmatch(r"TFS\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert rule.severity in (ERROR, WARNING)
    if not code.startswith("TFS3"):  # the checkpoint family has both: a failing restore and a skipped value
        assert (code.startswith("TFS2") or code == "TFS900") == (rule.severity == WARNING)
    assert bool(rule.checkpoint_example) == code.startswith("TFS3")
    for field in ("summary", "explanation", "bad_example", "good_example", "hint"):
        assert getattr(rule, field).strip(), f"{code} has no {field}"
    assert len(rule.explanation.split()) >= 40, "explain why it fails, like a colleague would"


def test_names_are_unique() -> None:
    assert len({r.name for r in RULES.values()}) == len(RULES)


@pytest.mark.parametrize("code", list(RULES))
def test_examples_are_tf1_programs(code: str) -> None:
    rule = RULES[code]
    ast.parse(rule.good_example)
    if code != "TFS001":
        ast.parse(rule.bad_example)
    else:
        with pytest.raises(SyntaxError):
            ast.parse(rule.bad_example)
    for example in (rule.bad_example, rule.good_example):
        assert example.startswith("import tensorflow as tf\n")


@pytest.mark.parametrize("code", list(RULES))
def test_message_templates_only_use_named_fields(code: str) -> None:
    fields = [name for _, name, _, _ in string.Formatter().parse(RULES[code].message) if name is not None]
    assert fields and all(re.fullmatch(r"[a-z_]+", name) for name in fields)


@needs_interpreter
@pytest.mark.parametrize("code", list(RULES))
def test_examples_lint_as_they_claim(code: str) -> None:
    """The bad example gets its rule's finding, the good example gets none (every rule selected)."""
    settings = load_settings(overrides={"select": ["ALL"]})
    rule = RULES[code]
    if code.startswith("TFS3"):
        _checkpoint_examples_compare_as_they_claim(rule)
        return
    bad = run(settings, stdin=(f"{code}_bad.py", rule.bad_example))
    good = run(settings, stdin=(f"{code}_good.py", rule.good_example))
    assert code in {f.code for f in bad.findings}
    assert good.findings == [] and good.problems == []


def _checkpoint_examples_compare_as_they_claim(rule) -> None:  # type: ignore[no-untyped-def]
    """A TFS3xx rule's bad example, compared with its checkpoint listing, gets the finding; the good one none."""
    from tfscope_lint.checkpoint import read_listing
    from tfscope_lint.compare import compare
    from tfscope_lint.inventory import inventories

    listing = read_listing(rule.checkpoint_example)
    for kind, expected in (("bad", {rule.code}), ("good", set())):
        path = f"{rule.code}_{kind}.py"
        (inv,) = inventories({path: getattr(rule, f"{kind}_example")}, [path])
        found = {f.code for f in compare(inv, listing, "ckpt", set(RULES)).findings}
        assert found == expected, (kind, found)
    assert "## Checkpoint" in explain_markdown(rule)


def test_explain_page_has_ruff_sections() -> None:
    page = explain_markdown(RULES["TFS102"])
    assert page.splitlines()[0] == "# missing-reuse (TFS102)"
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to fix",
                        "## How variables are named"]


def test_readme_table_matches_the_catalogue() -> None:
    match = TABLE.search(README.read_text(encoding="utf-8"))
    assert match, "README.md lost its <!-- rules-table:start/end --> markers"
    assert match.group(1) == rules_markdown_table(), (
        "README.md's rule table differs from the catalogue: paste the output of "
        "`tfscope-lint rules --output-format markdown` between the markers"
    )


def test_rule_pages_match_the_catalogue() -> None:
    """docs/rules/ holds exactly the pages `explain` prints, one per rule: SARIF's helpUri links to them."""
    regenerate = "run `tfscope-lint rules --pages docs/rules` and commit the pages"
    committed = {page.name: page.read_text(encoding="utf-8") for page in PAGES.glob("*.md")}
    expected = rule_pages()
    assert sorted(expected) == [f"{code}.md" for code in RULES]
    missing, stale = sorted(set(expected) - set(committed)), sorted(set(committed) - set(expected))
    assert not missing, f"rules without a page in docs/rules/: {missing}; {regenerate}"
    assert not stale, f"pages in docs/rules/ for no rule: {stale}; {regenerate}"
    differ = [name for name in expected if committed[name] != expected[name]]
    assert not differ, f"docs/rules/ pages that differ from the catalogue: {differ}; {regenerate}"
    assert committed["TFS102.md"] == cli(["explain", "TFS102", "--no-color"]).stdout


def test_rules_pages_regenerates_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "TFS999.md").write_text("a rule that left the catalogue\n", encoding="utf-8")
    (folder / "TFS101.md").write_text("an old page\n", encoding="utf-8")
    (folder / "index.md").write_text("kept\n", encoding="utf-8")
    result = cli(["rules", "--pages", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {len(RULES)} rule pages" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{code}.md" for code in RULES] + ["index.md"])
    assert (folder / "TFS101.md").read_text(encoding="utf-8") == explain_markdown(RULES["TFS101"])
    assert (folder / "index.md").read_text(encoding="utf-8") == "kept\n"
    assert cli(["rules", "--pages", str(folder), "--output-format", "json"]).exit_code == 2


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = 'pip install -e ".[test]" && python -m pytest'
    assert test_command in readme and test_command in ci.splitlines()
    assert "pip install . && tfscope-lint check examples/gan_discriminator.py" in readme
    assert Path(REPO / "examples" / "gan_discriminator.py").is_file()


@needs_interpreter
def test_readme_sample_output_is_what_the_example_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same locations and codes as the README shows (message prose may be reworded by the analysis)."""
    from frontend_helpers import cli

    readme = README.read_text(encoding="utf-8")
    sample = readme.split("without reuse:\n\n```\n", 1)[1].split("```", 1)[0].splitlines()
    monkeypatch.chdir(REPO)
    result = cli(["check", "examples/gan_discriminator.py"])
    actual = result.stdout.splitlines() + [result.stderr.strip()]

    def places(lines: list) -> list:
        return [re.match(r"^(\s*[^ ]+:\d+:\d+:(?: TFS\d+ [a-z-]+:)?)", line).group(1) if ":" in line else line
                for line in lines]

    assert places(actual) == places(sample)


def test_rules_naming_lists_every_catalogued_family() -> None:
    from tfscope_lint.model.catalogue import naming_rows

    result = cli(["rules", "--naming", "--output-format", "markdown"])
    assert result.exit_code == 0
    for api, _, _ in naming_rows():
        assert f"`{api}`" in result.stdout
    assert "rnn/basic_lstm_cell" in result.stdout and "<var>/Adam, <var>/Adam_1" in result.stdout


def test_explain_a_variable_rule_says_how_libraries_name_variables() -> None:
    page = cli(["explain", "TFS102", "--no-color"]).stdout
    assert "## How variables are named" in page and "`slim.fully_connected`" in page
    assert "## How variables are named" not in cli(["explain", "TFS108", "--no-color"]).stdout
