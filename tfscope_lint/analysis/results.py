"""What a unit of work found, in a form that crosses processes and goes into the cache (as JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from tfscope_lint.findings import FileProblem, Finding, Location, Related

FunctionKey = Tuple[str, int]  # (path, rank of the def in its file)


@dataclass
class UnitResult:
    """What one unit of work found, in a form that crosses processes and goes into the cache."""

    findings: List[Finding] = field(default_factory=list)
    problems: List[FileProblem] = field(default_factory=list)
    called: List[FunctionKey] = field(default_factory=list)
    alone: Dict[FunctionKey, List[Finding]] = field(default_factory=dict)  # the file's uncalled functions, alone
    alone_notes: Dict[FunctionKey, List[FileProblem]] = field(default_factory=dict)  # where budgets cut them
    deps: List[str] = field(default_factory=list)  # every project file the unit read


def _location_json(loc: Location) -> list:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _finding_json(f: Finding) -> dict:
    return {"code": f.code, "message": f.message, "location": _location_json(f.location),
            "related": [[_location_json(r.location), r.message] for r in f.related],
            "variable": f.variable, "scope": f.scope, "fix_hint": f.fix_hint, "tf_error": f.tf_error}


def _finding_from_json(f: dict) -> Finding:
    return Finding(f["code"], f["message"], Location(*f["location"]),
                   tuple(Related(Location(*loc), msg) for loc, msg in f["related"]),
                   f["variable"], f["scope"], f["fix_hint"], f.get("tf_error"))


def result_to_json(result: UnitResult) -> dict:
    return {
        "findings": [_finding_json(f) for f in result.findings],
        "problems": [[p.path, p.reason, p.detail, p.kind] for p in result.problems],
        "called": [list(k) for k in result.called],
        "alone": [[list(k), [_finding_json(f) for f in found]] for k, found in result.alone.items()],
        "alone_notes": [[list(k), [[p.path, p.reason, p.detail, p.kind] for p in notes]]
                        for k, notes in result.alone_notes.items()],
    }


def result_from_json(data: dict) -> UnitResult:
    return UnitResult(
        findings=[_finding_from_json(f) for f in data["findings"]],
        problems=[FileProblem(*p) for p in data["problems"]],
        called=[tuple(k) for k in data["called"]],  # type: ignore[misc]
        alone={tuple(k): [_finding_from_json(f) for f in found] for k, found in data["alone"]},  # type: ignore
        alone_notes={tuple(k): [FileProblem(*p) for p in notes]  # type: ignore[misc]
                     for k, notes in data.get("alone_notes", [])},
        deps=list(data.get("deps", {})))
