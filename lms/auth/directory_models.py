"""The cohort directory: an entry exists only while its participant chooses to be listed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db


class DirectoryEntry(db.Model):  # type: ignore[name-defined,misc]
    """What a participant shows the people of their edition and the alumni.

    The name and organisation come from the account; withdrawing deletes the row, so nothing
    of the listing stays behind.
    """

    __tablename__ = "directory_entries"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    position: Mapped[str] = mapped_column(String(200), default="")
    areas_of_work: Mapped[str] = mapped_column(Text, default="")
    show_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
