"""Setting up what several security tests need."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lms.auth.models import User
from lms.certificates import services as certificates
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from tests import factories
from tests.certificates.conftest import attend, schedule, study


def certificate_for(user_id: int) -> str:
    """Bring the user through a new edition and issue the certificate; return its code."""
    user = db.session.get(User, user_id)
    assert user is not None
    for item in db.session.scalars(select(Topic)):
        item.published_at = datetime(2020, 1, 1, tzinfo=UTC)
    edition = factories.make_edition(name="Escaping edition")
    sessions = schedule(edition)
    factories.enrol(user, edition)
    attend(user, sessions)
    study(user)
    certificate, _created = certificates.issue_certificate(
        user, edition, None, utcnow(), certificates.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    return certificate.code
