"""Authoring list pages run a fixed number of statements, however much content there is."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import Role, User
from lms.courses.authoring import versions as services
from lms.courses.authoring.content import LessonContent
from lms.courses.authoring.topics import create_topic
from lms.courses.authoring.uploads import store_upload
from lms.db_types import utcnow
from lms.extensions import db
from tests import factories
from tests.authoring.conftest import module, topic
from tests.conftest import FIXTURE_PACKAGE


def grow(app: Flask, start: int, count: int) -> None:
    """Add topics with drafts, versions of an existing lesson, and uploaded files."""
    author = factories.make_user(role=Role.ADMIN)
    alpha = module("alpha")
    png = (FIXTURE_PACKAGE / "media/pixel.png").read_bytes()
    for n in range(start, start + count):
        created, _new = create_topic(alpha, f"extra-{n}", f"Extra {n}", f"إضافي {n}", utcnow())
        content = LessonContent(f"Extra {n}", 3, ["Read it."], "## Part\n\nText.\n")
        services.save_draft(created, "en", content, author, utcnow(), None)
        edit = LessonContent("First topic", 10, ["Tell a refugee from an asylum-seeker."],
                             f"## Key concepts and definitions\n\nRevision {n}.\n")
        services.publish(services.save_draft(topic("first"), "en", edit, author, utcnow(), None),
                         author, utcnow())
        store_upload(alpha, f"file-{n}.png", png + bytes([n]), author, utcnow(),
                     Path(app.config["STORAGE_DIR"]))
    db.session.commit()


def measure(client: FlaskClient, count_queries, paths: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    counts = []
    for path in paths:
        db.session.expunge_all()  # the test's session would otherwise answer from memory
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(counter.count)
    return counts


def test_authoring_pages_do_not_grow(app: Flask, client: FlaskClient, alpha_instructor: User,
                                     count_queries) -> None:  # type: ignore[no-untyped-def]
    """Module, history, media, topic and version pages: same statements for 1 or 8 items."""
    alpha, first = module("alpha").id, topic("first").id
    paths = [f"/author/modules/{alpha}", f"/author/topics/{first}/en/history",
             f"/author/modules/{alpha}/media", f"/author/topics/{first}", "/author"]
    grow(app, 0, 1)
    small = measure(client, count_queries, paths)
    grow(app, 1, 7)
    large = measure(client, count_queries, paths)
    assert small == large, list(zip(paths, small, large, strict=True))
    assert max(large) <= 12, list(zip(paths, large, strict=True))
