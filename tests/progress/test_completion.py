"""The completion rule: days, lessons and quizzes per unit, the package's settings, and risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Role
from lms.courses.models import CoursePackage, Topic
from lms.extensions import db
from lms.progress.board import BoardFilter, board_page
from lms.progress.completion import completion_for, completion_for_edition
from lms.progress.enrolments import record_make_up
from lms.progress.errors import ProgressError
from lms.progress.models import AttendanceStatus as S
from lms.progress.models import MakeUp
from lms.quizzes.models import Quiz
from tests import factories
from tests.progress.helpers import (
    NOW,
    attempt,
    complete_lesson,
    finish_unit_online,
    mark,
    participant,
    scheduled_edition,
    sessions_of,
)

ALL_ATTENDED = (S.PRESENT,) * 5


def set_rules(**rules: object) -> None:
    package = db.session.scalar(select(CoursePackage))
    assert package is not None
    package.completion = {**package.completion, **rules}
    db.session.flush()


def attend(edition, user, unit_slug: str, statuses) -> None:  # type: ignore[no-untyped-def]
    for session, status in zip(sessions_of(edition, unit_slug), statuses, strict=False):
        if status is not None:
            mark(session, user, status)


def alpha(edition, user):  # type: ignore[no-untyped-def]
    return completion_for(user, edition, NOW).units[0]


def test_nothing_done_lists_every_missing_item(app: Flask, loaded: object) -> None:
    """A new participant is missing the days, each lesson and each quiz, by name."""
    edition = scheduled_edition()
    user = participant(edition)
    state = alpha(edition, user)
    assert [m.kind for m in state.missing] == ["days", "lesson", "lesson", "quiz", "quiz"]
    assert state.missing[0].count == 4  # five days, one unexcused absence allowed
    assert [m.topic.slug for m in state.missing[1:] if m.topic] == [
        "first", "second", "first", "second"]
    assert (state.days_required, state.lessons_total, state.quizzes_total) == (4, 2, 2)
    assert not state.is_complete


def test_unit_completes_when_days_lessons_and_quizzes_are_done(app: Flask,
                                                               loaded: object) -> None:
    """With every day attended, every lesson done and every quiz passed, the unit completes."""
    edition = scheduled_edition()
    user = participant(edition)
    attend(edition, user, "alpha", ALL_ATTENDED)
    finish_unit_online(user)
    state = alpha(edition, user)
    assert state.is_complete and state.missing == []
    assert (state.days_attended, state.lessons_done, state.quizzes_passed) == (5, 2, 2)
    assert not completion_for(user, edition, NOW).is_complete  # beta still open


def test_late_counts_but_excused_does_not_by_default(app: Flask, loaded: object) -> None:
    """Late days count as attended; excused ones do not unless the package says so."""
    edition = scheduled_edition()
    user = participant(edition)
    attend(edition, user, "alpha", (S.LATE, S.LATE, S.PRESENT, S.EXCUSED, S.EXCUSED))
    assert alpha(edition, user).days_attended == 3
    assert alpha(edition, user).missing[0].count == 1
    set_rules(excused_counts=True)
    assert alpha(edition, user).days_attended == 5
    set_rules(late_counts=False, excused_counts=False)
    assert alpha(edition, user).days_attended == 1


def test_unexcused_absences_allowed(app: Flask, loaded: object) -> None:
    """The package's allowance of absences lowers the days required, per unit."""
    edition = scheduled_edition()
    user = participant(edition)
    attend(edition, user, "alpha", (S.PRESENT, S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT))
    assert alpha(edition, user).attendance_ok
    set_rules(unexcused_absences_allowed=0)
    state = alpha(edition, user)
    assert not state.attendance_ok and state.missing[0].count == 1
    assert state.missing[0].sessions == ()
    assert [s.day for s in state.missing[0].missed] == [date(2026, 9, 10)]


def test_quiz_passes_once_and_a_lower_attempt_never_unpasses(app: Flask,
                                                             loaded: object) -> None:
    """Any attempt at the pass mark passes the quiz; a later failing attempt changes nothing."""
    edition = scheduled_edition()
    user = participant(edition)
    attempt(user, "first", 50.0, 1)
    assert alpha(edition, user).quizzes_passed == 0
    attempt(user, "first", 80.0, 2)
    attempt(user, "first", 10.0, 3)
    assert alpha(edition, user).quizzes_passed == 1


def test_quizzes_not_required_when_the_package_says_so(app: Flask, loaded: object) -> None:
    """With requires_quizzes off, quizzes are neither counted nor missing."""
    set_rules(requires_quizzes=False)
    edition = scheduled_edition()
    user = participant(edition)
    state = alpha(edition, user)
    assert state.quizzes_total == 0 and all(m.kind != "quiz" for m in state.missing)


