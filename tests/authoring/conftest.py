"""Fixtures for authoring: module instructors, participants, topics and versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.authoring.models import LessonVersion
from lms.courses.models import Lesson, Module, Topic
from lms.extensions import db
from tests import factories
from tests.conftest import Auth


def module(slug: str) -> Module:
    found = db.session.scalar(select(Module).filter_by(slug=slug))
    assert found is not None
    return found


def topic(slug: str) -> Topic:
    found = db.session.scalar(select(Topic).filter_by(slug=slug))
    assert found is not None
    return found


def lesson(slug: str, language: str = "en") -> Lesson:
    found = db.session.scalar(select(Lesson).join(Topic).where(Topic.slug == slug,
                                                                Lesson.language == language))
    assert found is not None
    return found


def versions(slug: str, language: str = "en") -> list[LessonVersion]:
    return list(db.session.scalars(
        select(LessonVersion).join(Topic, Topic.id == LessonVersion.topic_id)
        .where(Topic.slug == slug, LessonVersion.language == language)
        .order_by(LessonVersion.number)))


def make_instructor(*slugs: str, **fields: Any) -> User:
    user = factories.make_user(role=Role.INSTRUCTOR, **fields)
    for slug in slugs:
        db.session.add(ModuleInstructor(module_id=module(slug).id, user_id=user.id))
    db.session.commit()
    return user


@pytest.fixture
def alpha_instructor(client: FlaskClient, auth: Auth, loaded: object) -> User:
    """An instructor of the alpha module, logged in."""
    user = make_instructor("alpha")
    auth.login(user)
    return user


@pytest.fixture
def reader(app: Any, loaded: object) -> Callable[[], FlaskClient]:
    """A second client logged in as a participant of the local programme."""

    def make() -> FlaskClient:
        other = app.test_client()
        user = factories.make_user()
        factories.enrol(user, factories.make_edition())
        db.session.commit()
        Auth(other).login(user)
        return other

    return make


def lesson_form(**overrides: Any) -> dict[str, Any]:
    data = {"title": "First topic", "minutes": "10",
            "objectives": "Tell a refugee from an asylum-seeker.",
            "body": "## Key concepts and definitions\n\nA new text.\n", "action": "save"}
    data.update(overrides)
    return data


def editor_fields(client: FlaskClient, topic_id: int, language: str = "en") -> dict[str, str]:
    """The hidden fields of the editor as a browser would send them back."""
    import re

    page = client.get(f"/author/topics/{topic_id}/{language}/edit").text
    fields = {}
    for name in ("base", "revision"):
        match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
        fields[name] = match.group(1) if match else ""
    return fields


def save(client: FlaskClient, topic_id: int, language: str = "en", **overrides: Any) -> Any:
    """Open the editor, then send the lesson form with the given changes."""
    return client.post(f"/author/topics/{topic_id}/{language}/edit",
                       data={**editor_fields(client, topic_id, language),
                             **lesson_form(**overrides)})
