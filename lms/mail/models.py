"""Every message the platform writes: kept for admins to read when no mail server is
configured, otherwise recorded with the work that wrote it until the mail server takes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db


class MessageStatus(enum.StrEnum):
    KEPT = "kept"  # no mail server: the outbox is where the message is read
    PENDING = "pending"  # committed, not yet handed to the mail server
    SENDING = "sending"  # being handed over; still so an hour later, the attempt was cut off
    SENT = "sent"  # the mail server took it
    FAILED = "failed"  # the mail server could not be reached or refused it; see ``error``
    # Not sent, and never to be: by the time it could be sent again it was out of date (its
    # link expired, its day passed, the person's address changed); see ``error``.
    WITHDRAWN = "withdrawn"


# Messages the mail server has not taken, for the admins' notice and `flask lms send-mail`.
UNSENT = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.FAILED)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    # Whom the message is about, also when it went to another address (the notice of an
    # address change goes to the old one): anonymisation and the personal-data download
    # find a person's mail by it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    # Emptied once the mail server takes the message: the text may hold a password link,
    # which the platform otherwise keeps only hashed.
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.KEPT, server_default=MessageStatus.KEPT.value, index=True)
    # When the last attempt to hand the message to the mail server began.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(500))  # why the last attempt failed
