"""Numbers from addresses, query strings and forms: anything that is not a number in range
reads as no number, so a mistyped or tampered value never reaches the database."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from lms.auth.models import Role
from lms.whole_numbers import MAX_ROW_ID, ascii_digits, whole_number
from tests.conftest import Auth


@pytest.mark.parametrize(("text", "maximum", "number"), [
    ("12", MAX_ROW_ID, 12), (" 7 ", MAX_ROW_ID, 7), ("٤٢", MAX_ROW_ID, 42), ("0", 5, 0),
    ("6", 5, None), ("\u00b2", MAX_ROW_ID, None), ("-1", MAX_ROW_ID, None),
    ("1.5", MAX_ROW_ID, None), ("", MAX_ROW_ID, None), (None, MAX_ROW_ID, None),
    (str(MAX_ROW_ID), MAX_ROW_ID, MAX_ROW_ID), (str(MAX_ROW_ID + 1), MAX_ROW_ID, None),
    ("9" * 5000, MAX_ROW_ID, None),
])
def test_whole_number(text: str | None, maximum: int, number: int | None) -> None:
    assert whole_number(text, maximum) == number


def test_ascii_digits_keeps_digits_of_any_script_only() -> None:
    assert ascii_digits("١٢٣ 456-۷\u00b2x") == "1234567"


def test_ids_beyond_any_row_are_not_found(client: FlaskClient, auth: Auth) -> None:
    """An id too large for the database's integers answers 404, as an unknown id does."""
    auth.login_as(Role.ADMIN)
    for path in ("/attempts/99999999999999999999", f"/admin/users/{MAX_ROW_ID + 1}",
                 "/certificates/99999999999999999999/certificate.pdf"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/admin/users/{MAX_ROW_ID}").status_code == 404


def test_list_pages_take_any_page_number(client: FlaskClient, auth: Auth) -> None:
    """A page number that is huge or not a number shows a page of the list, not an error."""
    auth.login_as(Role.ADMIN)
    for path in ("/admin/outbox", "/admin/audit", "/admin/users"):
        for page in ("9" * 30, "\u00b2", "-3"):
            assert client.get(f"{path}?page={page}").status_code == 200, (path, page)


def test_audit_dates_at_the_end_of_the_calendar(client: FlaskClient, auth: Auth) -> None:
    auth.login_as(Role.ADMIN)
    assert client.get("/admin/audit?until=9999-12-31").status_code == 200
    assert client.get("/admin/audit?since=9999-12-31&until=9999-12-31").status_code == 200
