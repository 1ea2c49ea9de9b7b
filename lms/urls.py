"""Checks on URLs that come from users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def query_values(args: Mapping[str, str]) -> dict[str, str]:
    """A request's query arguments, to pass to ``url_for`` for a link to the same list.

    ``url_for`` takes ``endpoint`` and names starting with "_" as its own options, so a query
    holding one (``?endpoint=x``, ``?_method=POST``) would make building the link fail; those
    are never a page's filters, and are dropped.
    """
    return {key: value for key, value in args.items()
            if key != "endpoint" and not key.startswith("_")}


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under PUBLIC_BASE_URL, for mail and documents; never the request's host.

    Without PUBLIC_BASE_URL (development only; production refuses to start) the quick start's
    address is used.
    """
    base = (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    # Built from the URL map, not the request, so it works in commands too.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path
