"""`flask lms load` and the browser: the package replaces only what came from the package."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.courses.authoring import versions as services
from lms.courses.authoring.content import LessonContent
from lms.courses.authoring.models import LessonVersion, VersionSource, VersionStatus
from lms.courses.authoring.topics import create_topic
from lms.courses.authoring.uploads import store_upload
from lms.courses.loader import LoadSummary, load_package
from lms.courses.models import MediaFile, UnitTopic
from lms.db_types import utcnow
from lms.extensions import db
from tests import factories
from tests.authoring.conftest import lesson, make_instructor, module, save, topic, versions
from tests.conftest import Auth
from tests.courses.test_validation import edit

FIRST = "modules/01-alpha/01-first.md"


def load(app: Flask, path: Path) -> LoadSummary:
    summary = load_package(path, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    return summary


def browser_edit(slug: str, body: str, language: str = "en", title: str = "First topic") -> None:
    """An instructor writes and publishes a new version in the browser."""
    author = factories.make_user(role=Role.ADMIN)
    content = LessonContent(title, 10, ["Tell a refugee from an asylum-seeker."], body)
    draft = services.save_draft(topic(slug), language, content, author, utcnow(), None)
    services.publish(draft, author, utcnow())
    db.session.commit()


def test_first_load_records_package_versions(app: Flask, package_copy: Path) -> None:
    """Each lesson's first load is version 1, from the package, with the file's hash."""
    load(app, package_copy)
    first = versions("first")
    assert [(v.number, v.source, v.status) for v in first] == [
        (1, VersionSource.PACKAGE, VersionStatus.PUBLISHED)]
    assert first[0].source_hash == lesson("first").source_hash != ""
    assert first[0].source_file == FIRST
    assert lesson("first").version_id == first[0].id
    assert len(versions("first", "ar")) == 1


def browser_notes(summary: LoadSummary) -> list[str]:
    """What the load says about work done in the browser (the third topic's missing quiz file
    is noted on every load of the test package)."""
    return [note for note in summary.notes if "no quiz file" not in note]


def test_load_twice_adds_no_version(app: Flask, package_copy: Path) -> None:
    """Loading an unchanged package again records nothing new."""
    load(app, package_copy)
    before = db.session.scalar(select(func.count()).select_from(LessonVersion))
    summary = load(app, package_copy)
    assert db.session.scalar(select(func.count()).select_from(LessonVersion)) == before
    assert browser_notes(summary) == []


def test_case_one_package_version_is_replaced(app: Flask, package_copy: Path) -> None:
    """Current version from the package: a changed file replaces it and the old one is kept."""
    load(app, package_copy)
    edit(package_copy / FIRST, "No return to danger.", "No return to danger, ever.")
    summary = load(app, package_copy)
    assert "ever." in lesson("first").body_html
    history = versions("first")
    assert [(v.number, v.source, v.status) for v in history] == [
        (1, VersionSource.PACKAGE, VersionStatus.PUBLISHED),
        (2, VersionSource.PACKAGE, VersionStatus.PUBLISHED)]
    assert lesson("first").version_id == history[1].id
    assert browser_notes(summary) == []


def test_case_two_browser_version_meets_changed_file(app: Flask, package_copy: Path,
                                                     runner: FlaskCliRunner) -> None:
    """Current version from the browser: a changed file waits as a pending version and the
    conflict is reported; participants still see the browser's text."""
    load(app, package_copy)
    browser_edit("first", "## Key concepts and definitions\n\nWritten in the browser.\n")
    edit(package_copy / FIRST, "No return to danger.", "No return to danger, ever.")
    result = runner.invoke(args=["lms", "load", str(package_copy)])
    assert result.exit_code == 0, result.output
    assert "CONFLICT first (en)" in result.output
    assert "pending version 3" in result.output
    assert "Written in the browser." in lesson("first").body_html
    pending = versions("first")[-1]
    assert (pending.number, pending.source, pending.status) == (
        3, VersionSource.PACKAGE, VersionStatus.PENDING)
    assert "ever." in pending.body_markdown
    again = runner.invoke(args=["lms", "load", str(package_copy)])
    assert "pending version 3 from the package still waits" in again.output
    assert len(versions("first")) == 3


