"""Writing lessons in the browser: drafts, preview, publishing, history, restore and diff."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.courses.authoring.models import LessonVersion, VersionSource, VersionStatus
from lms.courses.loader import load_package
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import LessonCompletion
from lms.progress.services import mark_lesson_complete
from tests.authoring.conftest import editor_fields, lesson, lesson_form, save, topic, versions
from tests.courses.test_loader import other_package


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_new_topic_is_a_draft_until_its_english_lesson_is_published(
        client: FlaskClient, alpha_instructor: User,
        reader: Callable[[], FlaskClient]) -> None:
    """A new topic and its saved draft are invisible to participants; publishing shows both."""
    participant = reader()
    alpha = topic("first").module_id
    response = client.post(f"/author/modules/{alpha}/topics/new", data={
        "slug": "new-topic", "title_en": "A new topic", "title_ar": "موضوع جديد"})
    assert response.status_code == 302
    created = topic("new-topic")
    assert created.is_draft
    saved = save(client, created.id, title="A new topic", body="## Start\n\nFresh text.\n")
    assert saved.status_code == 302
    assert participant.get("/topics/new-topic").status_code == 404
    assert "A new topic" not in participant.get("/").text
    draft = versions("new-topic")[0]
    assert draft.status == VersionStatus.DRAFT
    assert client.post(f"/author/versions/{draft.id}/publish").status_code == 302
    db.session.expire_all()
    assert not topic("new-topic").is_draft
    page = participant.get("/topics/new-topic")
    assert page.status_code == 200 and "Fresh text." in page.text
    assert "A new topic" in participant.get("/").text
    assert actions()[-3:] == ["topic.create", "lesson.draft_save", "lesson.publish"]


def test_each_published_state_reaches_participants_and_restore_brings_one_back(
        client: FlaskClient, alpha_instructor: User,
        reader: Callable[[], FlaskClient]) -> None:
    """Draft: participants still read version 1; publish: they read version 2; restoring
    version 1 publishes it again as version 3."""
    participant = reader()
    first = topic("first")
    assert save(client, first.id, body="## Key concepts and definitions\n\nEdited.\n"
                ).status_code == 302
    assert "Edited." not in participant.get("/topics/first").text
    assert "No return to danger." in participant.get("/topics/first").text
    draft = versions("first")[-1]
    client.post(f"/author/versions/{draft.id}/publish")
    assert "Edited." in participant.get("/topics/first").text
    original = versions("first")[0]
    assert client.post(f"/author/versions/{original.id}/restore").status_code == 302
    history = versions("first")
    assert [(v.number, v.source) for v in history] == [
        (1, VersionSource.PACKAGE), (2, VersionSource.BROWSER), (3, VersionSource.BROWSER)]
    assert history[2].restored_from_number == 1
    assert lesson("first").version_id == history[2].id
    text = participant.get("/topics/first").text
    assert "No return to danger." in text and "Edited." not in text
    assert "lesson.restore" in actions()
    page = client.get(f"/author/topics/{first.id}/en/history").text
    assert "Version 3" in page and "restored from version 1" in page


def test_publish_in_one_step_from_the_editor(client: FlaskClient, alpha_instructor: User) -> None:
    """The editor's Publish button saves and publishes at once."""
    response = save(client, topic("first").id, action="publish",
                    body="## Key concepts and definitions\n\nPublished directly.\n")
    assert response.status_code == 302
    assert "Published directly." in lesson("first").body_html
    assert versions("first")[-1].status == VersionStatus.PUBLISHED


def test_preview_in_both_languages_saves_nothing(client: FlaskClient,
                                                 alpha_instructor: User) -> None:
    """Preview renders with the participants' renderer, right to left for Arabic, unsaved."""
    first = topic("first")
    before = db.session.scalar(select(func.count()).select_from(LessonVersion))
    english = client.post(f"/author/topics/{first.id}/en/edit", data={
        **editor_fields(client, first.id), **lesson_form(action="preview", body=(
            "## Key concepts and definitions\n\nSee [the glossary](glossary:refugee) and "
            "![pixel](media/pixel.png).\n"))})
    assert english.status_code == 200
    assert 'href="/glossary#refugee"' in english.text
    assert 'src="/media/sample/pixel.png"' in english.text
    arabic = client.post(f"/author/topics/{first.id}/ar/edit", data={
        **editor_fields(client, first.id, "ar"), **lesson_form(
            action="preview", title="الموضوع الأول", body="## عنوان\n\nنص عربي.\n")})
    assert arabic.status_code == 200
    assert 'class="lesson lesson--preview" lang="ar" dir="rtl"' in arabic.text
    assert "نص عربي." in arabic.text
    assert db.session.scalar(select(func.count()).select_from(LessonVersion)) == before


