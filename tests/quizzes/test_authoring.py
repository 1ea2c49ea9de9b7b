"""Instructors' quiz pages: only for the module's instructors and admins; settings,
questions of every type, order, preview, statistics, import and export, grading essays."""

from __future__ import annotations

import html
import io
import random
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts as service
from lms.quizzes.models import SOURCE_BROWSER, Quiz, QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.snapshot import live_questions
from tests import factories
from tests.conftest import Auth
from tests.quizzes.conftest import (
    enrolled,
    form_fields,
    module_instructor,
    quiz_of,
    right_response,
    submitted,
)

pytestmark = pytest.mark.usefixtures("loaded")


def rows(*items: dict[str, Any]) -> dict[str, Any]:
    data = {}
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"rows-{index}-{name}"] = value
    return data


NEW_QUESTIONS: dict[str, dict[str, Any]] = {
    "single": {"text": "Who protects refugees?", "points": "2", **rows(
        {"text": "UNHCR", "credit": "100", "feedback": "Yes, by its mandate"},
        {"text": "ILO", "feedback": "No: labour standards"}, {"text": ""})},
    "multiple": {"text": "Which are treaties?", **rows(
        {"text": "1951 Convention", "credit": "50"}, {"text": "1967 Protocol", "credit": "50"},
        {"text": "A press release", "credit": "-100"})},
    "true_false": {"text": "IDPs have crossed a border.", "answer": "false",
                   "feedback_true": "No: they stay inside", "feedback_false": "Right"},
    "short_answer": {"text": "Name the principle.", **rows(
        {"text": "non-refoulement"}, {"text": "refoul*", "credit": "50"})},
    "matching": {"text": "Match.", "distractors": "Tourist\n", **rows(
        {"text": "Refugee", "answer": "Outside"}, {"text": "IDP", "answer": "Inside"})},
    "numeric": {"text": "Year of the Protocol?", **rows(
        {"value": "1967"}, {"minimum": "1960", "maximum": "1970", "credit": "25"})},
    "essay": {"text": "Reflect on a case.", "min_words": "20", "guidance": "Look for a case"},
    "description": {"text": "Part two is about law."},
}


def new_question(client: FlaskClient, quiz: Quiz, type_name: str, data: dict[str, Any]) -> Any:
    return client.post(f"/author/quizzes/{quiz.id}/questions/new",
                       data={"type": type_name, **data})


def test_participants_never_reach_authoring(client: FlaskClient, auth: Auth) -> None:
    """Every instructor page answers 403 to a participant, by GET and by direct POST."""
    auth.login_as(Role.PARTICIPANT)
    quiz = quiz_of("first")
    for method, path in (("GET", "/author/quizzes"), ("GET", f"/author/quizzes/{quiz.id}"),
                         ("POST", f"/author/quizzes/{quiz.id}"),
                         ("POST", f"/author/quizzes/{quiz.id}/questions/new"),
                         ("GET", f"/author/quizzes/{quiz.id}/preview"),
                         ("GET", f"/author/quizzes/{quiz.id}/export.gift"),
                         ("GET", f"/author/quizzes/{quiz.id}/export.aiken.txt"),
                         ("POST", "/author/quizzes/topics/first/import"),
                         ("GET", "/author/quizzes/grading")):
        assert client.open(path, method=method).status_code == 403, path


def test_instructors_reach_only_their_modules(client: FlaskClient, auth: Auth) -> None:
    """An instructor of another module gets 404 for this module's quiz, as for no quiz."""
    auth.login(module_instructor("beta"))
    quiz = quiz_of("first")
    question = live_questions(quiz.id)[0]
    for path in (f"/author/quizzes/{quiz.id}", f"/author/quizzes/{quiz.id}/preview",
                 f"/author/quizzes/{quiz.id}/statistics", f"/author/quizzes/{quiz.id}/export.gift",
                 f"/author/quizzes/{quiz.id}/export.aiken.txt",
                 f"/author/quizzes/{quiz.id}/questions/{question.id}",
                 "/author/quizzes/topics/first/import"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/author/quizzes/{quiz.id}/questions/{question.id}/remove"
                       ).status_code == 404
    assert client.post("/author/quizzes/topics/first/create").status_code == 404
    assert not live_questions(quiz.id)[0].is_retired
    index = client.get("/author/quizzes").text
    assert "Beta module" in index and "Alpha module" not in index


