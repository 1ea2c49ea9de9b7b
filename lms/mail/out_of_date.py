"""Which mail, retried by `flask lms send-mail`, should no longer go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app


@dataclass(frozen=True)
class Recipient:
    """The person a message is about, as they are now."""

    email: str
    active: bool  # neither deactivated nor anonymised


# Messages sent to the person's previous address on purpose (the notice of an address change).
TO_FORMER_ADDRESS = frozenset({"email_changed"})
# A reminder goes out the day before its day: a day later, the day has begun or passed.
REMINDER_USEFUL_FOR = timedelta(days=1)


def out_of_date(template: str, to: str, created_at: datetime, person: Recipient | None,
                now: datetime) -> str | None:
    """Why a message retried at ``now`` should no longer go out; None if it still should.

    A link that has expired would only puzzle its reader, and a message about a person must
    not go to an address that is no longer theirs, nor to an account that was closed.
    """
    config = current_app.config
    useful_for = {
        "password_reset": timedelta(minutes=config["RESET_VALID_MINUTES"]),
        "invitation": timedelta(hours=config["INVITATION_VALID_HOURS"]),
        "session_reminder": REMINDER_USEFUL_FOR,
    }.get(template)
    if useful_for is not None and now - created_at >= useful_for:
        return "out of date: what it announces has expired or passed"
    if person is not None and template not in TO_FORMER_ADDRESS:
        if not person.active:
            return "out of date: the account has been closed"
        if person.email != to:
            return "out of date: the person's address has changed"
    return None
