"""Attendance: the instructor's roster and history, apologies, CSV import."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.db_types import column_length
from lms.extensions import db
from lms.progress.checkin import current_code
from lms.progress.models import (
    Apology,
    Attendance,
    AttendanceChange,
    EnrolmentStatus,
)
from tests import factories
from tests.conftest import Auth
from tests.progress.attendance_helpers import (
    SECRET,
    at,
    status_of,
    teacher_of,
)
from tests.progress.helpers import participant, scheduled_edition, sessions_of, unit


def test_roster_mark_all_present_then_adjust(client: FlaskClient, auth: Auth,
                                             loaded: object) -> None:
    """The instructor marks everyone present, then one late with a note; history keeps both."""
    edition = scheduled_edition()
    a, b = participant(edition, full_name="Amal"), participant(edition, full_name="Badr")
    instructor = teacher_of(edition)
    db.session.commit()
    auth.login(instructor)
    session = sessions_of(edition, "alpha")[0]
    page = client.get(f"/teaching/sessions/{session.id}").text
    assert "Amal" in page and "Not marked yet" in page and "<fieldset" in page
    client.post(f"/teaching/sessions/{session.id}/all-present")
    assert status_of(session, a) == status_of(session, b) == "present"
    saved = client.post(f"/teaching/sessions/{session.id}", data={
        f"status-{a.id}": "present", f"status-{b.id}": "late", f"note-{b.id}": "traffic"},
        follow_redirects=True)
    assert "Attendance saved (1 change)." in saved.text
    assert status_of(session, b) == "late"
    changes = db.session.scalars(select(AttendanceChange).filter_by(user_id=b.id)).all()
    assert [(c.old_status and c.old_status.value, c.new_status.value) for c in changes] == [
        (None, "present"), ("present", "late")]
    history = client.get(f"/teaching/sessions/{session.id}/history").text
    assert "traffic" in history and "Late" in history and instructor.full_name in history


def _posted(page: str) -> dict[str, str]:
    """What the roster form posts as drawn: each checked status, each note, each version."""
    form: dict[str, str] = {}
    for name, value in re.findall(r'name="(status-\d+)" value="(\w+)" checked', page):
        form[name] = value
    for name, value in re.findall(r'name="((?:note|was)-\d+)"[^>]*value="([^"]*)"', page):
        form[name] = html.unescape(value)
    return form


def test_saving_a_page_opened_before_a_check_in_keeps_the_check_in(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """09:30 the instructor marks Karim absent; 09:45 Karim checks in (late); 10:00 the
    instructor, on the page still open since 09:30, adds a note for Layla and saves. Karim
    stays late, the page says a mark changed meanwhile, and Layla's note is saved."""
    edition = scheduled_edition()
    karim, layla = participant(edition, full_name="Karim"), participant(edition, full_name="Layla")
    instructor = teacher_of(edition)
    db.session.commit()
    session = sessions_of(edition, "alpha")[0]
    auth.login(instructor)
    client.post(f"/teaching/sessions/{session.id}", data={
        f"status-{karim.id}": "absent", f"status-{layla.id}": "present"})
    open_page = _posted(client.get(f"/teaching/sessions/{session.id}").text)
    assert open_page[f"status-{karim.id}"] == "absent" and open_page[f"was-{karim.id}"]
    auth.logout()
    auth.login(karim)
    late = session.starts_at + timedelta(minutes=40)
    with at(late):
        client.post("/checkin", data={"code": current_code(SECRET, session, late).code})
    assert status_of(session, karim) == "late"
    auth.logout()
    auth.login(instructor)
    saved = client.post(f"/teaching/sessions/{session.id}", data={
        **open_page, f"note-{layla.id}": "left at noon"}, follow_redirects=True)
    assert "Attendance saved (1 change)." in saved.text
    assert "1 mark changed while this page was open" in saved.text
    assert status_of(session, karim) == "late" and status_of(session, layla) == "present"
    # Told, the instructor can still set the mark: the page now shows the new version.
    again = _posted(saved.text)
    client.post(f"/teaching/sessions/{session.id}", data={**again,
                                                           f"status-{karim.id}": "absent"})
    assert status_of(session, karim) == "absent"


