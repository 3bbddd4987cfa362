"""`tfscope-lint vars`: files -> inventories (-> comparison with a checkpoint) -> output; returns the exit code.

Apart from cli.py so that the command line stays click only, and apart from runner.py, whose
findings come from `check`'s analysis: this one runs each entry script once and keeps its final state.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TextIO

from tfscope_lint import checkpoint as ckpt
from tfscope_lint.compare import compare
from tfscope_lint.config import Settings
from tfscope_lint.files import SourceError, discover, read_source
from tfscope_lint.findings import FileProblem, Finding
from tfscope_lint.inventory import inventories
from tfscope_lint.output import variables as out


class VarsError(Exception):
    """The command cannot do its job (exit code 2): the message names the culprit."""


def _sources(settings: Settings, paths: Sequence[str], entries: List[str]) -> tuple:
    files, problems = discover(paths, settings.excludes, False)
    sources: Dict[str, str] = {}
    for path in files:
        try:
            sources[str(path)] = read_source(path)
        except SourceError as exc:
            problems.append(FileProblem(str(path), str(exc)))
    by_real = {str(Path(p).resolve()): p for p in sources}
    chosen = []
    for entry in entries:
        real = str(Path(entry).resolve())
        if real not in by_real:
            try:
                sources[entry] = read_source(Path(entry))
            except (SourceError, OSError) as exc:
                raise VarsError(f"--entry {entry}: {exc}") from None
            by_real[real] = entry
        chosen.append(by_real[real])
    return sources, chosen, problems


def run_vars(settings: Settings, paths: Sequence[str], entries: List[str], checkpoint: Optional[str], fmt: str,
             stream: TextIO, color: bool, quiet: bool) -> int:
    for path in paths:
        if not Path(path).exists():
            raise VarsError(f"{path}: no such file or directory")
    listing: Optional[List[ckpt.CheckpointVariable]] = None
    ckpt_path = ""
    if checkpoint is not None:
        try:
            listing, ckpt_path = ckpt.load(checkpoint)
        except (ckpt.CheckpointError, OSError) as exc:
            raise VarsError(f"--checkpoint: {exc}") from None
    sources, chosen, problems = _sources(settings, paths, entries)
    found = inventories(sources, chosen, settings.tf_version)
    for inv in found:
        problems.extend(inv.problems)
    notes: List[str] = [f"{inv.entry} does not build under TensorFlow as it is (`tfscope-lint check` reports an "
                        "error): the list is what it creates once that is fixed" for inv in found if not inv.builds]
    findings: Optional[List[Finding]] = None
    summary = None
    if listing is not None:
        if len(found) > 1:
            raise VarsError("several entry scripts create variables (" + ", ".join(i.entry for i in found)
                            + "): choose the one the checkpoint belongs to with --entry")
        findings = []
        if found:
            result = compare(found[0], listing, ckpt_path, set(settings.enabled))
            findings = sorted(result.findings, key=lambda f: f.sort_key())
            if result.uncertain:
                notes.append(f"{len(result.uncertain)} variable(s) with names the analysis is not sure of were not "
                             "reported missing: " + ", ".join(v.name for v in result.uncertain[:5])
                             + (" ..." if len(result.uncertain) > 5 else ""))
            if not result.orphans_checked:
                notes.append("the analysis may have missed a creation (a name it cannot spell, a run cut short): "
                             "checkpoint variables the program does not seem to create were not reported")
        summary = {"path": ckpt_path, "variables": len(listing)}
    if fmt == "json":
        out.write_json(stream, found, findings, summary)
    elif fmt == "csv":
        out.write_csv(stream, found, findings)
    else:
        out.write_concise(stream, found, findings, color, show_table=not (quiet and findings is not None))
        if not quiet and findings is not None:
            print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''} against {ckpt_path} "
                  f"({len(listing or [])} checkpoint variables).", file=sys.stderr)
    for note in notes:
        print(f"tfscope-lint: note: {note}", file=sys.stderr)
    for problem in problems:
        if problem.kind != "note":
            print(f"tfscope-lint: error: {problem.path}: {problem.reason}", file=sys.stderr)
    if any(p.kind != "note" for p in problems):
        return 2
    return 1 if findings else 0
