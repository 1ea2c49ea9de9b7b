"""Self check-in: the day's code shown to the room, checking in with it, its window."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from flask.testing import FlaskClient
from sqlalchemy import select

from lms.courses.models import CoursePackage
from lms.extensions import db
from lms.progress.checkin import CODE_PERIOD_SECONDS, code_for, current_code
from lms.progress.models import (
    Attendance,
    AttendanceStatus,
)
from tests.conftest import Auth
from tests.progress.attendance_helpers import (
    SECRET,
    at,
    logged_in_during_first_day,
    status_of,
    teacher_of,
)
from tests.progress.helpers import mark, participant, scheduled_edition, sessions_of


def test_code_display_refreshes_and_shows_qr(client: FlaskClient, auth: Auth,
                                             loaded: object) -> None:
    """The code page refreshes itself and shows the code as text and as a QR image."""
    edition = scheduled_edition()
    instructor = teacher_of(edition)
    db.session.commit()
    auth.login(instructor)
    session = sessions_of(edition, "alpha")[0]
    during = session.starts_at + timedelta(minutes=5)
    with mock.patch("lms.progress.teaching_views.utcnow", return_value=during):
        response = client.get(f"/teaching/sessions/{session.id}/code")
        still = client.get(f"/teaching/sessions/{session.id}/code?still=1")
    page = response.text
    code = current_code(SECRET, session, during).code
    assert response.headers["Refresh"] == "20" and "Stop updating" in page
    assert "Refresh" not in still.headers and "Update automatically again" in still.text
    assert f"{code[:3]} {code[3:]}" in page
    assert 'src="data:image/svg+xml' in page
    closed = client.get(f"/teaching/sessions/{session.id}/code").text
    assert "data:image/svg" not in closed and "Check-in is open from" in closed


def test_check_in_with_the_current_code(client: FlaskClient, auth: Auth,
                                        loaded: object) -> None:
    """GET only shows the confirmation; the POST with the current code marks present."""
    edition, user, session, during, code = logged_in_during_first_day(auth)
    with at(during):
        page = client.get(f"/checkin?code={code}")
        assert page.status_code == 200 and f'value="{code}"' in page.text
        assert status_of(session, user) is None
        assert client.post("/checkin", data={"code": f"{code[:3]} {code[3:]}"}
                           ).status_code == 302
    assert status_of(session, user) == "present"
    late = session.starts_at + timedelta(minutes=40)
    other = participant(edition)
    db.session.commit()
    auth.logout()
    auth.login(other)
    with at(late):
        client.post("/checkin", data={"code": current_code(SECRET, session, late).code})
    assert status_of(session, other) == "late"


def test_check_in_after_an_absence_keeps_the_instructors_note(client: FlaskClient, auth: Auth,
                                                              loaded: object) -> None:
    """Marked absent with a note, then checking in: the mark changes, the note stays."""
    edition = scheduled_edition()
    user = participant(edition)
    instructor = teacher_of(edition)
    db.session.commit()
    session = sessions_of(edition, "alpha")[0]
    auth.login(instructor)
    client.post(f"/teaching/sessions/{session.id}", data={
        f"status-{user.id}": "absent", f"note-{user.id}": "phoned: bus broke down"})
    auth.logout()
    auth.login(user)
    late = session.starts_at + timedelta(minutes=40)
    with at(late):
        client.post("/checkin", data={"code": current_code(SECRET, session, late).code})
    row = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                         user_id=user.id))
    assert row is not None and (row.status.value, row.note) == ("late", "phoned: bus broke down")


def test_checking_in_late_never_costs_an_excused_day_that_counts(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Where the package counts excused days but not late ones, a participant excused for a
    day who comes 40 minutes late after all keeps the excused day, which counts; checking in
    on time still makes it present. Where late days count too, a late check-in replaces the
    excuse as before."""
    package = db.session.scalar(select(CoursePackage))
    assert package is not None
    package.completion = {**package.completion, "late_counts": False, "excused_counts": True}
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    first, second = sessions_of(edition, "alpha")[:2]
    for day in (first, second):
        mark(day, user, AttendanceStatus.EXCUSED)
    db.session.commit()
    auth.login(user)
    late, on_time = first.starts_at + timedelta(minutes=40), second.starts_at
    with at(late):
        client.post("/checkin", data={"code": current_code(SECRET, first, late).code})
    with at(on_time):
        client.post("/checkin", data={"code": current_code(SECRET, second, on_time).code})
    assert (status_of(first, user), status_of(second, user)) == ("excused", "present")
    package.completion = {**package.completion, "late_counts": True}
    third = sessions_of(edition, "alpha")[2]
    mark(third, user, AttendanceStatus.EXCUSED)
    db.session.commit()
    late = third.starts_at + timedelta(minutes=40)
    with at(late):
        client.post("/checkin", data={"code": current_code(SECRET, third, late).code})
    assert status_of(third, user) == "late"


def test_wrong_past_and_out_of_window_codes_are_refused(client: FlaskClient, auth: Auth,
                                                        loaded: object) -> None:
    """A wrong code, a code older than the previous period's, and any code outside the
    window fail."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    session = sessions_of(edition, "alpha")[0]
    during = session.starts_at + timedelta(minutes=5)
    period = int(during.timestamp()) // CODE_PERIOD_SECONDS
    stale = code_for(SECRET, session.id, period - 2)
    with at(during):
        wrong = client.post("/checkin", data={"code": "000000" if stale != "000000" else "1"})
        assert wrong.status_code == 400 and "not valid" in wrong.text
        assert client.post("/checkin", data={"code": stale}).status_code == 400
    outside = session.ends_at + timedelta(minutes=1)
    with at(outside):
        response = client.post("/checkin", data={"code": current_code(SECRET, session,
                                                                      outside).code})
        assert "None of your in-person days is open" in response.text
    assert status_of(session, user) is None


def test_the_code_just_changed_still_checks_in(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """Read a moment before it changed (or scanned, then logged in first): the previous
    period's code still works."""
    edition, user, session, during, _code = logged_in_during_first_day(auth)
    previous = code_for(SECRET, session.id, int(during.timestamp()) // CODE_PERIOD_SECONDS - 1)
    with at(during):
        assert client.post("/checkin", data={"code": previous}).status_code == 302
    assert status_of(session, user) == "present"


def test_check_in_is_rate_limited(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Guessing codes is throttled per participant."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    statuses = [client.post("/checkin", data={"code": "123456"}).status_code
                for _ in range(11)]
    assert statuses[-1] == 429


def test_check_in_code_typed_in_arabic_digits(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """An Arabic keyboard types ٠ to ٩; the code means the same in those digits."""
    _edition, user, session, during, code = logged_in_during_first_day(auth)
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with at(during):
        assert client.post("/checkin", data={"code": arabic}).status_code == 302
    assert status_of(session, user) == "present"
