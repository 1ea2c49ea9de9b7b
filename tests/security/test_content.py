"""What people type is shown as text: lessons through the sanitiser, names escaped on every
page that lists people."""

from __future__ import annotations

import re

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from lms.auth.models import Role
from lms.certificates import services as certificates
from lms.courses.models import Unit
from lms.extensions import db
from lms.progress.models import Edition, InPersonSession
from tests import factories
from tests.authoring.conftest import make_instructor, save, topic
from tests.conftest import Auth
from tests.security.helpers import certificate_for
from tests.test_markdown import ATTACKS

pytestmark = pytest.mark.usefixtures("loaded")

HOSTILE_NAME = "<b>x</b>\"'"
ESCAPED_NAME = "&lt;b&gt;x&lt;/b&gt;&#34;&#39;"


def _lesson_body(page: str) -> str:
    found = re.search(r'<div class="lesson__body">(.*?)</article>', page, re.DOTALL)
    assert found, "the lesson body is on the page"
    return found.group(1)


def _assert_inert(html: str, whole_page: bool = False) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", lowered)
    assert not re.search(r"(href|src|action|xlink:href)\s*=\s*[\"']?\s*(javascript|vbscript|data):",
                         lowered)
    if whole_page:
        return  # the layout has its own forms, such as the language switch
    for tag in ("<iframe", "<style", "<form", "<svg", "<math", "<object", "<embed"):
        assert tag not in lowered, tag


def test_asvs_5_2_1_stored_markdown_attacks_never_reach_participants(app: Flask) -> None:
    """Each attack of the sanitiser's corpus, published by an instructor, is either refused
    or reaches a participant's lesson page inert; external links get noopener nofollow."""
    instructor = make_instructor("alpha")
    author = app.test_client()
    assert Auth(author).login(instructor).status_code == 302
    participant = factories.make_user()
    factories.enrol(participant, factories.make_edition())
    db.session.commit()
    reader = app.test_client()
    Auth(reader).login(participant)
    published = 0
    for number, attack in enumerate(ATTACKS):
        marker = f"Marker {number} [UNHCR](https://www.unhcr.org)"
        body = f"## Key concepts and definitions\n\n{marker}\n\n{attack}\n\nEnd.\n"
        response = save(author, topic("first").id, action="publish", body=body)
        page = reader.get("/topics/first").text
        if response.status_code == 302:
            published += 1
            assert f"Marker {number}" in page, attack
            link = re.search(r'<a href="https://www\.unhcr\.org"[^>]*>', page)
            assert link and "noopener" in link.group(0) and "nofollow" in link.group(0)
        else:
            assert response.status_code == 400, attack
            assert f"Marker {number}" not in page
        _assert_inert(page, whole_page=True)
        _assert_inert(_lesson_body(page))
    assert published >= len(ATTACKS) // 2


def test_asvs_5_3_3_names_are_escaped_wherever_people_are_listed(app: Flask) -> None:
    """A display name full of markup and quotes shows as text on the roster, the board, the
    account pages, the certificate pages and the public verification page."""
    person = factories.make_user(full_name=HOSTILE_NAME, full_name_ar=HOSTILE_NAME)
    code = certificate_for(person.id)
    certificate = certificates.find_by_code(code)
    assert certificate is not None
    edition_id = certificate.edition_id
    edition = db.session.get(Edition, edition_id)
    assert edition is not None
    unit = db.session.scalar(select(Unit).filter_by(programme_id=edition.programme_id)
                             .order_by(Unit.position))
    assert unit is not None
    first_day = db.session.scalar(select(InPersonSession.id).filter_by(
        edition_id=edition_id, unit_id=unit.id).order_by(InPersonSession.day))
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    with app.test_request_context():
        pages = [url_for("certificates.verify_code", code=code),
                 url_for("certificate_admin.detail", certificate_id=certificate.id),
                 url_for("certificate_admin.edition", edition_id=edition_id),
                 url_for("board.board", edition_id=edition_id),
                 url_for("board.participant", edition_id=edition_id, user_id=person.id),
                 url_for("admin_users.list_users"),
                 url_for("admin_accounts.show_user", user_id=person.id),
                 url_for("teaching.unit", edition_id=edition_id, unit_id=unit.id),
                 url_for("teaching.roster", session_id=first_day)]
    client = app.test_client()
    public = client.get(pages[0])
    Auth(client).login(admin)
    for path in pages:
        response = public if path == pages[0] else client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        text = response.get_data(as_text=True)
        assert HOSTILE_NAME not in text and "<b>x</b>" not in text, path
        assert ESCAPED_NAME in text or "&lt;b&gt;x&lt;/b&gt;" in text, path

