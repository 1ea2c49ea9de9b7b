"""The participant's dashboard, the instructor's unit view, the calendar file, reminders,
the commands and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text

from lms.auth.models import Role, User
from lms.courses.loader import load_package
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.attendance import decide_apology, send_apology
from lms.progress.completion import completion_for
from lms.progress.dashboard import UPCOMING_SHOWN
from lms.progress.models import AttendanceStatus as S
from lms.progress.models import (
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
    SessionReminder,
    UnitInstructor,
)
from lms.progress.reminders import send_reminders
from tests import factories
from tests.conftest import COURSE_PACKAGE, Auth
from tests.progress.helpers import (
    NOW,
    attempt,
    complete_lesson,
    finish_unit_online,
    mark,
    participant,
    scheduled_edition,
    sessions_of,
    unit,
)


def home(client: FlaskClient, now: datetime = NOW) -> str:
    with mock.patch("lms.courses.views.utcnow", return_value=now):
        return client.get("/").text


def test_checklist_shows_what_is_missing_until_complete(client: FlaskClient, auth: Auth,
                                                        loaded: object) -> None:
    """The checklist names each missing item and says complete when the last one is done."""
    edition = scheduled_edition()
    user = participant(edition)
    for session in sessions_of(edition, "alpha"):
        mark(session, user, S.PRESENT)
    complete_lesson(user, "first")
    complete_lesson(user, "second")
    attempt(user, "first", 90.0)
    db.session.commit()
    auth.login(user)
    page = home(client)
    assert "Pass the quiz of “Second topic”" in page
    assert "What to do next" in page
    assert "Certificate: 0 of 2 units complete." in page
    attempt(user, "second", 75.0)
    db.session.commit()
    page = home(client)
    assert "Pass the quiz of “Second topic”" not in page
    assert page.count("status--done\">Complete<") == 1


def test_only_the_unit_with_the_next_step_lists_what_is_missing(client: FlaskClient,
                                                               auth: Auth,
                                                               loaded: object) -> None:
    """The unit the next step is in shows its whole checklist; every other unit its counts
    (without a part it does not require) and the link to its own page, where the rest is."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    page = home(client)
    assert "Read and complete the lesson “First topic”" in page
    assert "Read and complete the lesson “Third topic”" not in page
    beta = page[page.index("<h3>Beta"):]
    beta = beta[:beta.index("</li>\n", beta.index("checklist__more"))]
    assert "At risk" in beta
    assert "In-person days: 0 of 4 attended" in beta and "0 of 1 lessons completed" in beta
    assert "Quizzes:" not in beta and "<progress" not in beta
    assert f'href="/my/editions/{edition.id}/units/{unit("beta").id}"' in beta
    text = unit_page(client, edition, unit("beta").id).text
    assert "Read and complete the lesson “Third topic”" in text


