"""The statements that close a submitted attempt: marking it submitted with its totals, writing
its graded answers and, on PostgreSQL, its audit event in the same statement.

Plain statements on the transaction's connection: the session has no unit of work to work
out, and a submission is the busiest write participants make.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Float,
    Integer,
    Row,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from lms.audit.models import AuditEvent
from lms.quizzes.models import IN_PROGRESS, AttemptAnswer, QuizAttempt

_ATTEMPTS = QuizAttempt.__table__
_TOTALS = ("status", "score", "max_score", "percent", "passed", "pass_mark", "graded_at")
_CLOSING = ("submitted_at", "ended_by", *_TOTALS)


def _close(*conditions: Any) -> Any:
    return (update(_ATTEMPTS)
            .where(_ATTEMPTS.c.id == bindparam("attempt_id"),
                   _ATTEMPTS.c.status == bindparam("open"), *conditions)
            .values({key: bindparam(key) for key in _CLOSING}))


_CLOSE = _close().returning(_ATTEMPTS.c.responses, _ATTEMPTS.c.saved_at,
                            _ATTEMPTS.c.last_page, _ATTEMPTS.c.deadline_at)


def close(connection: Connection, attempt_id: int, values: dict[str, Any]) -> Row[Any] | None:
    """Mark the attempt submitted with ``values`` if it is still open; the row as the update
    left it (its responses, saved_at, last_page, deadline_at), or None if it was not open."""
    return connection.execute(
        _CLOSE, {"attempt_id": attempt_id, "open": IN_PROGRESS, **values}).first()


def write_totals(connection: Connection, attempt_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(_ATTEMPTS).where(_ATTEMPTS.c.id == attempt_id).values(
        {key: values[key] for key in _TOTALS}))


_ANSWERS = insert(AttemptAnswer.__table__)
# Spelled out rather than read from the table at import: attempt_id names only its foreign key,
# and takes its type from the table it points to once every table is known.
_ANSWER_COLUMNS: dict[str, TypeEngine[Any]] = {
    "attempt_id": Integer(), "question_key": String(), "question_type": String(),
    "position": Integer(), "response": JSON(), "max_marks": Float(), "marks": Float(),
    "comment": Text(), "graded_at": DateTime(timezone=True)}
# PostgreSQL takes an attempt's answers as one JSON array, unpacked into rows by the server:
# one statement executed once, where a list of rows is executed once per row.
_RECORDS = func.json_to_recordset(bindparam("rows", type_=JSON())).table_valued(
    *(column(name, kind) for name, kind in _ANSWER_COLUMNS.items())).render_derived(
    with_types=True)
# A response of None is kept as JSON's null, as a list of rows stores it.
_RECORD_VALUES = [
    func.coalesce(_RECORDS.c.response, cast(literal_column("'null'"), JSON()))
    if name == "response" else _RECORDS.c[name] for name in _ANSWER_COLUMNS]
_ANSWERS_FROM_JSON = _ANSWERS.from_select(list(_ANSWER_COLUMNS), select(*_RECORD_VALUES))


def write_answers(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows as ``lms.quizzes.grading.graded_answers`` makes them, in one statement."""
    if connection.dialect.name != "postgresql":
        connection.execute(_ANSWERS, rows)
        return
    connection.execute(_ANSWERS_FROM_JSON, {"rows": _json_rows(rows)})


def _json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "graded_at": row["graded_at"] and row["graded_at"].isoformat()}
            for row in rows]


@cache
def _close_as_graded() -> Any:
    # Built at first use, when every table is known: a column that only names its foreign key
    # takes its type from the table it points to.
    #
    # The attempt is closed only while its responses are those graded (compared as jsonb,
    # which ignores spacing and key order); the answers and the event are written only with
    # a row the update closed.
    closed = _close(cast(_ATTEMPTS.c.responses, JSONB).is_not_distinct_from(
        cast(bindparam("graded_responses", type_=JSON()), JSONB))).returning(
        _ATTEMPTS.c.saved_at, _ATTEMPTS.c.last_page, _ATTEMPTS.c.deadline_at).cte("closed")
    answers = _ANSWERS.from_select(list(_ANSWER_COLUMNS), select(*_RECORD_VALUES).select_from(
        closed).join(_RECORDS, true())).cte("answers")
    events = AuditEvent.__table__
    names = [c.name for c in events.columns if c.name != "id"]
    event = insert(events).from_select(names, select(*(
        cast(bindparam(f"event_{name}", type_=events.c[name].type), events.c[name].type)
        for name in names)).select_from(closed)).cte("event")
    return select(closed.c.saved_at, closed.c.last_page, closed.c.deadline_at).add_cte(
        answers, event)


def close_as_graded(connection: Connection, attempt_id: int, responses: dict[str, Any],
                    values: dict[str, Any], rows: list[dict[str, Any]],
                    event: dict[str, Any]) -> Row[Any] | None:
    """PostgreSQL only: in one statement, close the attempt if it is open and its responses
    are still ``responses``, and write its answer ``rows`` and the audit ``event`` (as
    ``lms.audit.services.event_row`` makes it) with it.

    The row as the update left it (saved_at, last_page, deadline_at), or None when nothing
    was written: the attempt was closed already, or answers were saved since it was read.
    """
    return connection.execute(_close_as_graded(), {
        "attempt_id": attempt_id, "open": IN_PROGRESS, "graded_responses": responses, **values,
        "rows": _json_rows(rows), **{f"event_{key}": value for key, value in event.items()},
    }).first()
