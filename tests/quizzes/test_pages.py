"""Taking a quiz in the browser: plain form posts, resuming, the review the policy allows,
nothing given away before submission, and nobody else's attempts."""

from __future__ import annotations

import random
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.extensions import db
from lms.quizzes.models import QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.snapshot import build_snapshot, live_questions, page_of_question
from tests import factories
from tests.conftest import Auth
from tests.quizzes.conftest import (
    latest_attempt,
    log_in_participant,
    module_instructor,
    page_form,
    quiz_of,
    start,
    wrong_response,
)

pytestmark = pytest.mark.usefixtures("loaded")

FEEDBACK = ["Right, the claim of an asylum-seeker is still pending.",
            "No, a recognised refugee&#39;s claim has been decided.",
            "Correct, that is the principle.", "Wrong, that is exactly what it forbids."]


def assert_nothing_given_away(html: str) -> None:
    for text in FEEDBACK:
        assert text not in html
    assert "non-refoulement" not in html and "non refoulement" not in html
    assert "1951" not in html
    assert "Correct answer" not in html and "credit" not in html
    assert 'value="a"' not in html and 'value="b"' not in html


def take_whole_quiz(client: FlaskClient, user, answer=None) -> QuizAttempt:  # type: ignore[no-untyped-def]
    quiz = quiz_of("first")
    page_one = client.get(start(client))
    assert page_one.status_code == 200
    assert_nothing_given_away(page_one.text)
    attempt = latest_attempt(user, quiz)
    extra = {"answer": answer} if answer else {}
    response = client.post(f"/attempts/{attempt.id}", data=page_form(attempt, 1, action="next",
                                                                      **extra))
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}?page=2")
    page_two = client.get(response.headers["Location"])
    assert_nothing_given_away(page_two.text)
    response = client.post(f"/attempts/{attempt.id}",
                           data=page_form(attempt, 2, action="summary", **extra))
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/summary")
    summary = client.get(response.headers["Location"])
    assert f"You have answered {6 if answer else 7} of 7 questions." in summary.text
    assert_nothing_given_away(summary.text)
    response = client.post(f"/attempts/{attempt.id}/submit")
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/result?submitted=1")
    assert "Your attempt has been submitted." in client.get(response.headers["Location"]).text
    # Posted again (a second click, the back button), it changes nothing and says nothing.
    again = client.post(f"/attempts/{attempt.id}/submit")
    assert again.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    assert "Your attempt has been submitted." not in client.get(again.headers["Location"]).text
    return latest_attempt(user, quiz)


def test_taking_a_quiz_of_every_type(client: FlaskClient, auth: Auth) -> None:
    """Start, answer two pages, submit; the result shows marks, answers, right answers,
    feedback, and the essay waiting for its grade."""
    user = log_in_participant(auth)
    lesson = client.get("/topics/first").text
    assert "Take the quiz" in lesson and 'href="/topics/first/quiz"' in lesson
    attempt = take_whole_quiz(client, user)
    assert attempt.status == "pending" and attempt.score == 6.0
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "Waiting for an instructor to grade your written answer" in result
    assert "6 of 7 marks so far" in result
    for text in FEEDBACK[:1] + FEEDBACK[2:3]:
        assert text in result
    assert "Correct answer" in result and "non-refoulement" in result
    assert "Waiting for an instructor's grade" in result
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_id == user.id)))
    assert {"quiz.start", "quiz.submit"} <= actions


def test_passing_shows_on_the_lesson_page(client: FlaskClient, auth: Auth) -> None:
    """A passed quiz shows as passed, with the best result, on the lesson page."""
    user = log_in_participant(auth)
    attempt_url = start(client, "second")
    attempt = latest_attempt(user, quiz_of("second"))
    client.post(attempt_url.split("?")[0], data=page_form(attempt, 1, action="summary"))
    client.post(f"/attempts/{attempt.id}/submit")
    page = client.get("/topics/second").text
    assert "Quiz passed" in page and "Best result: 100%" in page
    overview = client.get("/topics/second/quiz").text
    assert "Passed" in overview and "Your grade: 100%" in overview


def test_resume_after_closing_the_browser(app: Flask, client: FlaskClient,
                                          auth: Auth) -> None:
    """Answers saved on one page are there in a new browser session, at the same page."""
    user = log_in_participant(auth)
    attempt_url = start(client)
    attempt = latest_attempt(user, quiz_of("first"))
    client.post(attempt_url.split("?")[0], data=page_form(attempt, 1, action="next"))
    fresh = app.test_client()
    Auth(fresh).login(user)
    overview = fresh.get("/topics/first/quiz").text
    assert "Continue your attempt" in overview
    location = start(fresh)
    assert location.endswith(f"/attempts/{attempt.id}?page=2")
    first_page = fresh.get(f"/attempts/{attempt.id}?page=1").text
    assert 'value="true" checked' in first_page


