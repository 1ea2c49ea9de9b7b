"""Everything the platform holds about one person, for them to download (JSON or printable).

The known records come with the names that make them readable (the edition, the topic, the
quiz). Any other table with a ``user_id`` column is swept too, so a feature added later is
included without changes here. Nothing about anyone else goes in: other people's ids are left
out, secrets (password and token hashes, the two-step login's key and recovery codes) are never
exported, and audit entries written by someone else about this person name only the action.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, or_, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.courses.models import Topic
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Edition, Enrolment, LessonCompletion
from lms.quizzes.models import AttemptAnswer, Quiz, QuizAttempt

# Tables given their own section below, or holding nothing personal to export.
CURATED = {"users", "enrolments", "lesson_completions", "quiz_attempts", "attempt_answers",
           "audit_events", "outbox_messages", "user_sessions", "password_tokens",
           "recovery_codes"}
SECRET_MARKERS = ("hash", "password", "token", "secret")


def _value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row(table: Table, row: Any, user_id: int) -> dict[str, Any]:
    """A table row as plain values, without secrets and without other people's ids."""
    result = {}
    for column in table.columns:
        if any(marker in column.name for marker in SECRET_MARKERS):
            continue
        value = getattr(row, column.name)
        points_at_user = any(fk.column.table.name == "users" for fk in column.foreign_keys)
        if points_at_user and value is not None and value != user_id:
            continue
        result[column.name] = _value(value)
    return result


def personal_data(user: User, now: datetime) -> dict[str, Any]:
    """The whole export as JSON-ready data, in sections."""
    return {
        "generated_at": now.isoformat(),
        "account": _account(user),
        "enrolments": _enrolments(user),
        "lesson_completions": _completions(user),
        "quiz_attempts": _attempts(user),
        "login_sessions": [
            {"started_at": _value(s.created_at), "last_seen_at": _value(s.last_seen_at),
             "ends_at": _value(s.expires_at), "address": s.ip, "browser": s.user_agent}
            for s in _rows_of("user_sessions", user.id)],
        "password_links": [
            {"purpose": _value(t.purpose), "created_at": _value(t.created_at),
             "expires_at": _value(t.expires_at), "used_at": _value(t.used_at)}
            for t in _rows_of("password_tokens", user.id)],
        "audit_events": _audit(user),
        "messages": _messages(user),
        "other_records": _other_records(user),
    }


def _account(user: User) -> dict[str, Any]:
    fields = ("id", "email", "role", "full_name", "full_name_ar", "organisation", "country",
              "preferred_language", "is_active_account", "created_at", "gender",
              "gender_consent_at", "privacy_notice_version", "privacy_notice_seen_at")
    account = {name: _value(getattr(user, name)) for name in fields}
    account["has_password"] = bool(user.password_hash)
    # Whether it is on and how many recovery codes are left; never the secret or the codes.
    account["two_step_login"] = {
        "on": user.has_two_step, "since": _value(user.two_step_enabled_at),
        "unused_recovery_codes": sum(1 for row in _rows_of("recovery_codes", user.id)
                                     if row.used_at is None)}
    return account


def _rows_of(table_name: str, user_id: int) -> list[Any]:
    table = db.metadata.tables[table_name]
    return list(db.session.execute(select(table).where(table.c.user_id == user_id)))


def _enrolments(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Enrolment, Edition.name).join(Edition, Edition.id == Enrolment.edition_id)
        .where(Enrolment.user_id == user.id).order_by(Enrolment.enrolled_at))
    table = db.metadata.tables["enrolments"]
    return [{**_row(table, enrolment, user.id), "edition": name} for enrolment, name in rows]


def _completions(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(LessonCompletion.completed_at, Topic.slug, Topic.title_en)
        .join(Topic, Topic.id == LessonCompletion.topic_id)
        .where(LessonCompletion.user_id == user.id).order_by(LessonCompletion.completed_at))
    return [{"topic": slug, "title": title, "completed_at": _value(at)}
            for at, slug, title in rows]