def test_admins_reach_every_quiz(client: FlaskClient, auth: Auth) -> None:
    """Admins edit any module's quizzes."""
    auth.login_as(Role.ADMIN)
    assert client.get(f"/author/quizzes/{quiz_of('first').id}").status_code == 200
    index = client.get("/author/quizzes").text
    assert "Alpha module" in index and "Beta module" in index


def test_every_topic_in_the_quiz_list_links_to_a_page(client: FlaskClient, auth: Auth) -> None:
    """A draft topic, which has no lesson page yet, links to its authoring page."""
    auth.login_as(Role.ADMIN)
    draft = db.session.scalar(select(Topic).filter_by(slug="third"))
    assert draft is not None
    draft.is_draft = True
    db.session.commit()
    index = client.get("/author/quizzes").text
    links = re.findall(r'<th scope="row"><a href="([^"]+)">', index)
    assert f"/author/topics/{draft.id}" in links and "/topics/first" in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_write_a_quiz_with_every_type_and_take_it(app: Flask, client: FlaskClient,
                                                  auth: Auth) -> None:
    """An instructor creates a quiz for a topic and a question of every type; a
    participant's right answers earn full marks on all but the essay."""
    auth.login(module_instructor("beta"))
    response = client.post("/author/quizzes/topics/third/create")
    quiz = quiz_of("third")
    assert response.headers["Location"].endswith(f"/author/quizzes/{quiz.id}")
    assert quiz.source == SOURCE_BROWSER
    for type_name, data in NEW_QUESTIONS.items():
        assert client.get(f"/author/quizzes/{quiz.id}/questions/new?type={type_name}"
                          ).status_code == 200
        response = new_question(client, quiz, type_name, data)
        assert response.status_code == 302, (type_name, response.text)
    stored = live_questions(quiz.id)
    assert [q.type for q in stored] == list(NEW_QUESTIONS)
    assert stored[0].points == 2.0 and stored[0].options[0].feedback == {
        "en": "Yes, by its mandate"}
    assert [o.text["en"] for o in stored[4].options] == ["Refugee", "IDP", "Tourist"]
    participant = enrolled()
    attempt = service.start_attempt(participant, quiz, utcnow(), random.Random(2))
    form: dict[str, list[str]] = {}
    for question in attempt.snapshot:
        for name, value in form_fields(question, right_response(question)).items():
            form[name] = value if isinstance(value, list) else [value]
    for page in range(service.page_count(attempt.snapshot)):
        service.save_page(attempt, form, page, utcnow())
    service.submit_attempt(attempt, participant, utcnow())
    assert attempt.status == "pending" and attempt.score == 7.0 and attempt.max_score == 8.0


def test_a_question_with_problems_is_not_saved(client: FlaskClient, auth: Auth) -> None:
    """The type's rules are checked; the page lists the problems and nothing is stored."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    before = len(live_questions(quiz.id))
    response = new_question(client, quiz, "single", {"text": "Which?", **rows(
        {"text": "A"}, {"text": "B"})})
    assert response.status_code == 400
    assert "needs exactly one correct choice (found 0)" in response.text
    assert 'role="alert"' in response.text
    response = new_question(client, quiz, "multiple", {"text": "Which?", **rows(
        {"text": "A", "credit": "60"}, {"text": "B", "credit": "60"})})
    assert "add up to 100 (they add up to 120)" in response.text
    response = new_question(client, quiz, "numeric", {"text": "N?", **rows(
        {"minimum": "5", "maximum": "1"})})
    assert "'min' must not be greater than 'max'" in html.unescape(response.text)
    response = new_question(client, quiz, "single", {"text": "", "points": "abc"})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text
    assert client.get(f"/author/quizzes/{quiz.id}/questions/new?type=nope").status_code == 404
    assert len(live_questions(quiz.id)) == before
    assert quiz_of("first").source == "package"


def test_edit_move_and_remove_questions(client: FlaskClient, auth: Auth) -> None:
    """Editing keeps the question's id and past attempts; moving and removing keep order."""
    participant = enrolled()
    quiz = quiz_of("first")
    attempt = service.start_attempt(participant, quiz, utcnow())
    db.session.commit()
    auth.login(module_instructor())
    first = live_questions(quiz.id)[0]
    page = client.get(f"/author/quizzes/{quiz.id}/questions/{first.id}").text
    assert "An asylum-seeker" in page and 'value="100.0"' in page
    data = {"text": "Whose claim is still open?", "points": "1", **rows(
        {"key": "a", "text": "An asylum-seeker", "credit": "100"},
        {"key": "b", "text": "A recognised refugee"},
        {"text": "A tourist"})}
    assert client.post(f"/author/quizzes/{quiz.id}/questions/{first.id}",
                       data=data).status_code == 302
    edited = live_questions(quiz.id)[0]
    assert edited.key == "q1" and edited.text == {"en": "Whose claim is still open?"}
    assert [o.key for o in edited.options if not o.is_retired] == ["a", "b", "c"]
    db.session.refresh(attempt)
    assert attempt.snapshot[0]["text"]["en"] == "<p>Which person has a claim that is not yet " \
                                                "decided?</p>"
    second = live_questions(quiz.id)[1]
    client.post(f"/author/quizzes/{quiz.id}/questions/{second.id}/move",
                data={"direction": "up"})
    assert [q.key for q in live_questions(quiz.id)][:2] == ["q2", "q1"]
    client.post(f"/author/quizzes/{quiz.id}/questions/{second.id}/remove")
    assert "q2" not in [q.key for q in live_questions(quiz.id)]
    assert quiz_of("first").source == SOURCE_BROWSER
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"quiz.question_edited", "quiz.question_moved", "quiz.question_removed"} <= actions


