"""Loading packages: one transaction, idempotent, updates in place, retires and never deletes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.courses.loader import PackageInvalid, load_package
from lms.courses.models import (
    CoursePackage,
    GlossaryTerm,
    Lesson,
    MediaFile,
    Module,
    Programme,
    Topic,
    Unit,
)
from lms.db_types import utcnow
from lms.extensions import db
from lms.models import LessonCompletion, Option, Question, Quiz, UnitTopic
from lms.progress.services import mark_lesson_complete
from tests import factories
from tests.conftest import FIXTURE_PACKAGE
from tests.courses.test_validation import edit

TABLES = [Module, Topic, Lesson, Quiz, Question, Option, Programme, Unit, UnitTopic,
          GlossaryTerm, MediaFile, LessonCompletion]


def row_counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in TABLES}


def load(app: Flask, path: Path = FIXTURE_PACKAGE):  # type: ignore[no-untyped-def]
    summary = load_package(path, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    return summary


def topic(slug: str) -> Topic:
    found = db.session.scalar(select(Topic).filter_by(slug=slug))
    assert found is not None
    return found


# Where each topic slug of the test package is named, besides its own files' names.
SLUG_REFERENCES = {
    "first": [("modules/01-alpha/module.yaml", "- first", "- first-b"),
              ("modules/01-alpha/01-first.ar.md", "topic:first?", "topic:first-b?")],
    "second": [("modules/01-alpha/module.yaml", "- second", "- second-b"),
               ("package.yaml", "[second,", "[second-b,"),
               ("modules/01-alpha/01-first.md", "topic:second#", "topic:second-b#")],
    "third": [("modules/02-beta/module.yaml", "[third]", "[third-b]"),
              ("package.yaml", " third]", " third-b]")],
}


def other_package(folder: Path, shared: set[str]) -> Path:
    """Make the copy of the test package at ``folder`` another package (id ``other``) whose
    topic slugs are the test package's with ``-b`` added, except those in ``shared``."""
    edit(folder / "package.yaml", "id: sample", "id: other")
    renamed = [slug for slug in SLUG_REFERENCES if slug not in shared]
    for slug in renamed:
        for file, old, new in SLUG_REFERENCES[slug]:
            edit(folder / file, old, new)
    for slug in renamed:
        for path in folder.glob(f"modules/*/*-{slug}.*"):
            path.rename(path.with_name(path.name.replace(f"-{slug}.", f"-{slug}-b.", 1)))
    return folder


def test_load_creates_everything(app: Flask) -> None:
    """A first load stores modules, topics, both lesson versions, quizzes, units and media."""
    load(app)
    counts = row_counts()
    assert counts["modules"] == 2
    assert counts["topics"] == 3
    assert counts["lessons"] == 4  # three English lessons and one Arabic version
    assert counts["quizzes"] == 2
    assert counts["questions"] == 9
    assert counts["programmes"] == 2
    assert counts["units"] == 3
    assert counts["glossary_terms"] == 2
    assert counts["media_files"] == 2
    regional = db.session.scalar(select(Unit).filter_by(slug="day-one"))
    assert regional is not None and regional.days == 1 and regional.hours_per_day == 7
    slugs = db.session.scalars(select(Topic.slug).join(UnitTopic).where(
        UnitTopic.unit_id == regional.id).order_by(UnitTopic.position)).all()
    assert slugs == ["second", "third"]


def test_a_topic_without_a_quiz_file_is_noted(app: Flask, package_copy: Path) -> None:
    """Completion needs quizzes, and the third topic has none: the load says so, naming its
    lesson, since a forgotten file would quietly ask less of every participant. A package
    whose completion asks for no quizzes is not told."""
    summary = load(app)
    assert "modules/02-beta/01-third.md: this topic has no quiz file, so completing it needs " \
        "only its lesson" in summary.notes
    assert len([note for note in summary.notes if "no quiz file" in note]) == 1
    edit(package_copy / "package.yaml", "completion:\n", "completion:\n  requires_quizzes: false\n")
    assert not [note for note in load(app, package_copy).notes if "no quiz file" in note]


def test_load_twice_changes_nothing(app: Flask) -> None:
    """Loading the same package again leaves every table's rows as they were."""
    load(app)
    before = row_counts()
    summary = load(app)
    assert row_counts() == before
    assert not summary.created and not summary.updated and not summary.retired


