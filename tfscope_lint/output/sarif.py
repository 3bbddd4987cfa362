"""SARIF 2.1.0, as GitHub code scanning ingests it.

Every catalogue rule is described (so code scanning can show help for any code), with a helpUri to
its page in docs/rules/ when the `docs-url` setting says where those are published; results carry
1-based regions, related locations (linked from the message text, as GitHub shows them), the call
chain as a code flow, and a partial fingerprint that survives lines moving.
Files the tool could not analyse become tool notifications, and make the run unsuccessful.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from tfscope_lint import __version__
from tfscope_lint.findings import Finding, Location, RunResult
from tfscope_lint.output.common import Context, fingerprint, relative_uri, severity_of, span
from tfscope_lint.output.docs import explain_markdown, explain_text, rule_page_url
from tfscope_lint.rules import ERROR, RULES, render_related

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/tfscope-lint/"
FINGERPRINT_KEY = "tfscopeLint/v1"
CALLED_FROM = render_related("call")


def _physical(location: Location) -> Dict[str, Any]:
    line, column, end_line, end_column = span(location)
    region = {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": max(end_column, column)}
    artifact: Dict[str, Any] = {"uri": relative_uri(location.path)}
    if not artifact["uri"].startswith("file:"):
        artifact["uriBaseId"] = "%SRCROOT%"
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _rule_descriptor(code: str, docs_url: Optional[str]) -> Dict[str, Any]:
    """Without a `docs-url`, no helpUri: SARIF wants an absolute URI, and where the pages live is unknown."""
    rule = RULES[code]
    descriptor: Dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation or rule.summary},
        "help": {"text": explain_text(rule), "markdown": explain_markdown(rule)},
        "defaultConfiguration": {"level": "error" if rule.severity == ERROR else "warning"},
        "properties": {"tags": [rule.severity]},
    }
    if docs_url:
        descriptor["helpUri"] = rule_page_url(docs_url, code)
    return descriptor


def _fingerprint(finding: Finding, ctx: Context, seen: Counter) -> str:
    return fingerprint(finding, ctx.sources, seen)


def _escape(text: str) -> str:
    """Plain message text: brackets are escaped, since SARIF reads `[text](id)` as a link (§3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _message(finding: Finding) -> str:
    """The message, then each related location linked by its id, as GitHub shows them:
    `... ([first created here](1), [called from here](2))`."""
    if not finding.related:
        return finding.message
    links = ", ".join(f"[{_escape(r.message)}]({n})" for n, r in enumerate(finding.related, start=1))
    return f"{_escape(finding.message)} ({links})"


def _code_flow(finding: Finding) -> List[Dict[str, Any]]:
    """The call chain (outermost call first) down to the reporting site, as one thread flow."""
    calls = [r for r in finding.related if r.message == CALLED_FROM]
    if not calls:
        return []
    steps = [dict(_physical(r.location), message={"text": r.message}) for r in calls]
    steps.append(dict(_physical(finding.location), message={"text": finding.message}))
    return [{"threadFlows": [{"locations": [{"location": step} for step in steps]}]}]


def _result(finding: Finding, index: Dict[str, int], ctx: Context, seen: Counter) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": finding.code,
        "level": "error" if severity_of(finding) == ERROR else "warning",
        "message": {"text": _message(finding)},
        "locations": [_physical(finding.location)],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, ctx, seen)},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.related:
        result["relatedLocations"] = [
            dict(_physical(related.location), id=number, message={"text": related.message})
            for number, related in enumerate(finding.related, start=1)
        ]
    flows = _code_flow(finding)
    if flows:
        result["codeFlows"] = flows
    return result


def sarif_log(result: RunResult, ctx: Context) -> Dict[str, Any]:
    codes: List[str] = list(RULES)
    index = {code: number for number, code in enumerate(codes)}
    seen: Counter = Counter()
    notifications = [
        {"level": "error", "message": {"text": f"{problem.path}: {problem.reason}"}}
        for problem in result.problems
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfscope-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(code, ctx.docs_url) for code in codes],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _cwd_uri()}},
                "invocations": [
                    {"executionSuccessful": not result.problems, "toolExecutionNotifications": notifications}
                ],
                "results": [_result(f, index, ctx, seen) for f in result.findings],
            }
        ],
    }


def _cwd_uri() -> str:
    return Path.cwd().resolve().as_uri() + "/"


def write_sarif(result: RunResult, ctx: Context) -> None:
    json.dump(sarif_log(result, ctx), ctx.stream, indent=2)
    ctx.stream.write("\n")
