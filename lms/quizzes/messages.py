"""Translating messages that domain functions produce for people to read.

Quiz files are checked both by commands (no request, so no reader's language) and by pages an
instructor uses; the same check gives English to the first and the reader's language to the
second.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables: Any) -> str:
    """The message in the reader's language while serving a request, in English otherwise."""
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
