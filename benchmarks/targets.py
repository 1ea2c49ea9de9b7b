"""The platform's measured pages, prepared for the load tool: who asks, for what, with which
cookie; and how many SQL statements each costs, counted on one request through the test client.

Quiz submissions each need their own open attempt with answers saved (a submitted attempt
posted again takes a cheaper path), so they are started and answered beforehand with the quiz
engine's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import cycle
from typing import Any

from flask import Flask
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict
from workload import Browser, log_in

from lms.auth.models import Role, User
from lms.courses.models import Topic, Unit, UnitTopic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, InPersonSession
from lms.quizzes import attempts as quiz_attempts
from lms.quizzes.models import Quiz
from lms.quizzes.question_types.base import field_name
from lms.quizzes.snapshot import page_count, page_of

READERS = 100  # participants whose cookies the page reads rotate through


@dataclass
class Line:
    """One request as the load tool sends it."""

    method: str
    path: str
    cookie: str
    body: str = ""


@dataclass
class Prepared:
    """Everything a run needs from the platform's database."""

    admin: Browser
    readers: list[Browser]
    slugs: list[str]
    roster_session: int
    board_editions: tuple[int, int]  # (large, small)
    submissions: list[Line] = field(default_factory=list)
    statements: dict[str, Any] = field(default_factory=dict)

    def lines(self, name: str, count: int = 2000) -> list[Line]:
        """Requests for one of the read pages, rotating over readers and lessons."""
        if name == "lesson":
            pairs = zip(cycle(self.readers), cycle(self.slugs), strict=False)
            return [Line("GET", f"/topics/{slug}", reader.cookie)
                    for reader, slug in (next(pairs) for _ in range(count))]
        if name == "dashboard":
            return [Line("GET", "/", reader.cookie) for reader in self.readers]
        if name == "roster":
            return [Line("GET", f"/teaching/sessions/{self.roster_session}", self.admin.cookie)]
        if name == "board":
            return [Line("GET", f"/admin/editions/{self.board_editions[0]}/board",
                         self.admin.cookie)]
        raise KeyError(name)


def answer_form(question: dict[str, Any]) -> dict[str, list[str]]:
    """A complete answer to one snapshot question, posted as its page posts it: the first
    choice shown (choices are numbered by place), "true", a number, or a word."""
    kind = question["type"]
    if kind == "matching":
        first_choice = str(question["choices"][0]["id"])
        return {field_name(question, pair["key"]): [first_choice]
                for pair in question["options"] if pair.get("kind") == "pair"}
    value = {"single": "1", "multiple": "1", "true_false": "true", "numeric": "1"}.get(
        kind, "answer")
    return {field_name(question): [value]}


def prepare(app: Flask, editions: tuple[int, int], submissions: int) -> Prepared:
    """Log in the admin and the readers, and open ``submissions`` answered attempts."""
    with app.app_context():
        large, small = editions
        admin = User(email="bench-admin@example.invalid", full_name="Benchmark Admin",
                     role=Role.ADMIN)
        db.session.add(admin)
        db.session.flush()
        people = list(db.session.scalars(
            select(User).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.edition_id == large, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(User.id)))
        browsers = {person.id: log_in(app, person) for person in people}
        edition = db.session.get(Edition, large)
        assert edition is not None
        first_unit = db.session.scalar(select(Unit).where(Unit.programme_id ==
                                                          edition.programme_id)
                                       .order_by(Unit.position))
        assert first_unit is not None
        slugs = list(db.session.scalars(
            select(Topic.slug).join(UnitTopic, UnitTopic.topic_id == Topic.id)
            .where(UnitTopic.unit_id == first_unit.id).order_by(UnitTopic.position)))
        roster = db.session.scalar(select(InPersonSession.id).where(
            InPersonSession.edition_id == large, InPersonSession.ends_at <= utcnow())
            .order_by(InPersonSession.day))
        assert roster is not None
        prepared = Prepared(log_in(app, admin), list(browsers.values())[:READERS], slugs,
                            roster, (large, small))
        prepared.submissions = _open_attempts(people, browsers, submissions)
        db.session.commit()
    return prepared


def _open_attempts(people: list[User], browsers: dict[int, Browser],
                   count: int) -> list[Line]:
    """Open and answer ``count`` attempts, consecutive ones by different people.

    Spreading them over people keeps each person's submissions far below the per-person
    submission limit, as it would be with real participants.
    """
    quizzes = list(db.session.scalars(select(Quiz).order_by(Quiz.id)))
    lines: list[Line] = []
    now = utcnow() - timedelta(minutes=1)
    for quiz in quizzes:
        for person in people:
            if len(lines) >= count:
                return lines
            attempt = quiz_attempts.start_attempt(person, quiz, now)
            for page in range(page_count(attempt.snapshot)):
                form: dict[str, list[str]] = {}
                for _number, question in page_of(attempt.snapshot, page):
                    form.update(answer_form(question))
                _answers, problems = quiz_attempts.save_page(attempt, MultiDict(form), page, now)
                if problems:
                    raise SystemExit(f"could not answer attempt {attempt.id}: {problems}")
            browser = browsers[person.id]
            lines.append(Line("POST", f"/attempts/{attempt.id}/submit", browser.cookie,
                              f"csrf_token={browser.csrf}"))
        db.session.flush()
    if len(lines) < count:
        raise SystemExit(f"only {len(lines)} quiz attempts could be opened")
    return lines


def count_statements(app: Flask, prepared: Prepared) -> dict[str, Any]:
    """SQL statements (and transactions) of one request to each measured page.

    Each page is asked twice and the second request counted, as a warm worker serves it (the
    first is given too, as ``drawn``: a page a worker keeps costs more the first time); a
    submission, which can only be made once, comes after another page. One prepared submission
    is used up here, so the load tool never sees it.
    """
    client = app.test_client()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    counts = {"statements": 0, "transactions": 0}
    with app.app_context():
        engine = db.engine

    def on_statement(*_args: Any) -> None:
        counts["statements"] += 1

    def on_begin(*_args: Any) -> None:
        counts["transactions"] += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)

    def measure(line: Line, repeat: bool = True) -> dict[str, int]:
        client.set_cookie(cookie_name, line.cookie)
        # A page first, so the session's once-a-minute "last seen" write is not counted as
        # part of the requests measured.
        client.get("/glossary")
        asked: list[dict[str, int]] = []
        for _ in range(2 if repeat else 1):
            counts.update(statements=0, transactions=0)
            data = dict(item.split("=", 1) for item in line.body.split("&") if item)
            response = client.open(line.path, method=line.method, data=data or None)
            if response.status_code >= 400:
                raise SystemExit(f"{line.method} {line.path} answered {response.status_code}")
            asked.append(dict(counts))
        # A page a worker keeps (lms.page_cache) costs fewer statements when asked again, as
        # it is under load; the first request's count is what drawing it costs.
        return {**asked[-1], "drawn": asked[0]["statements"]}

    large, small = prepared.board_editions
    admin = prepared.admin.cookie
    result = {
        "lesson": measure(prepared.lines("lesson", 1)[0]),
        "dashboard": measure(prepared.lines("dashboard")[0]),
        "submit": measure(prepared.submissions.pop(), repeat=False),
        "roster": measure(prepared.lines("roster")[0]),
        "board": measure(prepared.lines("board")[0]),
        "board_small": measure(Line("GET", f"/admin/editions/{small}/board", admin)),
    }
    event.remove(engine, "before_cursor_execute", on_statement)
    event.remove(engine, "begin", on_begin)
    return result
