"""The participant's home and lesson pages, lesson completion, glossary and media."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.courses.loader import load_package
from lms.extensions import db
from lms.models import LessonCompletion, Topic
from lms.progress.models import EnrolmentStatus
from tests import factories
from tests.conftest import Auth


def participant(auth: Auth, programme: str = "local", **fields: object):  # type: ignore[no-untyped-def]
    user = factories.make_user(**fields)
    factories.enrol(user, factories.make_edition(programme))
    db.session.commit()
    auth.login(user)
    return user


def completions(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(LessonCompletion)
                             .filter_by(user_id=user_id)) or 0


def test_home_lists_units_topics_and_progress(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """The home page shows the participant's programme and units, the lessons still to read in
    the unit of the next step, and a link to each other unit's own page."""
    participant(auth)
    page = client.get("/").text
    assert "Local programme" in page
    assert "Alpha module" in page and "Beta module" in page
    assert 'href="/topics/first"' in page and 'href="/topics/third"' not in page
    assert "Days and topics of Beta module" in page
    assert "0 of 3 lessons completed" in page


def test_lesson_page_shows_lesson_toc_time_and_navigation(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """The lesson page has the lesson, objectives, contents, reading time and next link."""
    participant(auth)
    page = client.get("/topics/first").text
    assert "<h1>First topic</h1>" in page
    assert "Tell a refugee from an asylum-seeker." in page
    assert 'href="#key-concepts-and-definitions"' in page
    assert "About 10 minutes of reading" in page
    assert 'rel="next" href="/topics/second"' in page
    assert 'rel="prev"' not in page
    assert "Mark as complete" in page


def test_mark_complete_and_undo(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Marking a lesson complete records it once; the page and home then show it done."""
    user = participant(auth)
    assert client.post("/topics/first/complete", data={"action": "complete"}).status_code == 302
    assert client.post("/topics/first/complete", data={"action": "complete"}).status_code == 302
    assert completions(user.id) == 1
    assert "You have completed this lesson." in client.get("/topics/first").text
    assert "1 of 3 lessons completed" in client.get("/").text
    client.post("/topics/first/complete", data={"action": "undo"})
    assert completions(user.id) == 0


def test_arabic_reader_gets_arabic_version(client: FlaskClient, auth: Auth,
                                           loaded: object) -> None:
    """A reader who prefers Arabic sees the Arabic version, with English one click away."""
    participant(auth, preferred_language="ar")
    page = client.get("/topics/first").text
    assert '<html lang="ar" dir="rtl">' in page
    assert 'lang="ar" dir="rtl"' in page
    assert "التمييز بين اللاجئ وملتمس اللجوء." in page
    assert 'href="/topics/first?lang=en"' in page
    english = client.get("/topics/first?lang=en").text
    assert "Tell a refugee from an asylum-seeker." in english
    # Reading on in English: the next lesson and marking this one keep the language.
    assert 'href="/topics/second?lang=en"' in english
    assert '<input type="hidden" name="lang" value="en">' in english
    marked = client.post("/topics/first/complete", data={"action": "complete", "lang": "en"})
    assert marked.headers["Location"] == "/topics/first?lang=en"
    # In the interface's own language, addresses stay plain.
    assert 'href="/topics/second"' in page
    plain = client.post("/topics/first/complete", data={"action": "undo", "lang": "fr"})
    assert plain.headers["Location"] == "/topics/first"


def test_lesson_without_arabic_falls_back_to_english(client: FlaskClient, auth: Auth,
                                                     loaded: object) -> None:
    """Without an Arabic version, an Arabic reader gets the English lesson."""
    participant(auth, preferred_language="ar")
    assert "Explain the second idea." in client.get("/topics/second").text


def test_topic_outside_programme_is_not_found(client: FlaskClient, auth: Auth,
                                              loaded: object) -> None:
    """A regional participant cannot open or complete a topic only the local programme has."""
    user = participant(auth, programme="regional")
    assert client.get("/topics/second").status_code == 200
    assert client.get("/topics/first").status_code == 404
    assert client.post("/topics/first/complete").status_code == 404
    assert completions(user.id) == 0


def test_unknown_topic_looks_like_forbidden_one(client: FlaskClient, auth: Auth,
                                                loaded: object) -> None:
    """An unknown slug and a topic the participant may not read give the same answer."""
    participant(auth, programme="regional")
    forbidden = client.get("/topics/first")
    unknown = client.get("/topics/no-such-topic")
    assert forbidden.status_code == unknown.status_code == 404
    assert forbidden.text == unknown.text.replace("/topics/no-such-topic", "/topics/first")


def test_participant_without_enrolment_sees_no_lessons(client: FlaskClient, auth: Auth,
                                                       loaded: object) -> None:
    """A participant not enrolled anywhere is told so and cannot read lessons."""
    auth.login_as(Role.PARTICIPANT)
    assert "not enrolled in an edition" in client.get("/").text
    assert client.get("/topics/first").status_code == 404


def test_completion_is_recorded_for_the_session_user_only(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """Extra form fields naming another user are ignored: progress is the session user's."""
    other = factories.make_user()
    user = participant(auth)
    client.post("/topics/first/complete", data={"action": "complete", "user_id": other.id})
    assert completions(user.id) == 1
    assert completions(other.id) == 0


def test_staff_read_lessons_but_record_no_progress(client: FlaskClient, auth: Auth,
                                                   loaded: object) -> None:
    """Instructors see the content overview and lessons, without a completion button."""
    auth.login_as(Role.INSTRUCTOR)
    assert "Course content" in client.get("/").text
    page = client.get("/topics/third").text
    assert "Third topic" in page and "Mark as complete" not in page
    assert client.post("/topics/third/complete").status_code == 403


def test_retired_topic_is_not_found(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A retired topic disappears for participants."""
    participant(auth)
    topic = db.session.scalar(select(Topic).filter_by(slug="second"))
    assert topic is not None
    topic.is_retired = True
    db.session.commit()
    assert client.get("/topics/second").status_code == 404
    assert 'href="/topics/second"' not in client.get("/").text


def test_lesson_page_query_count_does_not_grow(app: Flask, client: FlaskClient, auth: Auth,
                                               loaded: object, count_queries) -> None:  # type: ignore[no-untyped-def]
    """The lesson page runs four SQL statements whatever the course size: the login's session,
    the change stamps, the lesson with its quiz and the reader's results, and the unit's
    lessons with the reader's mark; asked again with nothing changed, the first two only."""
    participant(auth)
    client.post("/topics/first/complete", data={"action": "complete"})
    client.get("/topics/first")  # shows the flashed message
    with count_queries() as counter:
        response = client.get("/topics/second")
    assert response.status_code == 200
    assert counter.count <= 4, counter.statements
    with count_queries() as again:
        assert client.get("/topics/second").text == response.text
    assert again.count <= 2, again.statements


def test_glossary_is_alphabetical_with_anchors(client: FlaskClient, auth: Auth,
                                               loaded: object) -> None:
    """The glossary lists terms alphabetically in the reader's language, each with an id."""
    participant(auth)
    page = client.get("/glossary").text
    assert page.index('id="asylum-seeker"') < page.index('id="refugee"')
    client.post("/language", data={"language": "ar"})
    arabic = client.get("/glossary").text
    # In Arabic, لاجئ (refugee) sorts before ملتمس اللجوء (asylum-seeker).
    assert arabic.index('id="refugee"') < arabic.index('id="asylum-seeker"')


def _second_package(root: Path, storage: str) -> None:
    """A small second package whose glossary also defines "refugee"."""
    (root / "modules" / "01-gamma").mkdir(parents=True)
    (root / "package.yaml").write_text(
        "id: other\nversion: '1'\ntitle: {en: Other certificate, ar: شهادة أخرى}\n"
        "issuers:\n  - {en: Other Centre, ar: مركز آخر}\n"
        "programmes:\n  - slug: other-prog\n    title: {en: Other programme, ar: برنامج آخر}\n"
        "    units:\n      - {slug: gamma, module: gamma, days: 1, hours_per_day: 6}\n",
        encoding="utf-8")
    (root / "glossary.yaml").write_text(
        "terms:\n  - slug: refugee\n    term: {en: Refugee (other), ar: لاجئ آخر}\n"
        "    definition: {en: Other definition., ar: تعريف آخر.}\n    source: Other source\n",
        encoding="utf-8")
    (root / "modules" / "01-gamma" / "module.yaml").write_text(
        "title: {en: Gamma module, ar: الوحدة جيم}\ntopics:\n  - gamma-one\n", encoding="utf-8")
    (root / "modules" / "01-gamma" / "01-gamma-one.md").write_text(
        "---\ntitle: {en: Gamma one, ar: جيم واحد}\nminutes: 5\nobjectives:\n  - Know gamma.\n"
        "---\n\n## Gamma\n\nSee [refugee](glossary:refugee).\n", encoding="utf-8")
    load_package(root, Path(storage))
    db.session.commit()


def test_the_glossary_holds_the_readers_packages_and_each_anchor_once(
        app: Flask, client: FlaskClient, auth: Auth, loaded: object, tmp_path: Path) -> None:
    """With a second package loaded that also defines "refugee", a participant of the first
    reads only its terms, and /glossary#refugee lands on its own definition; staff read
    both, with the anchor on one of them only."""
    _second_package(tmp_path / "other", app.config["STORAGE_DIR"])
    participant(auth)
    page = client.get("/glossary").text
    assert "Refugee (other)" not in page and page.count('id="refugee"') == 1
    auth.logout()
    auth.login_as(Role.ADMIN)
    staff = client.get("/glossary").text
    assert "Refugee (other)" in staff and staff.count('id="refugee"') == 1


def test_media_served_safely(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Images are served with their checked type; PDFs download; nothing can run as a page."""
    participant(auth)
    image = client.get("/media/sample/pixel.png")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    image.close()
    pdf = client.get("/media/sample/reading.pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    pdf.close()
    assert client.get("/media/sample/../package.yaml").status_code == 404
    assert client.get("/media/sample/missing.png").status_code == 404


def test_the_breadcrumb_speaks_the_pages_language_not_the_lessons(client: FlaskClient,
                                                                    auth: Auth,
                                                                    loaded: object) -> None:
    """Reading the Arabic version of a lesson on an English page, the lesson is Arabic and
    marked so; the breadcrumb, outside it, names the unit in English like the rest of the
    page (it was Arabic text with no lang or dir)."""
    participant(auth)
    page = client.get("/topics/first?lang=ar").text
    crumbs = page.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert "Alpha module" in crumbs and "الوحدة ألف" not in crumbs
    assert '<article class="lesson" lang="ar" dir="rtl">' in page


def test_media_only_for_the_packages_a_participant_follows(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """A participant enrolled nowhere, or only in an edition they withdrew from, gets no
    package's media, as they get none of its lessons; enrolled, they do; staff always do."""
    person = factories.make_user()
    db.session.commit()
    auth.login(person)
    assert client.get("/media/sample/pixel.png").status_code == 404
    assert client.get("/media/sample/reading.pdf").status_code == 404
    enrolment = factories.enrol(person, factories.make_edition())
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    assert client.get("/media/sample/pixel.png").status_code == 404
    enrolment.status = EnrolmentStatus.ACTIVE
    db.session.commit()
    image = client.get("/media/sample/pixel.png")
    assert image.status_code == 200
    image.close()
    auth.logout()
    auth.login_as(Role.INSTRUCTOR)
    staff = client.get("/media/sample/pixel.png")
    assert staff.status_code == 200
    staff.close()


def test_template_syntax_in_content_shows_literally(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    """A title containing template syntax is shown as text."""
    participant(auth)
    topic = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert topic is not None
    topic.title_en = "{{7*7}} <b>bold</b>"
    db.session.commit()
    page = client.get("/topics/first").text
    assert "{{7*7}} &lt;b&gt;bold&lt;/b&gt;" in page
