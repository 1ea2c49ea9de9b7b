"""Issued certificates: immutable snapshots with their PDF, at most one valid per person and
edition."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Certificate(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "certificates"
    __table_args__ = (
        # A double click on "claim" or two admins issuing at once cannot make two valid ones.
        Index("uq_certificates_one_valid", "user_id", "edition_id", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(21), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    status: Mapped[CertificateStatus] = mapped_column(
        Enum(CertificateStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=CertificateStatus.VALID)
    issue_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    exception_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # What the certificate says, frozen at issue: later profile or package edits change nothing.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf_name: Mapped[str] = mapped_column(String(100))
