"""From paths to findings: discovery, reading, analysis. The single entry the front ends call."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Sequence

from tfscope_lint.analysis.project import analyze_sources
from tfscope_lint.files import SourceError, discover, read_source
from tfscope_lint.findings import FileProblem, RunResult


def check_paths(paths: Sequence[str]) -> RunResult:
    """Check every Python file under `paths` as one project and return findings and problems."""
    files, problems = discover(paths)
    sources: Dict[str, str] = {}
    for path in files:
        try:
            sources[str(path)] = read_source(path)
        except SourceError as exc:
            problems.append(FileProblem(str(path), str(exc)))
    findings, analysis_problems = analyze_sources(sources)
    result = RunResult(
        findings=sorted(findings, key=lambda f: f.sort_key()),
        problems=problems + analysis_problems,
        files_checked=len(files),
    )
    return result


def check_source(path: str, text: str) -> RunResult:
    """Check one in-memory source (for --stdin-filename and tests)."""
    findings, problems = analyze_sources({path: text})
    return RunResult(findings=sorted(findings, key=lambda f: f.sort_key()), problems=problems, files_checked=1)
