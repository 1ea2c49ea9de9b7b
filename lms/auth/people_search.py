"""Finding people by a piece of their name (either script) or email address, as typed.

Shared by the list of accounts and the edition's board. What is typed is matched as text:
``%`` and ``_`` are not wildcards, so "a_b" does not find "axb".
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement

from lms.auth.models import User


def name_or_email_contains(text: str) -> ColumnElement[bool]:
    folded = text.lower()
    return or_(func.lower(User.full_name).contains(folded, autoescape=True),
               User.email.contains(folded, autoescape=True),
               User.full_name_ar.contains(text, autoescape=True))
