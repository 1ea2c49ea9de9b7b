"""Change stamps: every write a participant's pages depend on gives a new stamp, whoever makes
it; the home page is drawn again exactly when one of them, or the clock, changed it."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from werkzeug.datastructures import MultiDict

from lms.auth.models import Role
from lms.courses.models import Lesson, Topic
from lms.extensions import db
from lms.progress import stamps
from lms.progress.attendance import send_apology
from lms.progress.models import AttendanceStatus as S
from lms.progress.models import Enrolment, EnrolmentStatus, InPersonSession, LessonCompletion
from lms.progress.stamps import SHARED, ChangeStamp, stamps_for
from lms.quizzes import attempts as quiz_attempts
from lms.quizzes.models import Quiz, QuizAttempt
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import (
    NOW,
    attempt,
    complete_lesson,
    mark,
    participant,
    scheduled_edition,
    sessions_of,
)
from tests.quizzes.conftest import page_form


def _stamps() -> dict[int, int]:
    db.session.commit()
    return {row.scope: row.stamp for row in db.session.scalars(select(ChangeStamp))}


def test_each_write_to_a_participants_progress_renews_their_stamp_alone(
        app: Flask, loaded: object) -> None:
    """Enrolment, attendance, an apology, a lesson done and undone, a graded attempt: each
    gives the participant a new stamp and leaves the other participant's and the shared
    one as they were."""
    edition = scheduled_edition()
    user, other = participant(edition), participant(edition)
    day, later = sessions_of(edition, "alpha")[0], sessions_of(edition, "alpha")[-1]
    topic = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert topic is not None
    writes = [
        lambda: mark(day, user, S.PRESENT),
        lambda: mark(day, user, S.LATE),
        lambda: send_apology(user, later, "Visa appointment", later.starts_at - timedelta(days=2)),
        lambda: complete_lesson(user, "first"),
        lambda: db.session.execute(delete(LessonCompletion).where(
            LessonCompletion.user_id == user.id, LessonCompletion.topic_id == topic.id)),
        lambda: attempt(user, "first", 90.0),
        lambda: db.session.execute(update(Enrolment).where(Enrolment.user_id == user.id)
                                   .values(status=EnrolmentStatus.WITHDRAWN)),
    ]
    before = _stamps()
    for write in writes:
        write()
        after = _stamps()
        assert after[user.id] != before.get(user.id)
        assert after[other.id] == before[other.id]
        assert after.get(SHARED) == before.get(SHARED)
        before = after


def test_saving_answers_leaves_the_stamp_but_submitting_renews_it(app: Flask,
                                                                  loaded: object) -> None:
    """An attempt's saved answers show on no progress page; its submission does."""
    edition = scheduled_edition()
    user = participant(edition)
    quiz = db.session.scalar(select(Quiz).join(Topic).where(Topic.slug == "first"))
    assert quiz is not None
    started = quiz_attempts.start_attempt(user, quiz, NOW)
    before = _stamps()[user.id]
    form = page_form(started, 1)
    form.pop("page")
    quiz_attempts.save_page(started, MultiDict(form), 0, NOW)
    assert started.responses
    assert _stamps()[user.id] == before
    quiz_attempts.submit_attempt(started, user, NOW + timedelta(minutes=5))
    assert _stamps()[user.id] != before
    assert db.session.get(QuizAttempt, started.id).submitted_at is not None


def test_the_course_and_the_editions_renew_the_shared_stamp(app: Flask, loaded: object) -> None:
    """A topic renamed, a day moved, a quiz retired: every participant's pages may change."""
    edition = scheduled_edition()
    user = participant(edition)
    writes = [
        lambda: db.session.execute(update(Topic).where(Topic.slug == "first")
                                   .values(title_en="First topic, revised")),
        lambda: db.session.execute(update(InPersonSession).where(
            InPersonSession.edition_id == edition.id).values(venue="Tahrir campus")),
        lambda: db.session.execute(update(Quiz).values(is_retired=True)),
    ]
    before = _stamps()
    for write in writes:
        write()
        after = _stamps()
        assert after[SHARED] != before[SHARED]
        assert after[user.id] == before[user.id]
        before = after


def test_stamps_read_none_until_written(app: Flask) -> None:
    user = factories.make_user()
    db.session.commit()
    assert stamps_for(user.id) == (None, None)


def _home(client: FlaskClient, now: object = NOW) -> str:
    with mock.patch("lms.courses.views.utcnow", return_value=now):
        response = client.get("/")
    assert response.status_code == 200
    return response.text


def test_the_home_page_is_served_again_until_something_it_shows_changes(
        client: FlaskClient, auth: Auth, loaded: object, count_queries) -> None:  # type: ignore[no-untyped-def]
    """Asked again with nothing changed, the page reads only the login and the stamps; an
    instructor's mark, made in another request, shows on the next one."""
    edition = scheduled_edition()
    user = participant(edition)
    day = sessions_of(edition, "alpha")[0]
    db.session.commit()
    auth.login(user)
    first = _home(client)
    with count_queries() as served:
        assert _home(client) == first
    assert served.count <= 3
    mark(day, user, S.PRESENT)
    db.session.commit()
    with count_queries() as redrawn:
        page = _home(client)
    assert redrawn.count > served.count
    assert page != first
    assert "1 of" in page


