"""What the participant's and the instructor's pages show, built on the completion rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.courses.models import Programme, Unit
from lms.extensions import db
from lms.progress.attendance import own_apologies
from lms.progress.completion import (
    Missing,
    ParticipantCompletion,
    UnitState,
    completion_for_edition,
)
from lms.progress.ical import CalendarEvent
from lms.progress.models import (
    ApologyDecision,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
)
from lms.progress.plan import EditionPlan, SessionRef, UnitRef, edition_plan
from lms.progress.services import active_enrolments

UPCOMING_SHOWN = 5


@dataclass
class UpcomingDay:
    session: SessionRef
    unit: UnitRef
    venue: str
    apology: ApologyDecision | None  # the decision on the participant's apology for the day


@dataclass
class NextStep:
    unit: UnitRef
    missing: Missing | None
    day: SessionRef | None = None


@dataclass
class EditionDashboard:
    edition: Edition
    programme: Programme
    completion: ParticipantCompletion
    upcoming: list[UpcomingDay] = field(default_factory=list)
    next_step: NextStep | None = None
    # For a complete record: "valid" once the certificate is issued, "revoked" when it was
    # revoked (it cannot be claimed again), None while it can be claimed.
    certificate: str | None = None
    # The first start or end of one of the edition's days after the page was drawn: from
    # then on the clock alone changes what the page says (days coming, missed or at risk).
    changes_at: datetime | None = None

    @property
    def lessons_done(self) -> int:
        return sum(u.lessons_done for u in self.completion.units)

    @property
    def lessons_total(self) -> int:
        return sum(u.lessons_total for u in self.completion.units)


def participant_dashboard(user: User, now: datetime) -> list[EditionDashboard]:
    """Each active edition: units' checklists, next in-person days and the next thing to do."""
    boards = []
    for _enrolment, edition, programme in active_enrolments(user.id):
        plan = edition_plan(edition)
        result = completion_for_edition(edition, now, [user.id], plan)[user.id]
        upcoming_refs = sorted(
            ((s, u) for u in plan.units for s in plan.sessions.get(u.id, [])
             if s.ends_at > now), key=lambda pair: pair[0].starts_at)[:UPCOMING_SHOWN]
        apologies = own_apologies(user.id, [s.id for s, _u in upcoming_refs])
        upcoming = [UpcomingDay(s, u, s.venue or edition.venue or "", apologies.get(s.id))
                    for s, u in upcoming_refs]
        changes_at = min((moment for days in plan.sessions.values() for day in days
                          for moment in (day.starts_at, day.ends_at) if moment > now),
                         default=None)
        boards.append(EditionDashboard(edition, programme, result, upcoming,
                                       _next_step(result),
                                       _certificate_state(user.id, edition.id)
                                       if result.is_complete else None, changes_at))
    return boards


def _certificate_state(user_id: int, edition_id: int) -> str | None:
    """Whether the edition's certificate is issued, or was revoked (one query, asked only
    of a complete record: the home page must not offer what the certificate page refuses)."""
    from lms.certificates.models import Certificate, CertificateStatus

    found = set(db.session.scalars(select(Certificate.status).where(
        Certificate.user_id == user_id, Certificate.edition_id == edition_id,
        Certificate.status.in_((CertificateStatus.VALID, CertificateStatus.REVOKED)))))
    if CertificateStatus.VALID in found:
        return "valid"
    return "revoked" if found else None


@dataclass
class UnitProgress:
    edition: Edition
    programme: Programme
    state: UnitState


def participant_unit(user: User, edition_id: int, unit_id: int,
                     now: datetime) -> UnitProgress | None:
    """One unit of an edition the user is actively enrolled in, day by day and topic by topic;
    None for any other edition or unit."""
    found = next(((edition, programme) for _e, edition, programme in active_enrolments(user.id)
                  if edition.id == edition_id), None)
    if found is None:
        return None
    edition, programme = found
    plan = edition_plan(edition)
    result = completion_for_edition(edition, now, [user.id], plan)[user.id]
    state = next((unit for unit in result.units if unit.unit.id == unit_id), None)
    return None if state is None else UnitProgress(edition, programme, state)