def test_case_three_browser_version_and_unchanged_file(app: Flask, package_copy: Path) -> None:
    """Current version from the browser and the file unchanged since last load: kept as is."""
    load(app, package_copy)
    browser_edit("first", "## Key concepts and definitions\n\nWritten in the browser.\n")
    summary = load(app, package_copy)
    assert "Written in the browser." in lesson("first").body_html
    assert len(versions("first")) == 2
    assert any("kept the version edited in the browser" in n for n in summary.notes)
    assert not any(n.startswith("CONFLICT") for n in summary.notes)


def test_accepting_the_pending_version_returns_the_lesson_to_the_package(
        app: Flask, package_copy: Path) -> None:
    """Once the package's text is chosen, later package changes replace it again."""
    load(app, package_copy)
    browser_edit("first", "## Key concepts and definitions\n\nWritten in the browser.\n")
    edit(package_copy / FIRST, "No return to danger.", "No return to danger, ever.")
    load(app, package_copy)
    pending = versions("first")[-1]
    services.publish(pending, factories.make_user(role=Role.ADMIN), utcnow())
    db.session.commit()
    assert "ever." in lesson("first").body_html
    edit(package_copy / FIRST, "ever.", "never again.")
    load(app, package_copy)
    assert "never again." in lesson("first").body_html
    assert versions("first")[-1].status == VersionStatus.PUBLISHED


def test_dismissed_pending_version_is_not_offered_again(app: Flask, package_copy: Path) -> None:
    """Keeping the browser's text sets the package file aside until the file changes again."""
    load(app, package_copy)
    browser_edit("first", "## Key concepts and definitions\n\nWritten in the browser.\n")
    edit(package_copy / FIRST, "No return to danger.", "No return to danger, ever.")
    load(app, package_copy)
    services.dismiss(versions("first")[-1], factories.make_user(role=Role.ADMIN), utcnow())
    db.session.commit()
    summary = load(app, package_copy)
    assert len(versions("first")) == 3
    assert not any(n.startswith("CONFLICT") for n in summary.notes)


def test_package_that_caught_up_becomes_the_source_again(app: Flask, package_copy: Path) -> None:
    """A package file saying exactly what the browser version says is no conflict."""
    load(app, package_copy)
    path = package_copy / FIRST
    text = path.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    browser_edit("first", body.replace("No return to danger.", "No return at all."))
    edit(path, "No return to danger.", "No return at all.")
    summary = load(app, package_copy)
    latest = versions("first")[-1]
    assert (latest.source, latest.status) == (VersionSource.PACKAGE, VersionStatus.PUBLISHED)
    assert lesson("first").version_id == latest.id
    assert not any(n.startswith("CONFLICT") for n in summary.notes)


def test_browser_title_survives_a_load(app: Flask, package_copy: Path) -> None:
    """A title changed with a browser version is not reset by the package's title."""
    load(app, package_copy)
    browser_edit("first", "## Key concepts and definitions\n\nText.\n", title="Renamed")
    load(app, package_copy)
    assert topic("first").title_en == "Renamed"


