"""SARIF, GitHub annotations, JUnit and the full text format, end to end through the CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from frontend_helpers import REPO, cli, fake_analysis, write  # noqa: F401
from tfscope_lint.findings import Finding, Location, Related
from tfscope_lint.output.github import annotation, escape_data, escape_property
from tfscope_lint.output.text import full_lines
from tfscope_lint.rules import RULES

SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
SOURCE = (
    "import tensorflow as tf\n"
    "\n"
    "def build():\n"
    "    with tf.variable_scope('layer'):\n"
    "        return tf.get_variable('w', [3])  # fake: TFS102\n"
    "\n"
    "x = 1  # fake: TFS201\n"
)
pytestmark = pytest.mark.usefixtures("fake_analysis")
ABSOLUTE_URI = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?/[!-~]*$")  # RFC 3986 absolute-URI, http(s) only


def check(tmp_path: Path, fmt: str, source: str = SOURCE) -> tuple:
    path = write(tmp_path, "model.py", source)
    result = cli(["check", "--output-format", fmt, str(path)])
    return result, path


class TestSarif:
    def test_valid_against_the_official_schema(self, tmp_path: Path) -> None:
        if not SARIF_SCHEMA.is_file():
            pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it ships in the project's shared/data)")
        result, _ = check(tmp_path, "sarif")
        assert result.exit_code == 1
        log = json.loads(result.stdout)
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(log)

    def test_help_uri_per_rule_with_docs_url(self, tmp_path: Path) -> None:
        path = write(tmp_path, "model.py", SOURCE)
        base = "https://github.com/OWNER/tfscope-lint/blob/0123abc/docs/rules"
        for given in (base, base + "/"):
            result = cli(["check", "--output-format", "sarif", "--docs-url", given, str(path)])
            assert result.exit_code == 1, result.stderr
            log = json.loads(result.stdout)
            rules = log["runs"][0]["tool"]["driver"]["rules"]
            assert [r["helpUri"] for r in rules] == [f"{base}/{code}.md" for code in RULES]
            if SARIF_SCHEMA.is_file():
                schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
                jsonschema.Draft4Validator(schema).validate(log)
        # the schema's `format: uri` is not checked by jsonschema without rfc3987: check absoluteness here
        assert all(ABSOLUTE_URI.match(r["helpUri"]) for r in rules)
        write(tmp_path, "pyproject.toml", f'[tool.tfscope-lint]\ndocs-url = "{base}/"\n')
        from_file = json.loads(cli(["check", "--output-format", "sarif", str(path)]).stdout)
        assert from_file["runs"][0]["tool"]["driver"]["rules"][1]["helpUri"] == f"{base}/{list(RULES)[1]}.md"

    def test_no_help_uri_without_docs_url(self, tmp_path: Path) -> None:
        result, _ = check(tmp_path, "sarif")
        rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
        assert rules and not any("helpUri" in r for r in rules)

    def test_what_code_scanning_needs(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        result, _ = check(tmp_path, "sarif")
        run = json.loads(result.stdout)["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == list(RULES)
        assert all(r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
        first, second = run["results"]
        assert first["ruleId"] == "TFS102" and first["level"] == "error"
        assert rules[first["ruleIndex"]]["id"] == "TFS102"
        location = first["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "model.py", "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] == 5 and location["region"]["startColumn"] == 9
        assert first["relatedLocations"][0]["message"]["text"] == "first created here"
        assert second["level"] == "warning"
        assert first["partialFingerprints"] != second["partialFingerprints"]
        assert run["invocations"][0]["executionSuccessful"] is True

    def test_fingerprint_survives_lines_moving(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        before = json.loads(check(tmp_path, "sarif")[0].stdout)["runs"][0]["results"][0]
        after = json.loads(check(tmp_path, "sarif", "# a new comment\n\n" + SOURCE)[0].stdout)["runs"][0]["results"][0]
        assert before["locations"] != after["locations"]
        assert before["partialFingerprints"] == after["partialFingerprints"]

    def test_unreadable_files_are_notifications(self, tmp_path: Path) -> None:
        (tmp_path / "bad.py").write_bytes(b"\x00")
        result = cli(["check", "--output-format", "sarif", str(tmp_path)])
        invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
        assert result.exit_code == 2
        assert invocation["executionSuccessful"] is False
        assert "bad.py" in invocation["toolExecutionNotifications"][0]["message"]["text"]


# ::error file=F,line=L,col=C,endLine=L,endColumn=C,title=T::MESSAGE, as the runner parses it
ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::([^\r\n]*)$")


class TestGithub:
    def test_annotation_syntax(self, tmp_path: Path) -> None:
        result, path = check(tmp_path, "github")
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert len(lines) == 2
        for line, kind in zip(lines, ("error", "warning")):
            match = ANNOTATION.match(line)
            assert match, line
            assert match.group(1) == kind
            props = dict(item.split("=", 1) for item in match.group(2).split(","))
            assert set(props) == {"title", "file", "line", "col", "endLine", "endColumn"}
            assert props["file"] == str(path).replace(":", "%3A").replace(",", "%2C")
        assert "line=5,col=9" in lines[0]
        assert "%0A" in lines[0] and "first created here" in lines[0]

    def test_escaping_like_the_actions_toolkit(self) -> None:
        assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
        assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
        finding = Finding("TFS105", "shape (1, 2) vs 50%\nx", Location("dir,1/a:b.py", 3, 1, 3, 5))
        line = annotation(finding)
        assert ANNOTATION.match(line), line
        assert "file=dir%2C1/a%3Ab.py" in line and line.endswith("shape (1, 2) vs 50%25%0Ax")


class TestJunit:
    def test_one_suite_per_file(self, tmp_path: Path) -> None:
        write(tmp_path, "clean.py", "x = 1\n")
        write(tmp_path, "model.py", SOURCE)
        result = cli(["check", "--output-format", "junit", str(tmp_path)])
        assert result.exit_code == 1
        root = ET.fromstring(result.stdout)
        assert root.tag == "testsuites" and root.get("failures") == "2" and root.get("tests") == "3"
        suites = {Path(s.get("name")).name: s for s in root.findall("testsuite")}
        assert suites["clean.py"].find("testcase/failure") is None
        failures = suites["model.py"].findall("testcase/failure")
        assert [f.get("type") for f in failures] == ["error", "warning"]
        cases = suites["model.py"].findall("testcase")
        assert cases[0].get("name") == "TFS102 missing-reuse" and cases[0].get("line") == "5"

    def test_clean_run_is_valid_xml(self, tmp_path: Path) -> None:
        result, _ = check(tmp_path, "junit", "x = 1\n")
        assert result.exit_code == 0
        assert ET.fromstring(result.stdout).get("failures") == "0"


class TestFull:
    def test_code_frame_related_frame_and_hint(self, tmp_path: Path) -> None:
        result, path = check(tmp_path, "full")
        text = result.stdout
        assert f"{path}:5:9: TFS102 missing-reuse: fake TFS102 finding" in text
        frame = [
            "  |",
            "4 |     with tf.variable_scope('layer'):",
            "5 |         return tf.get_variable('w', [3])  # fake: TFS102",
            "  |         " + "^" * len("return tf.get_variable('w', [3])"),
        ]
        lines = text.splitlines()
        start = lines.index(frame[0])
        assert lines[start:start + 4] == frame
        assert f"  {path}:1:1: first created here" in text
        assert "1 | import tensorflow as tf" in text
        assert "  = variable: 'layer/w'" in text and "  = scope: 'layer'" in text
        assert "  = hint: " + RULES["TFS102"].hint in text

    @pytest.mark.parametrize("code", [c for c in RULES if c != "TFS900"])
    def test_every_rule_has_a_hint_in_full(self, code: str) -> None:
        finding = Finding(code, "m", Location("a.py", 1, 1, 1, 2),
                          related=(Related(Location("b.py", 2, 3), "reuse was switched on here"),))
        lines = [t.plain for t in full_lines(finding, {"a.py": "x = 1\n"})]
        assert lines[-1].startswith("  = hint: ") and len(lines[-1]) > 20
        assert "  b.py:2:3: reuse was switched on here" in lines

    def test_tabs_and_missing_sources_do_not_break_frames(self) -> None:
        finding = Finding("TFS101", "m", Location("a.py", 2, 2, 2, 3))
        lines = [t.plain for t in full_lines(finding, {"a.py": "x = 1\n\ty = 2\n"})]
        assert "2 |     y = 2" in lines and "  |     ^" in lines
        assert [t.plain for t in full_lines(finding, {})][0].startswith("a.py:2:2: TFS101")
