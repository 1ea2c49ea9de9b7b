"""Per-module scope: every authoring page refuses another module's instructor with 403."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.courses.authoring.models import LessonVersion
from lms.extensions import db
from tests import factories
from tests.authoring.conftest import make_instructor, module, topic, versions
from tests.conftest import Auth

BLUEPRINTS = ("authoring.", "lesson_authoring.")


def authoring_urls(app: Flask, module_id: int, topic_id: int,
                   version_id: int) -> list[tuple[str, str, str]]:
    """Every authoring endpoint with arguments naming objects of one module."""
    values = {"module_id": module_id, "topic_id": topic_id, "version_id": version_id,
              "language": "en"}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(BLUEPRINTS) or rule.endpoint == "authoring.index":
            continue
        path = rule.build({name: values[name] for name in rule.arguments})[1]  # type: ignore[index]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, path))
    return urls


def beta_objects() -> tuple[int, int, int]:
    third = topic("third")
    return module("beta").id, third.id, versions("third")[0].id


def test_other_modules_instructor_gets_403_everywhere(app: Flask, client: FlaskClient,
                                                      alpha_instructor: User) -> None:
    """The alpha module's instructor is refused every page and action of the beta module,
    and nothing changes."""
    before = db.session.scalar(select(func.count()).select_from(LessonVersion))
    urls = authoring_urls(app, *beta_objects())
    assert len(urls) >= 15
    for endpoint, method, path in urls:
        response = client.open(path, method=method, data={
            "slug": "x", "title_en": "x", "title_ar": "x", "title": "x", "minutes": "1",
            "objectives": "x", "body": "x", "action": "publish"})
        assert response.status_code == 403, (endpoint, method)
    assert db.session.scalar(select(func.count()).select_from(LessonVersion)) == before
    assert "beta" not in client.get("/author").text.lower()


def test_participant_gets_403_from_every_authoring_page(app: Flask, client: FlaskClient,
                                                        auth: Auth, loaded: object) -> None:
    """Participants are refused every authoring page, by direct GET or POST."""
    auth.login_as(Role.PARTICIPANT)
    for endpoint, method, path in authoring_urls(app, *beta_objects()):
        assert client.open(path, method=method).status_code == 403, (endpoint, method)
    assert client.get("/author").status_code == 403


def test_unknown_objects_are_404_and_forbidden_are_audited(
        client: FlaskClient, alpha_instructor: User) -> None:
    """An unknown module, topic, version or language is 404; a refusal is in the audit log."""
    assert client.get("/author/modules/999999").status_code == 404
    assert client.get("/author/topics/999999").status_code == 404
    assert client.get("/author/versions/999999").status_code == 404
    assert client.get(f"/author/topics/{topic('first').id}/fr/edit").status_code == 404
    client.get(f"/author/modules/{module('beta').id}")
    from lms.audit.models import AuditEvent

    denied = db.session.scalar(select(AuditEvent).filter_by(action="access.denied"))
    assert denied is not None and denied.target_id.startswith("/author/modules/")


def test_admin_may_edit_every_module(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Admins reach every module's authoring pages."""
    auth.login_as(Role.ADMIN)
    module_id, topic_id, version_id = beta_objects()
    assert client.get(f"/author/modules/{module_id}").status_code == 200
    assert client.get(f"/author/topics/{topic_id}/en/edit").status_code == 200
    assert client.get(f"/author/versions/{version_id}").status_code == 200
    page = client.get("/author").text
    assert "Alpha module" in page and "Beta module" in page


def test_instructor_sees_only_own_modules(client: FlaskClient, auth: Auth,
                                          loaded: object) -> None:
    """The authoring start page lists the instructor's modules only."""
    user = make_instructor("beta")
    auth.login(user)
    page = client.get("/author").text
    assert "Beta module" in page and "Alpha module" not in page
    teaching_nothing = factories.make_user(role=Role.INSTRUCTOR)
    db.session.commit()
    other = client.application.test_client()
    Auth(other).login(teaching_nothing)
    assert "not a module instructor of any module" in other.get("/author").text
