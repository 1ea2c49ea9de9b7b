"""Admin pages for editions: creating, scheduling working days, moving days, archiving."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.courses.models import Programme
from lms.extensions import db
from lms.progress.editions import local_to_utc, working_days
from lms.progress.models import AttendanceStatus as S
from lms.progress.models import Edition, InPersonSession, UnitInstructor
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import mark, participant, scheduled_edition, sessions_of, unit


def programme_id(slug: str = "local") -> int:
    return db.session.scalar(select(Programme.id).filter_by(slug=slug)) or 0


def test_working_days_skip_friday_and_saturday() -> None:
    """Five working days from a Thursday jump over Egypt's weekend."""
    assert working_days(date(2026, 10, 1), 5, {4, 5}) == [
        date(2026, 10, 1), date(2026, 10, 4), date(2026, 10, 5), date(2026, 10, 6),
        date(2026, 10, 7)]


def test_cairo_summer_time_is_applied() -> None:
    """Nine in the morning in Cairo is 06:00 UTC in summer and 07:00 UTC in winter."""
    assert local_to_utc("Africa/Cairo", date(2026, 7, 5), time(9)) == datetime(
        2026, 7, 5, 6, tzinfo=UTC)
    assert local_to_utc("Africa/Cairo", date(2026, 12, 6), time(9)) == datetime(
        2026, 12, 6, 7, tzinfo=UTC)


def test_admin_creates_edition_and_schedules_a_module(client: FlaskClient, auth: Auth,
                                                     loaded: object) -> None:
    """The admin creates an edition, then one module gets five working days."""
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/editions/new", data={
        "programme": programme_id(), "name": "Fourth edition", "starts_on": "2026-10-01",
        "ends_on": "2027-03-31", "venue": "AUC Tahrir", "timezone": "Africa/Cairo"})
    assert response.status_code == 302
    edition = db.session.scalar(select(Edition).filter_by(name="Fourth edition"))
    assert edition is not None and edition.timezone == "Africa/Cairo"
    # Five working days from the edition's last week would run past its end: nothing is made.
    past_the_end = client.post(f"/admin/editions/{edition.id}/schedule", data={
        "unit": unit("alpha").id, "first_day": "2027-03-29", "starts": "09:00", "ends": "16:00"})
    assert past_the_end.status_code == 400 and "within the edition&#39;s dates" in past_the_end.text
    assert sessions_of(edition, "alpha") == []
    response = client.post(f"/admin/editions/{edition.id}/schedule", data={
        "unit": unit("alpha").id, "first_day": "2026-10-01", "starts": "09:00",
        "ends": "16:00"})
    assert response.status_code == 302
    days = [s.day.isoformat() for s in sessions_of(edition, "alpha")]
    assert days == ["2026-10-01", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"]
    assert sessions_of(edition, "alpha")[0].contact_hours == 6
    page = client.get(f"/admin/editions/{edition.id}").text
    assert "Oct 4, 2026" in page and "Fourth edition" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(
        action="edition.schedule")) == 1


def test_regional_programme_gets_consecutive_days(client: FlaskClient, auth: Auth,
                                                  loaded: object) -> None:
    """Scheduling all units of a programme gives each one-day unit the next working day."""
    auth.login_as(Role.ADMIN)
    edition = factories.make_edition("regional")
    db.session.commit()
    client.post(f"/admin/editions/{edition.id}/schedule", data={
        "unit": 0, "first_day": "2026-10-01", "starts": "09:00", "ends": "17:00",
        "contact_hours": "7"})
    sessions = db.session.scalars(select(InPersonSession).filter_by(edition_id=edition.id)).all()
    assert [(s.day, s.contact_hours) for s in sessions] == [(date(2026, 10, 1), 7.0)]


def test_scheduling_twice_is_refused(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A unit that already has days is not scheduled again; nothing changes."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    response = client.post(f"/admin/editions/{edition.id}/schedule", data={
        "unit": unit("alpha").id, "first_day": "2026-11-01", "starts": "09:00",
        "ends": "16:00"})
    assert response.status_code == 400
    assert "already have days scheduled" in response.text
    assert len(sessions_of(edition, "alpha")) == 5


def test_a_unit_taught_online_only_gets_no_day(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """Scheduling every unit in order skips a unit with no in-person days (``days: 0``), so
    the completion rule asks no day of it; scheduling it alone says there is nothing to
    schedule."""
    auth.login_as(Role.ADMIN)
    unit("beta").days = 0
    edition = factories.make_edition(starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31))
    db.session.commit()
    url = f"/admin/editions/{edition.id}/schedule"
    days = {"first_day": "2026-09-06", "starts": "09:00", "ends": "16:00"}
    alone = client.post(url, data={"unit": unit("beta").id, **days})
    assert alone.status_code == 400 and "taught online only" in alone.text
    assert client.post(url, data={"unit": 0, **days}).status_code == 302
    assert sessions_of(edition, "beta") == [] and len(sessions_of(edition, "alpha")) == 5


