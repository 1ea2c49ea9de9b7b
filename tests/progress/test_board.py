"""The admin board, the participant detail, the report with charts, and the exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import insert, select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.progress.board import sponsor_report
from lms.progress.enrolments import defer, withdraw
from lms.progress.models import AttendanceStatus as S
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, OrganisationType
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import (
    NOW,
    finish_unit_online,
    mark,
    participant,
    scheduled_edition,
    sessions_of,
)


def frozen():  # type: ignore[no-untyped-def]
    return mock.patch("lms.progress.board_views.utcnow", return_value=NOW)


def cohort(edition, size: int) -> None:  # type: ignore[no-untyped-def]
    """``size`` participants written in bulk, a third of them with alpha fully done."""
    db.session.execute(insert(User), [
        {"email": f"p{edition.id}-{n}@example.org", "full_name": f"Person {n:04d}",
         "role": Role.PARTICIPANT, "country": "Egypt" if n % 2 else "Jordan",
         "preferred_language": "en", "is_active_account": True} for n in range(size)])
    ids = db.session.scalars(select(User.id).where(User.email.like(f"p{edition.id}-%"))).all()
    db.session.execute(insert(Enrolment), [
        {"edition_id": edition.id, "user_id": uid, "status": EnrolmentStatus.ACTIVE,
         "organisation_type": OrganisationType.NGO} for uid in ids])
    db.session.commit()


def test_board_shows_text_and_state_for_each_cell(client: FlaskClient, auth: Auth,
                                                  loaded: object) -> None:
    """Each cell states days and online work in words, not colour alone."""
    edition = scheduled_edition()
    done = participant(edition, full_name="Dina Complete")
    for session in sessions_of(edition, "alpha"):
        mark(session, done, S.PRESENT)
    finish_unit_online(done)
    participant(edition, full_name="Ehab Idle")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    with frozen():
        page = client.get(f"/admin/editions/{edition.id}/board").text
    assert "Dina Complete" in page and "Ehab Idle" in page
    assert "Days 4/4" in page and "Online 4/4" in page
    assert "Days 0/4" in page and "At risk" in page
    assert 'class="cell cell--complete"' in page


def test_board_filters_and_search(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Status, organisation type, country and name filters narrow the rows."""
    edition = scheduled_edition()
    a = participant(edition, full_name="Amira Gov", country="Egypt")
    participant(edition, full_name="Basel Ngo", country="Jordan")
    withdrawn = participant(edition, full_name="Celine Gone")
    db.session.execute(Enrolment.__table__.update().where(
        Enrolment.user_id == a.id).values(organisation_type="government"))
    db.session.execute(Enrolment.__table__.update().where(
        Enrolment.user_id == withdrawn.id).values(status="withdrawn"))
    db.session.commit()
    auth.login_as(Role.ADMIN)
    url = f"/admin/editions/{edition.id}/board"
    with frozen():
        assert "Basel" not in client.get(url + "?organisation_type=government").text
        assert "Amira" not in client.get(url + "?country=Jordan").text
        search = client.get(url + "?q=amira").text
        assert "Amira" in search and "Basel" not in search
        # Typed characters are matched as they are, never as wildcards.
        for wildcard in ("a_ira", "am%a"):
            assert "Amira" not in client.get(url + "?q=" + wildcard.replace("%", "%25")).text
        assert "Amira" in client.get(url + "?q=AMIRA%20gov").text
        gone = client.get(url + "?status=withdrawn").text
        assert "Celine" in gone and "Amira" not in gone
        risk = client.get(url + "?status=at_risk").text
        assert "Amira" in risk and "Celine" not in risk
        assert "Amira" not in client.get(url + "?status=complete").text


