"""The Arabic interface: right-to-left pages, mail in the recipient's language, exports, dates
and a stylesheet that mirrors by itself."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select

from lms.auth.models import Role
from lms.courses.authoring.content import read_lesson_file
from lms.courses.package import read_package
from lms.extensions import db
from lms.formatting import local_date, local_datetime, local_time, utc_datetime
from lms.mail.models import OutboxMessage
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import scheduled_edition

STYLESHEET = Path(__file__).parent.parent / "lms/static/style.css"
ARABIC = re.compile(r"[\u0600-\u06ff]")


def arabic(app: Flask, english: str) -> str:
    with app.test_request_context(), force_locale("ar"):
        text = gettext(english)
    assert text != english and ARABIC.search(text), f"no Arabic for {english!r}"
    return text


def heading(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert found, "the page has no h1"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def assert_arabic_page(page: str, expected_heading: str) -> None:
    assert '<html lang="ar" dir="rtl">' in page
    assert heading(page).startswith(expected_heading)


@pytest.mark.parametrize(("path", "english_heading"), [
    ("/glossary", "Glossary"),
    ("/certificates", "My certificate"),
    ("/account/profile", "Your profile"),
])
def test_participant_pages_read_right_to_left(app: Flask, client: FlaskClient, auth: Auth,
                                              loaded: object, path: str,
                                              english_heading: str) -> None:
    """A participant who prefers Arabic gets each page right to left with an Arabic heading."""
    user = factories.make_user(preferred_language="ar")
    factories.enrol(user, factories.make_edition())
    db.session.commit()
    auth.login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert_arabic_page(response.text, arabic(app, english_heading))


def test_admin_board_and_report_read_right_to_left(app: Flask, client: FlaskClient, auth: Auth,
                                                   loaded: object) -> None:
    """The board and the report of an edition are Arabic too, and the charts are mirrored."""
    edition = scheduled_edition()
    factories.enrol(factories.make_user(full_name="Salma Adel"), edition)
    auth.login_as(Role.ADMIN, preferred_language="ar")
    board = client.get(f"/admin/editions/{edition.id}/board").text
    assert_arabic_page(board, arabic(app, "Progress board"))
    assert "<bdi>Salma Adel</bdi>" in board
    report = client.get(f"/admin/editions/{edition.id}/report").text
    assert '<html lang="ar" dir="rtl">' in report
    assert 'direction="rtl"' in report and 'direction="ltr"' not in report
    assert_arabic_page(client.get("/admin/editions").text, arabic(app, "Editions"))


def test_public_pages_follow_the_language_switch(app: Flask, client: FlaskClient) -> None:
    """Without an account, the switch turns the login, verification and error pages Arabic."""
    client.post("/language", data={"language": "ar", "next": "/login"})
    assert_arabic_page(client.get("/login").text, arabic(app, "Log in"))
    assert_arabic_page(client.get("/verify").text, arabic(app, "Verify a certificate"))
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_arabic_page(missing.text, arabic(app, "Page not found"))


def test_email_and_code_fields_stay_left_to_right(client: FlaskClient) -> None:
    """On an Arabic page an email is typed left to right, a name in its own direction."""
    client.post("/language", data={"language": "ar"})
    login = client.get("/login").text
    assert re.search(r'<input[^>]*dir="ltr"[^>]*name="email"|<input[^>]*name="email"[^>]*'
                     r'dir="ltr"', login)
    verify = client.get("/verify").text
    assert re.search(r'<input[^>]*name="code"[^>]*dir="ltr"|<input[^>]*dir="ltr"[^>]*'
                     r'name="code"', verify)


def last_mail(to: str) -> OutboxMessage:
    message = db.session.scalar(select(OutboxMessage).filter_by(recipient=to)
                                .order_by(OutboxMessage.id.desc()))
    assert message is not None
    return message


def test_mail_goes_out_in_the_recipients_language(app: Flask, client: FlaskClient) -> None:
    """A reset asked for from an English page reaches an Arabic reader in Arabic, and the
    other way round."""
    factories.make_user(email="noura@example.org", full_name="Noura Hassan",
                        full_name_ar="نورة حسن", preferred_language="ar")
    factories.make_user(email="john@example.org", full_name="John Clark",
                        preferred_language="en")
    db.session.commit()
    client.post("/password/forgot", data={"email": "noura@example.org"},
                headers={"Accept-Language": "en"})
    to_noura = last_mail("noura@example.org")
    assert to_noura.language == "ar"
    assert to_noura.subject == arabic(app, "Set a new password")
    with app.test_request_context(), force_locale("ar"):
        greeting = gettext("Dear %(name)s,", name="نورة حسن")
    assert greeting in to_noura.body_text
    client.post("/language", data={"language": "ar"})
    client.post("/password/forgot", data={"email": "john@example.org"})
    to_john = last_mail("john@example.org")
    assert to_john.language == "en"
    assert to_john.subject == "Set a new password"
    assert "Dear John Clark," in to_john.body_text


def test_exports_speak_the_exporting_admins_language(app: Flask, client: FlaskClient,
                                                     auth: Auth, loaded: object) -> None:
    """An Arabic-speaking admin's board CSV has Arabic column names and status words; an
    English one's the English."""
    edition = scheduled_edition()
    factories.enrol(factories.make_user(full_name="Karim Fathy"), edition)
    auth.login_as(Role.ADMIN, preferred_language="ar")
    raw = client.get(f"/admin/editions/{edition.id}/board.csv").data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(raw)))[:2]
    assert header[:3] == [arabic(app, "Name"), arabic(app, "Name (Arabic)"),
                          arabic(app, "Email")]
    assert row[0] == "Karim Fathy" and row[7] == arabic(app, "Active")
    register = client.get(f"/admin/editions/{edition.id}/register.csv").data.decode(
        "utf-8-sig")
    assert register.splitlines()[0].startswith(arabic(app, "Name"))
    audit = client.get("/admin/audit/export.csv").get_data(as_text=True)
    assert audit.startswith("\ufeff" + arabic(app, "Time (UTC)") + ",")
    client.post("/language", data={"language": "en"})
    raw = client.get(f"/admin/editions/{edition.id}/board.csv").data.decode("utf-8-sig")
    assert raw.startswith("Name,Name (Arabic),Email,")