def test_saved_answers_show_again(client: FlaskClient, auth: Auth) -> None:
    """A typed answer and a ticked box come back checked and filled after saving."""
    user = log_in_participant(auth)
    attempt_url = start(client)
    attempt = latest_attempt(user, quiz_of("first"))
    client.post(attempt_url.split("?")[0], data=page_form(attempt, 1, action="save"))
    page = client.get(attempt_url).text
    assert 'value="non-refoulement"' in page
    assert page.count(" checked") >= 3
    assert "Your answers have been saved." in page


def test_a_malformed_number_is_refused_beside_its_field(client: FlaskClient,
                                                        auth: Auth) -> None:
    """A number that is not one is shown with an error next to it and nothing is saved."""
    user = log_in_participant(auth)
    start(client)
    attempt = latest_attempt(user, quiz_of("first"))
    data = page_form(attempt, 2, action="next")
    data["q-q6"] = "nineteen fifty-one"
    response = client.post(f"/attempts/{attempt.id}", data=data)
    assert response.status_code == 400
    assert 'role="alert"' in response.text and 'aria-invalid="true"' in response.text
    assert "Enter a number, such as 1951 or 2.5." in response.text
    assert_nothing_given_away(response.text.replace("such as 1951", ""))
    assert latest_attempt(user, quiz_of("first")).responses == {}


def test_tampered_fields_are_ignored(client: FlaskClient, auth: Auth) -> None:
    """Posted scores, other users and option values out of range change nothing."""
    user = log_in_participant(auth)
    start(client, "second")
    attempt = latest_attempt(user, quiz_of("second"))
    client.post(f"/attempts/{attempt.id}", data={"page": "1", "q-q1": "maybe", "score": "100",
                                                 "percent": "100", "user_id": "1",
                                                 "action": "summary"})
    client.post(f"/attempts/{attempt.id}/submit", data={"score": "100", "passed": "1"})
    attempt = latest_attempt(user, quiz_of("second"))
    assert attempt.score == 0.0 and not attempt.passed


def test_digits_that_are_no_number_are_ignored(client: FlaskClient, auth: Auth) -> None:
    """Superscripts pass for digits in Python but number no option and no page: the page is
    saved as if they were not there, not answered with an error."""
    user = log_in_participant(auth)
    start(client)
    attempt = latest_attempt(user, quiz_of("first"))
    key = next(q["key"] for q in attempt.snapshot if q["type"] == "single")
    page = str(page_of_question(attempt.snapshot, key) + 1)
    for posted in ({f"q-{key}": "\u00b2"}, {"goto": "\u00b2"}, {"goto": "9" * 5000},
                   {f"q-{key}": "9" * 5000}):
        response = client.post(f"/attempts/{attempt.id}", data={"page": page, **posted})
        assert response.status_code == 302, posted
        assert response.headers["Location"].endswith(f"/attempts/{attempt.id}?page={page}")
    assert not latest_attempt(user, quiz_of("first")).responses.get(key)


def test_another_participants_attempt_is_not_found(app: Flask, client: FlaskClient,
                                                   auth: Auth) -> None:
    """Nobody reads, saves or submits someone else's attempt; it looks like no attempt."""
    owner = log_in_participant(auth)
    start(client)
    attempt = latest_attempt(owner, quiz_of("first"))
    other = app.test_client()
    Auth(other).login(log_in_participant(Auth(other)))
    for method, path in (("GET", ""), ("POST", ""), ("GET", "/summary"), ("POST", "/submit"),
                         ("GET", "/result")):
        theirs = other.open(f"/attempts/{attempt.id}{path}", method=method,
                            data={"page": "1", "q-q2": "false"})
        missing = other.open(f"/attempts/999999{path}", method=method)
        assert theirs.status_code == missing.status_code == 404
    assert latest_attempt(owner, quiz_of("first")).is_open
    assert latest_attempt(owner, quiz_of("first")).responses == {}


def test_quiz_outside_the_programme_is_not_found(client: FlaskClient, auth: Auth) -> None:
    """A regional participant cannot see or start the quiz of a local-only topic."""

    user = factories.make_user()
    factories.enrol(user, factories.make_edition("regional"))
    db.session.commit()
    auth.login(user)
    assert client.get("/topics/first/quiz").status_code == 404
    assert client.post("/topics/first/quiz/start").status_code == 404
    assert client.get("/topics/second/quiz").status_code == 200


@pytest.mark.parametrize(("policy", "allowed", "review"), [
    ("after_each_attempt", None, True),
    ("never", None, False),
    ("after_pass_or_last", None, False),
    ("after_pass_or_last", 1, True),
])
def test_review_follows_the_policy(client: FlaskClient, auth: Auth, policy: str,
                                   allowed: int | None, review: bool) -> None:
    """Right answers and feedback appear only when the quiz's review policy allows."""
    quiz = quiz_of("first")
    quiz.review_policy, quiz.attempts_allowed = policy, allowed
    db.session.commit()
    user = log_in_participant(auth)
    attempt = take_whole_quiz(client, user, answer="wrong")
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert ("Wrong, that is exactly what it forbids." in result) is review
    assert ("Correct answer" in result) is review
    assert "0 of 7 marks (0%)" in result


