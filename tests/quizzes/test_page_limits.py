"""A quiz's limits as participants meet them on its pages: the attempts allowed, the time
limit and the deadline in their own zone, a second submission, the submission rate."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from tests import factories
from tests.conftest import Auth
from tests.quizzes.conftest import latest_attempt, log_in_participant, quiz_of, start

pytestmark = pytest.mark.usefixtures("loaded")


def test_attempt_limit_on_the_pages(client: FlaskClient, auth: Auth) -> None:
    """With every attempt used, the quiz page says so and starting is refused."""
    quiz = quiz_of("second")
    quiz.attempts_allowed = 1
    db.session.commit()
    user = log_in_participant(auth)
    start(client, "second")
    attempt = latest_attempt(user, quiz)
    client.post(f"/attempts/{attempt.id}/submit")
    assert "You have used all the attempts allowed" in client.get("/topics/second/quiz").text
    refused = client.post("/topics/second/quiz/start", follow_redirects=True)
    assert "You have used all 1 attempts allowed for this quiz." in refused.text
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_time_limit_on_the_pages(client: FlaskClient, auth: Auth) -> None:
    """Past the deadline a save is refused and the attempt is graded on what was saved."""
    quiz = quiz_of("second")
    quiz.time_limit_minutes = 10
    db.session.commit()
    user = log_in_participant(auth)
    url = start(client, "second")
    assert "Time left: about 10 minutes." in client.get(url).text
    attempt = latest_attempt(user, quiz)
    attempt.deadline_at = attempt.started_at - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/attempts/{attempt.id}", data={"page": "1", "q-q1": "true",
                                                             "action": "summary"})
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    result = client.get(response.headers["Location"]).text
    assert "The time limit closed this attempt" in result
    assert latest_attempt(user, quiz).score == 0.0


def test_deadline_and_submission_time_in_the_participants_zone(client: FlaskClient,
                                                               auth: Auth) -> None:
    """A timed attempt's deadline, on its pages, and the submission time on the result are
    written in the zone of the participant's edition, named beside them, not in UTC."""
    quiz = quiz_of("second")
    quiz.time_limit_minutes = 10
    user = factories.make_user()
    factories.enrol(user, factories.make_edition(timezone="Asia/Tokyo"))
    db.session.commit()
    auth.login(user)
    url = start(client, "second")
    attempt = latest_attempt(user, quiz)
    assert attempt.deadline_at is not None

    def shows(page: str, moment: object) -> bool:
        local = moment.astimezone(ZoneInfo("Asia/Tokyo"))  # type: ignore[attr-defined]
        found = re.search(r"(\d{1,2}):(\d{2})\W*[AP]M[^<]*\(<bdi>Asia/Tokyo", page)
        return found is not None and (int(found[1]) % 12, int(found[2])) == (
            local.hour % 12, local.minute)

    deadline = attempt.deadline_at.astimezone(ZoneInfo("Asia/Tokyo"))
    for path in (url, f"/attempts/{attempt.id}/summary"):
        page = client.get(path).text
        assert "(<bdi>Asia/Tokyo</bdi> time)" in page and "UTC" not in page
        assert shows(page, attempt.deadline_at), page
        # With the date: a limit of a day or more closes at the same time on another day.
        assert f"closes at {deadline:%b} {deadline.day}, {deadline.year}, " in page, page
    client.post(f"/attempts/{attempt.id}/submit")
    submitted = latest_attempt(user, quiz).submitted_at
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "UTC" not in result and shows(result, submitted), result


def test_submitting_twice_through_the_page(client: FlaskClient, auth: Auth) -> None:
    """A second submit of the same attempt lands on the same result, without saying again that
    it was submitted; answers are kept once."""
    user = log_in_participant(auth)
    start(client, "second")
    attempt = latest_attempt(user, quiz_of("second"))
    first = client.post(f"/attempts/{attempt.id}/submit")
    second = client.post(f"/attempts/{attempt.id}/submit")
    assert first.headers["Location"] == second.headers["Location"] + "?submitted=1"
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1


def test_submission_is_rate_limited(client: FlaskClient, auth: Auth) -> None:
    """More than thirty submissions a minute get 429."""
    user = log_in_participant(auth)
    start(client, "second")
    attempt = latest_attempt(user, quiz_of("second"))
    codes = [client.post(f"/attempts/{attempt.id}/submit").status_code for _ in range(31)]
    assert codes[:30] == [302] * 30 and codes[30] == 429
