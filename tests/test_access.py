"""The access table covers every route, and each route answers each role as the table says."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.access import ACCESS
from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth

# Arguments that exist in the loaded test package, for building each endpoint's URL.
SAMPLE_ARGS = {"slug": "first", "package": "sample", "name": "pixel.png", "filename": "style.css",
               "session_id": 999_999, "user_id": 1, "message_id": 999_999,
               "edition_id": 999_999, "certificate_id": 999_999,
               "code": "0000-0000-0000-0000-0000-0",
               "unit_id": 999_999, "enrolment_id": 999_999, "apology_id": 999_999,
               "fmt": "csv",
               "module_id": 999_999, "topic_id": 999_999, "version_id": 999_999,
               "upload_id": 999_999, "language": "en",
               "attempt_id": 999_999, "quiz_id": 999_999, "question_id": 999_999,
               "answer_id": 999_999}
# Allowed callers may still meet the object check: an unknown object is 404, a dead link 410;
ALLOWED = (200, 302, 400, 404, 410)  # 400: reached the view, which refused the empty form


def endpoint_urls(app: Flask) -> list[tuple[str, str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        args = {name: SAMPLE_ARGS[name] for name in rule.arguments}
        path = rule.build(args)[1]  # type: ignore[index]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, path))
    return urls


def test_every_endpoint_is_in_the_access_table(app: Flask) -> None:
    """No route exists without a stated rule."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add these endpoints to lms/access.py"
    assert set(ACCESS) - endpoints == set(), "remove stale entries from lms/access.py"


def test_anonymous_is_refused_everywhere_but_public_pages(app: Flask, loaded: object) -> None:
    """Anonymous GET and POST on every non-public endpoint end at the login page, never 200."""
    client = app.test_client()
    for endpoint, method, path in endpoint_urls(app):
        response = client.open(path, method=method)
        response.close()
        if ACCESS[endpoint].allows(None):
            assert response.status_code < 500, (endpoint, method)
            continue
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), endpoint


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_the_table_says(app: Flask, loaded: object, role: Role) -> None:
    """Each role reaches the endpoints the table allows it and gets 403 from the others."""
    client = app.test_client()
    user = factories.make_user(role=role)
    if role == Role.PARTICIPANT:
        factories.enrol(user, factories.make_edition())
    db.session.commit()
    Auth(client).login(user)
    for endpoint, method, path in endpoint_urls(app):
        if endpoint == "auth.logout":
            continue  # tested on its own: it would end this client's session
        response = client.open(path, method=method)
        response.close()
        if ACCESS[endpoint].allows(role):
            assert response.status_code in ALLOWED, (endpoint, method, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, method, response.status_code)
