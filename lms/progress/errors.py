"""Domain errors of the progress feature; views turn them into messages."""

from __future__ import annotations

from lms.progress.models import Edition


class ProgressError(ValueError):
    """An action on editions, enrolments or attendance cannot be done as asked."""


class EditionArchived(ProgressError):
    """The edition is closed and archived: its records are read-only."""


def ensure_open(edition: Edition) -> None:
    """:raises EditionArchived: when the edition is archived."""
    if edition.is_archived:
        raise EditionArchived(edition.name)