def test_lesson_html_is_rendered_and_links_resolved(app: Flask) -> None:
    """Lesson HTML is stored at load with package links turned into platform URLs."""
    load(app)
    lesson = db.session.scalar(select(Lesson).join(Topic).where(Topic.slug == "first",
                                                                 Lesson.language == "en"))
    assert lesson is not None
    assert 'href="/glossary#refugee"' in lesson.body_html
    assert 'src="/media/sample/pixel.png"' in lesson.body_html
    assert 'href="/topics/second#second-heading"' in lesson.body_html
    assert [entry["id"] for entry in lesson.toc] == ["key-concepts-and-definitions"]


def test_media_copied_into_storage(app: Flask) -> None:
    """Media are copied into storage, so serving does not depend on the package folder."""
    load(app)
    stored = db.session.scalars(select(MediaFile.stored_name)).all()
    for name in stored:
        assert (Path(app.config["STORAGE_DIR"]) / "media" / name).is_file()


def test_reorder_keeps_progress(app: Flask, package_copy: Path) -> None:
    """Renumbering files and reordering topics keeps slugs, rows and participants' progress."""
    load(app, package_copy)
    user = factories.make_user()
    mark_lesson_complete(user.id, topic("second").id, utcnow())
    db.session.commit()
    ids_before = {t.slug: t.id for t in db.session.scalars(select(Topic))}
    alpha = package_copy / "modules/01-alpha"
    (alpha / "02-second.md").rename(alpha / "05-second.md")
    (alpha / "02-second.quiz.yaml").rename(alpha / "05-second.quiz.yaml")
    edit(alpha / "module.yaml", "  - first\n  - second", "  - second\n  - first")
    load(app, package_copy)
    assert {t.slug: t.id for t in db.session.scalars(select(Topic))} == ids_before
    assert topic("second").position == 0 and topic("first").position == 1
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1


def test_edit_updates_in_place(app: Flask, package_copy: Path) -> None:
    """Editing a lesson and a question updates the same rows."""
    load(app, package_copy)
    question_id = db.session.scalar(select(Question.id).filter_by(key="q2"))
    edit(package_copy / "modules/02-beta/01-third.md", "## Third heading",
         "## Third heading, revised")
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml",
         "Non-refoulement forbids return to danger.", "Non-refoulement forbids return.")
    summary = load(app, package_copy)
    assert summary.updated["lessons"] == 1
    assert summary.updated["questions"] == 1
    question = db.session.get(Question, question_id)
    assert question is not None and question.text == {"en": "Non-refoulement forbids return."}
    lesson = db.session.scalar(select(Lesson).join(Topic).where(Topic.slug == "third"))
    assert lesson is not None and "Third heading, revised" in lesson.body_html


def test_removed_content_is_retired_not_deleted(app: Flask, package_copy: Path) -> None:
    """A topic removed from the package is hidden but kept, with its progress; it comes back."""
    load(app, package_copy)
    user = factories.make_user()
    mark_lesson_complete(user.id, topic("third").id, utcnow())
    db.session.commit()
    beta = package_copy / "modules/02-beta"
    moved = (beta / "01-third.md").read_text(encoding="utf-8")
    (beta / "01-third.md").unlink()
    edit(beta / "module.yaml", "topics: [third]", "topics: []")
    edit(package_copy / "package.yaml", "topics: [second, third]", "topics: [second]")
    summary = load(app, package_copy)
    assert summary.retired["topics"] == 1
    assert topic("third").is_retired
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
    (beta / "01-third.md").write_text(moved, encoding="utf-8")
    edit(beta / "module.yaml", "topics: []", "topics: [third]")
    load(app, package_copy)
    assert not topic("third").is_retired


def test_removed_question_and_choice_are_retired(app: Flask, package_copy: Path) -> None:
    """Questions and options removed from a quiz file are retired, keeping their ids."""
    load(app, package_copy)
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml",
         "  - id: q8\n    type: description\n    text: The last part is a reflection.\n", "")
    edit(package_copy / "modules/01-alpha/01-first.quiz.yaml",
         "    distractors: [Citizen]\n", "")
    summary = load(app, package_copy)
    assert summary.retired["questions"] == 1
    assert summary.retired["options"] == 1
    q8 = db.session.scalar(select(Question).filter_by(key="q8"))
    assert q8 is not None and q8.is_retired


