"""Enrolling participants one by one and from a CSV roster, and changes to enrolments."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.db_types import column_length
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Enrolment, EnrolmentStatus, OrganisationType
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import participant, scheduled_edition

ROSTER = ("name,name_ar,email,organisation,organisation_type,country,gender\n"
          "Hana Mostafa,هناء مصطفى,hana@example.org,Ministry of Foreign Affairs,government,"
          "Egypt,female\n"
          "Youssef Samir,يوسف سمير,Existing@Example.org,Caritas,ngo,Egypt,\n")


def upload(client: FlaskClient, edition_id: int, text: str, bom: bool = False):  # type: ignore[no-untyped-def]
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    return client.post(f"/admin/editions/{edition_id}/roster",
                       data={"file": (io.BytesIO(data), "roster.csv")},
                       content_type="multipart/form-data")


def enrolled(edition_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment)
                             .filter_by(edition_id=edition_id)) or 0


def test_roster_preview_then_import(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A roster with a BOM previews, then enrols everyone; existing accounts are reused."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    existing = factories.make_user(email="existing@example.org")
    db.session.commit()
    preview = upload(client, edition.id, ROSTER, bom=True)
    assert preview.status_code == 200
    assert "New account, invited" in preview.text and "Existing account" in preview.text
    assert enrolled(edition.id) == 0
    text = ROSTER.replace("\n", "\r\n")
    response = client.post(f"/admin/editions/{edition.id}/roster",
                           data={"text": text, "confirm": "1"})
    assert response.status_code == 302
    assert enrolled(edition.id) == 2
    assert db.session.scalar(select(func.count()).select_from(User).filter_by(
        email="existing@example.org")) == 1
    hana = db.session.scalar(select(User).filter_by(email="hana@example.org"))
    assert hana is not None and hana.full_name_ar == "هناء مصطفى"
    assert db.session.scalar(select(Enrolment.organisation_type).filter_by(
        user_id=hana.id)) == OrganisationType.GOVERNMENT
    mail = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert mail == ["hana@example.org"]
    assert existing.id in db.session.scalars(select(Enrolment.user_id)).all()


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(client: FlaskClient,
                                                              auth: Auth,
                                                              loaded: object) -> None:
    """Every bad row is listed with its line number; confirming a bad file imports nothing."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    staff = factories.make_user(role=Role.INSTRUCTOR, email="staff@example.org")
    db.session.commit()
    text = ROSTER + ("Bad Email,,not-an-email,,government,,\n"
                     ",,nameless@example.org,,ngo,,\n"
                     "Twice,,hana@example.org,,ministry,,\n"
                     f"Staff,,{staff.email},,,,\n")
    response = upload(client, edition.id, text)
    assert response.status_code == 400
    page = response.text
    assert "Line 4: &#39;not-an-email&#39; is not an email address" in page
    assert "Line 5: the name is missing" in page
    assert "Line 6: the email hana@example.org is also on line 2" in page
    assert "Line 6: the organisation type must be government, ngo or other" in page
    assert "Line 7: staff@example.org belongs to a staff account" in page
    assert "Import" not in page.split("problems: nothing will be imported")[1].split(
        "<footer")[0].replace("imported", "")
    client.post(f"/admin/editions/{edition.id}/roster", data={"text": text, "confirm": "1"})
    assert enrolled(edition.id) == 0
    assert db.session.scalar(select(User).filter_by(email="hana@example.org")) is None


def test_a_deactivated_account_is_not_enrolled_unseen(client: FlaskClient, auth: Auth,
                                                      loaded: object) -> None:
    """A roster line or a single enrolment naming a deactivated account is refused with the
    way out: enrolled, the person could not log in and nothing would tell the admin."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    factories.make_user(email="closed@example.org", is_active_account=False)
    db.session.commit()
    text = "name,email\nClosed Account,closed@example.org\n"
    preview = upload(client, edition.id, text)
    assert preview.status_code == 400
    assert "Line 2: closed@example.org belongs to a deactivated account" in preview.text
    client.post(f"/admin/editions/{edition.id}/roster", data={"text": text, "confirm": "1"})
    single = client.post(f"/admin/editions/{edition.id}/enrol", data={
        "full_name": "Closed Account", "email": "closed@example.org",
        "organisation_type": "ngo", "language": "en"})
    assert single.status_code == 400 and "deactivated account" in single.text
    assert enrolled(edition.id) == 0


def test_a_roster_can_say_each_new_persons_language(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    """An optional language column makes a new account Arabic, so its invitation is written
    in Arabic; empty means English, and any other value is refused with its line."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    header = "name,email,language\n"
    bad = upload(client, edition.id, header + "Hana Mostafa,hana@example.org,fr\n")
    assert bad.status_code == 400
    assert "Line 2: the language must be en or ar, not &#39;fr&#39;" in bad.text
    text = header + "Hana Mostafa,hana@example.org,AR\nJohn Clark,john@example.org,\n"
    assert upload(client, edition.id, text).status_code == 200
    client.post(f"/admin/editions/{edition.id}/roster", data={"text": text, "confirm": "1"})
    languages = dict(db.session.execute(select(User.email, User.preferred_language)).all())
    assert languages["hana@example.org"] == "ar" and languages["john@example.org"] == "en"
    invitations = dict(db.session.execute(select(OutboxMessage.recipient,
                                                 OutboxMessage.language)).all())
    assert invitations == {"hana@example.org": "ar", "john@example.org": "en"}


