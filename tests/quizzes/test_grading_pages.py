"""Instructors' grading pages: the queue of essays waiting, paged; grading one; and times
written in the zone of each participant's edition."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts as service
from lms.quizzes.grading import GRADING_PAGE_SIZE
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from tests import factories
from tests.conftest import Auth
from tests.quizzes.conftest import enrolled, module_instructor, quiz_of, right_response, submitted

pytestmark = pytest.mark.usefixtures("loaded")


def test_grading_an_essay(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """The module's instructors see the essay in the queue, grade it with a comment, and the
    participant's attempt is then graded and passed."""
    participant = enrolled()
    quiz = quiz_of("first")
    attempt = service.start_attempt(participant, quiz, utcnow(), random.Random(1))
    attempt.responses = {q["key"]: right_response(q) for q in attempt.snapshot}
    service.submit_attempt(attempt, participant, utcnow())
    db.session.commit()
    other = app.test_client()
    Auth(other).login(module_instructor("beta"))
    assert "No essay is waiting" in other.get("/author/quizzes/grading").text
    essay = db.session.scalar(select(AttemptAnswer).filter_by(question_key="q7"))
    assert essay is not None
    assert other.get(f"/author/quizzes/grading/{essay.id}").status_code == 404
    auth.login(module_instructor())
    queue = client.get("/author/quizzes/grading").text
    assert participant.full_name in queue
    page = client.get(f"/author/quizzes/grading/{essay.id}").text
    assert "Reflect on a case from your work." in page and "A reflection" in page
    # Only essays are graded by hand: another answer of the same attempt is not found, by
    # GET or POST, and its marks stay as the rules gave them.
    matching = db.session.scalar(select(AttemptAnswer).filter_by(question_key="q5"))
    assert matching is not None
    marks = matching.marks
    assert client.get(f"/author/quizzes/grading/{matching.id}").status_code == 404
    assert client.post(f"/author/quizzes/grading/{matching.id}",
                       data={"marks": "0"}).status_code == 404
    db.session.refresh(matching)
    assert matching.marks == marks
    too_many = client.post(f"/author/quizzes/grading/{essay.id}", data={"marks": "5"})
    assert too_many.status_code == 400 and "Give between 0 and 1 marks." in too_many.text
    done = client.post(f"/author/quizzes/grading/{essay.id}",
                       data={"marks": "1", "comment": "A clear case, well argued."})
    assert done.status_code == 302
    db.session.refresh(attempt)
    assert attempt.status == "graded" and attempt.passed
    assert "No essay is waiting" in client.get("/author/quizzes/grading").text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(
        action="quiz.grade")) == 1
    mine = app.test_client()
    Auth(mine).login(participant)
    result = mine.get(f"/attempts/{attempt.id}/result").text
    assert "A clear case, well argued." in result and "Passed" in result


def test_grading_queue_pages_through_every_waiting_essay(app: Flask, client: FlaskClient,
                                                         auth: Auth) -> None:
    """Past a page of essays the queue says how many wait and pages through them oldest
    first, each essay once; odd page numbers show a real page; other modules' instructors
    see none of them."""
    quiz = quiz_of("first")
    for _ in range(GRADING_PAGE_SIZE + 1):
        submitted(quiz, 8)
    db.session.commit()
    oldest_first = list(db.session.scalars(
        select(AttemptAnswer.id).join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(AttemptAnswer.marks.is_(None)).order_by(QuizAttempt.submitted_at)))
    assert len(oldest_first) == GRADING_PAGE_SIZE + 1
    auth.login(module_instructor())

    def essays(page: str) -> list[int]:
        return [int(i) for i in re.findall(r'href="/author/quizzes/grading/(\d+)"', page)]

    first = client.get("/author/quizzes/grading").text
    assert f"{GRADING_PAGE_SIZE + 1} essays are waiting for a grade." in first
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/author/quizzes/grading?page=2").text
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert essays(first) + essays(second) == oldest_first
    assert essays(client.get("/author/quizzes/grading?page=9").text) == essays(second)
    assert essays(client.get("/author/quizzes/grading?page=abc").text) == essays(first)
    assert essays(client.get("/author/quizzes/grading?page=-3").text) == essays(first)
    other = app.test_client()
    Auth(other).login(module_instructor("beta"))
    assert "No essay is waiting" in other.get("/author/quizzes/grading?page=2").text


SUBMITTED = datetime(2026, 11, 28, 12, 5, tzinfo=UTC)


def _essay_at(user: User, moment: datetime) -> AttemptAnswer:
    """The essay of ``user``'s attempt at the first quiz, submitted at ``moment``."""
    quiz = quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow(), random.Random(1))
    attempt.responses = {q["key"]: right_response(q) for q in attempt.snapshot}
    service.submit_attempt(attempt, user, utcnow())
    attempt.submitted_at = moment
    essay = db.session.scalar(select(AttemptAnswer).filter_by(attempt_id=attempt.id,
                                                              question_key="q7"))
    assert essay is not None
    return essay


