"""Attempts on the server: start and resume, limits, the time limit, double submission,
essays waiting for a grade, and the results the completion rule reads."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition, Enrolment
from lms.progress.plan import edition_plan
from lms.quizzes import attempts as service
from lms.quizzes.grading import GradeError, grade_answer, recorded_grade
from lms.quizzes.models import (
    GRADED,
    IN_PROGRESS,
    PENDING,
    AttemptAnswer,
    Question,
    QuizAttempt,
)
from lms.quizzes.results import quiz_results
from lms.quizzes.snapshot import live_questions
from tests import factories
from tests.concurrency.helpers import assert_no_error_page, at_once, client_of, flashes
from tests.quizzes.conftest import answer_all, enrolled, quiz_of, right_response, wrong_response

pytestmark = pytest.mark.usefixtures("loaded")


def answers_of(attempt: QuizAttempt) -> int:
    return db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                             .filter_by(attempt_id=attempt.id)) or 0


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .filter_by(action=action)) or 0


def test_start_keeps_what_it_showed_and_resumes(app: Flask) -> None:
    """An attempt keeps its questions; starting again returns the same open attempt."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow(), random.Random(1))
    assert attempt.status == IN_PROGRESS and attempt.number == 1
    assert [q["key"] for q in attempt.snapshot] == [f"q{n}" for n in range(1, 9)]
    assert service.start_attempt(user, quiz, utcnow()).id == attempt.id
    assert events("quiz.start") == 1


def test_the_whole_quiz_right_passes(app: Flask) -> None:
    """Right answers to every type but the essay pend; once graded, the quiz is passed."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt)
    assert service.submit_attempt(attempt, user, utcnow())
    assert attempt.status == PENDING and attempt.percent is None and not attempt.passed
    assert attempt.score == 6.0 and attempt.max_score == 7.0
    assert events("quiz.submit") == 1
    result = quiz_results([user.id], {quiz.id: quiz.topic_id})[(user.id, quiz.topic_id)]
    assert not result.passed and result.attempts == 1
    essay = db.session.scalar(select(AttemptAnswer).filter_by(attempt_id=attempt.id,
                                                              question_key="q7"))
    assert essay is not None and essay.marks is None
    grader = factories.make_user(role=factories.Role.ADMIN)
    grade_answer(essay, grader, 1.0, "A thoughtful reflection.", utcnow())
    assert attempt.status == GRADED and attempt.percent == 100.0 and attempt.passed
    assert quiz_results([user.id], {quiz.id: quiz.topic_id})[(user.id, quiz.topic_id)].passed
    with pytest.raises(GradeError):
        grade_answer(essay, grader, 2.0, "", utcnow())


def test_low_essay_grade_fails_the_attempt(app: Flask) -> None:
    """The essay's grade counts: too few marks leave the attempt below the pass mark."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt, lambda q: right_response(q) if q["key"] in ("q1", "q2", "q7") else
               wrong_response(q))
    service.submit_attempt(attempt, user, utcnow())
    essay = db.session.scalar(select(AttemptAnswer).filter_by(attempt_id=attempt.id,
                                                              question_key="q7"))
    assert essay is not None
    grade_answer(essay, factories.make_user(role=factories.Role.ADMIN), 0.5, "", utcnow())
    assert attempt.status == GRADED and not attempt.passed
    assert attempt.percent == pytest.approx(100 * 2.5 / 7, abs=0.01)


def test_double_submission_grades_once(app: Flask) -> None:
    """Submitting twice gives the same result and one set of answers."""
    user, quiz = enrolled(), quiz_of("second")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt)
    assert service.submit_attempt(attempt, user, utcnow()) is True
    db.session.commit()
    assert service.submit_attempt(attempt, user, utcnow()) is False
    db.session.commit()
    assert answers_of(attempt) == 1 and attempt.passed and attempt.percent == 100.0
    assert events("quiz.submit") == 1
    with pytest.raises(service.AttemptClosed):
        service.save_page(attempt, {}, 0, utcnow())


def test_attempt_limit(app: Flask) -> None:
    """Attempts beyond the limit are refused with a clear message."""
    user, quiz = enrolled(), quiz_of("second")
    quiz.attempts_allowed = 2
    for _ in range(2):
        attempt = service.start_attempt(user, quiz, utcnow())
        service.submit_attempt(attempt, user, utcnow())
    with pytest.raises(service.NoAttemptsLeft, match="used all 2 attempts"):
        service.start_attempt(user, quiz, utcnow())