def test_a_first_day_past_the_edition_is_refused(client: FlaskClient, auth: Auth,
                                                 loaded: object) -> None:
    """A mistyped first day, even at the far end of the calendar, is refused with the
    edition's dates; so are days that would run past the edition's last day."""
    auth.login_as(Role.ADMIN)
    edition = factories.make_edition(starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 10))
    db.session.commit()
    url = f"/admin/editions/{edition.id}/schedule"
    for first in ("9999-12-28", "2026-09-08"):
        response = client.post(url, data={"unit": 0, "first_day": first, "starts": "09:00",
                                          "ends": "16:00"})
        assert response.status_code == 400
        assert "must fall within the edition" in response.text
    assert db.session.scalar(select(func.count()).select_from(InPersonSession)) == 0


def test_contact_hours_that_are_no_number_are_refused(client: FlaskClient, auth: Auth,
                                                      loaded: object) -> None:
    """"nan", "inf" or a signalling "sNaN" as contact hours get the form's message, on the
    schedule and on a new day, not a server error; nothing is added."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(InPersonSession))
    for hours in ("sNaN", "nan", "-inf"):
        day = client.post(f"/admin/editions/{edition.id}/sessions", data={
            "unit": unit("alpha").id, "day": "2026-09-21", "starts": "10:00", "ends": "15:00",
            "contact_hours": hours})
        schedule = client.post(f"/admin/editions/{edition.id}/schedule", data={
            "unit": unit("beta").id, "first_day": "2026-11-01", "starts": "09:00",
            "ends": "16:00", "contact_hours": hours})
        for response in (day, schedule):
            assert response.status_code == 400, hours
            assert "Enter an ordinary number." in response.text
    assert db.session.scalar(select(func.count()).select_from(InPersonSession)) == before


def test_bad_edition_form_is_refused(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An end before the start, or an unknown time zone, is a clear error and saves nothing."""
    auth.login_as(Role.ADMIN)
    for data in ({"ends_on": "2026-01-01"}, {"timezone": "Mars/Olympus"}):
        response = client.post("/admin/editions/new", data={
            "programme": programme_id(), "name": "Bad", "starts_on": "2026-10-01",
            "ends_on": "2027-03-31", "timezone": "Africa/Cairo", **data})
        assert response.status_code == 400
    assert db.session.scalar(select(Edition).filter_by(name="Bad")) is None


def test_move_a_day_and_add_one(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A day can be moved to another date and time, and another added by hand."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    first = sessions_of(edition, "alpha")[0]
    assert client.get(f"/admin/editions/sessions/{first.id}").status_code == 200
    response = client.post(f"/admin/editions/sessions/{first.id}", data={
        "unit": first.unit_id, "day": "2026-09-20", "starts": "10:00", "ends": "15:00",
        "contact_hours": "5"})
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.day == date(2026, 9, 20) and first.starts_at.hour == 7
    response = client.post(f"/admin/editions/{edition.id}/sessions", data={
        "unit": first.unit_id, "day": "2026-09-20", "starts": "10:00", "ends": "15:00",
        "contact_hours": "5"})
    assert response.status_code == 400 and "already meets on that date" in response.text
    client.post(f"/admin/editions/{edition.id}/sessions", data={
        "unit": first.unit_id, "day": "2026-09-21", "starts": "10:00", "ends": "15:00",
        "contact_hours": "5"})
    assert len(sessions_of(edition, "alpha")) == 6
    # The edition runs from 1 September 2026 to 31 March 2027.
    for day in ("2026-08-31", "2027-04-01"):
        outside = client.post(f"/admin/editions/{edition.id}/sessions", data={
            "unit": first.unit_id, "day": day, "starts": "10:00", "ends": "15:00",
            "contact_hours": "5"})
        assert outside.status_code == 400
        assert "must fall within the edition&#39;s dates" in outside.text
        moved = client.post(f"/admin/editions/sessions/{first.id}", data={
            "unit": first.unit_id, "day": day, "starts": "10:00", "ends": "15:00",
            "contact_hours": "5"})
        assert moved.status_code == 400
    assert len(sessions_of(edition, "alpha")) == 6
    db.session.refresh(first)
    assert first.day == date(2026, 9, 20)


def test_new_dates_must_keep_the_scheduled_days(client: FlaskClient, auth: Auth,
                                               loaded: object) -> None:
    """The edition's days start on 6 September: dates ending or starting past one of its days
    are refused with what to do, and nothing changes; dates that keep them all are saved."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    fields = {"programme": edition.programme_id, "name": edition.name, "venue": "AUC New Cairo",
              "timezone": "Africa/Cairo"}
    for starts, ends in (("2026-09-01", "2026-09-10"), ("2026-09-08", "2027-03-31")):
        refused = client.post(f"/admin/editions/{edition.id}/edit", data={
            **fields, "starts_on": starts, "ends_on": ends}, follow_redirects=True)
        assert "Some in-person days fall outside these dates" in refused.text
        db.session.refresh(edition)
        assert (edition.starts_on, edition.ends_on) == (date(2026, 9, 1), date(2027, 3, 31))
    last = max(s.day for s in db.session.scalars(select(InPersonSession).filter_by(
        edition_id=edition.id)))
    kept = client.post(f"/admin/editions/{edition.id}/edit", data={
        **fields, "starts_on": "2026-09-06", "ends_on": last.isoformat()})
    assert kept.status_code == 302
    db.session.refresh(edition)
    assert (edition.starts_on, edition.ends_on) == (date(2026, 9, 6), last)


def test_a_new_time_zone_keeps_the_days_local_times(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    """Days planned 9:00 to 16:00 in Cairo, and the zone corrected to Tunis: they are 9:00 to
    16:00 in Tunis, on the same dates."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    response = client.post(f"/admin/editions/{edition.id}/edit", data={
        "programme": edition.programme_id, "name": edition.name, "venue": "AUC New Cairo",
        "timezone": "Africa/Tunis",
        "starts_on": "2026-09-01", "ends_on": "2027-03-31"})
    assert response.status_code == 302
    tunis = ZoneInfo("Africa/Tunis")
    for session in sessions_of(edition, "alpha"):
        db.session.refresh(session)
        local_start, local_end = (session.starts_at.astimezone(tunis),
                                  session.ends_at.astimezone(tunis))
        assert (local_start.date(), local_start.time(), local_end.time()) == (
            session.day, time(9), time(16))


