"""The password rule: long enough, not absurdly long, and not one of the most common."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024
COMMON_LIST_SIZE = 10_000


@cache
def _common_passwords() -> frozenset[str]:
    # The most frequent passwords of public breach corpora, as shipped with zxcvbn.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_LIST_SIZE])


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why the password cannot be used, or None. Any script and spaces are welcome."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters. A few words together make a good password.",
                 num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    folded = password.casefold()
    if folded in _common_passwords() or folded.strip() in _common_passwords():
        return _("This password is one of the most commonly used. Please choose another.")
    if email and folded == email.casefold():
        return _("Do not use your email address as your password.")
    return None