def _next_step(result: ParticipantCompletion) -> NextStep | None:
    """The first unit's next thing the participant can do: a lesson or quiz, else a day to
    attend. A unit where nothing can be done yet (its days are not scheduled, or only
    make-ups are left to arrange) is passed over for the next one; only when no unit has
    anything to do is that what the page says."""
    waiting = [unit for unit in result.units if not unit.is_complete]
    for unit in waiting:
        online = next((m for m in unit.missing if m.kind in ("lesson", "quiz")), None)
        if online is not None:
            return NextStep(unit.unit, online)
        day = next((m for m in unit.missing if m.sessions), None)
        if day is not None:
            return NextStep(unit.unit, day, day.sessions[0])
    if waiting:
        first = waiting[0].missing[0]
        return NextStep(waiting[0].unit, first, first.sessions[0] if first.sessions else None)
    return None


def schedule_events(user: User, base_url: str, language: str) -> list[CalendarEvent]:
    """The participant's in-person days in their active editions, for the calendar file; a
    retired unit's days are not theirs to attend any more, as the home page shows."""
    rows = db.session.execute(
        select(InPersonSession, Edition, Unit)
        .join(Edition, Edition.id == InPersonSession.edition_id)
        .join(Unit, Unit.id == InPersonSession.unit_id)
        .join(Enrolment, Enrolment.edition_id == Edition.id)
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ACTIVE,
               Unit.is_retired.is_(False))
        .order_by(InPersonSession.starts_at))
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "localhost"
    return [CalendarEvent(uid=f"session-{s.id}@{host}", starts_at=s.starts_at,
                          ends_at=s.ends_at, summary=f"{unit.title(language)} ({edition.name})",
                          location=s.venue or edition.venue or "", description=base_url,
                          sequence=s.revision)
            for s, edition, unit in rows]


@dataclass
class TeachingUnit:
    edition: Edition
    unit: Unit
    sessions: list[InPersonSession]


def teaching_units(user: User) -> list[TeachingUnit]:
    """The (edition, unit) pairs the user teaches (admins: all of open editions), 3 queries."""
    from lms.progress.models import UnitInstructor

    query = (select(Edition, Unit).join(Unit, Unit.programme_id == Edition.programme_id)
             .where(Unit.is_retired.is_(False)))
    if user.role != Role.ADMIN:
        query = query.join(UnitInstructor, (UnitInstructor.edition_id == Edition.id)
                           & (UnitInstructor.unit_id == Unit.id)
                           & (UnitInstructor.user_id == user.id))
    else:
        query = query.where(Edition.archived_at.is_(None))
    pairs = db.session.execute(query.order_by(Edition.starts_on.desc(), Unit.position)).all()
    edition_ids = {e.id for e, _u in pairs}
    sessions: dict[tuple[int, int], list[InPersonSession]] = {}
    if edition_ids:
        for s in db.session.scalars(select(InPersonSession).where(
                InPersonSession.edition_id.in_(edition_ids)).order_by(InPersonSession.starts_at)):
            sessions.setdefault((s.edition_id, s.unit_id), []).append(s)
    return [TeachingUnit(e, u, sessions.get((e.id, u.id), [])) for e, u in pairs]


@dataclass
class UnitView:
    plan: EditionPlan
    unit: UnitRef
    rows: list[tuple[User, UnitState]]

    @property
    def at_risk(self) -> list[tuple[User, UnitState]]:
        return [(user, state) for user, state in self.rows if state.at_risk]


def unit_view(edition: Edition, unit_id: int, now: datetime) -> UnitView | None:
    """The unit's active participants by topic and by day, in a fixed number of queries."""
    plan = edition_plan(edition)
    index = next((i for i, u in enumerate(plan.units) if u.id == unit_id), None)
    if index is None:
        return None
    users = list(db.session.scalars(
        select(User).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.edition_id == edition.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(User.full_name, User.id)))
    results = completion_for_edition(edition, now, [u.id for u in users], plan)
    return UnitView(plan, plan.units[index],
                    [(user, results[user.id].units[index]) for user in users])
