"""Change stamps under writers that run side by side (PostgreSQL): two transactions writing for
the same people in opposite orders both commit, and both renew the people's stamps."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import insert, select

from lms.courses.models import Topic
from lms.extensions import db
from lms.progress.models import LessonCompletion
from lms.progress.stamps import ChangeStamp
from tests.progress.helpers import NOW, participant, scheduled_edition

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("loaded")]


def _stamps(*scopes: int) -> dict[int, int]:
    db.session.rollback()
    rows = db.session.execute(select(ChangeStamp.scope, ChangeStamp.stamp)
                              .where(ChangeStamp.scope.in_(scopes)))
    return {scope: stamp for scope, stamp in rows}


def test_writers_crossing_the_same_people_both_commit(app: Flask) -> None:
    """Two rosters saved at once, each marking the same two people but in the other order
    (as rows written in the order people checked in would): before the stamps were renewed at
    the commit in one order, each waited for the other's lock on a stamp and one was refused
    as a deadlock, losing its marks."""
    edition = scheduled_edition()
    first, second = participant(edition), participant(edition)
    topics = list(db.session.scalars(select(Topic.id).where(Topic.slug.in_(("first", "second")))))
    db.session.commit()
    before = _stamps(first.id, second.id)
    engine = db.engine
    both_wrote_once = threading.Barrier(2, timeout=10)

    def write(people: tuple[int, int], topic_id: int) -> None:
        with engine.begin() as connection:
            for position, person in enumerate(people):
                connection.execute(insert(LessonCompletion).values(
                    user_id=person, topic_id=topic_id, completed_at=NOW))
                if position == 0:
                    both_wrote_once.wait()

    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(write, (first.id, second.id), topics[0]),
                pool.submit(write, (second.id, first.id), topics[1])]
        for future in done:
            future.result(timeout=30)  # raises the deadlock, if there was one

    assert db.session.scalar(select(db.func.count()).select_from(LessonCompletion)) == 4
    after = _stamps(first.id, second.id)
    assert after[first.id] != before.get(first.id)
    assert after[second.id] != before.get(second.id)