def test_link_to_missing_file_is_refused_with_the_link_named(
        client: FlaskClient, alpha_instructor: User) -> None:
    """A lesson linking to a file that does not exist is not saved; the link is named."""
    response = save(client, topic("first").id,
                    body="## Key concepts and definitions\n\n![map](media/missing-map.png)\n")
    assert response.status_code == 400
    assert "Line 3: the file media/missing-map.png does not exist" in response.text
    assert len(versions("first")) == 1


def test_other_broken_links_are_refused(client: FlaskClient, alpha_instructor: User) -> None:
    """Unknown topics, glossary terms, anchors and unsafe schemes are each reported."""
    response = save(client, topic("first").id, body=(
        "## Key concepts and definitions\n\n[a](topic:nowhere) [b](glossary:nothing) "
        "[c](#no-heading) [d](ftp://example.org/) [e](relative/page)\n"))
    assert response.status_code == 400
    for text in ("topic:nowhere names no published topic", "glossary:nothing names no term",
                 "#no-heading names no heading", "ftp://example.org/ uses a kind of address",
                 "relative/page points nowhere"):
        assert text in response.text


def test_script_never_reaches_the_page(client: FlaskClient, alpha_instructor: User,
                                       reader: Callable[[], FlaskClient]) -> None:
    """Raw HTML and script in Markdown are removed before anyone sees the lesson."""
    participant = reader()
    body = ("## Key concepts and definitions\n\n<script>alert(1)</script>\n\n"
            "<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n")
    preview = client.post(f"/author/topics/{topic('first').id}/en/edit", data={
        **editor_fields(client, topic("first").id), **lesson_form(action="preview", body=body)})
    shown = preview.text.split('<section class="preview"', 1)[1].split('id="upload-heading"')[0]
    assert "Key concepts" in shown
    assert "<script" not in shown and "onerror" not in shown and "javascript:" not in shown
    assert "<script>alert" not in preview.text  # the editor shows the text escaped
    save(client, topic("first").id, action="publish",
         body="## Key concepts and definitions\n\n<script>alert(1)</script>\n\nSafe.\n")
    page = participant.get("/topics/first").text
    assert "Safe." in page and "alert(1)" not in page


def test_second_click_on_the_same_form_is_refused(client: FlaskClient,
                                                  alpha_instructor: User) -> None:
    """Sending the same editor form twice publishes once; the second gets a clear message."""
    first = topic("first")
    data = {**editor_fields(client, first.id),
            **lesson_form(action="publish", body="## Key concepts and definitions\n\nOnce.\n")}
    assert client.post(f"/author/topics/{first.id}/en/edit", data=data).status_code == 302
    again = client.post(f"/author/topics/{first.id}/en/edit", data=data)
    assert again.status_code == 400
    assert "saved or published after you opened it" in again.text
    assert len(versions("first")) == 2


def test_empty_or_oversized_form_is_refused(client: FlaskClient, alpha_instructor: User) -> None:
    """Missing fields and an absurd reading time are form errors, never a crash."""
    first = topic("first")
    response = client.post(f"/author/topics/{first.id}/en/edit",
                           data={**editor_fields(client, first.id), "action": "save"})
    assert response.status_code == 400
    bad = save(client, first.id, minutes="100000", objectives="   ")
    assert bad.status_code == 400
    zero = save(client, first.id, minutes="0")
    assert zero.status_code == 400 and "Number must be between 1 and 600." in zero.text
    assert "This field is required." not in zero.text
    assert len(versions("first")) == 1