def _attempts(user: User) -> list[dict[str, Any]]:
    attempts = db.session.execute(
        select(QuizAttempt, Quiz.title).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.started_at)).all()
    answers: dict[int, list[dict[str, Any]]] = {}
    answer_table = db.metadata.tables["attempt_answers"]
    for answer in db.session.scalars(select(AttemptAnswer).where(
            AttemptAnswer.attempt_id.in_([a.id for a, _title in attempts]))):
        answers.setdefault(answer.attempt_id, []).append(_row(answer_table, answer, user.id))
    table = db.metadata.tables["quiz_attempts"]
    result = []
    for attempt, title in attempts:
        numbers = _choice_numbers(attempt.snapshot)
        row = _row(table, attempt, user.id)
        row["responses"] = {key: _numbered(value, numbers.get(key, {}))
                            for key, value in (attempt.responses or {}).items()}
        given = [{**answer, "response": _numbered(answer["response"],
                                                  numbers.get(answer["question_key"], {}))}
                 for answer in answers.get(attempt.id, [])]
        result.append({**row, "snapshot": _asked(attempt.snapshot), "quiz": title,
                       "answers": given})
    return result


def _asked(snapshot: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """What the attempt asked: each question and the choices it offered, numbered in the
    order shown as on the page, without what the attempt keeps for grading (credits,
    accepted answers, ranges, feedback, the essay guidance for graders, and the choices' ids
    from the quiz file, whose order could hint at the answer). The download is open during an
    attempt too, and to quizzes whose review never shows the answers."""
    return [{"key": question["key"], "type": question["type"], "points": question["points"],
             "text": question["text"],
             "choices": [{"number": number, "text": option["text"]}
                         for number, option in enumerate(_choices(question), start=1)]}
            for question in snapshot or []]


def _choices(question: dict[str, Any]) -> list[dict[str, Any]]:
    return [option for option in question.get("options", []) if option.get("kind") == "choice"]


def _choice_numbers(snapshot: list[dict[str, Any]] | None) -> dict[str, dict[str, int]]:
    """For each question, its choices' ids and their numbers in the order shown."""
    return {question["key"]: {option["key"]: number
                              for number, option in enumerate(_choices(question), start=1)}
            for question in snapshot or []}


def _numbered(response: Any, numbers: dict[str, int]) -> Any:
    """A response with every choice id it names given as the choice's number instead."""
    if isinstance(response, str):
        return numbers.get(response, response)
    if isinstance(response, list):
        return [_numbered(item, numbers) for item in response]
    if isinstance(response, dict):
        return {key: _numbered(value, numbers) for key, value in response.items()}
    return response


def _audit(user: User) -> list[dict[str, Any]]:
    events = db.session.scalars(
        select(AuditEvent).where(or_(
            AuditEvent.actor_id == user.id,
            (AuditEvent.target_type == "User") & (AuditEvent.target_id == str(user.id))))
        .order_by(AuditEvent.at, AuditEvent.id))
    result = []
    for event in events:
        own = event.actor_id == user.id
        result.append({
            "at": _value(event.at), "action": event.action, "outcome": event.outcome,
            "by": "you" if own else "staff",
            "address": event.ip if own else "",
            "details": event.details if own else {}})
    return result


def _messages(user: User) -> list[dict[str, Any]]:
    # By the person each message is about, not by address: an address someone gave up and
    # another person took later would bring the first person's mail along.
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                              .order_by(OutboxMessage.created_at))
    return [{"sent_at": _value(m.created_at), "subject": m.subject, "text": m.body_text}
            for m in rows]


def _other_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Rows of every other table that has a ``user_id`` column naming this person."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in CURATED or "user_id" not in table.c:
            continue
        rows = db.session.execute(select(table).where(table.c.user_id == user.id)).all()
        if rows:
            found[table.name] = [_row(table, row, user.id) for row in rows]
    return found