def test_upcoming_days_with_times_venue_and_apology_link(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """Next in-person days show local times in the edition's zone and the venue."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    before = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    page = home(client, before)
    assert "Next in-person days" in page
    assert "Sep 6, 2026</time>, 9:00\u202fAM–4:00\u202fPM" in page
    assert "AUC New Cairo" in page and "Send an apology" in page


def test_upcoming_day_shows_the_apology_and_its_decision(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """A day the participant sent an apology for says so, then says how it was decided."""
    edition = scheduled_edition()
    user = participant(edition)
    before = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    first_day = sessions_of(edition, "alpha")[0]
    apology = send_apology(user, first_day, "A ministry meeting", before)
    db.session.commit()
    auth.login(user)
    page = home(client, before)
    assert "Apology sent" in page
    assert page.count("Send an apology") == UPCOMING_SHOWN - 1
    decide_apology(apology, first_day, True, factories.make_user(role=Role.INSTRUCTOR), before)
    db.session.commit()
    page = home(client, before)
    assert "Apology sent" not in page and "Excused" in page


def unit_page(client: FlaskClient, edition: Edition, unit_id: int, now: datetime = NOW) -> Any:
    with mock.patch("lms.progress.participant_views.utcnow", return_value=now):
        return client.get(f"/my/editions/{edition.id}/units/{unit_id}")


def test_unit_page_lists_each_day_and_topic(client: FlaskClient, auth: Auth,
                                            loaded: object) -> None:
    """The home page links each unit to the participant's own record in it, day by day and
    topic by topic; the home page itself no longer carries those tables."""
    edition = scheduled_edition()
    user = participant(edition)
    first_day, *other_days = sessions_of(edition, "alpha")
    mark(first_day, user, S.LATE)
    for session in other_days:
        mark(session, user, S.PRESENT)
    complete_lesson(user, "first")
    attempt(user, "first", 90.0)
    attempt(user, "second", 40.0)
    db.session.commit()
    auth.login(user)
    alpha = unit("alpha").id
    link = f'href="/my/editions/{edition.id}/units/{alpha}"'
    dashboard = home(client)
    assert link in dashboard
    assert "<caption>Topics</caption>" not in dashboard
    page = unit_page(client, edition, alpha)
    assert page.status_code == 200
    text = page.text
    assert "<caption>In-person days</caption>" in text
    assert text.count("<td>Late</td>") == 1
    assert text.count("<td>Present</td>") == len(other_days)
    assert "Passed (best 90%)" in text and "Not passed yet (best 40%)" in text
    assert "Pass the quiz of “Second topic”" in text
    assert 'href="/topics/second"' in text


def test_unit_page_only_for_own_active_enrolment(client: FlaskClient, auth: Auth,
                                                 loaded: object) -> None:
    """Another edition, a unit outside the edition, a withdrawn enrolment and other roles
    get nothing."""
    edition = scheduled_edition()
    other = scheduled_edition(name="Another edition")
    user = participant(edition)
    someone = participant(other)
    mark(sessions_of(other, "alpha")[0], someone, S.PRESENT)
    db.session.commit()
    auth.login(user)
    alpha = unit("alpha").id
    assert unit_page(client, edition, alpha).status_code == 200
    assert unit_page(client, other, alpha).status_code == 404
    assert unit_page(client, edition, unit("day-one", "regional").id).status_code == 404
    assert unit_page(client, edition, 999_999).status_code == 404
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=user.id))
    assert enrolment is not None
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    assert unit_page(client, edition, alpha).status_code == 404
    client.post("/logout")
    auth.login_as(Role.INSTRUCTOR)
    assert unit_page(client, edition, alpha).status_code == 403


def test_instructor_unit_view_by_topic_day_and_risk(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    """The unit view shows lessons and quiz scores by topic, marks by day, and who is at risk."""
    edition = scheduled_edition()
    user = participant(edition, full_name="Gamal Risk")
    mark(sessions_of(edition, "alpha")[0], user, S.ABSENT)
    attempt(user, "first", 55.0)
    me = auth.login_as(Role.INSTRUCTOR)
    db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit("alpha").id,
                                  user_id=me.id))
    db.session.commit()
    with mock.patch("lms.progress.teaching_views.utcnow", return_value=NOW):
        page = client.get(f"/teaching/editions/{edition.id}/units/{unit('alpha').id}").text
    assert "Gamal Risk" in page and "Quiz 55%" in page and "Absent" in page
    assert page.index("At risk") < page.index("By topic")
    assert "No one in this unit is at risk" not in page
    listing = client.get("/teaching").text
    assert "Take attendance" in listing and "Beta module" not in listing


def test_calendar_file(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """The participant downloads their in-person days as iCalendar with UTC times."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    response = client.get("/my/schedule.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.count("BEGIN:VEVENT") == 10
    assert "DTSTART:20260906T060000Z" in body and "LOCATION:AUC New Cairo" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "BEGIN:VTIMEZONE" not in body


def test_a_retired_units_days_are_neither_in_the_calendar_nor_reminded(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A unit retired from the programme asks no day of anyone, and the home page no longer
    lists its days: the calendar file leaves them out too, and no reminder goes out for
    them."""
    edition = scheduled_edition()
    user = participant(edition)
    unit("beta").is_retired = True
    db.session.commit()
    auth.login(user)
    body = client.get("/my/schedule.ics").data.decode()
    assert body.count("BEGIN:VEVENT") == 5 and "Beta" not in body
    beta_first = sessions_of(edition, "beta")[0]
    evening_before = datetime.combine(beta_first.day - timedelta(days=1), datetime.min.time(),
                                      tzinfo=UTC) + timedelta(hours=15)
    assert send_reminders(evening_before) == []


def test_a_calendar_with_no_days_is_still_a_valid_file(client: FlaskClient, auth: Auth,
                                                       loaded: object) -> None:
    """Before any day is scheduled, the file holds no event but still one component, as
    RFC 5545 requires and strict calendar apps check: the zone its times are in."""
    user = participant(factories.make_edition())
    db.session.commit()
    auth.login(user)
    body = client.get("/my/schedule.ics").data.decode()
    assert "BEGIN:VEVENT" not in body
    assert "BEGIN:VTIMEZONE\r\nTZID:UTC\r\n" in body and body.endswith("END:VCALENDAR\r\n")


def test_reminders_go_once_the_day_before(app: Flask, loaded: object) -> None:
    """A daily run mails each active participant the day before, and never twice."""
    edition = scheduled_edition()
    user = participant(edition)
    participant(edition)
    db.session.commit()
    evening_before = datetime(2026, 9, 5, 17, 0, tzinfo=UTC)
    assert len(send_reminders(evening_before)) == 2
    assert send_reminders(evening_before + timedelta(hours=2)) == []
    message = db.session.scalar(select(OutboxMessage).filter_by(recipient=user.email))
    assert message is not None and "Alpha module" in message.subject
    assert "09:00 to 16:00 (Africa/Cairo)" in message.body_text
    assert db.session.scalar(select(func.count()).select_from(SessionReminder)) == 2
    assert send_reminders(datetime(2026, 9, 3, 17, 0, tzinfo=UTC)) == []


def test_send_reminders_and_synthetic_commands(app: Flask, runner: FlaskCliRunner,
                                               loaded: object) -> None:
    """The commands run: reminders report a count; a synthetic edition has its people."""
    result = runner.invoke(args=["lms", "send-reminders"])
    assert result.exit_code == 0 and "Sent 0 reminder(s)." in result.output
    result = runner.invoke(args=["lms", "synthetic-edition", "25"])
    assert result.exit_code == 0, result.output
    edition = db.session.scalar(select(Edition).where(Edition.name.like("Synthetic%")))
    assert edition is not None
    assert db.session.scalar(select(func.count()).select_from(Enrolment).filter_by(
        edition_id=edition.id)) == 25
    if db.engine.dialect.name == "postgresql":
        # Statistics for the bulk of new rows, so the server plans for them, and their pages
        # noted as visible, so the quiz results are read from their index alone.
        db.session.commit()
        for table in ("attendance", "quiz_attempts"):
            assert db.session.execute(text(
                "SELECT last_analyze IS NOT NULL AND last_vacuum IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname = :table"), {"table": table}).scalar()
    bad = runner.invoke(args=["lms", "synthetic-edition", "5", "--programme", "nope"])
    assert bad.exit_code != 0


def test_demo_shows_attendance_and_one_step_left(app: Flask, runner: FlaskCliRunner) -> None:
    """The demo has a schedule, a unit instructor, and a participant one quiz from module 1."""
    load_package(COURSE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0  # refreshing keeps it sound
    edition = db.session.scalar(select(Edition).filter_by(name="Demo edition"))
    assert edition is not None
    omar = db.session.scalar(select(User).filter_by(full_name="Omar Khaled"))
    assert omar is not None
    first = completion_for(omar, edition, datetime.now(UTC)).units[0]
    assert [m.kind for m in first.missing] == ["quiz"]
    assert db.session.scalar(select(func.count()).select_from(UnitInstructor)) == 6


def test_days_already_attended_or_missed_are_not_days_to_attend(client: FlaskClient,
                                                                auth: Auth,
                                                                loaded: object) -> None:
    """Checked in to today's day, the next step is the following day; a day gone by without
    counting is listed as missed (to make up), not as one to attend."""

    def when(session: InPersonSession) -> str:
        return f'datetime="{session.day.isoformat()}T'

    edition = scheduled_edition()
    user = participant(edition)
    first, second, third, today, last = sessions_of(edition, "alpha")
    mark(first, user, S.ABSENT)
    for session in (second, third, today):
        mark(session, user, S.PRESENT)
    for slug in ("first", "second"):
        complete_lesson(user, slug)
        attempt(user, slug, 90.0)
    db.session.commit()
    auth.login(user)
    page = home(client, today.starts_at + timedelta(hours=1))
    step = page[page.index("What to do next"):page.index("Next in-person days")]
    assert "Attend the next in-person day of Alpha" in step
    assert when(last) in step and when(today) not in step
    checklist = page[page.index("Attend 1 more in-person day:"):]
    checklist = checklist[:checklist.index("</ul>", checklist.index("Missed"))]
    to_attend, missed = checklist.split("Missed")
    assert when(last) in to_attend and when(first) not in to_attend
    assert when(first) in missed and when(today) not in checklist


def test_the_next_step_passes_over_a_unit_with_nothing_to_do_yet(client: FlaskClient,
                                                                 auth: Auth,
                                                                 loaded: object) -> None:
    """Alpha's days are not scheduled yet and its online work is done: the next step is
    beta's lesson, which can be read now, not that alpha is waiting for its schedule."""
    edition = scheduled_edition()
    for session in sessions_of(edition, "alpha"):
        db.session.delete(session)
    user = participant(edition)
    finish_unit_online(user, ("first", "second"))
    db.session.commit()
    auth.login(user)
    page = home(client, datetime(2026, 9, 1, tzinfo=UTC))
    step = page[page.index("What to do next"):page.index("Next in-person days")]
    assert "Read and complete the lesson “Third topic”" in step
    assert "not scheduled yet" not in step
