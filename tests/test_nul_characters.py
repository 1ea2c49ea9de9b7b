"""A NUL character in a form, an address or an imported file gets a clear 400, and nothing is
stored: PostgreSQL cannot store or compare text holding one, so each would be a server error."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.extensions import db
from lms.progress.models import Attendance
from tests.conftest import Auth
from tests.progress.helpers import participant, scheduled_edition


def test_a_form_field_with_a_nul_is_refused_and_nothing_saved(client: FlaskClient,
                                                              auth: Auth) -> None:
    me = auth.login_as(Role.PARTICIPANT)
    before = me.full_name
    response = client.post("/account/profile", data={"full_name": "Salma\x00 Farouk",
                                                     "language": "en"})
    assert response.status_code == 400
    assert "invisible control character (NUL)" in response.text
    db.session.refresh(me)
    assert me.full_name == before


def test_an_address_parameter_with_a_nul_is_refused(client: FlaskClient, auth: Auth) -> None:
    auth.login_as(Role.ADMIN)
    response = client.get("/admin/users?q=amal%00")
    assert response.status_code == 400
    assert "invisible control character (NUL)" in response.text
    assert client.get("/admin/users?q=amal").status_code == 200


def test_an_address_with_a_nul_in_its_path_is_refused(client: FlaskClient, auth: Auth,
                                                      loaded: object) -> None:
    auth.login_as(Role.PARTICIPANT)
    for path in ("/topics/first%00", "/media/sample/pixel%00.png"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "invisible control character (NUL)" in response.text


def test_an_imported_file_with_a_nul_names_its_line(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    edition = scheduled_edition()
    participant(edition, email="amal@example.org")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    text = ("email,unit,date,status,note\n"
            "amal@example.org,alpha,2026-09-06,present,\n"
            "amal@example.org,alpha,2026-09-07,late,a\x00b\n")
    response = client.post(f"/admin/editions/{edition.id}/attendance-import", data={
        "file": (io.BytesIO(text.encode()), "marks.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Line 3 holds a NUL character" in response.text
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