def test_invalid_package_loads_nothing(app: Flask, package_copy: Path) -> None:
    """With any problem, the loader raises and the database keeps its previous content."""
    load(app, package_copy)
    before = row_counts()
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7", "minutes: seven")
    with pytest.raises(PackageInvalid) as raised:
        load_package(package_copy, Path(app.config["STORAGE_DIR"]))
    db.session.rollback()
    assert [str(p) for p in raised.value.problems] == [
        "modules/02-beta/01-third.md:3: 'minutes' must be a whole number"]
    assert row_counts() == before


def test_course_package_loads_twice_without_changes(app: Flask) -> None:
    """The certificate's package loads, and loading it again leaves every table as it was."""
    from tests.conftest import COURSE_PACKAGE

    load(app, COURSE_PACKAGE)
    before = row_counts()
    assert before["topics"] == 29 and before["quizzes"] == 29 and before["units"] == 14
    summary = load(app, COURSE_PACKAGE)
    assert row_counts() == before
    assert not summary.created and not summary.updated and not summary.retired


def test_another_package_may_not_reuse_a_topic_slug(app: Flask, package_copy: Path) -> None:
    """Lesson addresses name a topic by its slug alone: a second package using a slug the
    first one has is refused, naming the file and the other package, and nothing is written;
    with slugs of its own it loads, and the first package still reloads with its progress."""
    load(app)
    participant = factories.make_user()
    mark_lesson_complete(participant.id, topic("first").id, utcnow())
    db.session.commit()
    before = row_counts()
    other_package(package_copy, shared={"first"})
    with pytest.raises(PackageInvalid) as raised:
        load_package(package_copy, Path(app.config["STORAGE_DIR"]))
    db.session.rollback()
    assert [str(p) for p in raised.value.problems] == [
        "modules/01-alpha/01-first.md: the topic slug 'first' is already used by the package "
        "'sample' loaded on the platform: topic slugs must be unique across packages"]
    assert row_counts() == before
    assert db.session.scalar(select(func.count()).select_from(CoursePackage)) == 1

    for file, old, new in SLUG_REFERENCES["first"]:
        edit(package_copy / file, old, new)
    for path in package_copy.glob("modules/01-alpha/*-first.*"):
        path.rename(path.with_name(path.name.replace("-first.", "-first-b.")))
    assert load(app, package_copy).created["topics"] == 3
    summary = load(app)
    assert not summary.created and not summary.updated and not summary.retired
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
    assert topic("first").package_id != db.session.scalar(
        select(Topic.package_id).filter_by(slug="first-b"))


def test_a_slug_another_package_retired_is_free(app: Flask, package_copy: Path,
                                                tmp_path: Path) -> None:
    """A topic retired from its package frees its slug for another package; putting it back
    in the first package is then refused, since another package's live topic has it."""
    load(app)
    without_third = tmp_path / "without-third"
    shutil.copytree(FIXTURE_PACKAGE, without_third)
    (without_third / "modules/02-beta/01-third.md").unlink()
    edit(without_third / "modules/02-beta/module.yaml", "[third]", "[]")
    edit(without_third / "package.yaml", "[second, third]", "[second]")
    assert load(app, without_third).retired["topics"] == 1
    load(app, other_package(package_copy, shared={"third"}))
    with pytest.raises(PackageInvalid) as raised:
        load_package(FIXTURE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    db.session.rollback()
    assert [p.message for p in raised.value.problems] == [
        "the topic slug 'third' is already used by the package 'other' loaded on the "
        "platform: topic slugs must be unique across packages"]


def test_the_database_keeps_one_live_topic_per_slug(app: Flask, package_copy: Path) -> None:
    """Besides the loader's check, the database itself refuses a second live topic with a slug
    (which settles two packages loaded at the same moment); retired topics may share it."""
    load(app)
    load(app, other_package(package_copy, shared=set()))
    with pytest.raises(IntegrityError):
        db.session.execute(update(Topic).where(Topic.slug == "first-b").values(slug="first"))
    db.session.rollback()
    db.session.execute(update(Topic).where(Topic.slug == "first-b")
                       .values(slug="first", is_retired=True))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Topic).filter_by(slug="first")) == 2
