"""Demo data for authoring and the directory, so both show on the first run.

In the instructor's module: a lesson edited in the browser (two published versions to compare
and restore, and a draft waiting), and a new topic still in draft that participants do not see.
Two participants are listed in the cohort directory; the third is not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lms.auth.directory import entry_of, save_entry
from lms.auth.models import User
from lms.courses.authoring import versions
from lms.courses.authoring.content import LessonContent
from lms.courses.authoring.models import LessonVersion, VersionSource
from lms.courses.authoring.topics import create_topic
from lms.courses.models import Module, Topic
from lms.extensions import db

EDITED_NOTE = (
    '!!! note "Before day five"\n'
    "    Bring one example from your own institution of a migration policy that needs more "
    "than one ministry to work. We use these examples in the group exercise on the last "
    "in-person day.\n\n")
DRAFT_SLUG = "group-exercise-who-governs"
DRAFT_BODY = """
## The exercise

Working in groups of four, choose one migration issue your institutions deal with, such as
issuing work permits, receiving returning workers, or identifying victims of trafficking.

1. List every public body that has a say in it, and what each one decides.
2. Mark where information has to pass from one body to another.
3. Name one place where cooperation works well, and one where it breaks down.

## Report back

Each group has five minutes to present its map. Link what you found to the three principles
and three objectives of the Migration Governance Framework in the previous lesson.
"""
LISTINGS = [
    ("Director, Migration and Refugee Affairs", "Social protection for migrants and refugees; "
     "reintegration of returnees", True),
    ("Labour migration specialist", "Bilateral labour agreements; pre-departure orientation",
     False),
]


def add_demo(module: Module | None, instructor: User, participants: list[User],
             now: datetime) -> None:
    """Add the authoring and directory demo once; running it again changes nothing."""
    if module is not None:
        _edited_lesson(module, instructor, now)
        _draft_topic(module, now, instructor)
    for participant, (position, areas, show) in zip(participants, LISTINGS, strict=False):
        if entry_of(participant.id) is None:
            save_entry(participant, position, areas, show, "", now)
    db.session.flush()


def _edited_lesson(module: Module, instructor: User, now: datetime) -> None:
    topic = db.session.scalar(select(Topic).where(
        Topic.module_id == module.id, Topic.is_retired.is_(False), Topic.is_draft.is_(False))
        .order_by(Topic.position.desc()))
    if topic is None:
        return
    current = versions.current_version(topic.id, "en")
    if current is None or db.session.scalar(select(LessonVersion.id).filter_by(
            topic_id=topic.id, source=VersionSource.BROWSER)) is not None:
        return
    edited = LessonContent(current.title, current.minutes, list(current.objectives),
                           EDITED_NOTE + current.body_markdown.lstrip("\n"))
    versions.publish(versions.save_draft(topic, "en", edited, instructor, now, None),
                     instructor, now)
    draft = LessonContent(current.title, current.minutes + 5, list(current.objectives),
                          edited.body.replace("group exercise", "group exercise and role play"))
    versions.save_draft(topic, "en", draft, instructor, now, None)


def _draft_topic(module: Module, now: datetime, instructor: User) -> None:
    if db.session.scalar(select(Topic.id).filter_by(package_id=module.package_id,
                                                     slug=DRAFT_SLUG)) is not None:
        return
    topic, _new = create_topic(module, DRAFT_SLUG, "Group exercise: who governs migration in "
                               "your country?", "تمرين جماعي: من يحكم الهجرة في بلدك؟", now)
    content = LessonContent(topic.title_en, 20,
                            ["Map the public bodies that share one migration issue.",
                             "Relate the map to the principles and objectives of MiGOF."],
                            DRAFT_BODY)
    versions.save_draft(topic, "en", content, instructor, now, None)
