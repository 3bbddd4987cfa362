"""Rule documentation rendered from the catalogue: `rules`, `explain`, SARIF help, the README table
and the rule pages in docs/rules/ (which SARIF's helpUri points to).

One renderer per shape, so the terminal, code scanning and the README never tell different stories.
"""

from __future__ import annotations

from typing import Dict, List

from rich.table import Table

from tfscope_lint.model.catalogue import naming_rows
from tfscope_lint.rules import RULES, Rule

# Rules about variables that a library may have created: their pages say how each family names them.
NAMING_RULES = {"TFS101", "TFS102", "TFS103", "TFS104", "TFS105", "TFS106"}


def _status(rule: Rule) -> str:
    return f"{rule.severity} (opt-in)" if rule.opt_in else rule.severity


def rules_table() -> Table:
    table = Table(title="tfscope-lint rules", title_justify="left")
    table.add_column("Code", style="bold", no_wrap=True)
    table.add_column("Name", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Summary")
    for rule in RULES.values():
        table.add_row(rule.code, rule.name, _status(rule), rule.summary)
    return table


def rules_markdown_table() -> str:
    """The README's rule table; tests/test_rules.py keeps the README equal to it."""
    rows = ["| Code | Name | Severity | Summary |", "|---|---|---|---|"]
    for rule in RULES.values():
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| {rule.code} | `{rule.name}` | {_status(rule)} | {summary} |")
    return "\n".join(rows) + "\n"


def naming_table() -> Table:
    """`rules --naming`: the scopes and variables each variable-creating API makes."""
    table = Table(title="How each API names the variables it creates", title_justify="left")
    table.add_column("API", style="bold", no_wrap=True)
    table.add_column("Scope it opens")
    table.add_column("Variables (shape)")
    for row in naming_rows():
        table.add_row(*row)
    return table


def naming_markdown() -> str:
    rows = ["| API | Scope it opens | Variables (shape) |", "|---|---|---|"]
    for api, scope, variables in naming_rows():
        rows.append(f"| `{api}` | {scope} | {variables} |")
    return "Layers, cells and optimizers create their variables with get_variable, so the same rule applies " \
           "to them under these names:\n\n" + "\n".join(rows)


def _sections(rule: Rule) -> List[tuple]:
    return [
        ("What it does", rule.summary),
        ("Why is this bad?", rule.explanation),
        ("Example", f"```python\n{rule.bad_example.strip()}\n```" if rule.bad_example else ""),
        ("Use instead", f"```python\n{rule.good_example.strip()}\n```" if rule.good_example else ""),
        ("Checkpoint", "Compared with a checkpoint that holds (as `tf.train.list_variables` prints it):\n\n"
                       f"```\n{rule.checkpoint_example.strip()}\n```" if rule.checkpoint_example else ""),
        ("How to fix", rule.hint),
        ("How variables are named", naming_markdown() if rule.code in NAMING_RULES else ""),
    ]


def explain_markdown(rule: Rule) -> str:
    """A ruff-style rule page."""
    parts = [f"# {rule.name} ({rule.code})", "", f"Severity: {_status(rule)}", ""]
    for title, body in _sections(rule):
        if body:
            parts += [f"## {title}", "", body.strip(), ""]
    return "\n".join(parts).rstrip() + "\n"


def explain_text(rule: Rule) -> str:
    """The same page as plain text, for SARIF's help.text."""
    return explain_markdown(rule).replace("```python\n", "").replace("```\n", "").replace("```", "")


def rule_page_name(code: str) -> str:
    return f"{code}.md"


def rule_pages() -> Dict[str, str]:
    """docs/rules/: one file per rule, the page `explain` prints (`rules --pages DIR` writes them)."""
    return {rule_page_name(rule.code): explain_markdown(rule) for rule in RULES.values()}


def rule_page_url(docs_url: str, code: str) -> str:
    """The rule's page under the `docs-url` setting, with or without its trailing slash."""
    return f"{docs_url.rstrip('/')}/{rule_page_name(code)}"