def test_board_and_exports_take_fixed_queries(client: FlaskClient, auth: Auth, loaded: object,
                                              count_queries) -> None:  # type: ignore[no-untyped-def]
    """The board page and both exports use as many queries for 1,000 people as for 10. On
    PostgreSQL the board's statements are the very same text for both pages (a page's
    participants are one array parameter), so the driver parses them once and keeps them."""
    auth.login_as(Role.ADMIN)
    counts: dict[str, list[int]] = {}
    board_statements: list[list[str]] = []
    for size in (10, 1000):
        edition = scheduled_edition(name=f"Size {size}")
        cohort(edition, size)
        for name, path in (("board", "board"), ("risk", "board?status=at_risk"),
                           ("csv", "board.csv"), ("xlsx", "register.xlsx")):
            with frozen(), count_queries() as counter:
                response = client.get(f"/admin/editions/{edition.id}/{path}")
            assert response.status_code == 200
            counts.setdefault(name, []).append(counter.count)
            if name == "board":
                board_statements.append(counter.statements)
    for name, (small, large) in counts.items():
        assert small == large, (name, counts)
    if db.engine.dialect.name == "postgresql":
        assert board_statements[0] == board_statements[1]


def test_exports_match_the_participant_page(client: FlaskClient, auth: Auth,
                                            loaded: object) -> None:
    """CSV (with BOM) and XLSX carry the same numbers the participant sees."""
    edition = scheduled_edition()
    user = participant(edition, full_name="هناء مصطفى")
    for session in sessions_of(edition, "alpha")[:3]:
        mark(session, user, S.PRESENT)
    finish_unit_online(user, ("first",))
    db.session.commit()
    auth.login_as(Role.ADMIN)
    with frozen():
        raw = client.get(f"/admin/editions/{edition.id}/board.csv").data
        register = client.get(f"/admin/editions/{edition.id}/register.csv").data.decode(
            "utf-8-sig")
        xlsx = client.get(f"/admin/editions/{edition.id}/board.xlsx").data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][0] == "هناء مصطفى"
    assert rows[1][9:13] == ["3/4", "1/2", "1/2", "no"]
    assert "Present" in register.splitlines()[1]
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[2]][9:13] == ["3/4", "1/2", "1/2", "no"]
    auth.logout()
    auth.login(user)
    with mock.patch("lms.courses.views.utcnow", return_value=NOW):
        page = client.get("/").text
    assert "In-person days: 3 of 4 attended" in page
    assert "1 of 2 lessons completed" in page and "Quizzes: 1 of 2 passed" in page


def test_every_day_attended_never_reads_more_than_required(client: FlaskClient, auth: Auth,
                                                            loaded: object) -> None:
    """Five days, one absence allowed: four are required. A participant at all five reads
    "4 of 4", not "5 of 4", on the home page and the unit's page, and the admin's board and
    export say the same."""
    edition = scheduled_edition()
    user = participant(edition, full_name="Amina Five")
    for session in sessions_of(edition, "alpha"):
        mark(session, user, S.PRESENT)
    db.session.commit()
    auth.login(user)
    with mock.patch("lms.courses.views.utcnow", return_value=NOW):
        home = client.get("/").text
    assert "In-person days: 4 of 4 attended" in home and "5 of 4" not in home
    auth.logout()
    auth.login_as(Role.ADMIN)
    with mock.patch("lms.progress.board_views.utcnow", return_value=NOW):
        board = client.get(f"/admin/editions/{edition.id}/board").text
        export = client.get(f"/admin/editions/{edition.id}/board.csv").text
    assert "Days 4/4" in board and "5/4" not in board
    assert "4/4" in export and "5/4" not in export


def test_formula_cells_are_neutralised(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A name starting with = is exported as text, never as a formula: prefixed in the CSV,
    a text cell as it is in the XLSX."""
    edition = scheduled_edition()
    participant(edition, full_name="=HYPERLINK(\"http://x\")")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    text = client.get(f"/admin/editions/{edition.id}/board.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    xlsx = client.get(f"/admin/editions/{edition.id}/board.xlsx").data
    cell = load_workbook(io.BytesIO(xlsx)).active.cell(2, 1)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")


def test_the_spreadsheet_takes_control_characters_and_arabic_headers(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An organisation pasted from a word processor with a line break in it (a control
    character the XLSX format cannot hold) still exports, with a space there; in Arabic the
    unit columns' headers are Arabic too."""
    edition = scheduled_edition()
    user = participant(edition, full_name="Nour\x0bHassan")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    response = client.get(f"/admin/editions/{edition.id}/board.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(2, 1).value == "Nour Hassan" and user.full_name == "Nour\x0bHassan"
    client.post("/language", data={"language": "ar"})
    arabic = client.get(f"/admin/editions/{edition.id}/board.csv").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(arabic)))
    unit_columns = [title for title in header if ": " in title]
    assert unit_columns and not any(word in title for title in unit_columns
                                    for word in ("days", "lessons", "quizzes", "complete"))


