"""`tfscope-lint vars` output: the inventory of each entry script, and the checkpoint comparison's findings.

`concise` is a rich table per entry (then the findings, one line each, as `check` prints them), `json`
one object, `csv` one row per variable (or, with a checkpoint, per finding).
"""

from __future__ import annotations

import csv
import json
from typing import Any, Dict, List, Optional, TextIO

from rich.table import Table

from tfscope_lint.findings import Finding
from tfscope_lint.inventory import Inventory, Variable
from tfscope_lint.output.console import make_console
from tfscope_lint.output.machine import finding_dict
from tfscope_lint.output.text import _related_line, headline

VARIABLE_FIELDS = ("entry", "name", "shape", "dtype", "trainable", "certain", "created_by", "slot_of", "path", "line",
                   "column")
FINDING_FIELDS = ("code", "name", "severity", "path", "line", "column", "message")


def _shape(shape: Any) -> Optional[List[Optional[int]]]:
    return None if shape is None else list(shape)


def _shape_text(shape: Any) -> str:
    return "?" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _flag(value: Optional[bool]) -> str:
    return "?" if value is None else "yes" if value else "no"


def variable_dict(entry: str, v: Variable) -> Dict[str, Any]:
    loc = v.location
    return {"entry": entry, "name": v.name, "shape": _shape(v.shape), "dtype": v.dtype, "trainable": v.trainable,
            "certain": v.certain, "created_by": v.created_by, "slot_of": v.slot_of,
            "path": loc.path if loc else None, "line": loc.line if loc else None,
            "column": loc.column if loc else None}


def write_json(stream: TextIO, inventories: List[Inventory], findings: Optional[List[Finding]],
               checkpoint: Optional[Dict[str, Any]]) -> None:
    data: Dict[str, Any] = {"entries": [
        {"entry": inv.entry, "complete": inv.complete, "builds": inv.builds, "variables": [variable_dict(inv.entry, v) for v in inv.variables]}
        for inv in inventories]}
    if checkpoint is not None:
        data["checkpoint"] = checkpoint
        data["findings"] = [finding_dict(f) for f in findings or []]
    json.dump(data, stream, indent=2)
    stream.write("\n")


def write_csv(stream: TextIO, inventories: List[Inventory], findings: Optional[List[Finding]]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    if findings is not None:
        writer.writerow(FINDING_FIELDS)
        for f in findings:
            d = finding_dict(f)
            writer.writerow([d[k] for k in FINDING_FIELDS])
        return
    writer.writerow(VARIABLE_FIELDS)
    for inv in inventories:
        for v in inv.variables:
            d = variable_dict(inv.entry, v)
            d["shape"] = _shape_text(v.shape)
            writer.writerow(["" if d[k] is None else d[k] for k in VARIABLE_FIELDS])


def write_concise(stream: TextIO, inventories: List[Inventory], findings: Optional[List[Finding]], color: bool,
                  show_table: bool = True) -> None:
    console = make_console(stream, color)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    if show_table:
        for inv in inventories:
            table = Table(title=f"{inv.entry}: {len(inv.variables)} variables"
                                + ("" if inv.complete else " (the analysis may have missed some)"),
                          title_justify="left")
            for column in ("Name", "Shape", "Dtype", "Trainable", "Certain", "Created by", "Where"):
                table.add_column(column, no_wrap=column != "Name")
            for v in inv.variables:
                where = f"{v.location.path}:{v.location.line}" if v.location else ""
                made = v.created_by + (f" ({v.slot_of})" if v.slot_of else "")
                table.add_row(v.name, _shape_text(v.shape), v.dtype or "?", _flag(v.trainable), _flag(v.certain),
                              made, where)
            console.print(table)
    for finding in findings or []:
        console.print(headline(finding))
        for related in finding.related:
            console.print(_related_line(related))
