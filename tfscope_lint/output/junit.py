"""JUnit XML, which most CI systems render as a test report: one suite per checked file.

A file with findings has one failing test case per finding; a clean file has one passing case,
so the report also shows what was checked; a file that could not be checked is one error. The
counts of <testsuites> are the sums of those of its suites.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import DefaultDict, List

from tfscope_lint.findings import Finding, RunResult
from tfscope_lint.output.common import Context, name_of, related_text, severity_of, span
from tfscope_lint.output.text import headline


def junit_tree(result: RunResult, ctx: Context) -> ET.Element:
    by_file: DefaultDict[str, List[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.location.path].append(finding)
    paths = list(dict.fromkeys(list(ctx.files) + list(by_file)))
    troubled = {problem.path for problem in result.problems}
    root = ET.Element("testsuites", name="tfscope-lint")
    total = failures = 0
    for path in paths:
        findings = by_file.get(path, [])
        if not findings and path in troubled:
            continue  # its error suite below stands for it: not also a passing case
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(findings))),
                              failures=str(len(findings)), errors="0", skipped="0")
        if not findings:
            ET.SubElement(suite, "testcase", name="no findings", classname=path)
        for finding in findings:
            line = span(finding.location)[0]
            case = ET.SubElement(suite, "testcase", name=f"{finding.code} {name_of(finding)}",
                                 classname=path, file=path, line=str(line))
            failure = ET.SubElement(case, "failure", message=finding.message, type=severity_of(finding))
            details = [headline(finding).plain] + ["  " + related_text(r) for r in finding.related]
            failure.text = "\n".join(details)
        total += max(1, len(findings))
        failures += len(findings)
    root.set("tests", str(total + len(result.problems)))  # the suites' counts add up to these
    root.set("failures", str(failures))
    root.set("errors", str(len(result.problems)))
    for problem in result.problems:
        suite = ET.SubElement(root, "testsuite", name=problem.path, tests="1", failures="0", errors="1",
                              skipped="0")
        case = ET.SubElement(suite, "testcase", name="analysis", classname=problem.path)
        ET.SubElement(case, "error", message=problem.reason)
    return root


def write_junit(result: RunResult, ctx: Context) -> None:
    tree = ET.ElementTree(junit_tree(result, ctx))
    ET.indent(tree)
    ctx.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    ctx.stream.write(ET.tostring(tree.getroot(), encoding="unicode"))
    ctx.stream.write("\n")
