"""An access check that breaks refuses: the page is never shown because a check crashed."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.authoring.conftest import make_instructor, topic
from tests.conftest import Auth

pytestmark = pytest.mark.usefixtures("loaded")


def _broken(*_args: object, **_kwargs: object) -> bool:
    raise RuntimeError("the permission check failed")


# What to break, as whom, where, and a piece of the page that only a passed check shows.
CASES = [
    # The participant's check is the unit navigation: no unit of theirs teaches it, no page.
    ("lms.courses.services._unit_navigation", Role.PARTICIPANT, "/topics/first",
     "lesson__body"),
    ("lms.courses.authoring.access.can_edit_module", Role.INSTRUCTOR,
     "/author/topics/{id}/en/edit", 'name="body"'),
    ("lms.auth.decorators.current_user", Role.ADMIN, "/admin/users", "/admin/users/invite"),
]


@pytest.mark.parametrize(("target", "role", "path", "protected"), CASES)
def test_asvs_4_1_5_a_crashing_check_never_shows_the_page(
        app: Flask, monkeypatch: pytest.MonkeyPatch, target: str, role: Role, path: str,
        protected: str) -> None:
    """A check that raises gives the plain error page, never the protected content."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    if role == Role.INSTRUCTOR:
        user = make_instructor("alpha")
    else:
        user = factories.make_user(role=role)
        if role == Role.PARTICIPANT:
            factories.enrol(user, factories.make_edition())
        db.session.commit()
    client = app.test_client()
    assert Auth(client).login(user).status_code == 302
    url = path.format(id=topic("first").id)
    allowed = client.get(url)
    assert allowed.status_code == 200 and protected in allowed.text
    monkeypatch.setattr(target, _broken if "current_user" not in target else None)
    # A participant's lesson kept by the worker (lms.page_cache) passed the check when it was
    # drawn, and is drawn (and checked) again as soon as anything the check reads changes;
    # the check meets the break at the next drawing.
    app.extensions.pop("lms.page_caches", None)
    response = client.get(url)
    assert response.status_code in (403, 500)
    assert "Something went wrong" in response.text or "Not allowed" in response.text
    assert protected not in response.text