@pytest.mark.parametrize(("editions", "shown"), [
    # The programme that teaches the topic decides, even against a newer edition.
    ([("local", "Asia/Tokyo", "active", 2026), ("regional", "America/New_York", "active", 2027)],
     r"Nov 28, 2026, 9:05\W{0,3}PM \(<bdi>Asia/Tokyo</bdi>\)"),
    # An active enrolment comes before a withdrawn one in the same programme.
    ([("local", "Asia/Dubai", "withdrawn", 2027), ("local", "America/New_York", "active", 2026)],
     r"Nov 28, 2026, 7:05\W{0,3}AM \(<bdi>America/New_York</bdi>\)"),
    # Outside every edition: the programme's usual zone, Cairo's.
    ([], r"Nov 28, 2026, 2:05\W{0,3}PM \(<bdi>Africa/Cairo</bdi>\)"),
])
def test_grading_pages_show_the_time_in_the_participants_edition(
        client: FlaskClient, auth: Auth, editions: list[tuple[str, str, str, int]],
        shown: str) -> None:
    """The queue and the grading page write the submission time in the zone of the edition
    through which the participant takes the quiz, and name that zone, not in UTC; the
    participant's result page shows the same."""
    participant = factories.make_user(full_name="Zoned Participant")
    for programme, zone, status, year in editions:
        factories.enrol(participant, factories.make_edition(
            programme, timezone=zone, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)),
            status=status)
    essay = _essay_at(participant, SUBMITTED)
    db.session.commit()
    auth.login(module_instructor())
    queue = client.get("/author/quizzes/grading").text
    row = re.search(r"Zoned Participant</bdi></th>.*?</tr>", queue, re.S)
    assert row is not None and re.search(shown, row[0]) and "UTC" not in queue, queue
    page = client.get(f"/author/quizzes/grading/{essay.id}").text
    assert re.search(shown, page) and "UTC" not in page, page
    # The participant's own result page names the same time in the same zone.
    auth.logout()
    auth.login(participant)
    result = client.get(f"/attempts/{essay.attempt_id}/result").text
    assert re.search(shown, result), result


def test_a_queue_of_several_editions_shows_each_in_its_zone(client: FlaskClient, auth: Auth,
                                                            count_queries) -> None:  # type: ignore[no-untyped-def]
    """Participants of editions in different zones each see their own zone in one queue, read
    with as many statements as a queue of one edition."""
    auth.login(module_instructor())

    def queue_of(zones: list[str]) -> tuple[str, int]:
        for zone in zones:
            user = factories.make_user()
            factories.enrol(user, factories.make_edition(timezone=zone))
            _essay_at(user, SUBMITTED)
        db.session.commit()
        with count_queries() as counter:
            page = client.get("/author/quizzes/grading").text
        return page, counter.count

    _page, alone = queue_of(["Asia/Tokyo"])
    page, mixed = queue_of(["Europe/London", "America/New_York", "Asia/Tokyo"])
    assert mixed == alone
    for zone, time in (("Asia/Tokyo", "9:05"), ("Europe/London", "12:05"),
                       ("America/New_York", "7:05")):
        assert re.search(time + r"\W{0,3}[AP]M \(<bdi>" + zone + "</bdi>", page), zone


def _submitted_with_essay(quiz: object, essay: str) -> QuizAttempt:
    user = enrolled()
    attempt = service.start_attempt(user, quiz, utcnow(), random.Random(1))  # type: ignore[arg-type]
    attempt.responses = {q["key"]: right_response(q) for q in attempt.snapshot}
    attempt.responses["q7"] = essay
    service.submit_attempt(attempt, user, utcnow())
    db.session.commit()
    return attempt


def test_an_essay_graded_after_the_pass_mark_changed_is_judged_as_submitted(
        client: FlaskClient, auth: Auth) -> None:
    """Two attempts submitted under a pass mark of 70: one graded at once (85.7 %, passed),
    one waiting for its essay. The instructor raises the pass mark to 95, then grades the
    essay: 92.9 % passes, as it would have when submitted; a new attempt meets 95."""
    quiz = quiz_of("first")
    blank = _submitted_with_essay(quiz, "")
    written = _submitted_with_essay(quiz, "A reflection " * 60)
    assert blank.passed and written.status == "pending"
    auth.login(module_instructor())
    saved = client.post(f"/author/quizzes/{quiz.id}", data={
        "title": "First quiz", "pass_mark": "95", "grading": "highest",
        "review_policy": "after_each_attempt"})
    assert saved.status_code == 302
    essay = db.session.scalar(select(AttemptAnswer).filter_by(attempt_id=written.id,
                                                              question_key="q7"))
    assert essay is not None
    assert client.post(f"/author/quizzes/grading/{essay.id}",
                       data={"marks": "0.5"}).status_code == 302
    db.session.refresh(written)
    assert written.percent is not None and 90 < written.percent < 95
    assert written.passed and written.pass_mark == 70
    later = _submitted_with_essay(quiz, "")
    assert later.pass_mark == 95 and not later.passed
    # Its result page names the mark it was judged by, also once the quiz's is lowered.
    quiz.pass_mark = 80
    db.session.commit()
    owner = db.session.get(User, later.user_id)
    assert owner is not None
    auth.logout()
    auth.login(owner)
    page = client.get(f"/attempts/{later.id}/result").text
    assert "Not passed: the pass mark is 95%" in page