def test_every_field_of_the_edition_page_has_its_own_id(client: FlaskClient, auth: Auth,
                                                       loaded: object) -> None:
    """The schedule, add-a-day and instructor forms share the page; each label names its own
    form's field."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    page = client.get(f"/admin/editions/{edition.id}").text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert 'for="day-unit"' in page and 'id="day-unit"' in page


def test_day_with_attendance_cannot_be_removed(client: FlaskClient, auth: Auth,
                                               loaded: object) -> None:
    """A day with marks is kept (move it instead); an empty one can be removed."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    first, second = sessions_of(edition, "alpha")[:2]
    mark(first, participant(edition), S.PRESENT)
    db.session.commit()
    client.post(f"/admin/editions/sessions/{first.id}/delete")
    client.post(f"/admin/editions/sessions/{second.id}/delete")
    assert [s.id for s in sessions_of(edition, "alpha")][:1] == [first.id]
    assert second.id not in [s.id for s in sessions_of(edition, "alpha")]


def test_assign_unit_instructor(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An admin makes an instructor a unit instructor; a participant cannot be one."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    instructor = factories.make_user(role=Role.INSTRUCTOR)
    db.session.commit()
    client.post(f"/admin/editions/{edition.id}/instructors", data={
        "unit": unit("alpha").id, "instructor": instructor.id})
    assert db.session.get(UnitInstructor, (edition.id, unit("alpha").id, instructor.id))
    client.post(f"/admin/editions/{edition.id}/instructors", data={
        "unit": unit("alpha").id, "instructor": instructor.id, "remove": "1"})
    assert db.session.get(UnitInstructor, (edition.id, unit("alpha").id, instructor.id)) is None


def test_archived_edition_is_read_only(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """After archiving, schedule changes and attendance are refused."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    client.post(f"/admin/editions/{edition.id}/archive")
    db.session.refresh(edition)
    assert edition.is_archived
    response = client.post(f"/admin/editions/{edition.id}/sessions", data={
        "unit": unit("alpha").id, "day": "2026-12-20", "starts": "10:00", "ends": "15:00",
        "contact_hours": "5"}, follow_redirects=True)
    assert "archived" in response.text
    session = sessions_of(edition, "alpha")[0]
    client.post(f"/teaching/sessions/{session.id}", data={f"status-{user.id}": "present"})
    assert client.get(f"/teaching/sessions/{session.id}/history").text.count("Roster") == 0


def test_instructor_and_participant_cannot_manage_editions(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """Edition management is for admins: others get 403, even by direct POST."""
    edition = scheduled_edition()
    db.session.commit()
    auth.login_as(Role.INSTRUCTOR)
    assert client.post("/admin/editions/new", data={"name": "x"}).status_code == 403
    assert client.post(f"/admin/editions/{edition.id}/archive").status_code == 403
