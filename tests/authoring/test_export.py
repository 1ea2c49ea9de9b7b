"""`flask lms export`: the current content as a package that loads identically elsewhere."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from lms.auth.models import Role
from lms.courses.authoring import versions as services
from lms.courses.authoring.content import LessonContent
from lms.courses.authoring.topics import create_topic
from lms.courses.authoring.uploads import store_upload
from lms.courses.loader import load_package
from lms.courses.models import (
    CoursePackage,
    GlossaryTerm,
    Lesson,
    MediaFile,
    Module,
    Programme,
    Topic,
    Unit,
    UnitTopic,
)
from lms.courses.package import read_package
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.models import Option, Question, Quiz
from tests import factories
from tests.authoring.conftest import module, topic
from tests.conftest import COURSE_PACKAGE, FIXTURE_PACKAGE, make_app


def fingerprint(storage: Path) -> dict[str, Any]:
    """Everything a participant can see, keyed by slugs and ids, never by row numbers."""
    topics = {t.id: t.slug for t in db.session.scalars(select(Topic))}
    modules = {m.id: m.slug for m in db.session.scalars(select(Module))}
    package = db.session.scalars(select(CoursePackage)).one()
    result: dict[str, Any] = {
        "package": (package.slug, package.version, package.title_en, package.title_ar,
                    package.summary, package.issuers, package.completion, package.certificate),
        "modules": sorted((m.slug, m.title_en, m.title_ar, m.summary, m.position)
                          for m in db.session.scalars(select(Module).filter_by(is_retired=False))),
        "topics": sorted((t.slug, modules[t.module_id], t.title_en, t.title_ar, t.position,
                          t.published_at.date())
                         for t in db.session.scalars(select(Topic).filter_by(is_retired=False,
                                                                             is_draft=False))),
        "lessons": sorted((topics[x.topic_id], x.language, x.minutes, tuple(x.objectives),
                           x.body_markdown.strip(), x.body_html)
                          for x in db.session.scalars(select(Lesson).filter_by(is_retired=False))),
        "glossary": sorted((g.slug, g.term_en, g.term_ar, g.definition_en, g.definition_ar,
                            g.source) for g in db.session.scalars(select(GlossaryTerm))),
        "programmes": sorted((p.slug, p.title_en, p.title_ar, p.summary, p.position)
                             for p in db.session.scalars(select(Programme))),
        "units": sorted((u.slug, u.title_en or "", u.title_ar or "",
                         modules.get(u.module_id or 0, ""),
                         u.position, u.days, u.hours_per_day)
                        for u in db.session.scalars(select(Unit))),
        "unit_topics": sorted(
            (unit, topics[topic_id], position) for unit, topic_id, position in db.session.execute(
                select(Unit.slug, UnitTopic.topic_id, UnitTopic.position).join(Unit))),
        "media": sorted((m.name, m.content_type, hashlib.sha256(
            (storage / "media" / m.stored_name).read_bytes()).hexdigest())
            for m in db.session.scalars(select(MediaFile).filter_by(is_retired=False))),
    }
    quizzes = {q.id: topics[q.topic_id] for q in db.session.scalars(select(Quiz))}
    result["quizzes"] = sorted(
        (topics[q.topic_id], str(q.title), q.pass_mark, q.attempts_allowed, q.grading,
         q.shuffle_questions, q.shuffle_choices, q.time_limit_minutes, q.draw_count,
         q.review_policy) for q in db.session.scalars(select(Quiz).filter_by(is_retired=False)))
    questions = {q.id: (quizzes[q.quiz_id], q.key) for q in db.session.scalars(select(Question))}
    result["questions"] = sorted(
        (quizzes[q.quiz_id], q.key, q.type, q.position, q.points, str(q.text), str(q.feedback),
         q.ref, str(sorted(q.settings.items())))
        for q in db.session.scalars(select(Question).filter_by(is_retired=False)))
    result["options"] = sorted(
        (questions[o.question_id], o.key, o.kind, o.position, str(o.text), str(o.match),
         o.credit, str(o.feedback), str(sorted(o.settings.items())))
        for o in db.session.scalars(select(Option).filter_by(is_retired=False)))
    return result


def round_trip(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    """Export, check the export validates, load it into a fresh platform, compare."""
    target = tmp_path / "exported"
    result = runner.invoke(args=["lms", "export", str(target)])
    assert result.exit_code == 0, result.output
    spec, report = read_package(target)
    assert report.ok, [str(p) for p in report.problems]
    before = fingerprint(Path(app.config["STORAGE_DIR"]))
    fresh = make_app(tmp_path / "fresh")
    db.session.remove()
    db.drop_all()  # the fresh app shares the test database, so empty it first
    with fresh.app_context():
        db.create_all()
        load_package(target, Path(fresh.config["STORAGE_DIR"]))
        db.session.commit()
        after = fingerprint(Path(fresh.config["STORAGE_DIR"]))
        db.session.remove()
        db.engine.dispose()
    for key in before:
        assert after[key] == before[key], key


def test_fixture_package_round_trip(app: Flask, runner: FlaskCliRunner, loaded: object,
                                    tmp_path: Path) -> None:
    """Export then load into a fresh database gives the same content."""
    round_trip(app, runner, tmp_path)


def test_course_round_trip(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The Migration Governance course, with every question type, survives the round trip."""
    load_package(COURSE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    round_trip(app, runner, tmp_path)


def test_browser_work_is_exported(app: Flask, runner: FlaskCliRunner, loaded: object,
                                  tmp_path: Path) -> None:
    """Published browser edits, new topics and uploads are exported; drafts are not."""
    author = factories.make_user(role=Role.ADMIN)
    alpha = module("alpha")
    png = (FIXTURE_PACKAGE / "media/pixel.png").read_bytes()
    store_upload(alpha, "chart.png", png, author, utcnow(), Path(app.config["STORAGE_DIR"]))
    created, _new = create_topic(alpha, "from-browser", "From the browser", "من المتصفح", utcnow())
    content = LessonContent("From the browser", 4, ["See a chart."],
                            "## Chart\n\n![A chart](media/chart.png)\n")
    services.publish(services.save_draft(created, "en", content, author, utcnow(), None),
                     author, utcnow())
    arabic = LessonContent("من المتصفح", 4, ["رؤية رسم."], "## رسم\n\nنص.\n")
    services.publish(services.save_draft(created, "ar", arabic, author, utcnow(), None),
                     author, utcnow())
    create_topic(alpha, "unfinished", "Unfinished", "غير مكتمل", utcnow())
    draft = LessonContent("Second topic", 5, ["Draft only."], "## Second heading\n\nDraft.\n")
    services.save_draft(topic("second"), "en", draft, author, utcnow(), None)
    db.session.commit()
    target = tmp_path / "out"
    assert runner.invoke(args=["lms", "export", str(target)]).exit_code == 0
    alpha_dir = target / "modules/01-alpha"
    assert (alpha_dir / "03-from-browser.md").is_file()
    assert (alpha_dir / "03-from-browser.ar.md").is_file()
    assert (target / "media/chart.png").read_bytes() == png
    assert "unfinished" not in (alpha_dir / "module.yaml").read_text(encoding="utf-8")
    assert "Draft." not in (alpha_dir / "02-second.md").read_text(encoding="utf-8")
    round_trip(app, runner, tmp_path)


def test_export_refuses_a_folder_with_files(runner: FlaskCliRunner, loaded: object,
                                            tmp_path: Path) -> None:
    """Nothing is overwritten: a folder that has files in it is refused."""
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    result = runner.invoke(args=["lms", "export", str(tmp_path / "busy")])
    assert result.exit_code == 1 and "is not an empty folder" in result.output
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    under_a_file = runner.invoke(args=["lms", "export", str(tmp_path / "busy" / "keep.txt" / "x")])
    assert under_a_file.exit_code == 1 and "cannot create" in under_a_file.output


def test_a_failed_export_leaves_nothing_behind(app: Flask, runner: FlaskCliRunner,
                                              loaded: object, tmp_path: Path) -> None:
    """With a media file missing from storage the export fails with its name, and leaves
    no folder that looks like a package; once the file is back, it exports."""
    media = db.session.scalars(select(MediaFile)).first()
    assert media is not None
    stored = Path(app.config["STORAGE_DIR"]) / "media" / media.stored_name
    kept = stored.read_bytes()
    stored.unlink()
    exports = tmp_path / "exports"
    target = exports / "out"
    result = runner.invoke(args=["lms", "export", str(target)])
    assert result.exit_code == 1 and "missing from storage" in result.output
    assert list(exports.iterdir()) == []
    stored.write_bytes(kept)
    assert runner.invoke(args=["lms", "export", str(target)]).exit_code == 0
    assert (target / "package.yaml").is_file() and list(exports.iterdir()) == [target]


def test_export_needs_a_loaded_package(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """Without a package there is nothing to export, and the command says so."""
    result = runner.invoke(args=["lms", "export", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no package is loaded" in result.output


@pytest.mark.parametrize("slug", ["sample", "unknown"])
def test_export_by_package_name(runner: FlaskCliRunner, loaded: object, tmp_path: Path,
                                slug: str) -> None:
    """--package names the package; an unknown name is an error."""
    result = runner.invoke(args=["lms", "export", str(tmp_path / slug), "--package", slug])
    assert (result.exit_code == 0) == (slug == "sample"), result.output
