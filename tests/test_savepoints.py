"""A savepoint is part of the transaction around it on every engine: rolling that transaction
back undoes the savepoint's work too, even when the savepoint came first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.courses.models import Topic
from lms.database import savepoint
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import LessonCompletion
from lms.progress.services import is_lesson_complete, mark_lesson_complete
from tests import factories


def first_topic() -> Topic:
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    assert topic is not None
    return topic


def test_a_lesson_completion_rolled_back_with_its_request_is_not_kept(loaded: Path) -> None:
    user = factories.make_user()
    topic = first_topic()
    db.session.commit()
    # The completion is written inside a savepoint, the first write of its transaction.
    mark_lesson_complete(user.id, topic.id, utcnow())
    db.session.rollback()
    assert not is_lesson_complete(user.id, topic.id)
    assert db.session.scalar(select(func.count(LessonCompletion.id))) == 0


def test_work_after_a_savepoint_commits_with_it(loaded: Path) -> None:
    user = factories.make_user()
    topic = first_topic()
    db.session.commit()
    mark_lesson_complete(user.id, topic.id, utcnow())
    topic_id = topic.id
    db.session.get(Topic, topic_id).title_en = "Renamed after the savepoint"  # type: ignore[union-attr]
    db.session.commit()
    db.session.expire_all()
    assert is_lesson_complete(user.id, topic_id)
    assert db.session.get(Topic, topic_id).title_en == "Renamed after the savepoint"  # type: ignore[union-attr]


def test_a_savepoint_rolled_back_keeps_the_work_before_it(loaded: Path) -> None:
    user = factories.make_user()
    topic = first_topic()
    db.session.commit()
    user.full_name = "Changed before the savepoint"
    db.session.flush()
    inner = savepoint()
    db.session.add(LessonCompletion(user_id=user.id, topic_id=topic.id,
                                    completed_at=utcnow()))
    db.session.flush()
    inner.rollback()
    db.session.commit()
    db.session.expire_all()
    assert user.full_name == "Changed before the savepoint"
    assert not is_lesson_complete(user.id, topic.id)


def test_savepoints_are_opened_through_the_one_helper() -> None:
    """``lms.database.savepoint`` is what makes SQLite's savepoints nest; a direct
    ``begin_nested()`` elsewhere would commit early there."""
    root = Path(__file__).parents[1] / "lms"
    direct = [str(path.relative_to(root)) for path in sorted(root.rglob("*.py"))
              if "begin_nested(" in path.read_text(encoding="utf-8")]
    assert direct == ["database.py"]
