"""Participant pages: a topic's quiz, taking an attempt page by page, submitting, the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.services import topic_timezone
from lms.quizzes import attempts as service
from lms.quizzes.answerable import is_answerable
from lms.quizzes.grading import recorded_grade
from lms.quizzes.models import QuizAttempt
from lms.quizzes.permissions import NotFound, own_attempt, quiz_to_take
from lms.quizzes.review import review_allowed, review_items
from lms.quizzes.snapshot import page_count, page_of
from lms.quizzes.template_helpers import quiz_template_helpers
from lms.ratelimit import limiter
from lms.whole_numbers import MAX_PAGE, whole_number

bp = Blueprint("quizzes", __name__, template_folder="templates")
bp.app_context_processor(quiz_template_helpers)
F = TypeVar("F", bound=Callable[..., Any])
# Saving a page is what a participant does most; submitting is rarer and costs a grading.
SAVE_LIMIT = "120 per minute"
SUBMIT_LIMIT = "30 per minute"


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def _throttle(limit: str) -> Callable[[F], F]:
    return limiter.limit(limit, key_func=_user_key, methods=["POST"])  # type: ignore[return-value]


def _attempt(attempt_id: int) -> QuizAttempt:
    try:
        return own_attempt(current_user, attempt_id)
    except NotFound:
        abort(404)


@bp.get("/topics/<slug>/quiz")
@role_required(Role.PARTICIPANT)
def overview(slug: str) -> str:
    """The quiz's rules, the participant's attempts and grade, and a button to start or resume.

    :raises 404: for a topic without a quiz or outside the participant's programmes.
    """
    try:
        topic, quiz = quiz_to_take(current_user, slug)
    except NotFound:
        abort(404)
    if service.close_overdue(utcnow(), user=current_user, quiz_id=quiz.id):
        db.session.commit()
    attempts = service.attempts_of(current_user.id, quiz.id)
    return render_template(
        "quizzes/overview.html", topic=topic, quiz=quiz, attempts=attempts,
        grade=recorded_grade(quiz, attempts), passed=any(a.passed for a in attempts),
        open_attempt=next((a for a in attempts if a.is_open), None),
        left=service.attempts_left(quiz, attempts), answerable=is_answerable(quiz.id))


@bp.post("/topics/<slug>/quiz/start")
@role_required(Role.PARTICIPANT)
def start(slug: str) -> Response:
    """Start an attempt, or go back to the one already open.

    :raises 404: as for the quiz page.
    """
    try:
        _topic, quiz = quiz_to_take(current_user, slug)
    except NotFound:
        abort(404)
    try:
        attempt = service.start_attempt(current_user, quiz, utcnow())
    except service.AttemptError as error:
        db.session.commit()
        flash(str(error), "error")
        return redirect(url_for("quizzes.overview", slug=slug))
    db.session.commit()
    return redirect(url_for("quizzes.take", attempt_id=attempt.id, page=attempt.last_page + 1))


def _requested_page(attempt: QuizAttempt, value: Any) -> int:
    """Pages are numbered from 1 in addresses and from 0 inside."""
    try:
        page = int(value) - 1
    except (TypeError, ValueError):
        page = attempt.last_page
    return min(max(page, 0), page_count(attempt.snapshot) - 1)


def _take_page(attempt: QuizAttempt, page: int, responses: dict[str, Any],
               problems: dict[str, str]) -> str:
    questions = page_of(attempt.snapshot, page)
    return render_template(
        "quizzes/take.html", attempt=attempt, quiz=attempt.quiz, page=page,
        pages=page_count(attempt.snapshot), questions=questions, responses=responses,
        problems=problems, now=utcnow(), zone=_deadline_zone(attempt))


def _deadline_zone(attempt: QuizAttempt) -> str | None:
    """The zone the participant reads the attempt's deadline in, if it has one: the zone the
    grading pages show the attempt in, so participant and instructor name the same time."""
    return topic_timezone(attempt.user_id, attempt.quiz.topic_id) if attempt.deadline_at else None


@bp.get("/attempts/<int:attempt_id>")
@role_required(Role.PARTICIPANT)
def take(attempt_id: int) -> str | Response:
    """One page of an open attempt, with the answers saved so far.

    :raises 404: for an attempt that is not the participant's own.
    """
    attempt = _attempt(attempt_id)
    if attempt.is_open and service.is_overdue(attempt, utcnow()):
        service.finish_attempt(attempt, None, utcnow(), service.ENDED_BY_TIME_LIMIT)
        db.session.commit()
        flash(_("The time for this attempt ran out. The answers saved before the deadline "
                "have been graded."), "info")
    if not attempt.is_open:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    page = _requested_page(attempt, request.args.get("page"))
    return _take_page(attempt, page, dict(attempt.responses or {}), {})


@bp.post("/attempts/<int:attempt_id>")
@_throttle(SAVE_LIMIT)
@role_required(Role.PARTICIPANT)
def save(attempt_id: int) -> str | Response | tuple[str, int]:
    """Save the answers on the page, then go where the button pressed asks.

    :raises 404: for an attempt that is not the participant's own.
    """
    attempt = _attempt(attempt_id)
    page = _requested_page(attempt, request.form.get("page"))
    form = request.form.to_dict(flat=False)
    try:
        responses, problems = service.save_page(attempt, form, page, utcnow())
    except service.AttemptError as error:
        db.session.commit()
        flash(str(error), "info")
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    if problems:
        db.session.rollback()
        shown = {**(attempt.responses or {}), **responses}
        return _take_page(attempt, page, shown, problems), 400
    action = request.form.get("action", "")
    target = page
    if action == "next":
        target = page + 1
    elif action == "previous":
        target = page - 1
    elif (number := whole_number(request.form.get("goto"), MAX_PAGE)) is not None:
        target = number - 1
    elif action != "summary":
        flash(_("Your answers have been saved."), "success")
    # Coming back later, the participant lands where they were heading.
    attempt.last_page = min(max(target, 0), page_count(attempt.snapshot) - 1)
    db.session.commit()
    if action == "summary":
        return redirect(url_for("quizzes.summary", attempt_id=attempt.id))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id, page=attempt.last_page + 1))


@bp.get("/attempts/<int:attempt_id>/summary")
@role_required(Role.PARTICIPANT)
def summary(attempt_id: int) -> str | Response:
    """Which questions are answered, with links back to them, and the button to submit.

    :raises 404: for an attempt that is not the participant's own.
    """
    attempt = _attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    answered, total = service.answered_count(attempt)
    return render_template("quizzes/summary.html", attempt=attempt, quiz=attempt.quiz,
                           answered=answered, total=total, now=utcnow(),
                           zone=_deadline_zone(attempt))


@bp.post("/attempts/<int:attempt_id>/submit")
@_throttle(SUBMIT_LIMIT)
@role_required(Role.PARTICIPANT)
def submit(attempt_id: int) -> Response:
    """Submit the attempt for grading; submitting it again changes nothing.

    :raises 404: for an attempt that is not the participant's own.
    """
    attempt = _attempt(attempt_id)
    submitted = service.submit_attempt(attempt, current_user, utcnow())
    if submitted:
        db.session.commit()
    else:
        db.session.rollback()
    # The confirmation travels in the address rather than as a flashed message: flashing
    # changes the session, whose cookie is then signed and sent again, here and on the result
    # page, and a submission is the busiest write participants make. The id is taken from the
    # address: the commit expired the attempt, and reading it back would cost a query.
    return redirect(url_for("quizzes.result", attempt_id=attempt_id,
                            submitted=1 if submitted else None))


@bp.get("/attempts/<int:attempt_id>/result")
@role_required(Role.PARTICIPANT)
def result(attempt_id: int) -> str | Response:
    """The attempt's score and outcome, and the review the quiz's policy allows.

    :raises 404: for an attempt that is not the participant's own.
    """
    attempt = _attempt(attempt_id)
    if attempt.is_open:
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    quiz = attempt.quiz
    attempts = service.attempts_of(current_user.id, quiz.id)
    allowed = review_allowed(quiz, attempt, attempts)
    items = review_items(attempt, list(attempt.answers)) if allowed else []
    topic = db.session.get(Topic, quiz.topic_id)
    return render_template(
        "quizzes/result.html", attempt=attempt, quiz=quiz, topic=topic, items=items,
        page_notice=_("Your attempt has been submitted.")
        if request.args.get("submitted") == "1" else None,
        review=allowed, left=service.attempts_left(quiz, attempts),
        passed_any=any(a.passed for a in attempts),
        zone=topic_timezone(attempt.user_id, quiz.topic_id))
