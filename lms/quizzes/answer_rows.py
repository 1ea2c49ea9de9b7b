"""Writing a submitted attempt's graded answers as rows of ``attempt_answers``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.types import TypeEngine

from lms.quizzes.models import AttemptAnswer

_ANSWERS = insert(AttemptAnswer.__table__)
_COLUMNS: dict[str, TypeEngine[Any]] = {
    "attempt_id": Integer(), "question_key": String(), "question_type": String(),
    "position": Integer(), "response": JSON(), "max_marks": Float(), "marks": Float(),
    "comment": Text(), "graded_at": DateTime(timezone=True)}
# PostgreSQL takes an attempt's answers as one JSON array, unpacked into rows by the server:
# one statement executed once, where a list of rows is executed once per row.
_RECORDS = func.json_to_recordset(bindparam("rows", type_=JSON())).table_valued(
    *(column(name, kind) for name, kind in _COLUMNS.items())).render_derived(with_types=True)
# A response of None is kept as JSON's null, as a list of rows stores it.
_ANSWERS_FROM_JSON = _ANSWERS.from_select(list(_COLUMNS), select(*(
    func.coalesce(_RECORDS.c.response, cast(literal_column("'null'"), JSON()))
    if name == "response" else _RECORDS.c[name] for name in _COLUMNS)))


def write_answers(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows as ``lms.quizzes.grading.graded_answers`` makes them, in one statement."""
    if connection.dialect.name != "postgresql":
        connection.execute(_ANSWERS, rows)
        return
    connection.execute(_ANSWERS_FROM_JSON, {"rows": [
        {**row, "graded_at": row["graded_at"] and row["graded_at"].isoformat()}
        for row in rows]})