def test_time_limit_grades_only_what_was_saved_in_time(app: Flask) -> None:
    """After the deadline nothing more is saved; what was saved before it is graded."""
    user, quiz = enrolled(), quiz_of("first")
    quiz.time_limit_minutes = 10
    start = utcnow() - timedelta(minutes=30)
    attempt = service.start_attempt(user, quiz, start)
    assert attempt.deadline_at == start + timedelta(minutes=10)
    first_page = {"q-q2": ["true"]}
    service.save_page(attempt, first_page, 0, start + timedelta(minutes=5))
    late = {"q-q1": ["1"], "q-q2": ["true"]}
    with pytest.raises(service.TimeUp):
        service.save_page(attempt, late, 0, start + timedelta(minutes=11))
    db.session.commit()
    assert attempt.status == PENDING or attempt.status == GRADED
    assert attempt.ended_by == service.ENDED_BY_TIME_LIMIT
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.responses.get("q1") is None and attempt.score == 1.0


def test_submitting_late_is_the_same_as_the_deadline(app: Flask) -> None:
    """A submission after the deadline is graded as the deadline would have graded it."""
    user, quiz = enrolled(), quiz_of("second")
    quiz.time_limit_minutes = 5
    start = utcnow() - timedelta(hours=1)
    attempt = service.start_attempt(user, quiz, start)
    service.save_page(attempt, {"q-q1": ["true"]}, 0, start + timedelta(minutes=1))
    service.submit_attempt(attempt, user, utcnow())
    assert attempt.ended_by == service.ENDED_BY_TIME_LIMIT and attempt.passed
    assert attempt.submitted_at == start + timedelta(minutes=5)


def test_overdue_attempts_are_closed_by_the_command(app: Flask, runner: FlaskCliRunner) -> None:
    """Abandoned timed attempts are graded by `flask lms close-overdue-attempts`."""
    user, quiz = enrolled(), quiz_of("second")
    quiz.time_limit_minutes = 5
    attempt = service.start_attempt(user, quiz, utcnow() - timedelta(hours=2))
    service.save_page(attempt, {"q-q1": ["true"]}, 0, utcnow() - timedelta(hours=2))
    db.session.commit()
    result = runner.invoke(args=["lms", "close-overdue-attempts"])
    assert "Closed 1 attempt(s)" in result.output
    db.session.refresh(attempt)
    assert attempt.passed and attempt.ended_by == service.ENDED_BY_TIME_LIMIT


def test_starting_closes_an_overdue_attempt_first(app: Flask) -> None:
    """A participant back after the deadline gets the old attempt graded and a new one."""
    user, quiz = enrolled(), quiz_of("second")
    quiz.time_limit_minutes = 5
    old = service.start_attempt(user, quiz, utcnow() - timedelta(hours=1))
    new = service.start_attempt(user, quiz, utcnow())
    assert new.id != old.id and new.number == 2
    db.session.refresh(old)
    assert old.submitted_at is not None


def test_draw_and_shuffle(app: Flask) -> None:
    """A random draw asks N graded questions; shuffling changes the order between attempts."""
    quiz = quiz_of("first")
    quiz.draw_count = 3
    quiz.shuffle_questions = True
    orders = set()
    for seed in range(6):
        user = enrolled()
        attempt = service.start_attempt(user, quiz, utcnow(), random.Random(seed))
        keys = [q["key"] for q in attempt.snapshot]
        assert len(keys) == 3 and "q8" not in keys
        orders.add(tuple(keys))
    assert len(orders) > 1


def test_grading_method_and_results_never_unpass(app: Flask) -> None:
    """The recorded grade is the highest or the last; a later low attempt keeps the pass."""
    user, quiz = enrolled(), quiz_of("second")
    for answer in (right_response, wrong_response):
        attempt = service.start_attempt(user, quiz, utcnow())
        answer_all(attempt, answer)
        service.submit_attempt(attempt, user, utcnow())
    attempts = service.attempts_of(user.id, quiz.id)
    assert recorded_grade(quiz, attempts) == 100.0
    quiz.grading = "last"
    assert recorded_grade(quiz, attempts) == 0.0
    result = quiz_results([user.id], {quiz.id: quiz.topic_id})[(user.id, quiz.topic_id)]
    assert result.passed and result.best_percent == 100.0 and result.attempts == 2


def test_results_take_one_query(app: Flask, count_queries) -> None:  # type: ignore[no-untyped-def]
    """The completion rule's quiz results take one statement whatever the cohort."""
    users = [enrolled() for _ in range(4)]
    quiz = quiz_of("second")
    for user in users:
        service.submit_attempt(service.start_attempt(user, quiz, utcnow()), user, utcnow())
    db.session.commit()
    user_ids, quizzes = [u.id for u in users], {quiz.id: quiz.topic_id}
    with count_queries() as counter:
        results = quiz_results(user_ids, quizzes)
    assert counter.count == 1, counter.statements
    assert len(results) == 4


def test_results_are_only_of_the_programmes_topics(app: Flask) -> None:
    """An edition's plan names the quizzes of the topics its programme's units teach, and its
    results leave out the others: the regional programme teaches the second and third topics,
    not the first."""
    user, quiz = enrolled(), quiz_of("first")
    service.submit_attempt(service.start_attempt(user, quiz, utcnow()), user, utcnow())
    db.session.commit()
    local, regional = (edition_plan(factories.make_edition(slug)).quiz_topics
                       for slug in ("local", "regional"))
    assert local[quiz.id] == quiz.topic_id and quiz.id not in regional
    assert quiz_of("second").id in regional
    assert (user.id, quiz.topic_id) in quiz_results([user.id], local)
    assert quiz_results([user.id], regional) == {}


