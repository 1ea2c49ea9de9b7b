"""Cross-site request forgery: every change needs the form's token, GET never changes
anything, and the token never travels in an address."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from unittest import mock

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.access import ACCESS
from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth
from tests.test_access import endpoint_urls

pytestmark = pytest.mark.usefixtures("loaded")


class _Forms(HTMLParser):
    """Collects each form's method and the names of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append(((values.get("method") or "get").lower(), []))
            self._open = True
        elif tag in ("input", "button", "select", "textarea") and self._open:
            self.forms[-1][1].append(values.get("name") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}


def _logged_in(app: Flask, role: Role):  # type: ignore[no-untyped-def]
    client = app.test_client()
    user = factories.make_user(role=role)
    if role == Role.PARTICIPANT:
        factories.enrol(user, factories.make_edition())
    db.session.commit()
    assert Auth(client).login(user).status_code == 302
    return client


def test_asvs_4_2_2_every_post_needs_the_csrf_token(app: Flask) -> None:
    """With protection on, a POST to any endpoint without the token or with a wrong one is
    refused with 400 before the view runs, and nothing is written (13.2.3 included: there is
    no route that skips the check)."""
    client = _logged_in(app, Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    before = _row_counts()
    posts = [(e, p) for e, m, p in endpoint_urls(app) if m in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(posts) > 40
    for endpoint, path in posts:
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(path, data=data)
            response.close()
            assert response.status_code == 400, (endpoint, response.status_code)
    assert client.get("/").status_code == 200, "logout without a token left the session alone"
    after = _row_counts()
    assert {k: v for k, v in after.items() if k != "audit_events"} == \
        {k: v for k, v in before.items() if k != "audit_events"}


@pytest.mark.parametrize("role", list(Role))
def test_asvs_4_2_2_get_changes_nothing_and_token_only_in_post_forms(
        app: Flask, role: Role) -> None:
    """Visiting every page a role may open writes no row, every POST form carries the token,
    and no GET form does (a token in an address leaks through history and logs)."""
    client = _logged_in(app, role)
    app.config["WTF_CSRF_ENABLED"] = True
    before = _row_counts()
    forms_seen = 0
    for endpoint, method, path in endpoint_urls(app):
        if method != "GET" or not ACCESS[endpoint].allows(role):
            continue
        response = client.get(path)
        response.close()
        if response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form_method, names in parser.forms:
            forms_seen += 1
            if form_method == "post":
                assert "csrf_token" in names, (endpoint, names)
            else:
                assert "csrf_token" not in names, (endpoint, names)
    assert forms_seen > 0
    assert _row_counts() == before


def _page_token(client) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/glossary").text)
    assert match is not None
    return match.group(1)


def test_asvs_4_2_2_a_pages_token_works_for_its_own_login_only(app: Flask) -> None:
    """Pages sign the login's token once and give the same signed token on every page; it is
    accepted from that login and refused from another one."""
    first, second = _logged_in(app, Role.PARTICIPANT), _logged_in(app, Role.PARTICIPANT)
    app.config["WTF_CSRF_ENABLED"] = True
    token = _page_token(first)
    # Pages a few seconds apart: a signature made anew would carry another time.
    later = time.time() + 5
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        assert _page_token(first) == token
    assert _page_token(second) != token
    switch = {"language": "ar", "next": "/glossary"}
    assert second.post("/language", data={**switch, "csrf_token": token}).status_code == 400
    assert first.post("/language", data={**switch, "csrf_token": token}).status_code == 302
