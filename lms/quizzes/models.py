"""Quizzes, questions, options, attempts and the graded answers of submitted attempts.

Question and option keys are the stable ids of the package's quiz files, so a reloaded quiz is
updated in place. Texts are stored as ``{"en": markdown, "ar": markdown}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db_types import UTCDateTime
from lms.extensions import db

SOURCE_PACKAGE = "package"
SOURCE_BROWSER = "browser"

# Attempt states: answering; submitted with an essay still to grade; submitted and fully graded.
IN_PROGRESS = "in_progress"
PENDING = "pending"
GRADED = "graded"


class Quiz(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    grading: Mapped[str] = mapped_column(String(20), default="highest")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    draw_count: Mapped[int | None] = mapped_column(Integer)
    review_policy: Mapped[str] = mapped_column(String(30), default="after_each_attempt")
    source_file: Mapped[str] = mapped_column(String(300), default="")
    # "package" while the course package owns the quiz; "browser" once an instructor has
    # edited or imported it on the platform, after which reloading the package leaves it alone.
    source: Mapped[str] = mapped_column(String(20), default=SOURCE_PACKAGE,
                                        server_default=SOURCE_PACKAGE)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position"
    )


class Question(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    feedback: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    ref: Mapped[str | None] = mapped_column(String(200))
    # Type-specific settings: true/false answer and feedback, case sensitivity, word limits.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position"
    )


class Option(db.Model):  # type: ignore[name-defined,misc]
    """A choice, an accepted answer, a matching pair or a distractor of a question."""

    __tablename__ = "question_options"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # choice | answer | pair | distractor
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    match: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Percent of the question's points: 100 for a correct single choice or a full answer;
    # signed weights for multiple-answer options.
    credit: Mapped[float] = mapped_column(Float, default=0.0)
    feedback: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Numeric answers: value and tolerance, or min and max.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class QuizAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One participant's attempt at a quiz, graded on the server.

    ``passed`` is set when the attempt is fully graded and reaches the quiz's pass mark; a quiz
    counts as passed once any attempt has ``passed`` true. ``percent`` stays empty while an
    essay waits for its grade.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        # One open attempt per participant and quiz, even when two starts race.
        Index("uq_quiz_attempts_open", "quiz_id", "user_id", unique=True,
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        # Everything the completion rule reads of a participant's attempts (quiz_results), so
        # boards read this index alone, not the attempts with their snapshots. It also serves
        # every lookup by participant.
        Index("ix_quiz_attempts_results", "user_id", "quiz_id", "submitted_at", "passed",
              "percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # ix_quiz_attempts_results
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The quiz's pass mark when the attempt was submitted, which decides ``passed`` then and
    # when an essay is graded later: changing the quiz's pass mark does not re-judge it.
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    # The questions and options as shown, in the order shown, so later edits change nothing.
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    responses: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_page: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "participant" when submitted, "time_limit" when the deadline closed it.
    ended_by: Mapped[str] = mapped_column(String(20), default="", server_default="")
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position"
    )

    @property
    def is_open(self) -> bool:
        return self.status == IN_PROGRESS


class AttemptAnswer(db.Model):  # type: ignore[name-defined,misc]
    """A graded question of a submitted attempt; ``marks`` stays empty until an essay is graded.

    Rows exist only for submitted attempts: they feed the grading queue and the statistics.
    """

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Found by the unique index on (attempt_id, question_key), which begins with it.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    question_type: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    max_marks: Mapped[float] = mapped_column(Float, default=0.0)
    marks: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    @property
    def credit(self) -> float | None:
        """The share of the question's marks earned, 0 to 1; None while ungraded."""
        if self.marks is None:
            return None
        return self.marks / self.max_marks if self.max_marks else 0.0
