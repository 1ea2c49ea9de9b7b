"""The admin board of an edition: participants × units, filtered and paged, and its counts.

Every number comes from the completion rule's batch form; this module only selects, filters,
pages and adds up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from lms.auth.models import User
from lms.auth.people_search import name_or_email_contains
from lms.extensions import db
from lms.progress.completion import ParticipantCompletion, completion_for_edition
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, OrganisationType
from lms.progress.plan import EditionPlan, edition_plan

PER_PAGE = 100
COMPLETION_STATUSES = ("complete", "in_progress", "at_risk")
ENROLMENT_STATUSES = tuple(s.value for s in EnrolmentStatus)


@dataclass
class BoardFilter:
    status: str = ""  # a completion status or an enrolment status
    organisation_type: str = ""
    country: str = ""
    search: str = ""


@dataclass
class BoardRow:
    enrolment_id: int
    enrolment_status: EnrolmentStatus
    organisation_type: OrganisationType | None
    gender: str | None
    user_id: int
    full_name: str
    full_name_ar: str | None
    email: str
    organisation: str | None
    country: str | None
    completion: ParticipantCompletion | None = None


@dataclass
class BoardPage:
    plan: EditionPlan
    rows: list[BoardRow]
    total: int
    page: int
    pages: int
    countries: list[str] = field(default_factory=list)


def _query(edition: Edition, f: BoardFilter) -> Any:
    query = (select(Enrolment.id, Enrolment.status, Enrolment.organisation_type,
                    Enrolment.gender, User.id, User.full_name, User.full_name_ar, User.email,
                    User.organisation, User.country)
             .join(User, User.id == Enrolment.user_id)
             .where(Enrolment.edition_id == edition.id))
    if f.status in ENROLMENT_STATUSES:
        query = query.where(Enrolment.status == f.status)
    elif f.status in COMPLETION_STATUSES:
        query = query.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    if f.organisation_type in OrganisationType._value2member_map_:
        query = query.where(Enrolment.organisation_type == f.organisation_type)
    if f.country:
        query = query.where(User.country == f.country)
    if f.search:
        query = query.where(name_or_email_contains(f.search))
    return query.order_by(func.lower(User.full_name), User.id)


def _rows(edition: Edition, f: BoardFilter, limit: int | None = None,
          offset: int = 0) -> list[BoardRow]:
    query = _query(edition, f)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [BoardRow(*row) for row in db.session.execute(query)]


def board_page(edition: Edition, f: BoardFilter, page: int, now: datetime,
               per_page: int = PER_PAGE) -> BoardPage:
    """One page of the board; a fixed number of queries whatever the cohort size."""
    plan = edition_plan(edition)
    if f.status in COMPLETION_STATUSES:
        # The status comes from the rule, so every matching person is computed, then paged.
        rows = _rows(edition, f)
        results = completion_for_edition(edition, now, [r.user_id for r in rows], plan)
        rows = [r for r in rows if results[r.user_id].status == f.status]
        total = len(rows)
        pages = max(1, -(-total // per_page))
        page = min(page, pages)
        shown = rows[(page - 1) * per_page: page * per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(
            _query(edition, f).order_by(None).subquery())) or 0
        pages = max(1, -(-total // per_page))
        page = min(page, pages)
        shown = _rows(edition, f, per_page, (page - 1) * per_page)
        results = completion_for_edition(edition, now, [r.user_id for r in shown], plan)
    for row in shown:
        row.completion = results[row.user_id]
    return BoardPage(plan, shown, total, page, pages, countries(edition))


def countries(edition: Edition) -> list[str]:
    return [c for c in db.session.scalars(
        select(User.country).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.edition_id == edition.id, User.country.is_not(None))
        .distinct().order_by(User.country)) if c]


def all_rows(edition: Edition, now: datetime) -> tuple[EditionPlan, list[BoardRow]]:
    """Every enrolment of the edition with its completion, for exports and reports."""
    plan = edition_plan(edition)
    rows = _rows(edition, BoardFilter())
    results = completion_for_edition(edition, now, None, plan)
    for row in rows:
        row.completion = results.get(row.user_id)
    return plan, rows


@dataclass
class SponsorReport:
    enrolled: int  # who took part in this edition: active and withdrawn, not deferred
    active: int
    withdrawn: int
    deferred: int  # to a later edition, whose report counts them
    by_organisation_type: Counter[str]
    by_country: Counter[str]
    by_gender: Counter[str]
    by_status: Counter[str]
    participants_complete: int
    units_complete_rate: float | None
    attendance_rate: float | None
    unit_rates: list[tuple[str, str, float | None]]  # slug, title, % complete
    day_rates: list[tuple[date, str, float | None]]  # day, unit title, % attended
    score_bins: list[tuple[str, str, list[int]]]  # topic slug, title, counts per bin


SCORE_BINS = ("0–49", "50–69", "70–89", "90–100", "none")


def _bin(percent: float | None) -> int:
    if percent is None:
        return 4
    return 0 if percent < 50 else 1 if percent < 70 else 2 if percent < 90 else 3


def sponsor_report(edition: Edition, now: datetime, language: str) -> SponsorReport:
    """Counts for sponsors' reports and the charts, all from the completion rule."""
    plan, rows = all_rows(edition, now)
    # A person who deferred takes part in the later edition and is counted in its report;
    # counting them here as well would count them twice across editions.
    taking_part = [r for r in rows if r.enrolment_status != EnrolmentStatus.DEFERRED]
    active = [r for r in rows if r.enrolment_status == EnrolmentStatus.ACTIVE]
    results = [r.completion for r in active if r.completion is not None]
    unit_rates = []
    for index, unit in enumerate(plan.units):
        done = sum(1 for c in results if c.units[index].is_complete)
        unit_rates.append((unit.slug, unit.title(language),
                           100.0 * done / len(results) if results else None))
    day_rates = []
    attended_total = held_total = 0
    for index, unit in enumerate(plan.units):
        for day_index, session in enumerate(plan.sessions.get(unit.id, [])):
            if session.ends_at > now:
                continue
            attended = sum(1 for c in results if c.units[index].days[day_index].counts)
            attended_total += attended
            held_total += len(results)
            day_rates.append((session.day, unit.title(language),
                              100.0 * attended / len(results) if results else None))
    score_bins = []
    for index, unit in enumerate(plan.units):
        for topic_index, topic in enumerate(plan.topics.get(unit.id, [])):
            if not topic.has_quiz:
                continue
            counts = [0] * len(SCORE_BINS)
            for c in results:
                quiz = c.units[index].topics[topic_index].quiz
                counts[_bin(quiz.best_percent if quiz else None)] += 1
            score_bins.append((topic.slug, topic.title(language), counts))
    units_done = sum(c.units_complete for c in results)
    units_total = sum(len(c.units) for c in results)
    return SponsorReport(
        enrolled=len(taking_part), active=len(active),
        withdrawn=len(taking_part) - len(active), deferred=len(rows) - len(taking_part),
        by_organisation_type=Counter(r.organisation_type.value if r.organisation_type
                                     else "unknown" for r in taking_part),
        by_country=Counter(r.country or "unknown" for r in taking_part),
        by_gender=Counter(r.gender or "unknown" for r in taking_part),
        by_status=Counter(c.status for c in results),
        participants_complete=sum(1 for c in results if c.is_complete),
        units_complete_rate=100.0 * units_done / units_total if units_total else None,
        attendance_rate=100.0 * attended_total / held_total if held_total else None,
        unit_rates=unit_rates, day_rates=day_rates, score_bins=score_bins)
