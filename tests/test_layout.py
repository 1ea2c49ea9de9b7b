"""The page header every page shares: drawn once per language and role, yet each page's own
menu, language, CSRF token and address."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth


def header(page: str) -> str:
    found = re.search(r'<header class="site-header">.*?</header>', page, re.S)
    assert found, "the page has no header"
    return found.group(0)


def menu(page: str) -> list[str]:
    return re.findall(r"<li><a href=\"[^\"]*\">([^<]+)</a></li>", header(page))


def tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_each_role_gets_its_own_menu(app: Flask, auth: Auth) -> None:
    """The admin's menu is drawn first; a participant's page afterwards shows only theirs."""
    admin_client, participant_client = app.test_client(), app.test_client()
    Auth(admin_client).login(factories.make_user(role=Role.ADMIN))
    participant = factories.make_user()
    db.session.commit()
    Auth(participant_client).login(participant)
    admin_menu = menu(admin_client.get("/glossary").text)
    participant_menu = menu(participant_client.get("/glossary").text)
    assert "Audit log" in admin_menu and "People" in admin_menu
    assert participant_menu == ["Home", "Glossary", "Directory", "My certificate", "My account"]
    assert "My certificate" not in admin_menu
    assert menu(admin_client.get("/glossary").text) == admin_menu
    anonymous = app.test_client().get("/login").text
    assert menu(anonymous) == [] and "Log out" not in header(anonymous)


def test_each_page_gets_its_own_token_and_address(app: Flask, client: FlaskClient,
                                                  auth: Auth) -> None:
    """The header's forms carry the browser's own CSRF token (the one the page's other forms
    carry) and return to the page they were sent from."""
    auth.login_as(Role.PARTICIPANT)
    first = client.get("/glossary").text
    other = app.test_client()
    Auth(other).login_as(Role.PARTICIPANT)
    second = other.get("/account/profile?tab=1").text
    assert len(tokens(first)) == 1 and len(tokens(second)) == 1
    assert tokens(first) != tokens(second)
    assert 'name="next" value="/glossary"' in header(first)
    assert 'name="next" value="/account/profile?tab=1"' in header(second)


def test_the_address_is_escaped_in_the_header(client: FlaskClient, auth: Auth) -> None:
    """An address with markup in it comes back escaped, as the rest of the page escapes it."""
    auth.login_as(Role.PARTICIPANT)
    page = client.get('/no-such-page"><b>bold</b>')
    assert page.status_code == 404
    assert "<b>bold</b>" not in page.text
    assert 'value="/no-such-page&#34;&gt;&lt;b&gt;bold&lt;/b&gt;"' in header(page.text)


def test_the_header_follows_the_language(client: FlaskClient, auth: Auth) -> None:
    """Switching to Arabic gives the Arabic header, and back to English the English one."""
    auth.login_as(Role.PARTICIPANT)
    english = header(client.get("/glossary").text)
    client.post("/language", data={"language": "ar", "next": "/glossary"})
    arabic = header(client.get("/glossary").text)
    assert "Glossary" in english and "Glossary" not in arabic
    assert 'value="en"' in arabic and 'value="ar"' in english
    client.post("/language", data={"language": "en", "next": "/glossary"})
    assert header(client.get("/glossary").text) == english


def test_a_form_with_errors_switches_language_back_to_its_page(client: FlaskClient, auth: Auth,
                                                               loaded: object) -> None:
    """A page drawn in answer to a post that only takes posts sends the language switch back
    to the page the form was on (the post's own address would answer 405)."""
    from tests.progress.helpers import scheduled_edition

    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    page = f"/admin/editions/{edition.id}"
    bad_day = {"unit": "1", "day": "2026-10-20", "starts": "15:00", "ends": "10:00",
               "contact_hours": "5"}
    answer = client.post(f"{page}/sessions", data=bad_day,
                         headers={"Referer": f"http://localhost{page}?tab=days"})
    assert answer.status_code == 400
    assert f'name="next" value="{page}?tab=days"' in header(answer.text)
    switched = client.post("/language", data={"language": "ar", "next": f"{page}?tab=days"})
    assert client.get(switched.headers["Location"]).status_code == 200
    elsewhere = client.post(f"{page}/sessions", data=bad_day,
                            headers={"Referer": "http://elsewhere.example/x"})
    assert 'name="next" value="/"' in header(elsewhere.text)