def test_a_kept_home_page_follows_the_clock_past_a_days_end(client: FlaskClient, auth: Auth,
                                                            loaded: object) -> None:
    """A day coming up stops being offered once it is over, with nothing written."""
    edition = scheduled_edition()
    user = participant(edition)
    day = sessions_of(edition, "alpha")[0]
    db.session.commit()
    auth.login(user)
    link = f"/my/sessions/{day.id}/apology"
    assert link in _home(client, day.starts_at - timedelta(days=1))
    assert link in _home(client, day.starts_at - timedelta(hours=1))
    # Minutes apart, so that only the day's end can tell the two apart.
    during = _home(client, day.ends_at - timedelta(minutes=3))
    assert link not in during
    after = _home(client, day.ends_at + timedelta(minutes=2))
    # Listed among the days to come while it lasts, not once it is over.
    shown = f'datetime="{day.day.isoformat()}'
    assert after.count(shown) < during.count(shown)


def test_kept_home_pages_are_kept_apart_by_person_name_and_language(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    edition = scheduled_edition()
    user = participant(edition, full_name="Mona Hassan")
    other = participant(edition, full_name="Karim Adel")
    db.session.commit()
    auth.login(user)
    assert "Mona Hassan" in _home(client)
    user.full_name = "Mona H. Hassan"
    db.session.commit()
    assert "Mona H. Hassan" in _home(client)
    client.post("/language", data={"language": "ar", "next": "/"})
    arabic = _home(client)
    assert 'lang="ar"' in arabic and "Welcome" not in arabic
    client.post("/logout")
    auth.login(other)
    page = _home(client)
    assert "Karim Adel" in page and "Mona" not in page


def test_staff_home_pages_are_not_kept(client: FlaskClient, auth: Auth, loaded: object) -> None:
    auth.login_as(Role.INSTRUCTOR)
    assert client.get("/").status_code == 200
    assert not client.application.extensions.get("lms.page_caches", {}).get("dashboard")


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_a_kept_lesson_carries_each_logins_own_token_and_follows_edits(
        app: Flask, auth: Auth, loaded: object) -> None:
    """The same person logged in twice gets the lesson kept once, each page with its own
    login's token in every form; an edit of the lesson shows on the next page."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    Auth(first).login(user)
    Auth(second).login(user)
    one, two = first.get("/topics/first").text, second.get("/topics/first").text
    assert len(_tokens(one)) == 1 and len(_tokens(two)) == 1
    assert _tokens(one) != _tokens(two)
    assert "\x01" not in one + two
    lesson = db.session.scalar(select(Lesson).join(Topic).where(
        Topic.slug == "first", Lesson.language == "en"))
    assert lesson is not None
    lesson.body_html = "<p>A paragraph added by the instructor.</p>"
    db.session.commit()
    assert "A paragraph added by the instructor." in first.get("/topics/first").text


def test_every_table_a_kept_page_reads_renews_a_stamp(
        client: FlaskClient, auth: Auth, loaded: object, count_queries) -> None:  # type: ignore[no-untyped-def]
    """Drawing the home page and a lesson reads only tables whose writes renew a stamp, besides
    the login's own (the name, which is part of the key, and the session)."""
    edition = scheduled_edition()
    user = participant(edition)
    complete_lesson(user, "first")
    attempt(user, "first", 90.0)
    db.session.commit()
    auth.login(user)
    with count_queries() as counter:
        assert client.get("/").status_code == 200
        assert client.get("/topics/first").status_code == 200
    read = {name for statement in counter.statements
            for name in re.findall(r"\b(?:FROM|JOIN)\s+\(?\s*([a-z_]+)", statement)}
    assert {"attendance", "lessons", "quiz_attempts"} <= read
    covered = {*stamps.PERSONAL, *stamps.SHARED_TABLES, "change_stamps", "users",
               "user_sessions"}
    assert read <= covered, read - covered


def test_a_lessons_own_text_cannot_call_for_the_readers_token(client: FlaskClient, auth: Auth,
                                                              loaded: object) -> None:
    """The stand-in for the form's token is random to each process: an author who writes a
    stand-in-like text into a lesson gets it back as written, never a reader's token."""
    edition = scheduled_edition()
    user = participant(edition)
    lesson = db.session.scalar(select(Lesson).join(Topic).where(
        Topic.slug == "first", Lesson.language == "en"))
    assert lesson is not None
    lesson.body_html = ('<p><a href="https://example.org/?t=\x01csrf\x01">notes</a>'
                        '<a href="https://example.org/?t=\x01csrf-0\x01">more</a></p>')
    db.session.commit()
    auth.login(user)
    page = client.get("/topics/first").text
    (token,) = _tokens(page)
    body = page[page.index('class="lesson__body"'):page.index("</article>")]
    assert token not in body
    assert "?t=\x01csrf\x01" in body