def test_browser_topics_and_media_are_not_retired(app: Flask, package_copy: Path) -> None:
    """Topics created and files uploaded in the browser stay after a load; a published one
    stays in its module's unit, after the package's topics; a draft stays out of units."""
    load(app, package_copy)
    author = factories.make_user(role=Role.ADMIN)
    alpha = module("alpha")
    published, _new = create_topic(alpha, "browser-topic", "Browser topic", "موضوع", utcnow())
    draft, _new = create_topic(alpha, "draft-topic", "Draft topic", "مسودة", utcnow())
    content = LessonContent("Browser topic", 5, ["Know it."], "## Heading\n\nText.\n")
    services.publish(services.save_draft(published, "en", content, author, utcnow(), None),
                     author, utcnow())
    png = (package_copy / "media/pixel.png").read_bytes()
    store_upload(alpha, "map.png", png, author, utcnow(), Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    load(app, package_copy)
    assert not topic("browser-topic").is_retired and not topic("draft-topic").is_retired
    assert topic("draft-topic").is_draft
    unit_topics = db.session.scalars(
        select(UnitTopic.topic_id).where(UnitTopic.unit_id == _alpha_unit())
        .order_by(UnitTopic.position)).all()
    assert unit_topics == [topic("first").id, topic("second").id, published.id]
    assert draft.id not in unit_topics
    media = db.session.scalar(select(MediaFile).filter_by(name="media/map.png"))
    assert media is not None and not media.is_retired


def test_a_file_dropped_by_the_package_stays_for_a_browser_lesson(app: Flask,
                                                                   package_copy: Path) -> None:
    """An instructor's browser version of a lesson links to the package's reading; the next
    package version drops the file. It stays for that lesson (participants would get a broken
    link otherwise), and the load says why."""
    load(app, package_copy)
    browser_edit("second", "## Second heading\n\nRead [this](media/reading.pdf) first.\n",
                 title="Second topic")
    edit(package_copy / FIRST, "[A reading](media/reading.pdf)", "")
    (package_copy / "media/reading.pdf").unlink()
    summary = load(app, package_copy)
    reading = db.session.scalar(select(MediaFile).filter_by(name="media/reading.pdf"))
    assert reading is not None and not reading.is_retired
    assert ("media/reading.pdf: no longer in the package, but kept: the lesson second (en), "
            "edited in the browser, shows it") in summary.notes


def test_package_file_never_replaces_an_uploaded_one(app: Flask, package_copy: Path) -> None:
    """A package file with the name of a different browser upload is reported, not used."""
    load(app, package_copy)
    author = factories.make_user(role=Role.ADMIN)
    pdf = (package_copy / "media/reading.pdf").read_bytes()
    stored = store_upload(module("alpha"), "extra.pdf", pdf, author, utcnow(),
                          Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    (package_copy / "media/extra.pdf").write_bytes(pdf + b"\n% another revision\n")
    before = stored.stored_name
    summary = load(app, package_copy)
    assert db.session.get(MediaFile, stored.id).stored_name == before  # type: ignore[union-attr]
    assert any("media/extra.pdf: a different file was uploaded" in n for n in summary.notes)


def _alpha_unit() -> int:
    from lms.courses.models import Unit

    unit = db.session.scalar(select(Unit.id).filter_by(slug="alpha"))
    assert unit is not None
    return unit


def test_instructor_chooses_between_browser_and_package(app: Flask, client: FlaskClient,
                                                        auth: Auth, package_copy: Path) -> None:
    """The topic page shows the waiting package version; using it or keeping the browser's
    text is one button each, and both are audited."""
    load(app, package_copy)
    auth.login(make_instructor("alpha"))
    first = topic("first")
    save(client, first.id, action="publish",
         body="## Key concepts and definitions\n\nBrowser text.\n")
    edit(package_copy / FIRST, "No return to danger.", "No return to danger, ever.")
    load(app, package_copy)
    page = client.get(f"/author/topics/{first.id}").text
    assert "Waiting for your decision:" in page and "Use the package version" in page
    pending = versions("first")[-1]
    changes = client.get(f"/author/versions/{pending.id}/changes").text
    assert "<ins>No return to danger, ever." in changes
    assert client.post(f"/author/versions/{pending.id}/dismiss").status_code == 302
    assert "Browser text." in lesson("first").body_html
    edit(package_copy / FIRST, "ever.", "never.")
    load(app, package_copy)
    newer = versions("first")[-1]
    assert newer.status == VersionStatus.PENDING and newer.id != pending.id
    assert client.post(f"/author/versions/{newer.id}/publish").status_code == 302
    assert "never." in lesson("first").body_html
    audited = set(db.session.scalars(select(AuditEvent.action)))
    assert {"lesson.package_dismiss", "lesson.package_accept"} <= audited