def test_results_leave_out_a_retired_quiz(app: Flask) -> None:
    """Attempts at a quiz retired from its topic no longer count towards completion."""
    user, quiz = enrolled(), quiz_of("first")
    service.submit_attempt(service.start_attempt(user, quiz, utcnow()), user, utcnow())
    db.session.commit()
    plan = edition_plan(factories.make_edition("local"))
    assert (user.id, quiz.topic_id) in quiz_results([user.id], plan.quiz_topics)
    quiz.is_retired = True
    db.session.commit()
    plan = edition_plan(factories.make_edition("local"))
    assert quiz.id not in plan.quiz_topics
    assert quiz_results([user.id], plan.quiz_topics) == {}


def test_demo_has_a_pass_and_a_fail(app: Flask) -> None:
    """The demo gives the second participant a passed attempt and the third a failed one."""
    from lms.demo import create_demo

    create_demo()
    db.session.commit()
    rows = db.session.execute(select(QuizAttempt.user_id, QuizAttempt.status,
                                     QuizAttempt.passed).order_by(QuizAttempt.user_id)).all()
    assert len(rows) >= 2
    create_demo()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == len(rows)


@pytest.mark.postgres
def test_concurrent_submissions_grade_once(app: Flask) -> None:
    """Four tabs submitting one attempt at the same moment record one set of answers, and
    every tab lands on the result page without an error."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt)
    db.session.commit()
    attempt_id = attempt.id
    clients = [client_of(app, user) for _ in range(4)]
    url = f"/attempts/{attempt_id}/submit"

    responses = at_once([lambda c=c: c.post(url) for c in clients])

    told = []
    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        location = response.headers["Location"]
        assert location.endswith((f"/attempts/{attempt_id}/result",
                                  f"/attempts/{attempt_id}/result?submitted=1"))
        assert [m for category, m in flashes(client) if category == "error"] == []
        told += [location] if location.endswith("?submitted=1") else []
        assert client.get(location).status_code == 200
    assert len(told) == 1
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer).filter_by(
        attempt_id=attempt_id)) == 7
    assert events("quiz.submit") == 1


@pytest.mark.postgres
def test_concurrent_starts_open_one_attempt(app: Flask) -> None:
    """Two starts at the same moment give the participant one open attempt."""
    user, quiz = enrolled(), quiz_of("second")
    db.session.commit()
    user_id, quiz_id = user.id, quiz.id
    barrier = threading.Barrier(3)
    started: list[int] = []

    def start() -> None:
        with app.app_context():
            me = db.session.get(factories.User, user_id)
            mine = db.session.get(type(quiz), quiz_id)
            assert me is not None and mine is not None
            barrier.wait()
            started.append(service.start_attempt(me, mine, utcnow()).id)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(started)) == 1
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt).filter_by(
        quiz_id=quiz_id, user_id=user_id)) == 1



def test_a_quiz_with_nothing_worth_marks_is_neither_started_nor_asked_for(app: Flask) -> None:
    """The second topic's quiz keeps only a description, or a question worth no marks: it
    cannot be started (graded, it would be passed at 100 %), and the completion rule does
    not ask for it, so nobody is held back by a quiz they cannot take. Once it has a
    question worth marks again, both change back."""
    user, quiz = enrolled(), quiz_of("second")
    edition = db.session.scalar(select(Edition).join(Enrolment, Enrolment.edition_id == Edition.id)
                                .where(Enrolment.user_id == user.id))
    assert edition is not None

    def asked_for() -> bool:
        return quiz.id in edition_plan(edition).quiz_topics

    [question] = live_questions(quiz.id)
    assert asked_for()
    question.points = 0
    db.session.add(Question(quiz_id=quiz.id, key="intro", type="description", position=1,
                            points=0, text={"en": "About this quiz."}, feedback={},
                            settings={}))
    db.session.flush()
    with pytest.raises(service.NoQuestions):
        service.start_attempt(user, quiz, utcnow())
    assert not asked_for()
    question.points = 1
    db.session.flush()
    assert asked_for() and service.start_attempt(user, quiz, utcnow()).snapshot


def test_an_attempt_left_with_no_marks_to_earn_is_not_passed(app: Flask) -> None:
    """An attempt begun before every question was set to no marks has nothing to earn when
    it is submitted: 0 %, not passed, rather than a free pass."""
    user, quiz = enrolled(), quiz_of("second")
    attempt = service.start_attempt(user, quiz, utcnow())
    attempt.snapshot = [{**question, "points": 0.0} for question in attempt.snapshot]
    service.submit_attempt(attempt, user, utcnow())
    assert attempt.max_score == 0 and attempt.percent == 0.0 and not attempt.passed