def test_retired_quiz_is_neither_counted_nor_missing(app: Flask, loaded: object) -> None:
    """Only a topic's live quiz counts: once retired, its topic asks for the lesson alone."""
    edition = scheduled_edition()
    user = participant(edition)
    assert alpha(edition, user).quizzes_total == 2
    quiz = db.session.scalar(select(Quiz).join(Topic).where(Topic.slug == "second"))
    assert quiz is not None
    quiz.is_retired = True
    state = alpha(edition, user)
    assert state.quizzes_total == 1
    assert [t.topic.has_quiz for t in state.topics] == [True, False]
    assert all(m.topic is None or m.topic.slug != "second" for m in state.missing
               if m.kind == "quiz")


def test_make_up_in_another_edition_counts(app: Flask, loaded: object) -> None:
    """A missed day made up in another edition's session of the unit counts as attended."""
    set_rules(unexcused_absences_allowed=0)
    edition = scheduled_edition()
    other = scheduled_edition(name="Other", first_day=date(2026, 9, 20))
    admin = factories.make_user(role=Role.ADMIN)
    user = participant(edition)
    attend(edition, user, "alpha", (S.PRESENT, S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT))
    assert not alpha(edition, user).attendance_ok
    record_make_up(sessions_of(edition, "alpha")[4], sessions_of(other, "alpha")[4], user.id,
                   admin, NOW)
    state = alpha(edition, user)
    assert state.attendance_ok and state.days[4].made_up


def test_a_day_missed_in_the_other_edition_cannot_make_up_one(app: Flask,
                                                             loaded: object) -> None:
    """The other edition's roster marks the person absent (or excused) on the day given as
    the make-up: refused, nothing recorded. Present there, or not on its roster at all (a
    guest), it is accepted."""
    edition = scheduled_edition()
    other = scheduled_edition(name="Other", first_day=date(2026, 9, 20))
    admin = factories.make_user(role=Role.ADMIN)
    user = participant(edition)
    attend(edition, user, "alpha", (S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT, S.ABSENT))
    factories.enrol(user, other)
    attend(other, user, "alpha", (S.ABSENT, S.EXCUSED, S.LATE, S.PRESENT, S.PRESENT))
    missed, there = sessions_of(edition, "alpha"), sessions_of(other, "alpha")
    for day in (there[0], there[1]):
        with pytest.raises(ProgressError) as refused:
            record_make_up(missed[3], day, user.id, admin, NOW)
        assert refused.value.args[0] == "make_up_missed_too"
    assert db.session.scalar(select(func.count()).select_from(MakeUp)) == 0
    record_make_up(missed[3], there[2], user.id, admin, NOW)
    guest = participant(edition)
    attend(edition, guest, "alpha", (S.PRESENT, S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT))
    record_make_up(sessions_of(edition, "alpha")[4], there[4], guest.id, admin, NOW)
    assert db.session.scalar(select(func.count()).select_from(MakeUp)) == 2


def test_one_attended_day_makes_up_one_missed_day(app: Flask, loaded: object) -> None:
    """Two missed days, one day attended in the other edition: it makes up the first, and
    naming it again for the second is refused, so the unit still misses a day."""
    set_rules(unexcused_absences_allowed=0)
    edition = scheduled_edition()
    other = scheduled_edition(name="Other", first_day=date(2026, 9, 20))
    admin = factories.make_user(role=Role.ADMIN)
    user = participant(edition)
    attend(edition, user, "alpha", (S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT, S.ABSENT))
    missed, there = sessions_of(edition, "alpha"), sessions_of(other, "alpha")
    record_make_up(missed[3], there[0], user.id, admin, NOW)
    with pytest.raises(ProgressError) as refused:
        record_make_up(missed[4], there[0], user.id, admin, NOW)
    assert refused.value.args[0] == "make_up_day_used"
    assert db.session.scalar(select(func.count()).select_from(MakeUp)) == 1
    assert not alpha(edition, user).attendance_ok
    record_make_up(missed[4], there[1], user.id, admin, NOW)
    assert alpha(edition, user).attendance_ok


def test_the_database_keeps_one_make_up_per_attended_day(app: Flask, loaded: object) -> None:
    """Two admins naming one attended day for two missed days at the same moment both pass
    the look above; the constraint keeps the second out."""
    edition = scheduled_edition()
    other = scheduled_edition(name="Other", first_day=date(2026, 9, 20))
    admin = factories.make_user(role=Role.ADMIN)
    user = participant(edition)
    missed, there = sessions_of(edition, "alpha"), sessions_of(other, "alpha")
    db.session.add(MakeUp(session_id=missed[3].id, user_id=user.id,
                          attended_session_id=there[0].id, recorded_by_id=admin.id))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(MakeUp(session_id=missed[4].id, user_id=user.id,
                              attended_session_id=there[0].id, recorded_by_id=admin.id))


