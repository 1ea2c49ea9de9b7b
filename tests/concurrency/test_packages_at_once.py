"""Two course packages loaded at the same moment that both have a topic slug: one loads, and
the other is refused with the message the loader's own check gives.

PostgreSQL only: SQLite runs one writer at a time, so the race cannot happen there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.courses.loader import PackageInvalid, load_package
from lms.courses.models import CoursePackage, Topic
from lms.extensions import db
from tests.concurrency.helpers import at_once, count, writes_held
from tests.conftest import FIXTURE_PACKAGE
from tests.courses.test_loader import other_package

pytestmark = pytest.mark.postgres


def test_two_packages_loaded_at_once_cannot_share_a_topic_slug(app: Flask,
                                                               package_copy: Path) -> None:
    """Both packages pass the slug check before either writes a topic; the database's index
    on live slugs lets one through, and the other is refused naming the file and the package
    that has the slug, with nothing of it written."""
    other = other_package(package_copy, shared={"first"})
    storage = Path(app.config["STORAGE_DIR"])

    def load(path: Path) -> list[str]:
        with app.app_context():
            try:
                load_package(path, storage)
            except PackageInvalid as invalid:
                db.session.rollback()
                return [str(problem) for problem in invalid.problems]
            db.session.commit()
            return []

    with writes_held(Topic, 2):
        outcomes = at_once([lambda: load(FIXTURE_PACKAGE), lambda: load(other)])

    assert sorted(len(problems) for problems in outcomes) == [0, 1]
    winner = "sample" if outcomes[0] == [] else "other"
    assert [problems for problems in outcomes if problems] == [[
        f"modules/01-alpha/01-first.md: the topic slug 'first' is already used by the package "
        f"'{winner}' loaded on the platform: topic slugs must be unique across packages"]]
    assert list(db.session.scalars(select(CoursePackage.slug))) == [winner]
    assert count(Topic, slug="first", is_retired=False) == 1
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 3
