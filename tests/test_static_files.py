"""The style sheet's address names its content, so browsers keep it instead of asking again on
every page; any other address of it is checked again each time."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import Role
from lms.static_files import ADDRESSES_KEPT
from tests.conftest import Auth

STYLE = Path(__file__).parent.parent / "lms" / "static" / "style.css"


def style_address(page: str) -> str:
    found = re.search(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert found, "the page links no style sheet"
    return found.group(1)


def test_pages_link_the_style_sheet_by_its_content(client: FlaskClient, auth: Auth) -> None:
    """Logged out or in, a page links the style sheet under its content hash, and that address
    is kept for a year without asking again (also after a conditional request)."""
    digest = hashlib.sha256(STYLE.read_bytes()).hexdigest()[:16]
    addresses = {style_address(client.get("/login").text)}
    auth.login_as(Role.PARTICIPANT)
    addresses.add(style_address(client.get("/account/profile").text))
    assert addresses == {f"/static/style.css?v={digest}"}

    with client.get(f"/static/style.css?v={digest}") as response:
        assert response.status_code == 200 and response.data == STYLE.read_bytes()
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public and response.cache_control.immutable
        assert not response.cache_control.no_cache
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        etag = response.headers["ETag"]
    with client.get(f"/static/style.css?v={digest}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.cache_control.immutable


def test_other_addresses_of_the_style_sheet_are_checked_each_time(app: Flask) -> None:
    """Without the hash, or with one of an earlier release, the file is served as before: the
    browser must ask again, so it never keeps a stale style sheet for a year."""
    client = app.test_client()
    for address in ("/static/style.css", "/static/style.css?v=0123456789abcdef"):
        with client.get(address) as response:
            assert response.status_code == 200
            assert response.cache_control.no_cache and not response.cache_control.max_age
    with client.get("/static/missing.css") as missing:
        assert missing.status_code == 404


def test_the_style_sheet_address_follows_the_prefix_the_platform_is_served_under(
        client: FlaskClient) -> None:
    """The worker remembers the address per prefix: one served under a proxy's prefix links
    the style sheet under that prefix, and one served without it does not."""
    digest = hashlib.sha256(STYLE.read_bytes()).hexdigest()[:16]
    plain = style_address(client.get("/login").text)
    prefixed = style_address(client.get("/login", environ_overrides={
        "SCRIPT_NAME": "/certificate"}).text)
    again = style_address(client.get("/login").text)
    assert plain == again == f"/static/style.css?v={digest}"
    assert prefixed == f"/certificate/static/style.css?v={digest}"


def test_remembered_addresses_stay_few(client: FlaskClient) -> None:
    """However many prefixes pages are served under, the worker keeps a bounded number of
    addresses, and each page still links the style sheet under its own prefix."""
    digest = hashlib.sha256(STYLE.read_bytes()).hexdigest()[:16]
    kept = client.application.jinja_env.globals["static_file"].__closure__
    for number in range(ADDRESSES_KEPT + 5):
        page = client.get("/login", environ_overrides={"SCRIPT_NAME": f"/p{number}"}).text
        assert style_address(page) == f"/p{number}/static/style.css?v={digest}"
    addresses = next(cell.cell_contents for cell in kept
                     if isinstance(cell.cell_contents, dict)
                     and all(isinstance(key, tuple) for key in cell.cell_contents))
    assert 0 < len(addresses) <= ADDRESSES_KEPT
