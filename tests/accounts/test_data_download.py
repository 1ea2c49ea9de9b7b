"""A participant downloads everything held about them, and nothing about anyone else."""

from __future__ import annotations

import json
import random
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.models import Role
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts
from lms.quizzes.models import Quiz
from tests import factories
from tests.accounts.records import give_records, session_of
from tests.conftest import Auth


def test_json_holds_own_records_and_nobody_elses(client: FlaskClient, auth: Auth,
                                                 loaded: object) -> None:
    """Every kind of record of the participant is in the file; the other participant's and
    the instructor's details are not; no password or token hash is."""
    edition = factories.make_edition()
    session = session_of(edition, date(2026, 10, 4))
    teacher = factories.make_user(role=Role.INSTRUCTOR, email="teacher@example.org",
                                  full_name="Teacher Person")
    other = factories.make_user(email="other@example.org", full_name="Other Person")
    factories.enrol(other, edition)
    give_records(other, edition, "OTHER-SECRET", teacher, session)
    me = auth.login_as(Role.PARTICIPANT, email="me@example.org", full_name="Me Myself")
    factories.enrol(me, edition)
    give_records(me, edition, "MINE", teacher, session)
    db.session.commit()
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["account"]["email"] == "me@example.org"
    assert data["enrolments"][0]["edition"] == edition.name
    assert data["lesson_completions"][0]["topic"] == "first"
    assert data["quiz_attempts"][0]["answers"][0]["comment"] == "graded comment MINE"
    assert data["login_sessions"] and data["audit_events"]
    assert data["messages"][0]["subject"] == "mail MINE"
    other_records = data["other_records"]
    assert other_records["attendance"][0]["note"] == "note MINE"
    assert other_records["apologies"][0]["reason"] == "apology MINE"
    assert other_records["directory_entries"][0]["position"] == "position MINE"
    assert other_records["certificates"][0]["snapshot"]["name_en"] == "Me Myself"
    for foreign in ("OTHER-SECRET", "other@example.org", "Other Person", "teacher@example.org",
                    "Teacher Person", "scrypt:", "password_hash", "token_hash", "id_hash"):
        assert foreign not in text, foreign
    assert "marked_by_id" not in other_records["attendance"][0]
    assert "graded_by_id" not in data["quiz_attempts"][0]["answers"][0]


def test_mail_about_an_earlier_holder_of_the_address_is_not_included(
        client: FlaskClient, auth: Auth) -> None:
    """Someone who takes an address another person gave up downloads their own mail, not
    the mail about that person (here, the notice of their address change)."""
    alice = factories.make_user(email="shared@example.org", full_name="Alice Previous")
    bob = factories.make_user(email="bob@example.org")
    db.session.commit()
    auth.login(alice)
    assert client.post("/account/email", data={
        "email": "alice-new@example.org", "current": factories.PASSWORD}).status_code == 302
    auth.logout()
    auth.login(bob)
    assert client.post("/account/email", data={
        "email": "shared@example.org", "current": factories.PASSWORD}).status_code == 302
    messages = json.loads(client.get("/account/data.json").data)["messages"]
    text = json.dumps(messages)
    assert "Alice Previous" not in text and "alice-new@example.org" not in text
    assert messages, "Bob's own notice of his change is there"


def test_printable_page_shows_the_same(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """The printable page lists the same sections, in tables with row headers."""
    edition = factories.make_edition()
    teacher = factories.make_user(role=Role.INSTRUCTOR)
    me = auth.login_as(Role.PARTICIPANT, full_name="Me Myself")
    factories.enrol(me, edition)
    give_records(me, edition, "MINE", teacher, session_of(edition, date(2026, 10, 4)))
    db.session.commit()
    page = client.get("/account/data/print").text
    for text in ("Me Myself", "note MINE", "Lessons completed", "Other records",
                 '<th scope="row"><code>email</code></th>'):
        assert text in page
    assert client.get("/account/data").status_code == 200


def test_data_download_needs_login(client: FlaskClient) -> None:
    """Anonymous visitors are sent to the login page."""
    assert client.get("/account/data.json").status_code == 302


def test_an_open_attempt_does_not_give_away_the_answers(client: FlaskClient, auth: Auth,
                                                        loaded: object) -> None:
    """The download is open during an attempt: it shows the questions asked and the choices
    offered, never which are right, the accepted answers, their feedback or the year asked
    for."""
    quiz = db.session.scalar(select(Quiz).join(Topic).where(Topic.slug == "first"))
    assert quiz is not None
    me = auth.login_as(Role.PARTICIPANT)
    factories.enrol(me, factories.make_edition())
    attempts.start_attempt(me, quiz, utcnow(), random.Random(1))
    db.session.commit()
    data = client.get("/account/data.json").get_json()
    [attempt] = data["quiz_attempts"]
    asked = {question["key"]: question for question in attempt["snapshot"]}
    assert "Which person has a claim that is not yet decided?" in asked["q1"]["text"]["en"]
    assert sorted(c["text"]["en"] for c in asked["q1"]["choices"]) == [
        "A recognised refugee", "An asylum-seeker"]
    text = json.dumps(attempt)
    for key in ("Right, the claim", "non-refoulement", "non refoulement", "1951", "credit",
                "Protected from return", "Correct, that is the principle", "answer_id"):
        assert key not in text, key
    printable = client.get("/account/data/print").text
    assert "Right, the claim" not in printable and "1951" not in printable


def test_choices_are_numbered_as_shown_not_by_their_ids(client: FlaskClient, auth: Auth,
                                                        loaded: object) -> None:
    """The quiz file's ids of the choices ("a" for the right one, as authors often write)
    are not in the download: choices are numbered in the order the page showed them, and a
    saved answer names the number picked."""
    quiz = db.session.scalar(select(Quiz).join(Topic).where(Topic.slug == "first"))
    assert quiz is not None
    me = auth.login_as(Role.PARTICIPANT)
    factories.enrol(me, factories.make_edition())
    attempt = attempts.start_attempt(me, quiz, utcnow(), random.Random(1))
    attempt.responses = {"q1": "a"}
    db.session.commit()
    [downloaded] = client.get("/account/data.json").get_json()["quiz_attempts"]
    [q1] = [q for q in downloaded["snapshot"] if q["key"] == "q1"]
    assert all(set(choice) == {"number", "text"} for choice in q1["choices"])
    picked = next(c["number"] for c in q1["choices"] if c["text"]["en"] == "An asylum-seeker")
    assert downloaded["responses"] == {"q1": picked}