def test_topic_published_after_the_last_day_is_optional(app: Flask, loaded: object) -> None:
    """A topic published after the unit's last in-person day is optional for that edition."""
    edition = scheduled_edition()
    user = participant(edition)
    second = db.session.scalar(select(Topic).filter_by(slug="second"))
    assert second is not None
    second.published_at = datetime(2026, 9, 20, tzinfo=UTC)
    state = alpha(edition, user)
    assert state.lessons_total == 1 and state.quizzes_total == 1
    assert [t.topic.is_optional for t in state.topics] == [False, True]
    later = scheduled_edition(name="Later", first_day=date(2026, 10, 4))
    assert alpha(later, participant(later)).lessons_total == 2


def test_unscheduled_unit_says_so(app: Flask, loaded: object) -> None:
    """A unit with no days scheduled yet is missing its days, marked as not scheduled."""
    edition = factories.make_edition()
    user = participant(edition)
    state = completion_for(user, edition, NOW).units[0]
    assert state.missing[0].kind == "schedule" and state.missing[0].count == 4


def test_at_risk_when_remaining_days_cannot_satisfy(app: Flask, loaded: object) -> None:
    """Two unexcused absences with one allowed leave the unit at risk before it ends."""
    edition = scheduled_edition()
    user = participant(edition)
    attend(edition, user, "alpha", (S.PRESENT, S.ABSENT))
    second_evening = datetime(2026, 9, 7, 18, 0, tzinfo=UTC)
    assert not completion_for(user, edition, second_evening).units[0].at_risk
    attend(edition, user, "alpha", (S.PRESENT, S.ABSENT, S.ABSENT))
    third_evening = datetime(2026, 9, 8, 18, 0, tzinfo=UTC)
    assert completion_for(user, edition, third_evening).units[0].at_risk


def test_at_risk_when_behind_on_online_work(app: Flask, loaded: object) -> None:
    """After the unit's last day, lessons or quizzes still missing put the unit at risk."""
    edition = scheduled_edition()
    user = participant(edition)
    attend(edition, user, "alpha", ALL_ATTENDED)
    complete_lesson(user, "first")
    assert alpha(edition, user).at_risk
    before = datetime(2026, 9, 7, 10, 0, tzinfo=UTC)
    assert not completion_for(user, edition, before).units[0].at_risk


def test_certificate_unlocks_when_every_unit_is_complete(app: Flask, loaded: object) -> None:
    """The participant is complete only when both units are."""
    edition = scheduled_edition()
    user = participant(edition)
    for slug in ("alpha", "beta"):
        attend(edition, user, slug, ALL_ATTENDED)
    finish_unit_online(user)
    assert not completion_for(user, edition, NOW).is_complete
    complete_lesson(user, "third")
    result = completion_for(user, edition, NOW)
    assert result.is_complete and result.status == "complete"


def test_batch_takes_a_fixed_number_of_queries(app: Flask, loaded: object,
                                               count_queries) -> None:  # type: ignore[no-untyped-def]
    """The batch form's query count does not grow with participants."""
    edition = scheduled_edition()
    counts = []
    for size in (2, 20):
        for _ in range(size - (counts and 2 or 0)):
            user = participant(edition)
            attend(edition, user, "alpha", ALL_ATTENDED)
            finish_unit_online(user)
        db.session.commit()
        with count_queries() as counter:
            completion_for_edition(edition, NOW)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 10


STATUSES = st.sampled_from([None, S.PRESENT, S.LATE, S.EXCUSED, S.ABSENT])
PERSON = st.tuples(st.lists(STATUSES, min_size=10, max_size=10),
                   st.sets(st.sampled_from(["first", "second", "third"])),
                   st.dictionaries(st.sampled_from(["first", "second"]),
                                   st.lists(st.floats(0, 100), min_size=1, max_size=3)))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(people=st.lists(PERSON, min_size=1, max_size=5),
       allowed=st.integers(0, 2), late=st.booleans(), excused=st.booleans(),
       quizzes=st.booleans(), hours=st.integers(-48, 24 * 20))
def test_every_board_cell_equals_the_single_result(app: Flask, loaded: object, people, allowed,
                                                   late, excused, quizzes, hours) -> None:  # type: ignore[no-untyped-def]
    """On generated editions, the batch result for each participant equals completion_for."""
    set_rules(unexcused_absences_allowed=allowed, late_counts=late, excused_counts=excused,
              requires_quizzes=quizzes)
    edition = scheduled_edition()
    now = datetime(2026, 9, 6, 7, 0, tzinfo=UTC) + timedelta(hours=hours)
    users = []
    for statuses, lessons, attempts in people:
        user = participant(edition)
        users.append(user)
        sessions = sessions_of(edition, "alpha") + sessions_of(edition, "beta")
        for session, status in zip(sessions, statuses, strict=True):
            if status is not None:
                mark(session, user, status)
        for slug in lessons:
            complete_lesson(user, slug)
        for slug, percents in attempts.items():
            for number, percent in enumerate(percents, 1):
                attempt(user, slug, percent, number)
    board = completion_for_edition(edition, now)
    page = board_page(edition, BoardFilter(), 1, now)
    for user in users:
        single = completion_for(user, edition, now)
        assert board[user.id] == single
        cell = next(r for r in page.rows if r.user_id == user.id).completion
        assert cell == single
