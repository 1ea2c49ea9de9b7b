"""The board and the attendance register as CSV (UTF-8 with BOM) and XLSX.

Both read the completion rule's batch result, so they show the same numbers as the pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lms.progress.board import all_rows
from lms.progress.models import Edition
from lms.progress.plan import EditionPlan, SessionRef, UnitRef

Table = tuple[list[str], list[list[str | int]]]


def spreadsheet_safe(value: str | int) -> str | int:
    """Text starting with a formula character is kept as text, never run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _labels() -> dict[str, str]:
    """What the pages call each status, so a spreadsheet reads like the board it came from."""
    return {"active": _("Active"), "withdrawn": _("Withdrawn"), "deferred": _("Deferred"),
            "complete": _("Complete"), "in_progress": _("In progress"), "at_risk": _("At risk"),
            "government": _("Government"), "ngo": _("NGO"), "other": _("Other"),
            "present": _("Present"), "late": _("Late"), "excused": _("Excused"),
            "absent": _("Absent"), "made_up": _("Made up"), "female": _("Female"),
            "male": _("Male")}


def board_table(edition: Edition, now: datetime, language: str) -> Table:
    """Header and rows of the board: one row per enrolment, four columns per unit."""
    plan, rows = all_rows(edition, now)
    header = [_("Name"), _("Name (Arabic)"), _("Email"), _("Organisation"),
              _("Organisation type"), _("Country"), _("Gender"), _("Enrolment"),
              _("Overall")]
    for unit in plan.units:
        title = unit.title(language)
        header += [_("%(unit)s: days", unit=title), _("%(unit)s: lessons", unit=title),
                   _("%(unit)s: quizzes", unit=title), _("%(unit)s: complete", unit=title)]
    label = _labels()
    body: list[list[str | int]] = []
    for row in rows:
        line: list[str | int] = [
            row.full_name, row.full_name_ar or "", row.email, row.organisation or "",
            label[row.organisation_type.value] if row.organisation_type else "",
            row.country or "", label.get(row.gender or "", row.gender or ""),
            label[row.enrolment_status.value],
            label[row.completion.status] if row.completion else ""]
        for state in row.completion.units if row.completion else []:
            line += [f"{state.days_counted}/{state.days_required}",
                     f"{state.lessons_done}/{state.lessons_total}",
                     f"{state.quizzes_passed}/{state.quizzes_total}",
                     _("yes") if state.is_complete else _("no")]
        body.append(line)
    return header, body


def register_table(edition: Edition, now: datetime, language: str) -> Table:
    """Header and rows of the attendance register: one column per in-person day."""
    plan, rows = all_rows(edition, now)
    header = [_("Name"), _("Name (Arabic)"), _("Email"), _("Enrolment")]
    for unit, session in _days(plan):
        header.append(f"{session.day.isoformat()} {unit.slug}")
    label = _labels()
    body: list[list[str | int]] = []
    for row in rows:
        line: list[str | int] = [row.full_name, row.full_name_ar or "", row.email,
                                 label[row.enrolment_status.value]]
        for state in row.completion.units if row.completion else []:
            for day in state.days:
                line.append(label["made_up"] if day.made_up
                            else label[day.status.value] if day.status else "")
        body.append(line)
    return header, body


def _days(plan: EditionPlan) -> Iterable[tuple[UnitRef, SessionRef]]:
    for unit in plan.units:
        for session in plan.sessions.get(unit.id, []):
            yield unit, session


def as_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Arabic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header, rows = table
    writer.writerow([spreadsheet_safe(v) for v in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet: Any, value: str | int) -> WriteOnlyCell | int:
    """A cell that holds the value as text, whatever it starts with.

    Unlike CSV, the format says which cells are text, so nothing is prefixed: a cell of text
    starting with "=" is never a formula. The format has no place for most control
    characters (a Word line break pasted into a roster's organisation, say); openpyxl
    refuses them, so they become spaces.
    """
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(" ", value))
    cell.data_type = "s"
    return cell


def as_xlsx(table: Table, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    header, rows = table
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
