"""docs/security.md answers every line of the security checklist with a real test or a
recorded decision, and says how to report a vulnerability."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "security.md"
# The checklist's lines, in its order (the checklist itself is kept outside the repository).
CHECKLIST_IDS = [
    "2.1.1/2.1.2/2.1.9", "2.1.7", "2.2.1", "2.2.3", "2.4.1/2.4.4", "2.5.2/2.5.6", "2.5.4",
    "Enumeration", "4.3.1",
    "3.1.1", "3.2.1", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.4.1-3.4.3", "3.4.4", "3.7.1",
    "4.1.1/4.1.5", "4.1.3", "4.2.1 horizontal", "4.2.1 vertical", "4.1.2/5.1.2", "4.2.2",
    "4.3.2",
    "5.1.3/5.1.4", "5.1.5", "5.2.1/5.2.8", "5.2.5", "5.2.7", "5.3.3", "5.3.4",
    "5.3.8/5.3.9/5.5.3",
    "7.4.1/14.3.2", "7.1.1/7.1.2", "7.1.3/7.2.1/7.2.2", "7.3.1", "7.3.3",
    "8.2.1", "8.3.1", "8.3.2", "Certificate verification",
    "11.1.1", "11.1.2", "11.1.3/11.1.6", "Answers before submission", "11.1.4", "11.1.7",
    "12.1.1/12.1.3", "12.1.2", "12.2.1", "12.3.1/12.3.2", "12.4.1", "12.5.1/12.5.2",
    "14.2.1", "14.3.3", "14.4.1", "14.4.3", "14.4.4-14.4.7", "14.5.1", "14.5.3", "13.2.3",
]
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _rows(text: str) -> list[list[str]]:
    """The checklist table's rows as cells, header and rule left out."""
    table = text.split("## The checklist", 1)[1]
    rows = []
    for line in table.splitlines():
        if not line.startswith("| ") or line.startswith(("| ID ", "|---")):
            continue
        # A pipe inside backticks (the `|safe` filter) is text, not a cell border.
        cells = re.split(r"(?<!`)\s\|\s(?!safe`)", line.strip().strip("|").strip())
        rows.append([cell.strip() for cell in cells])
    return rows


def test_every_checklist_line_has_a_row_in_order() -> None:
    """The table lists each checklist ID once, in the checklist's order, with four cells."""
    rows = _rows(DOC.read_text(encoding="utf-8"))
    assert [row[0] for row in rows] == CHECKLIST_IDS
    for row in rows:
        assert len(row) == 4, row
        assert len(row[1]) > 20 and len(row[2]) > 10, row[0]


def test_every_row_names_existing_tests_or_a_decision() -> None:
    """Each row proves itself with tests that exist or records a decision with its reasons."""
    problems = []
    for row in _rows(DOC.read_text(encoding="utf-8")):
        check_id, _check, how, proof = row
        nodes = NODE_ID.findall(proof)
        if not nodes and not ("Decision:" in proof or "Decision:" in how):
            problems.append(f"{check_id}: neither a test nor a decision")
        for path, name in nodes:
            source = ROOT / path
            if not source.is_file():
                problems.append(f"{check_id}: no file {path}")
            elif not re.search(rf"^def {name}\(", source.read_text(encoding="utf-8"), re.M):
                problems.append(f"{check_id}: no test {name} in {path}")
    assert problems == []


def test_security_doc_gives_a_private_reporting_channel() -> None:
    """The page tells finders to report privately, through the contact security.txt gives."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Reporting a vulnerability", 1)[1].split("\n## ", 1)[0]
    assert "privately" in section and "/.well-known/security.txt" in section
    assert "LMS_SECURITY_CONTACT" in section