def test_participant_detail_and_report(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """The detail page lists what is missing; the report has SVG charts with tables."""
    edition = scheduled_edition()
    user = participant(edition, full_name="Farah <b>Bold</b>")
    for session in sessions_of(edition, "alpha"):
        mark(session, user, S.PRESENT)
    db.session.commit()
    auth.login_as(Role.ADMIN)
    with frozen():
        detail = client.get(f"/admin/editions/{edition.id}/participants/{user.id}").text
        report = client.get(f"/admin/editions/{edition.id}/report").text
    assert "Farah &lt;b&gt;Bold&lt;/b&gt;" in detail
    assert "Read and complete the lesson “First topic”" in detail
    assert report.count('<svg role="img"') == 3
    assert "Completion by unit" in report and "Attendance rate by day" in report
    assert "Quiz score distribution by topic" in report
    assert "<th scope=\"row\">Sep 6, 2026 · Alpha module</th><td>100%</td>" in report
    other = factories.make_user()
    db.session.commit()
    assert client.get(f"/admin/editions/{edition.id}/participants/{other.id}"
                      ).status_code == 404
    assert client.get("/admin/editions/999999/board").status_code == 404


def test_board_is_for_admins_only(app: Flask, client: FlaskClient, auth: Auth,
                                  loaded: object) -> None:
    """Instructors and participants get 403 from the board and its exports."""
    edition = scheduled_edition()
    db.session.commit()
    for role in (Role.INSTRUCTOR, Role.PARTICIPANT):
        auth.login_as(role)
        for path in ("board", "board.csv", "register.xlsx", "report"):
            assert client.get(f"/admin/editions/{edition.id}/{path}").status_code == 403
        auth.logout()


def test_cell_labels_are_escaped_once_for_every_cell(app: Flask,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's cells are written outside the template: a label with markup in it (a bad
    translation) reaches the page as text, in every cell."""
    from lms.progress import board_cells

    monkeypatch.setattr(board_cells, "_", lambda text: f"<i>{text}</i>")
    with app.test_request_context("/"):
        labels = board_cells.cell_labels()
    assert labels.days == "&lt;i&gt;Days&lt;/i&gt;"
    state = mock.Mock(is_complete=False, at_risk=False, missing_count=2, days_counted=1,
                      days_required=3, online_done=4, online_total=6)
    html = str(board_cells.row_cells([state, state], labels))
    assert "<i>" not in html
    assert html.count("<span>&lt;i&gt;Days&lt;/i&gt; 1/3</span>") == 2
    assert "2 &lt;i&gt;to do&lt;/i&gt;</span>" in html and "&lt;i&gt;Online&lt;/i&gt; 4/6" in html


def test_report_counts_a_deferred_person_in_the_later_edition_only(loaded: object) -> None:
    """Who deferred is listed apart in the edition they left and counted, with their
    organisation, country and gender, in the one they moved to: once across editions."""
    first = scheduled_edition(name="Autumn")
    later = scheduled_edition(name="Spring", first_day=date(2027, 2, 7))
    later.starts_on = date(2027, 2, 1)

    def enrolled(edition: Edition, country: str, gender: str) -> Enrolment:
        return factories.enrol(factories.make_user(country=country), edition, gender=gender)

    enrolled(first, "Egypt", "female")
    leaving = enrolled(first, "Jordan", "male")
    moving = enrolled(first, "Sudan", "female")
    enrolled(later, "Egypt", "male")
    defer(moving, later, NOW)
    withdraw(leaving, NOW)

    autumn = sponsor_report(first, NOW, "en")
    assert (autumn.enrolled, autumn.active, autumn.withdrawn, autumn.deferred) == (2, 1, 1, 1)
    assert autumn.by_country == {"Egypt": 1, "Jordan": 1}
    assert autumn.by_gender == {"female": 1, "male": 1}
    spring = sponsor_report(later, NOW, "en")
    assert (spring.enrolled, spring.active, spring.withdrawn, spring.deferred) == (2, 2, 0, 0)
    assert spring.by_country == {"Egypt": 1, "Sudan": 1}
    assert spring.by_gender == {"female": 1, "male": 1}