def test_forms_need_their_csrf_token(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """With CSRF checks on, a submission without the page's token is refused."""
    user = log_in_participant(auth)
    start(client, "second")
    attempt = latest_attempt(user, quiz_of("second"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/attempts/{attempt.id}/submit").status_code == 400
        page = client.get(f"/attempts/{attempt.id}/summary").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        assert client.post(f"/attempts/{attempt.id}/submit",
                           data={"csrf_token": token.group(1)}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_each_question_is_an_accessible_fieldset(client: FlaskClient, auth: Auth) -> None:
    """Questions are fieldsets with legends; options are labelled radios and checkboxes."""
    log_in_participant(auth)
    page = client.get(start(client)).text
    assert page.count("<fieldset") == page.count("<legend") == 5
    for control in re.findall(r'<input type="(?:radio|checkbox)"[^>]* id="([^"]+)"', page):
        assert f'<label for="{control}">' in page
    assert 'aria-describedby="q-q1-text"' in page


def test_overview_and_result_queries_do_not_grow(client: FlaskClient, auth: Auth,
                                                 count_queries) -> None:  # type: ignore[no-untyped-def]
    """The quiz page and a result page run the same statements with one or many attempts."""
    user_id = log_in_participant(auth).id
    counts = []
    for _round in range(3):
        start(client, "second")
        user = db.session.get(User, user_id)
        assert user is not None
        attempt_id = latest_attempt(user, quiz_of("second")).id
        client.post(f"/attempts/{attempt_id}/submit")
        # Each request starts with nothing loaded, as a served one does: what the suite's
        # shared session still holds from the request before would otherwise save a request
        # some queries, depending on when the garbage collector last ran.
        db.session.expunge_all()
        with count_queries() as overview:
            client.get("/topics/second/quiz")
        db.session.expunge_all()
        with count_queries() as result:
            client.get(f"/attempts/{attempt_id}/result")
        counts.append((overview.count, result.count))
    assert counts[0] == counts[1] == counts[2], counts


def test_staff_see_quiz_tools_on_the_lesson_page(client: FlaskClient, auth: Auth) -> None:
    """The module's instructor gets preview and edit links; participants' pages refuse staff."""
    instructor = module_instructor()
    auth.login(instructor)
    page = client.get("/topics/first").text
    quiz = quiz_of("first")
    assert f'href="/author/quizzes/{quiz.id}/preview"' in page
    assert client.get("/topics/first/quiz").status_code == 403


def test_instructor_of_another_module_sees_no_tools(client: FlaskClient, auth: Auth) -> None:
    """An instructor who does not teach the module gets no quiz tools on the lesson page."""
    auth.login_as(Role.INSTRUCTOR)
    page = client.get("/topics/first").text
    assert "/author/quizzes/" not in page and "This topic has a quiz for participants." in page


def test_wrong_answers_link_back_to_the_lesson(client: FlaskClient, auth: Auth) -> None:
    """In the review, a wrongly answered question links to the lesson section it is about."""
    user = log_in_participant(auth)
    attempt = take_whole_quiz(client, user, answer="wrong")
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert 'href="/topics/first#non-refoulement"' in result


def test_wrong_response_helper_is_wrong() -> None:
    """The helper used above gives answers that earn nothing."""
    quiz = quiz_of("first")
    for question in build_snapshot(quiz, live_questions(quiz.id), random.Random(3)):
        kind = QUESTION_TYPES[question["type"]]
        if kind.graded and kind.auto_graded:
            assert kind.grade(question, wrong_response(question)) == 0.0


def test_a_quiz_with_nothing_worth_marks_is_not_offered(client: FlaskClient, auth: Auth) -> None:
    """A quiz left with no question worth marks asks nothing of participants, so neither the
    lesson page nor the quiz page offers to take it (starting would only be refused); its
    instructor is told why participants do not see it. With a marked question again, the
    offer comes back."""
    quiz = quiz_of("second")
    [question] = live_questions(quiz.id)
    question.points = 0
    db.session.commit()
    log_in_participant(auth)
    lesson = client.get("/topics/second").text
    assert "has no questions yet" in lesson and "Take the quiz" not in lesson
    overview = client.get("/topics/second/quiz").text
    assert "has no questions yet" in overview and "Start the quiz" not in overview
    auth.logout()
    auth.login(module_instructor())
    assert "participants are not asked to take it" in client.get("/topics/second").text
    auth.logout()
    question.points = 1
    db.session.commit()
    log_in_participant(auth)
    lesson = client.get("/topics/second").text
    assert "Take the quiz" in lesson and "has no questions yet" not in lesson
    assert "Start the quiz" in client.get("/topics/second/quiz").text