def test_bad_marks_change_nothing(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An unknown status, or a mark for someone not on the roster, saves nothing at all."""
    edition = scheduled_edition()
    a = participant(edition)
    stranger = factories.make_user()
    instructor = teacher_of(edition)
    db.session.commit()
    auth.login(instructor)
    session = sessions_of(edition, "alpha")[0]
    for data in ({f"status-{a.id}": "sleeping"},
                 {f"status-{a.id}": "present", f"status-{stranger.id}": "present"},
                 {f"status-{a.id}": "present", "status-\u00b2": "present"},
                 {f"status-{a.id}": "present", "status-99999999999999999999": "present"}):
        assert client.post(f"/teaching/sessions/{session.id}", data=data).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_instructor_of_another_unit_gets_404(client: FlaskClient, auth: Auth,
                                             loaded: object) -> None:
    """Rosters, codes and history of units one does not teach look like unknown days."""
    edition = scheduled_edition()
    instructor = teacher_of(edition, "beta")
    db.session.commit()
    auth.login(instructor)
    session = sessions_of(edition, "alpha")[0]
    for path in ("", "/history", "/code"):
        assert client.get(f"/teaching/sessions/{session.id}{path}").status_code == 404
    assert client.post(f"/teaching/sessions/{session.id}/all-present").status_code == 404
    assert client.get(f"/teaching/editions/{edition.id}/units/{unit('alpha').id}"
                      ).status_code == 404
    assert client.get(f"/teaching/editions/{edition.id}/units/{unit('beta').id}"
                      ).status_code == 200
    assert client.get("/teaching/sessions/999999").status_code == 404


def test_apology_excused_by_instructor(client: FlaskClient, auth: Auth,
                                       loaded: object) -> None:
    """A participant apologises for an upcoming day; the instructor excuses it."""
    edition = scheduled_edition()
    user = participant(edition)
    instructor = teacher_of(edition)
    db.session.commit()
    session = sessions_of(edition, "alpha")[2]
    before = session.starts_at - timedelta(days=1)
    auth.login(user)
    with at(before):
        assert client.get(f"/my/sessions/{session.id}/apology").status_code == 200
        response = client.post(f"/my/sessions/{session.id}/apology",
                               data={"reason": "Medical appointment"})
        assert response.status_code == 302
    with at(session.starts_at + timedelta(minutes=1)):
        late = client.post(f"/my/sessions/{session.id}/apology", data={"reason": "x"})
        assert late.status_code == 400 and "before the day starts" in late.text
    auth.logout()
    auth.login(instructor)
    page = client.get(f"/teaching/sessions/{session.id}").text
    assert "Medical appointment" in page
    apology = db.session.scalar(select(Apology))
    assert apology is not None
    client.post(f"/teaching/apologies/{apology.id}", data={"decision": "excuse"})
    assert status_of(session, user) == "excused"
    again = client.post(f"/teaching/apologies/{apology.id}", data={"decision": "decline"},
                        follow_redirects=True)
    assert "already been decided" in again.text


def test_an_apology_for_a_day_attended_after_all(client: FlaskClient, auth: Auth,
                                                loaded: object) -> None:
    """A participant apologises for two days and comes to both. Checking in over the
    instructor's excuse marks them present; excusing the other apology after they checked in
    leaves them present. An excused day does not count as attended, so either way round the
    excuse must not take an attended day away."""
    edition = scheduled_edition()
    user = participant(edition)
    instructor = teacher_of(edition)
    db.session.commit()
    first, second = sessions_of(edition, "alpha")[:2]
    auth.login(user)
    with at(first.starts_at - timedelta(days=1)):
        for day in (first, second):
            assert client.post(f"/my/sessions/{day.id}/apology",
                               data={"reason": "Visa appointment"}).status_code == 302
    apologies = {a.session_id: a for a in db.session.scalars(select(Apology))}
    auth.logout()
    auth.login(instructor)
    client.post(f"/teaching/apologies/{apologies[second.id].id}", data={"decision": "excuse"})
    assert status_of(second, user) == "excused"
    auth.logout()
    auth.login(user)
    for day in (first, second):
        during = day.starts_at + timedelta(minutes=5)
        with at(during):
            checked_in = client.post("/checkin", data={
                "code": current_code(SECRET, day, during).code}, follow_redirects=True)
            assert "already checked in" not in checked_in.text
    assert status_of(first, user) == status_of(second, user) == "present"
    auth.logout()
    auth.login(instructor)
    client.post(f"/teaching/apologies/{apologies[first.id].id}", data={"decision": "excuse"})
    db.session.expire_all()
    assert status_of(first, user) == "present"
    assert db.session.get(Apology, apologies[first.id].id).decision.value == "excused"


def test_apology_for_another_edition_is_not_found(client: FlaskClient, auth: Auth,
                                                  loaded: object) -> None:
    """A participant cannot apologise for a day of an edition they are not in."""
    edition = scheduled_edition()
    other = scheduled_edition(name="Other")
    participant(edition)
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    assert client.get(f"/my/sessions/{sessions_of(other, 'alpha')[0].id}/apology"
                      ).status_code == 404


def test_attendance_csv_import_all_or_nothing(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """Paper attendance imports with a preview; one bad row stops the whole file."""
    edition = scheduled_edition()
    user = participant(edition, email="amal@example.org")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    url = f"/admin/editions/{edition.id}/attendance-import"
    good = ("email,unit,date,status,note\n"
            "amal@example.org,alpha,2026-09-06,present,\n"
            "AMAL@example.org,alpha,2026-09-07,late,bus\n")
    bad = good + ("nobody@example.org,alpha,2026-09-08,present,\n"
                  "amal@example.org,alpha,2026-09-11,present,\n"
                  "amal@example.org,alpha,06/09/2026,here,\n")
    response = client.post(url, data={"text": bad, "confirm": "1"})
    assert response.status_code == 400
    assert "Line 4: nobody@example.org is not enrolled" in response.text
    assert "Line 5: unit &#39;alpha&#39; has no in-person day on 2026-09-11" in response.text
    assert "Line 6: &#39;06/09/2026&#39; is not a date" in response.text
    assert "Line 6: the status must be present, late, excused or absent" in response.text
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    assert client.post(url, data={"text": good}).status_code == 200
    assert client.post(url, data={"text": good, "confirm": "1"}).status_code == 302
    sessions = sessions_of(edition, "alpha")
    assert (status_of(sessions[0], user), status_of(sessions[1], user)) == ("present", "late")


def test_attendance_import_refuses_who_the_roster_leaves_out(client: FlaskClient, auth: Auth,
                                                            loaded: object) -> None:
    """The roster takes marks for active participants only, and so does a file: a withdrawn
    or deferred participant's line is refused with the reason, and nothing is recorded."""
    edition = scheduled_edition()
    participant(edition, email="amal@example.org")
    factories.enrol(factories.make_user(email="badr@example.org"), edition,
                    status=EnrolmentStatus.WITHDRAWN)
    factories.enrol(factories.make_user(email="chadi@example.org"), edition,
                    status=EnrolmentStatus.DEFERRED)
    db.session.commit()
    auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/editions/{edition.id}/attendance-import", data={
        "text": "email,unit,date,status,note\n"
                "amal@example.org,alpha,2026-09-06,present,\n"
                "badr@example.org,alpha,2026-09-06,present,\n"
                "chadi@example.org,alpha,2026-09-06,late,\n", "confirm": "1"})
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert "Line 2" not in text
    assert ("Line 3: badr@example.org has withdrawn from this edition: reactivate the "
            "enrolment first" in text)
    assert ("Line 4: chadi@example.org has deferred to a later edition: reactivate the "
            "enrolment first" in text)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_notes_hold_what_their_column_holds(client: FlaskClient, auth: Auth,
                                           loaded: object) -> None:
    """A note as long as the column is kept, from the roster and from an imported file; one
    character more is refused with a message and saves nothing."""
    edition = scheduled_edition()
    user = participant(edition, email="amal@example.org")
    instructor = teacher_of(edition)
    db.session.commit()
    session = sessions_of(edition, "alpha")[0]
    longest = column_length(Attendance.note)
    auth.login(instructor)
    for length in (longest + 1, longest):
        client.post(f"/teaching/sessions/{session.id}", data={
            f"status-{user.id}": "late", f"note-{user.id}": "n" * length})
        if length > longest:
            assert status_of(session, user) is None
    row = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                         user_id=user.id))
    assert row is not None and row.note == "n" * longest
    auth.logout()
    auth.login_as(Role.ADMIN)
    url = f"/admin/editions/{edition.id}/attendance-import"

    def imported(length: int) -> str:
        return client.post(url, data={"text": "email,unit,date,status,note\n"
                                              f"amal@example.org,alpha,2026-09-07,late,"
                                              f"{'m' * length}\n"}).text

    assert (f"Line 2: the note is longer than {longest} characters"
            in imported(longest + 1))
    assert "Line 2" not in imported(longest)


def test_participant_cannot_reach_teaching_pages(app: Flask, client: FlaskClient, auth: Auth,
                                                 loaded: object) -> None:
    """Rosters and codes are for staff: a participant gets 403 even on their own day."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    session = sessions_of(edition, "alpha")[0]
    assert client.get(f"/teaching/sessions/{session.id}/code").status_code == 403
    assert client.post(f"/teaching/sessions/{session.id}",
                       data={f"status-{user.id}": "present"}).status_code == 403