def test_settings(client: FlaskClient, auth: Auth) -> None:
    """Settings are saved with their checks; a draw larger than the pool is refused."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    settings = {"title": "Check yourself", "title_ar": "اختبر نفسك", "pass_mark": "80",
                "attempts_allowed": "3", "grading": "last", "time_limit_minutes": "20",
                "draw_count": "", "shuffle_questions": "y", "review_policy": "never"}
    assert client.post(f"/author/quizzes/{quiz.id}", data=settings).status_code == 302
    quiz = quiz_of("first")
    assert (quiz.title, quiz.pass_mark, quiz.attempts_allowed, quiz.grading) == (
        {"en": "Check yourself", "ar": "اختبر نفسك"}, 80, 3, "last")
    assert quiz.shuffle_questions and not quiz.shuffle_choices and quiz.review_policy == "never"
    response = client.post(f"/author/quizzes/{quiz.id}", data={**settings, "draw_count": "50"})
    assert response.status_code == 400 and "The quiz has only 8 questions." in response.text
    response = client.post(f"/author/quizzes/{quiz.id}", data={**settings, "pass_mark": "101"})
    assert response.status_code == 400


def test_preview_shows_the_participants_view_and_stores_nothing(client: FlaskClient,
                                                                auth: Auth) -> None:
    """The preview has no answers in it; checking answers grades them and saves nothing."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    page = client.get(f"/author/quizzes/{quiz.id}/preview").text
    assert "Which person has a claim" in page
    assert "Right, the claim of an asylum-seeker is still pending." not in page
    response = client.post(f"/author/quizzes/{quiz.id}/preview",
                           data={"seed": "5", "q-q2": "false", "q-q6": "1951"})
    assert "Wrong, that is exactly what it forbids." in response.text
    assert "Review of your answers" in response.text and "1 of 7 marks" in response.text
    odd_seed = client.post(f"/author/quizzes/{quiz.id}/preview",
                           data={"seed": "\u00b2", "q-q6": "1951"})
    assert odd_seed.status_code == 200 and "Review of your answers" in odd_seed.text
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_statistics(client: FlaskClient, auth: Auth) -> None:
    """Facility and discrimination appear per question once attempts exist."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    assert "No attempt has been submitted yet" in client.get(
        f"/author/quizzes/{quiz.id}/statistics").text
    for right in (0, 1, 2, 3, 4, 5, 6, 7):
        submitted(quiz, right)
    db.session.commit()
    page = client.get(f"/author/quizzes/{quiz.id}/statistics").text
    assert "Based on 8 submitted attempts." in page
    assert "87.5%" in page and "(good)" in page


def test_import_and_export_pages(client: FlaskClient, auth: Auth) -> None:
    """Uploading a GIFT file replaces the questions; a bad file changes nothing and lists
    its problems by line; the export downloads GIFT."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    bad = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(b"Fine?{T}\n\nBroken?{=a ~b\n"), "bad.gift"), "format": "auto",
        "mode": "replace"}, content_type="multipart/form-data")
    assert bad.status_code == 400
    assert "Line 3:" in bad.text and "Nothing was imported: 1 problem" in bad.text
    assert len(live_questions(quiz.id)) == 8
    good = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO("\ufeff::q1::Fresh?{T}\r\n\r\n::q2::Other?{=a ~b}\r\n".encode()),
                 "moodle export.txt"), "format": "auto", "mode": "replace"},
        content_type="multipart/form-data")
    assert good.status_code == 302
    assert [q.key for q in live_questions(quiz.id)] == ["q1", "q2"]
    assert quiz_of("first").source_file == "moodle export.txt"
    exported = client.get(f"/author/quizzes/{quiz.id}/export.gift")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="first.gift"'
    assert "::q1::[markdown]Fresh?{TRUE}" in exported.text
    missing = client.post("/author/quizzes/topics/first/import", data={"format": "auto"},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a file to import." in missing.text


def test_a_file_named_in_arabic_is_read_by_its_extension(client: FlaskClient,
                                                         auth: Auth) -> None:
    """A quiz file named in Arabic keeps its name, so its extension tells its format; and a
    file read in a format it is not in (which GIFT reads as one description) is refused with
    a message saying so, leaving the quiz's questions as they were."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    text = "questions:\n  - id: extra1\n    type: true_false\n    text: Is it so?\n" \
           "    answer: true\n"
    response = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(text.encode()), "اختبار.quiz.yaml"),
        "format": "auto", "mode": "replace"}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert [(q.key, q.type) for q in live_questions(quiz.id)] == [("extra1", "true_false")]
    assert quiz_of("first").source_file == "اختبار.quiz.yaml"
    wrong = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(text.encode()), "quiz.txt"), "format": "gift", "mode": "replace"},
        content_type="multipart/form-data")
    assert wrong.status_code == 400
    assert "read as GIFT, the file has no question worth marks" in wrong.text
    assert [q.key for q in live_questions(quiz.id)] == ["extra1"]


def _import(client: FlaskClient, text: str, filename: str, fmt: str = "auto") -> None:
    response = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(text.encode()), filename), "format": fmt, "mode": "replace"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text


def _as_written(quiz: Quiz) -> list[tuple[str, list[str], list[float]]]:
    return [(q.text["en"], [o.text["en"] for o in q.options if not o.is_retired],
             [o.credit for o in q.options if not o.is_retired]) for q in live_questions(quiz.id)]


def test_aiken_export_holds_the_single_choice_questions(client: FlaskClient,
                                                        auth: Auth) -> None:
    """The quiz page offers Aiken for the questions it can hold and says how many of all;
    the file has them in plain text and imports back as the same questions. True/false and
    partial credit are left out rather than written with something missing."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    _import(client, "::q1::Which body's mandate covers refugees?{=UNHCR ~ILO ~IOM}\n\n"
                    "::q2::IDPs have crossed a border.{F}\n\n"
                    "::q3::Which one?{=a ~%50%b ~c}\n\n"
                    "::q4::Is 2 < 3, and is a_b shown as *written*?{~No =Yes, both}\n",
            "mixed.gift")
    page = client.get(f"/author/quizzes/{quiz.id}").text
    assert "Export as Aiken" in page and "(2 of the 4 questions" in page
    assert "neither format has a place for the Arabic texts" in page
    before = _as_written(quiz)

    exported = client.get(f"/author/quizzes/{quiz.id}/export.aiken.txt")
    assert exported.status_code == 200 and exported.mimetype == "text/plain"
    assert exported.headers["Content-Disposition"] == 'attachment; filename="first.aiken.txt"'
    assert exported.text == (
        "Which body's mandate covers refugees?\nA. UNHCR\nB. ILO\nC. IOM\nANSWER: A\n\n"
        "Is 2 < 3, and is a_b shown as *written*?\nA. No\nB. Yes, both\nANSWER: B\n")

    _import(client, exported.text, "back.txt", "aiken")
    assert _as_written(quiz) == [before[0], before[3]]


