"""``/.well-known/security.txt`` (RFC 9116): where to report a vulnerability privately."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from flask import Blueprint, current_app
from werkzeug.wrappers import Response

from lms.db_types import utcnow
from lms.urls import public_url

bp = Blueprint("security", __name__)

# The file is generated on each request from live settings, so a short horizon never lapses
# while still telling readers not to trust a copy that has been lying around for long.
VALID_FOR = timedelta(days=180)


def security_contact(config: Mapping[str, Any]) -> str:
    """The Contact URI: SECURITY_CONTACT as given, else the address mail is sent from."""
    contact = str(config.get("SECURITY_CONTACT") or "").strip()
    if not contact:
        contact = parseaddr(str(config.get("MAIL_FROM") or ""))[1]
    if "@" in contact and ":" not in contact:
        contact = "mailto:" + contact
    return contact


def security_txt_lines(config: Mapping[str, Any], canonical: str) -> list[str]:
    """The fields of the file, in the order RFC 9116 lists them."""
    expires = (utcnow() + VALID_FOR).replace(microsecond=0)
    lines = [f"Contact: {security_contact(config)}",
             "Expires: " + expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "Preferred-Languages: en, ar",
             f"Canonical: {canonical}"]
    policy = str(config.get("SECURITY_POLICY_URL") or "").strip()
    if policy:
        lines.append(f"Policy: {policy}")
    return lines


@bp.get("/.well-known/security.txt")
def security_txt() -> Response:
    """The contact for reporting vulnerabilities, as plain text for anyone."""
    canonical = public_url("security.security_txt")
    body = "\n".join(security_txt_lines(current_app.config, canonical)) + "\n"
    return Response(body, mimetype="text/plain")
