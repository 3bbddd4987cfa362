"""Adopting the tool on a code base with existing findings: a baseline file, or noqa comments.

A baseline lists the findings of today by their SARIF fingerprint (code, file, variable and the
reporting line's text, not its number: a line moving does not make a finding new), so that CI fails
on new findings only. `--add-noqa` writes `# noqa: CODE` on each reporting line instead, as ruff's
does: the rest of every file stays byte-identical (line ends, encoding, BOM), and a line that cannot
take a comment (inside a multi-line string, after a backslash) is left alone and counted.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Set, Tuple

from tfscope_lint import suppress
from tfscope_lint.findings import RunResult
from tfscope_lint.output.common import fingerprint, relative_uri

BASELINE_VERSION = 1
NOT_NOQA = {"TFS001", suppress.UNUSED_NOQA}  # a syntax error, or a noqa that does nothing: fix those
BOM = b"\xef\xbb\xbf"


class BaselineError(Exception):
    """The baseline file cannot be read or written; the message names it."""


# ---------------------------------------------------------------------------- baseline
def write_baseline(path: str, result: RunResult) -> int:
    """Write every reported finding's fingerprint (with what it was, for a reviewer) to `path`."""
    seen: Counter = Counter()
    entries = [{"fingerprint": fingerprint(f, result.sources, seen), "code": f.code,
                "path": relative_uri(f.location.path), "line": f.location.line, "message": f.message}
               for f in result.findings]
    data = {"tool": "tfscope-lint", "version": BASELINE_VERSION, "findings": entries}
    try:
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"--write-baseline {path}: {exc.strerror or exc}") from None
    return len(entries)


def read_baseline(path: str) -> Set[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"--baseline {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"--baseline {path} is not JSON: {exc}") from None
    if not (isinstance(data, dict) and data.get("tool") == "tfscope-lint" and isinstance(data.get("findings"), list)):
        raise BaselineError(f"--baseline {path} is not a baseline written by --write-baseline")
    return {entry["fingerprint"] for entry in data["findings"] if isinstance(entry, dict) and "fingerprint" in entry}


def apply_baseline(result: RunResult, known: Set[str]) -> RunResult:
    """Drop the findings the baseline knows; the rest are new. Repeats count: a second identical
    finding in a file has the fingerprint `...:2`, new unless the baseline had two."""
    seen: Counter = Counter()
    kept = [f for f in result.findings if fingerprint(f, result.sources, seen) not in known]
    result.baselined = len(result.findings) - len(kept)
    result.findings = kept
    return result


# ---------------------------------------------------------------------------- --add-noqa
@dataclass
class NoqaOutcome:
    added: int = 0  # comments written or extended, one per line
    skipped: List[Tuple[str, int]] = field(default_factory=list)  # (path, line) that cannot take one


def add_noqa(result: RunResult) -> NoqaOutcome:
    """Write `# noqa: CODES` on the reporting line of each finding, in the files on disk."""
    wanted: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in result.findings:
        if finding.code not in NOT_NOQA and finding.location.path in result.sources:
            wanted[finding.location.path][finding.location.line].add(finding.code)
    outcome = NoqaOutcome()
    for path, lines in wanted.items():
        added, skipped = _add_to_file(Path(path), result.sources[path], lines)
        outcome.added += added
        outcome.skipped.extend((path, line) for line in skipped)
    return outcome


def _add_to_file(path: Path, text: str, lines: Dict[int, Set[str]]) -> Tuple[int, List[int]]:
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (OSError, SyntaxError):
        return 0, sorted(lines)
    bom = BOM if data.startswith(BOM) else b""
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    raw = data[len(bom):].splitlines(keepends=True)  # bytes split at \n, \r\n and \r only, as Python does
    try:
        if b"".join(raw).decode(encoding) != text:
            return 0, sorted(lines)  # changed on disk since it was read: leave it
    except (UnicodeDecodeError, LookupError):
        return 0, sorted(lines)
    compiles = _compiles(text)
    added, skipped = 0, []
    for number in sorted(lines):
        if not 0 < number <= len(raw):
            skipped.append(number)
            continue
        content = raw[number - 1]
        body = content.rstrip(b"\r\n")
        ending = content[len(body):]
        line = body.decode(encoding)
        edited = _with_noqa(line, number, "".join(part.decode(encoding) for part in raw), sorted(lines[number]))
        if edited == line:
            continue
        trial = raw[:number - 1] + [edited.encode(encoding) + ending] + raw[number:]
        trial_text = "".join(part.decode(encoding) for part in trial)
        if not _claims(trial_text, number, lines[number]) or (compiles and not _compiles(trial_text)):
            skipped.append(number)
            continue
        raw = trial
        added += 1
    if added:
        with path.open("r+b") as handle:  # in place: the file keeps its inode, mode and links
            handle.write(bom + b"".join(raw))
            handle.truncate()
    return added, skipped


def _with_noqa(line: str, number: int, text: str, codes: List[str]) -> str:
    """The line with the codes added to its noqa comment, or a new `  # noqa: CODES` at its end."""
    directive = suppress.parse(text).by_line.get(number) if "noqa" in line.lower() else None
    if directive is not None and directive.codes is not None:
        missing = [code for code in codes if not any(code.startswith(c) for c in directive.codes)]
        end = directive.end_column - 1
        return line[:end] + "".join(f", {code}" for code in missing) + line[end:]
    return line.rstrip() + f"  # noqa: {', '.join(codes)}"


def _claims(text: str, number: int, codes: Set[str]) -> bool:
    directive = suppress.parse(text).by_line.get(number)
    return directive is not None and all(directive.claims(code) for code in codes)


def _compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
