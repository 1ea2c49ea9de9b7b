"""Participants are told by email when an in-person day still to come moves or is cancelled,
in their language and in the edition's time zone; the day-before reminder follows a move."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.courses.models import Programme
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.editions import create_edition, local_to_utc, schedule_units
from lms.progress.models import Edition, EnrolmentStatus, InPersonSession, SessionReminder
from lms.progress.reminders import send_reminders
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import unit

pytestmark = pytest.mark.usefixtures("loaded")


def next_sunday(after: date) -> date:
    return after + timedelta(days=(6 - after.weekday()) % 7 or 7)


def edition_with_days() -> tuple[Edition, list[InPersonSession]]:
    """An edition that started ten days ago; its first unit meets five days from a coming
    Sunday, its second five days from last week."""
    today = date.today()
    programme = db.session.scalar(select(Programme).filter_by(slug="local"))
    assert programme is not None
    edition = create_edition(programme, "Winter edition", today - timedelta(days=20),
                             today + timedelta(days=200), "AUC New Cairo")
    coming = schedule_units(edition, [unit("alpha")], next_sunday(today + timedelta(days=14)),
                            time(9), time(15), None)
    schedule_units(edition, [unit("beta")], next_sunday(today - timedelta(days=20)), time(9),
                   time(15), None)
    return edition, coming


def people(edition: Edition) -> dict[str, User]:
    """Who should hear of a change (in English and in Arabic), and who should not."""
    found = {"english": factories.make_user(full_name="Hana Mostafa"),
             "arabic": factories.make_user(full_name="Omar Khaled", full_name_ar="عمر خالد",
                                           preferred_language="ar"),
             "withdrawn": factories.make_user(),
             "deactivated": factories.make_user(is_active_account=False)}
    for key, user in found.items():
        factories.enrol(user, edition, status=EnrolmentStatus.WITHDRAWN
                        if key == "withdrawn" else EnrolmentStatus.ACTIVE)
    return found


def mail_to(user: User, template: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).filter_by(recipient=user.email,
                                                                   template=template)))


def move(client: FlaskClient, day: InPersonSession, on: date, starts: str = "10:00",
         venue: str = "", notify: bool = True) -> None:
    data = {"unit": day.unit_id, "day": on.isoformat(), "starts": starts, "ends": "15:00",
            "contact_hours": "5", "venue": venue}
    if notify:
        data["notify"] = "y"
    response = client.post(f"/admin/editions/sessions/{day.id}", data=data)
    assert response.status_code == 302, response.text


def test_moving_a_coming_day_tells_every_expected_participant(client: FlaskClient,
                                                              auth: Auth) -> None:
    """Each active participant gets the old and the new date, time and venue in their own
    language and the edition's zone; withdrawn and deactivated people get nothing; the admin
    is told how many were told, and the audit log records it."""
    auth.login_as(Role.ADMIN)
    edition, coming = edition_with_days()
    who = people(edition)
    db.session.commit()
    first = coming[0]
    old_day = first.day
    new_day = old_day + timedelta(days=7)
    assert client.get(f"/admin/editions/sessions/{first.id}").text.count('checked') == 1

    response = client.post(f"/admin/editions/sessions/{first.id}", data={
        "unit": first.unit_id, "day": new_day.isoformat(), "starts": "10:00", "ends": "15:00",
        "contact_hours": "5", "venue": "Tahrir campus", "notify": "y"}, follow_redirects=True)
    assert "2 participants have been told by email." in response.text

    [english] = mail_to(who["english"], "session_moved")
    assert english.subject == "Change to an in-person day: Alpha module"
    assert f"Date: {old_day.isoformat()}" in english.body_text
    assert "Time: 09:00 to 15:00 (Africa/Cairo)" in english.body_text
    assert "Venue: AUC New Cairo" in english.body_text
    assert f"Date: {new_day.isoformat()}" in english.body_text
    assert "Time: 10:00 to 15:00 (Africa/Cairo)" in english.body_text
    assert "Venue: Tahrir campus" in english.body_text
    assert "/my/schedule.ics" in english.body_text
    [arabic] = mail_to(who["arabic"], "session_moved")
    assert "عمر خالد" in arabic.body_text and new_day.isoformat() in arabic.body_text
    assert arabic.subject != english.subject
    assert mail_to(who["withdrawn"], "session_moved") == []
    assert mail_to(who["deactivated"], "session_moved") == []
    event = db.session.scalar(select(AuditEvent).filter_by(action="edition.session_move"))
    assert event is not None and event.details["told"] == "2"


def test_no_mail_when_unticked_unchanged_or_past(client: FlaskClient, auth: Auth) -> None:
    """The admin may keep the change quiet; saving a day as it was, or changing only its
    contact hours, tells no one; nor does moving a day that is over."""
    auth.login_as(Role.ADMIN)
    edition, coming = edition_with_days()
    who = people(edition)
    db.session.commit()
    first = coming[0]
    move(client, first, first.day + timedelta(days=7), notify=False)
    db.session.refresh(first)
    move(client, first, first.day, starts="10:00")
    client.post(f"/admin/editions/sessions/{first.id}", data={
        "unit": first.unit_id, "day": first.day.isoformat(), "starts": "10:00",
        "ends": "15:00", "contact_hours": "4", "notify": "y"})
    past = db.session.scalar(select(InPersonSession).where(
        InPersonSession.edition_id == edition.id, InPersonSession.unit_id == unit("beta").id)
        .order_by(InPersonSession.day))
    assert past is not None and past.ends_at < utcnow()
    move(client, past, past.day + timedelta(days=6))  # the Saturday of that week, also past
    assert mail_to(who["english"], "session_moved") == []


def test_a_moved_day_is_reminded_again_on_its_new_eve(client: FlaskClient,
                                                      auth: Auth) -> None:
    """The reminder sent for the old date does not stop the one for the new date."""
    auth.login_as(Role.ADMIN)
    edition, coming = edition_with_days()
    who = people(edition)
    first = coming[0]
    eve = local_to_utc(edition.timezone, first.day - timedelta(days=1), time(17))
    assert len(send_reminders(eve)) == 2
    db.session.commit()
    new_day = first.day + timedelta(days=7)
    move(client, first, new_day)
    db.session.expire_all()
    assert db.session.scalars(select(SessionReminder).filter_by(session_id=first.id)).all() == []
    new_eve = local_to_utc(edition.timezone, new_day - timedelta(days=1), time(17))
    assert len(send_reminders(new_eve)) == 2
    assert len(mail_to(who["english"], "session_reminder")) == 2


def test_removing_a_coming_day_tells_the_participants(client: FlaskClient, auth: Auth) -> None:
    """A cancelled day still to come is announced to the participants; a past one is not."""
    auth.login_as(Role.ADMIN)
    edition, coming = edition_with_days()
    who = people(edition)
    db.session.commit()
    last = coming[-1]
    day = last.day
    response = client.post(f"/admin/editions/sessions/{last.id}/delete", follow_redirects=True)
    assert "The day has been removed." in response.text
    assert "2 participants have been told by email." in response.text
    [cancelled] = mail_to(who["english"], "session_cancelled")
    assert cancelled.subject == f"Cancelled: in-person day of Alpha module on {day.isoformat()}"
    assert "Time: 09:00 to 15:00 (Africa/Cairo)" in cancelled.body_text
    # A calendar keeps a day it once imported: the mail says to remove it, not to re-import.
    assert "remove this day from it" in cancelled.body_text
    assert "/my/schedule.ics" not in cancelled.body_text
    assert mail_to(who["withdrawn"], "session_cancelled") == []

    past = db.session.scalar(select(InPersonSession).where(
        InPersonSession.edition_id == edition.id, InPersonSession.unit_id == unit("beta").id)
        .order_by(InPersonSession.day))
    assert past is not None
    client.post(f"/admin/editions/sessions/{past.id}/delete")
    assert len(mail_to(who["english"], "session_cancelled")) == 1


def sequences(client: FlaskClient) -> dict[str, str]:
    """Each event's SEQUENCE in the participant's calendar file, by its UID."""
    events = client.get("/my/schedule.ics").data.decode().split("BEGIN:VEVENT")[1:]
    found = {}
    for text in events:
        fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
        found[fields["UID"]] = fields["SEQUENCE"]
    return found


def test_the_calendar_file_numbers_each_change_of_a_day(client: FlaskClient,
                                                         auth: Auth) -> None:
    """A moved day comes with a higher SEQUENCE, so a calendar app that imported the file
    before takes the new time when it is imported again; a save that changes nothing, or
    changes only the contact hours, leaves it; a new venue for the edition raises it on the
    days held there."""
    edition, coming = edition_with_days()
    participant = people(edition)["english"]
    db.session.commit()
    auth.login(participant)
    before = sequences(client)
    assert set(before.values()) == {"0"} and len(before) == 10
    moved = next(uid for uid in before if uid.startswith(f"session-{coming[0].id}@"))
    auth.logout()
    auth.login_as(Role.ADMIN)
    new_day = coming[0].day + timedelta(days=7)
    move(client, coming[0], new_day, notify=False)
    move(client, coming[0], new_day, notify=False)  # sent again: nothing changes
    auth.logout()
    auth.login(participant)
    after = sequences(client)
    assert after[moved] == "1"
    assert all(after[uid] == "0" for uid in after if uid != moved)
    auth.logout()
    auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/editions/{edition.id}/edit", data={
        "name": edition.name, "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(), "venue": "Tahrir campus",
        "timezone": edition.timezone, "programme": edition.programme_id})
    assert response.status_code == 302, response.text
    auth.logout()
    auth.login(participant)
    assert set(sequences(client).values()) == {"1", "2"}
