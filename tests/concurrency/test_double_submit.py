"""The same form sent twice in a row (a double click, a resent page) on any database: the
second request finds the work done and says so, without an error."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.extensions import db
from lms.progress.models import Enrolment
from tests.concurrency.helpers import ROSTER, flashes
from tests.conftest import Auth
from tests.progress.helpers import scheduled_edition


def test_roster_confirmed_twice_in_a_row(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """The second confirmation of an imported roster lands on the edition page with a note
    that everyone is already enrolled; nobody is enrolled twice."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    url = f"/admin/editions/{edition.id}/roster"
    first = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert first.status_code == 302
    client.get(first.headers["Location"])  # shows, and so clears, the first message
    second = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert second.status_code == 302
    assert second.headers["Location"].endswith(f"/admin/editions/{edition.id}")
    assert flashes(client) == [("info", "Everyone on this roster is already enrolled.")]
    assert db.session.scalar(select(func.count()).select_from(Enrolment).filter_by(
        edition_id=edition.id)) == 2


def test_a_partly_enrolled_roster_is_still_refused(client: FlaskClient, auth: Auth,
                                                   loaded: object) -> None:
    """A roster naming one enrolled person and one new one is not a repeat: the preview lists
    the enrolled line as a problem and nothing is imported."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    url = f"/admin/editions/{edition.id}/roster"
    first_line_only = "\n".join(ROSTER.splitlines()[:2]) + "\n"
    assert client.post(url, data={"text": first_line_only, "confirm": "1"}).status_code == 302
    response = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert response.status_code == 400
    assert "already enrolled in this edition" in response.text
    assert db.session.scalar(select(func.count()).select_from(Enrolment).filter_by(
        edition_id=edition.id)) == 1
