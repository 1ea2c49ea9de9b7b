"""Day-before reminders of in-person days, sent once per participant and day by a daily job."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Unit
from lms.extensions import db
from lms.mail import services as mail
from lms.mail.models import OutboxMessage
from lms.progress.day_changes import expected_people
from lms.progress.editions import local_today, to_local
from lms.progress.models import (
    Edition,
    InPersonSession,
    SessionReminder,
)
from lms.urls import public_url


def send_reminders(now: datetime) -> list[OutboxMessage]:
    """Mail every active participant whose in-person day is tomorrow in the edition's zone,
    and return the messages, one per reminder.

    Safe to run more than once a day: a reminder already recorded is never sent again. The
    reminders leave once the caller commits them with their records; one the mail server does
    not take stays in the outbox for `flask lms send-mail`, and is not written again.
    """
    # Tomorrow in any time zone falls within these UTC dates; the exact check is per edition.
    candidates = db.session.execute(
        select(InPersonSession, Edition, Unit)
        .join(Edition, Edition.id == InPersonSession.edition_id)
        .join(Unit, Unit.id == InPersonSession.unit_id)
        .where(Edition.archived_at.is_(None), Unit.is_retired.is_(False),
               InPersonSession.day.between(now.date(), (now + timedelta(days=2)).date()))).all()
    messages: list[OutboxMessage] = []
    for session, edition, unit in candidates:
        if session.day != local_today(edition.timezone, now) + timedelta(days=1):
            continue
        already = select(SessionReminder.user_id).where(SessionReminder.session_id == session.id)
        people = db.session.scalars(
            expected_people(edition.id).where(User.id.not_in(already)))
        for user in people:
            messages.append(mail.send(
                user.email, "session_reminder", user.preferred_language, user=user, unit=unit,
                edition=edition, starts=to_local(edition.timezone, session.starts_at),
                ends=to_local(edition.timezone, session.ends_at),
                venue=session.venue or edition.venue or "", link=public_url("courses.home"),
                calendar=public_url("participation.calendar")))
            db.session.add(SessionReminder(session_id=session.id, user_id=user.id, sent_at=now))
    db.session.flush()
    return messages