def test_aiken_export_with_nothing_it_can_hold_says_so(client: FlaskClient,
                                                       auth: Auth) -> None:
    auth.login(module_instructor())
    quiz = quiz_of("first")
    _import(client, "::q1::IDPs have crossed a border.{F}\n", "tf.gift")
    assert "Export as Aiken" not in client.get(f"/author/quizzes/{quiz.id}").text
    response = client.get(f"/author/quizzes/{quiz.id}/export.aiken.txt")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/author/quizzes/{quiz.id}"
    page = client.get(f"/author/quizzes/{quiz.id}").text
    assert "None of this quiz&#39;s questions can be written in Aiken" in page


@pytest.mark.parametrize(("text", "message"), [
    ("questions:\n  - id: q1\n    type: [true_false]\n    text: Yes?\n    answer: true\n",
     "Line 3: unknown question type [&#39;true_false&#39;]"),
    ("questions:\n  - id: q1\n    type: true_false\n    text: 2026-02-30\n    answer: true\n",
     "Line 4: &#39;2026-02-30&#39; is not a date that exists"),
    ("questions: " + "[" * 3000 + "]" * 3000 + "\n",
     "the file nests lists or mappings too deeply to be read"),
])
def test_import_page_reports_values_yaml_cannot_use(client: FlaskClient, auth: Auth, text: str,
                                                    message: str) -> None:
    """A quiz file with a list for its type, an impossible date or nesting too deep to read
    lists the problem (by line where it has one) and changes nothing."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    response = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(text.encode()), "bad.quiz.yaml"), "format": "auto",
        "mode": "replace"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.text
    assert len(live_questions(quiz.id)) == 8


def test_list_pages_do_not_grow_with_the_cohort(client: FlaskClient, auth: Auth,
                                                count_queries) -> None:  # type: ignore[no-untyped-def]
    """The quiz list, the grading queue and statistics run the same number of statements
    for one attempt as for many."""
    auth.login_as(Role.ADMIN)
    quiz = quiz_of("first")
    pages = ("/author/quizzes", "/author/quizzes/grading",
             f"/author/quizzes/{quiz.id}/statistics")
    counts = []
    for size in (1, 6):
        for _ in range(size):
            submitted(quiz, 8)
        db.session.commit()
        measured = []
        for path in pages:
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            measured.append(counter.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_types_have_labels_and_templates() -> None:
    """Every registered type names its template and a label for people."""
    for name, kind in QUESTION_TYPES.items():
        assert kind.template == f"quizzes/questions/{name}.html"
        assert str(kind.label)
    assert factories.PASSWORD


def _rows(*items: dict[str, str]) -> dict[str, str]:
    return {f"rows-{i}-{k}": v for i, item in enumerate(items) for k, v in item.items()}


@pytest.mark.parametrize(("type_name", "data", "message"), [
    ("numeric", {"text": "Year of the Convention?"}, "needs at least one accepted answer"),
    ("numeric", {"text": "Year?", **_rows({"tolerance": "2"})},
     "needs at least one accepted answer"),
    ("short_answer", {"text": "Name the principle."}, "needs at least one accepted answer"),
    ("numeric", {"text": "N?", **_rows({"value": "1e308", "tolerance": "1e308"})},
     "the value and tolerance are too large"),
])
def test_a_typed_answer_question_needs_an_answer_it_can_accept(
        client: FlaskClient, auth: Auth, type_name: str, data: dict[str, str],
        message: str) -> None:
    """A numeric or short-answer question saved with no accepted answer (or a tolerance so
    large that every number would match) would mark everyone wrong, or right: it is refused
    with the reason, and nothing is added."""
    auth.login(module_instructor())
    quiz = quiz_of("first")
    before = len(live_questions(quiz.id))
    response = client.post(f"/author/quizzes/{quiz.id}/questions/new",
                           data={"type": type_name, **data})
    assert response.status_code == 400 and message in response.text
    assert len(live_questions(quiz.id)) == before


def test_a_pair_id_that_reads_like_a_distractor_is_no_server_error(client: FlaskClient,
                                                                   auth: Auth) -> None:
    """Distractors are named after their place; a pair whose id reads the same no longer
    makes two options with one id (a server error): the file imports."""
    auth.login(module_instructor())
    text = ("questions:\n  - id: m1\n    type: matching\n    text: Match\n    pairs:\n"
            "      - {id: distractor-1, prompt: A, answer: X}\n"
            "      - {id: p2, prompt: B, answer: Y}\n    distractors: [Z]\n")
    response = client.post("/author/quizzes/topics/first/import", data={
        "file": (io.BytesIO(text.encode()), "q.quiz.yaml"), "format": "yaml", "mode": "add"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    question = next(q for q in live_questions(quiz_of("first").id) if q.key == "m1")
    keys = [o.key for o in question.options if not o.is_retired]
    assert len(keys) == len(set(keys)) == 3


def test_a_question_worth_no_marks_shows_no_facility(app: Flask) -> None:
    """A graded question set to 0 marks, answered rightly by everyone, showed a facility of
    0 % ("nobody got it right"); its answers are counted, and its facility is left blank."""
    from lms.quizzes.statistics import question_statistics
    from tests.quizzes.conftest import question_of, submitted

    quiz = quiz_of("first")
    question_of(quiz, "q2").points = 0
    db.session.commit()
    for right in (2, 3, 4, 5, 6, 7):
        submitted(quiz, right)
    db.session.commit()
    _count, rows = question_statistics(quiz.id)
    row = next(r for r in rows if r.key == "q2")
    assert row.answers == 6 and row.facility is None
    assert next(r for r in rows if r.key == "q1").facility == 100.0
