"""Who may read and change what in the course content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.models import Module, Programme, Topic, Unit, UnitTopic
from lms.extensions import db
from lms.progress.models import Edition, Enrolment, EnrolmentStatus


def is_staff(user: User) -> bool:
    return user.role in (Role.INSTRUCTOR, Role.ADMIN)


def participant_unit_ids_query(user_id: int | ColumnElement[Any],  # type: ignore[no-untyped-def]
                               topic_id: int | ColumnElement[Any]):
    """Units of the participant's active editions' programmes that teach the topic."""
    return (
        select(Unit.id)
        .join(UnitTopic, UnitTopic.unit_id == Unit.id)
        .join(Edition, Edition.programme_id == Unit.programme_id)
        .join(Enrolment, Enrolment.edition_id == Edition.id)
        .where(UnitTopic.topic_id == topic_id, Enrolment.user_id == user_id,
               Enrolment.status == EnrolmentStatus.ACTIVE, Unit.is_retired.is_(False))
        .order_by(Edition.starts_on.desc(), Unit.position)
        .limit(1)
    )


def can_read_topic(user: User, topic: Topic) -> bool:
    """Staff read every lesson; a participant reads the lessons of the programmes they follow."""
    if is_staff(user):
        return True
    return db.session.scalar(participant_unit_ids_query(user.id, topic.id)) is not None


def followed_package_ids(user: User) -> set[int] | None:
    """The packages of the programmes a participant follows; None for staff, who read all."""
    if is_staff(user):
        return None
    return set(db.session.scalars(
        select(Programme.package_id).join(Edition, Edition.programme_id == Programme.id)
        .join(Enrolment, Enrolment.edition_id == Edition.id)
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ACTIVE)))


def can_read_package_media(user: User, package_id: int) -> bool:
    """Staff see every package's media; a participant, those of the packages of the
    programmes they follow (as for lessons, nothing of another package can be fetched)."""
    followed = followed_package_ids(user)
    return followed is None or package_id in followed


def can_edit_module(user: User, module: Module | int) -> bool:
    """Admins edit every module; instructors the modules they are module instructors of."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.INSTRUCTOR:
        return False
    module_id = module if isinstance(module, int) else module.id
    return db.session.get(ModuleInstructor, (module_id, user.id)) is not None