def test_markdown_file_becomes_the_draft(client: FlaskClient, alpha_instructor: User) -> None:
    """An uploaded .md file with front matter is saved as the draft, ready to preview."""
    text = ("---\ntitle: {en: Uploaded title, ar: عنوان}\nminutes: 12\nobjectives:\n"
            "  - Learn from a file.\n---\n\n## Key concepts and definitions\n\nFrom a file.\n")
    first = topic("first")
    response = client.post(f"/author/topics/{first.id}/en/upload", data={
        "file": (io.BytesIO(text.encode()), "lesson.md")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    draft = versions("first")[-1]
    assert (draft.status, draft.title, draft.minutes, draft.objectives) == (
        VersionStatus.DRAFT, "Uploaded title", 12, ["Learn from a file."])
    preview = client.get(response.headers["Location"]).text
    assert "From a file." in preview
    assert "lesson.upload" in actions()


def test_markdown_file_without_front_matter_keeps_the_details(
        client: FlaskClient, alpha_instructor: User) -> None:
    """A plain Markdown file replaces the text and keeps title, time and objectives."""
    first = topic("first")
    client.post(f"/author/topics/{first.id}/en/upload", data={
        "file": (io.BytesIO(b"## Key concepts and definitions\n\nJust text.\n"), "x.md")},
        content_type="multipart/form-data")
    draft = versions("first")[-1]
    assert (draft.title, draft.minutes, draft.body_markdown) == (
        "First topic", 10, "## Key concepts and definitions\n\nJust text.\n")


def test_bad_markdown_files_are_refused(client: FlaskClient, alpha_instructor: User) -> None:
    """Not UTF-8, binary, empty, oversized or with broken front matter: refused, not saved."""
    first = topic("first")
    cases = [(b"\xff\xfe\x00b\x00a\x00d", "not UTF-8"),
             (b"\x89PNG\r\n\x1a\n" + bytes(20), "not UTF-8"),
             (b"   \n", "has no text"),
             (b"#" * (300 * 1024), "larger than 256 KiB"),
             (b"---\nminutes: [\n---\n\nText\n", "YAML syntax error")]
    for data, message in cases:
        response = client.post(f"/author/topics/{first.id}/en/upload", data={
            "file": (io.BytesIO(data), "lesson.md")}, content_type="multipart/form-data")
        assert response.status_code == 400, message
        assert message in response.text, message
    assert len(versions("first")) == 1


def test_markdown_file_with_values_yaml_cannot_read_is_refused(client: FlaskClient,
                                                               alpha_instructor: User) -> None:
    """A date that does not exist, or a title too long to store, is shown with its line on
    the page, and nothing is saved."""
    first = topic("first")
    cases = [("---\ntitle: First\nminutes: 10\npublished: 2026-02-30\n---\n\nText\n",
              "Line 4: &#39;2026-02-30&#39; is not a date that exists"),
             (f"---\ntitle: {{en: {'T' * 301}, ar: ع}}\nminutes: 10\n---\n\nText\n",
              "Line 2: &#39;title.en&#39; is longer than 300 characters"),
             (f"---\ntitle: {'T' * 301}\nminutes: 10\n---\n\nText\n",
              "Line 2: &#39;title&#39; is longer than 300 characters")]
    for text, message in cases:
        response = client.post(f"/author/topics/{first.id}/en/upload", data={
            "file": (io.BytesIO(text.encode()), "lesson.md")}, content_type="multipart/form-data")
        assert response.status_code == 400, message
        assert message in response.text, message
    assert len(versions("first")) == 1


def test_changes_page_shows_what_was_added_and_removed(client: FlaskClient,
                                                       alpha_instructor: User) -> None:
    """The diff between two versions marks removed and added lines, not by colour alone."""
    save(client, topic("first").id, action="publish",
         body="## Key concepts and definitions\n\nA new text.\n")
    latest = versions("first")[-1]
    page = client.get(f"/author/versions/{latest.id}/changes").text
    assert "<del>No return to danger. See also" in page
    assert "<ins>A new text.</ins>" in page
    assert '<span class="visually-hidden">added</span>' in page


def test_progress_survives_edits_and_reordering(client: FlaskClient, alpha_instructor: User,
                                                reader: Callable[[], FlaskClient]) -> None:
    """A completed lesson stays completed after its text changes and the topics move."""
    participant = reader()
    participant.post("/topics/first/complete", data={"action": "complete"})
    save(client, topic("first").id, action="publish",
         body="## Key concepts and definitions\n\nRevised.\n")
    first, second = topic("first"), topic("second")
    response = client.post(f"/author/modules/{first.module_id}/order", data={
        f"position-{first.id}": "2", f"position-{second.id}": "1"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
    assert "You have completed this lesson." in participant.get("/topics/first").text
    home = participant.get("/").text
    assert home.index("/topics/second") < home.index("/topics/first")
    assert "topic.reorder" in actions()


def test_reorder_with_bad_numbers_changes_nothing(client: FlaskClient,
                                                  alpha_instructor: User) -> None:
    """A place that is not a whole number is refused and the order stays; Arabic digits are
    whole numbers."""
    first, second = topic("first"), topic("second")
    for bad in ("x", "\u00b2", "9" * 5000):
        response = client.post(f"/author/modules/{first.module_id}/order",
                               data={f"position-{first.id}": bad, f"position-{second.id}": "1"})
        assert response.status_code == 302
        assert topic("first").position == 0 and topic("second").position == 1
    client.post(f"/author/modules/{first.module_id}/order",
                data={f"position-{first.id}": "٢", f"position-{second.id}": "1"})
    assert topic("first").position == 1 and topic("second").position == 0


def test_draft_is_discarded_and_pending_is_dismissed_only_in_their_states(
        client: FlaskClient, alpha_instructor: User) -> None:
    """Discarding works on drafts only; other versions answer 404 to the wrong action."""
    save(client, topic("first").id)
    draft = versions("first")[-1]
    published = versions("first")[0]
    assert client.post(f"/author/versions/{published.id}/discard").status_code == 404
    assert client.post(f"/author/versions/{published.id}/dismiss").status_code == 404
    assert client.post(f"/author/versions/{draft.id}/discard").status_code == 302
    assert len(versions("first")) == 1


def test_staff_overview_and_home_hide_draft_topics(client: FlaskClient,
                                                   alpha_instructor: User) -> None:
    """A draft topic is listed on the authoring page, not in the content overview."""
    alpha = topic("first").module_id
    client.post(f"/author/modules/{alpha}/topics/new", data={
        "slug": "hidden", "title_en": "Hidden topic", "title_ar": "موضوع مخفي"})
    assert "Hidden topic" in client.get(f"/author/modules/{alpha}").text
    assert "Hidden topic" not in client.get("/").text
    assert client.get("/topics/hidden").status_code == 404


def test_topic_short_name_must_be_new_and_valid(client: FlaskClient,
                                                alpha_instructor: User) -> None:
    """A taken or malformed short name is refused with a message."""
    alpha = topic("first").module_id
    taken = client.post(f"/author/modules/{alpha}/topics/new", data={
        "slug": "second", "title_en": "X", "title_ar": "س"})
    assert taken.status_code == 400 and "already uses the short name" in taken.text
    bad = client.post(f"/author/modules/{alpha}/topics/new", data={
        "slug": "../Bad Slug", "title_en": "X", "title_ar": "س"})
    assert bad.status_code == 400


def test_topic_short_name_another_package_uses_is_refused(app: Flask, client: FlaskClient,
                                                          alpha_instructor: User,
                                                          package_copy: Path) -> None:
    """Lesson addresses name a topic by its short name alone, so one that a topic of another
    loaded package has is refused with a message naming that package."""
    load_package(other_package(package_copy, shared=set()), Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    alpha = topic("first").module_id
    taken = client.post(f"/author/modules/{alpha}/topics/new", data={
        "slug": "second-b", "title_en": "X", "title_ar": "س"})
    assert taken.status_code == 400
    assert ("A topic of the course package other already uses the short name second-b."
            in taken.text)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 6


def test_completed_mark_is_kept_for_a_restored_version(client: FlaskClient,
                                                       alpha_instructor: User) -> None:
    """Restoring never touches progress records."""
    from tests import factories

    person = factories.make_user()
    mark_lesson_complete(person.id, topic("first").id, utcnow())
    db.session.commit()
    save(client, topic("first").id, action="publish")
    client.post(f"/author/versions/{versions('first')[0].id}/restore")
    assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
