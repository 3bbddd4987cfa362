"""Placeholder until the interpreter lands: the analysis entry point the runner calls."""

from __future__ import annotations

from typing import Dict, List, Tuple

from tfscope_lint.findings import FileProblem, Finding


def analyze_sources(sources: Dict[str, str]) -> Tuple[List[Finding], List[FileProblem]]:
    """Analyse a set of files (path -> text) as one project."""
    return [], []