def test_dates_and_times_follow_the_language(app: Flask) -> None:
    """Arabic month names and the Arabic AM/PM mark on Arabic pages, Latin digits in both."""
    day = date(2026, 11, 28)
    moment = datetime(2026, 11, 28, 14, 5, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("en"):
            assert local_date(day) == "Nov 28, 2026"
            assert local_date(day, "long") == "November 28, 2026"
            # CLDR puts a narrow no-break space before AM and PM.
            assert local_time(moment).replace("\u202f", " ") == "2:05 PM"
            assert utc_datetime(moment).replace("\u202f", " ") == "Nov 28, 2026, 2:05 PM UTC"
        with force_locale("ar"):
            assert local_date(day) == "28 نوفمبر 2026"
            assert local_time(moment) == "2:05 م"
            assert local_datetime(moment).startswith("28 نوفمبر 2026")
            assert not re.search(r"[\u0660-\u0669]", local_datetime(moment))


def test_session_times_stay_in_the_editions_zone(app: Flask, client: FlaskClient, auth: Auth,
                                                 loaded: object) -> None:
    """An edition's day shows Cairo wall-clock time with an Arabic month, not UTC."""
    edition = scheduled_edition()
    auth.login_as(Role.ADMIN, preferred_language="ar")
    page = client.get(f"/admin/editions/{edition.id}").text
    assert "6 سبتمبر 2026" in page and ">2026-09-06<" not in page
    # The helper schedules days at 09:00 Cairo time, which is 07:00 UTC in September.
    assert "9:00 ص" in page and "7:00 ص" not in page


PHYSICAL = re.compile(
    r"(?<![\w-])(margin|padding|border)-(left|right)\b"
    r"|(?<![\w-])(left|right)\s*:"
    r"|(?<![\w-])(text-align|float|clear)\s*:\s*(left|right)\b")


def test_stylesheet_uses_only_logical_directions() -> None:
    """No left or right in the stylesheet: Arabic pages mirror without a second stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(encoding="utf-8"), flags=re.S)
    found = [m.group(0) for m in PHYSICAL.finditer(css)]
    assert not found, f"use the logical property instead of: {found}"
    assert PHYSICAL.search(".x { margin-left: 1rem }") and PHYSICAL.search("b{right: 0}")
    assert not PHYSICAL.search(".tag--right { margin-inline-start: 1rem }")


def test_glossary_gives_both_languages(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An Arabic reader sees each term and definition in Arabic, with the English beside it
    marked as English so it reads left to right."""
    user = factories.make_user(preferred_language="ar")
    factories.enrol(user, factories.make_edition())
    db.session.commit()
    auth.login(user)
    page = client.get("/glossary").text
    assert "<p>شخص خارج بلده يخشى الاضطهاد فيه.</p>" in page
    assert ('lang="en" dir="ltr">A person outside their country who fears persecution '
            'there.</p>') in page
    assert 'lang="en" dir="ltr">(Refugee)</span>' in page


def test_names_keep_their_direction_inside_arabic_sentences(client: FlaskClient, auth: Auth,
                                                            loaded: object) -> None:
    """A Latin name in an Arabic greeting is isolated (and still escaped), and what is missing
    for the certificate names the units in Arabic."""
    user = factories.make_user(full_name="Salma <b>Adel</b>", preferred_language="ar")
    factories.enrol(user, scheduled_edition())
    db.session.commit()
    auth.login(user)
    home = client.get("/").text
    assert "<bdi>Salma &lt;b&gt;Adel&lt;/b&gt;</bdi>" in home
    certificates = client.get("/certificates").text
    assert "<strong>الوحدة ألف</strong>" in certificates
    assert "الموضوع الأول" in certificates and "First topic" not in certificates


def test_lesson_file_problems_are_reported_in_the_readers_language(app: Flask) -> None:
    """A lesson uploaded with a wrong front-matter field is explained in Arabic to an Arabic
    reader, naming the field as written, and in English to anyone else."""
    data = b"---\nminutes: many\ncolour: blue\n---\nText.\n"
    with app.test_request_context(), force_locale("ar"):
        problems = read_lesson_file(data, "en").problems
    assert sorted(problems) == ["السطر 2: يجب أن يكون 'minutes' عددًا صحيحًا",
                                "السطر 3: المفتاح 'colour' غير معروف في البيانات التمهيدية "
                                "للدرس (المفاتيح المسموح بها: title, slug, minutes, "
                                "objectives, published)"]
    with app.test_request_context(), force_locale("en"):
        assert "Line 2: 'minutes' must be a whole number" in read_lesson_file(
            data, "en").problems


def test_package_check_speaks_the_admins_language(app: Flask, package_copy: Path) -> None:
    """A package with a missing module.yaml is reported in Arabic on an Arabic page and in
    English from the command line, where there is no reader."""
    next(package_copy.glob("modules/*/module.yaml")).unlink()
    with app.test_request_context(), force_locale("ar"):
        _spec, report = read_package(package_copy)
    assert "الملف module.yaml غير موجود" in [p.message for p in report.problems]
    with app.app_context():
        _spec, report = read_package(package_copy)
    assert "module.yaml is missing" in [p.message for p in report.problems]
