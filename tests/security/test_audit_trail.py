"""The audit trail of the changes an investigation would need, each with the same context, and
the alerts an admin sees when something unusual goes on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Enrolment
from tests import factories
from tests.conftest import Auth
from tests.security.helpers import certificate_for

pytestmark = pytest.mark.usefixtures("loaded")


def _latest(action: str) -> AuditEvent:
    event = db.session.scalar(select(AuditEvent).filter_by(action=action)
                              .order_by(AuditEvent.id.desc()))
    assert event is not None, f"no {action} event"
    return event


def _assert_context(event: AuditEvent, actor: User | None, target_id: object) -> None:
    """UTC time, actor, target, outcome, source address and request id (7.1.4)."""
    assert event.at.tzinfo is not None and event.at.utcoffset() == timedelta(0)
    assert event.actor_id == (actor.id if actor else None)
    assert event.target_id == str(target_id)
    assert event.outcome == "success"
    assert event.ip == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f]{16}", event.request_id)


def test_asvs_7_1_3_password_enrolment_and_certificate_changes_are_audited(app: Flask) -> None:
    """Changing a password, resetting one by link, withdrawing an enrolment and revoking a
    certificate each leave an event with who, what, when, from where and which request."""
    person = factories.make_user(email="noor@example.org")
    code = certificate_for(person.id)
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()

    own = app.test_client()
    Auth(own).login(person)
    own.post("/account/password", data={"current": factories.PASSWORD,
                                        "password": "a fresh passphrase 2031",
                                        "confirm": "a fresh passphrase 2031"})
    _assert_context(_latest("password.change"), person, person.id)

    visitor = app.test_client()
    visitor.post("/password/forgot", data={"email": "noor@example.org"})
    mail = db.session.scalar(select(OutboxMessage).filter_by(template="password_reset"))
    assert mail is not None
    token = re.search(r"token=([\w-]+)", mail.body_text)
    assert token
    visitor.post("/password/set", data={"token": token.group(1),
                                        "password": "another passphrase 2032",
                                        "confirm": "another passphrase 2032"})
    _assert_context(_latest("password.set_from_link"), person, person.id)

    staff = app.test_client()
    Auth(staff).login(admin)
    from lms.certificates.services import find_by_code

    certificate = find_by_code(code)
    assert certificate is not None
    staff.post(f"/admin/certificates/{certificate.id}/revoke",
               data={"reason": "Issued to the wrong edition."})
    _assert_context(_latest("certificate.revoke"), admin, certificate.id)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=person.id))
    assert enrolment is not None
    staff.post(f"/admin/editions/enrolments/{enrolment.id}/status",
               data={"action": "withdraw"})
    _assert_context(_latest("enrolment.withdraw"), admin, enrolment.id)


def test_asvs_11_1_7_bursts_show_in_the_admins_audit_page(app: Flask) -> None:
    """A burst of failed logins and repeated refusals are recorded and an admin finds them in
    the audit page by their outcome."""
    target = factories.make_user(email="target@example.org")
    participant = factories.make_user()
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    attacker = app.test_client()
    statuses = [attacker.post("/login", data={"email": "target@example.org",
                                              "password": f"guess number {n}"}).status_code
                for n in range(12)]
    assert 429 in statuses
    nosy = app.test_client()
    Auth(nosy).login(participant)
    for _ in range(3):
        assert nosy.get("/admin/audit").status_code == 403
    assert _latest("rate_limit.exceeded").outcome == "denied"
    staff = app.test_client()
    Auth(staff).login(admin)
    page = staff.get("/admin/audit?outcome=denied").get_data(as_text=True)
    assert "rate_limit.exceeded" in page and "access.denied" in page
    failures = staff.get("/admin/audit?outcome=failure").get_data(as_text=True)
    assert failures.count("target@example.org") >= 5
    assert target.id