def test_unreadable_files(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A file that is not UTF-8, has no email column, or is empty gets a clear message."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    latin1 = client.post(f"/admin/editions/{edition.id}/roster", data={
        "file": (io.BytesIO("name,email\nJosé,j@example.org\n".encode("latin-1")), "r.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "not UTF-8" in latin1.text
    assert "missing: email" in upload(client, edition.id, "name,mail\nA,b@c.org\n").text
    assert "no rows" in upload(client, edition.id, "name,email\n").text


def test_enrol_one_and_duplicate(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """One participant is enrolled and invited; enrolling them again is refused."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    data = {"full_name": "Laila Nabil", "email": "laila@example.org", "organisation_type": "ngo",
            "language": "ar"}
    assert client.post(f"/admin/editions/{edition.id}/enrol", data=data).status_code == 302
    again = client.post(f"/admin/editions/{edition.id}/enrol", data=data)
    assert again.status_code == 400 and "already enrolled" in again.text
    assert enrolled(edition.id) == 1


def test_withdraw_reactivate_and_defer(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Withdrawal and deferral keep records; deferral enrols in the later edition, and
    either can be undone."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    later = factories.make_edition(name="Fifth", starts_on=edition.starts_on.replace(year=2027),
                                   ends_on=edition.ends_on.replace(year=2028))
    user = participant(edition)
    db.session.commit()
    enrolment = db.session.scalar(select(Enrolment).filter_by(edition_id=edition.id,
                                                              user_id=user.id))
    assert enrolment is not None
    url = f"/admin/editions/enrolments/{enrolment.id}/status"
    page = f"/admin/editions/{edition.id}/participants/{user.id}"

    def offered() -> list[str]:
        return re.findall(r'<option value="(withdraw|reactivate|defer)"', client.get(page).text)

    assert offered() == ["withdraw", "defer"]
    client.post(url, data={"action": "withdraw"})
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert offered() == ["reactivate"]
    client.post(url, data={"action": "reactivate"})
    assert enrolment.status == EnrolmentStatus.ACTIVE
    for target in (str(10**30), str(edition.id)):  # no such edition; not a later one
        refused = client.post(url, data={"action": "defer", "target": target})
        assert refused.status_code == 302 and enrolment.status == EnrolmentStatus.ACTIVE
    client.post(url, data={"action": "defer", "target": later.id})
    assert enrolment.status == EnrolmentStatus.DEFERRED and enrolment.deferred_to_id == later.id
    assert db.session.scalar(select(Enrolment.status).filter_by(
        edition_id=later.id, user_id=user.id)) == EnrolmentStatus.ACTIVE
    # A deferral made by mistake, or the person can come after all: undone, they are back
    # here and out of the later edition.
    assert offered() == ["reactivate"]
    client.post(url, data={"action": "reactivate"})
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment is not None
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.deferred_to_id is None
    assert db.session.scalar(select(Enrolment.status).filter_by(
        edition_id=later.id, user_id=user.id)) == EnrolmentStatus.WITHDRAWN
    assert client.post("/admin/editions/enrolments/999999/status").status_code == 404


@pytest.mark.parametrize(("column", "model_column"), [
    ("email", User.email), ("organisation", User.organisation), ("country", User.country),
    ("gender", Enrolment.gender)])
def test_roster_values_hold_what_their_column_holds(client: FlaskClient, auth: Auth,
                                                     loaded: object, column: str,
                                                     model_column: Any) -> None:
    """A roster value as long as its column previews as a new account; one character more is
    a problem on its line that names the column's length."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    longest = column_length(model_column)

    def value(length: int) -> str:
        if column == "email":
            return "e" * (length - len("@example.org")) + "@example.org"
        return "v" * length

    def preview(length: int) -> str:
        row = {"name": "Hana", "email": "hana@example.org", column: value(length)}
        return upload(client, edition.id, ",".join(row) + "\n" + ",".join(row.values())
                      + "\n").text

    assert (f"Line 2: &#39;{column}&#39; is longer than {longest} characters"
            in preview(longest + 1))
    fits = preview(longest)
    assert "longer than" not in fits and "New account, invited" in fits
