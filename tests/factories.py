"""Builders for test data, with defaults and unique values."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.courses.models import Programme
from lms.extensions import db
from lms.progress.models import Edition, Enrolment

PASSWORD = "a long enough test password"
_sequence = itertools.count(1)


def make_user(role: Role = Role.PARTICIPANT, **fields: Any) -> User:
    n = next(_sequence)
    fields.setdefault("email", f"user{n}@example.org")
    fields.setdefault("full_name", f"Test User {n}")
    password = fields.pop("password", PASSWORD)
    user = User(role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_edition(programme_slug: str = "local", **fields: Any) -> Edition:
    programme = db.session.scalar(select(Programme).filter_by(slug=programme_slug))
    assert programme is not None, "load a package first"
    n = next(_sequence)
    fields.setdefault("name", f"Edition {n}")
    fields.setdefault("starts_on", date(2026, 10, 1))
    fields.setdefault("ends_on", date(2027, 3, 31))
    edition = Edition(programme_id=programme.id, **fields)
    db.session.add(edition)
    db.session.flush()
    return edition


def enrol(user: User, edition: Edition, **fields: Any) -> Enrolment:
    enrolment = Enrolment(user_id=user.id, edition_id=edition.id, **fields)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment
