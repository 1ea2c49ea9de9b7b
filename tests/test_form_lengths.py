"""Form fields stored in a column of limited length accept text up to the column's length and
refuse one character more with a message, rather than failing in the database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.account_forms import (
    AccountForm,
    AnonymiseForm,
    DirectoryForm,
    EmailChangeForm,
    ProfileForm,
)
from lms.auth.directory_models import DirectoryEntry
from lms.auth.forms import ForgotPasswordForm, InviteForm, LoginForm
from lms.auth.models import Role, User
from lms.db_types import column_length
from lms.extensions import db
from lms.progress.forms import EditionForm, EnrolForm, MakeUpForm, SessionForm
from lms.progress.models import Edition, Enrolment, InPersonSession, MakeUp
from lms.quizzes.forms import OptionRowForm
from lms.quizzes.models import Option
from tests import factories
from tests.conftest import Auth

EMAILS = {"email", "contact_email", "confirm"}
DOMAIN = "@example.org"


def text_of(field: str, length: int) -> str:
    """A valid value of the field with exactly ``length`` characters."""
    if field in EMAILS:
        return "e" * (length - len(DOMAIN)) + DOMAIN
    return "ن" * length


def too_long(length: int) -> str:
    return f"Field cannot be longer than {length} characters."


@pytest.mark.parametrize(("form_class", "field", "column"), [
    (LoginForm, "email", User.email),
    (ForgotPasswordForm, "email", User.email),
    (InviteForm, "email", User.email),
    (InviteForm, "organisation", User.organisation),
    (InviteForm, "country", User.country),
    (ProfileForm, "organisation", User.organisation),
    (ProfileForm, "country", User.country),
    (AccountForm, "email", User.email),
    (EmailChangeForm, "email", User.email),
    (AnonymiseForm, "confirm", User.email),
    (DirectoryForm, "position", DirectoryEntry.position),
    (DirectoryForm, "contact_email", DirectoryEntry.contact_email),
    (EditionForm, "name", Edition.name),
    (EditionForm, "venue", Edition.venue),
    (EditionForm, "timezone", Edition.timezone),
    (SessionForm, "venue", InPersonSession.venue),
    (EnrolForm, "email", User.email),
    (EnrolForm, "organisation", User.organisation),
    (EnrolForm, "country", User.country),
    (EnrolForm, "gender", Enrolment.gender),
    (MakeUpForm, "note", MakeUp.note),
    (OptionRowForm, "key", Option.key),
])
def test_fields_hold_what_their_column_holds(app: Flask, form_class: Any, field: str,
                                             column: Any) -> None:
    """A value as long as the column is accepted; one character more is refused with the
    form's message."""
    length = column_length(column)
    for value, errors in ((text_of(field, length), []),
                          (text_of(field, length + 1), [too_long(length)])):
        with app.test_request_context(method="POST", data={field: value}):
            form = form_class(formdata=request.form)
            form[field].validate(form)
            assert form[field].errors == errors, (field, len(value))


def test_pages_refuse_an_over_long_value_with_a_message(client: FlaskClient, auth: Auth,
                                                        loaded: object) -> None:
    """An edition's name, a participant's gender and one's own organisation one character
    longer than the column come back with the form's message and store nothing; at the
    column's length they are stored."""
    auth.login_as(Role.ADMIN)
    programme = factories.make_edition().programme_id
    edition = factories.make_edition()
    db.session.commit()
    name, gender = column_length(Edition.name), column_length(Enrolment.gender)

    def new_edition(length: int) -> Any:
        return client.post("/admin/editions/new", data={
            "programme": programme, "name": "n" * length, "starts_on": "2026-10-01",
            "ends_on": "2027-03-31", "timezone": "Africa/Cairo"})

    def enrol(length: int, email: str) -> Any:
        return client.post(f"/admin/editions/{edition.id}/enrol", data={
            "full_name": "Laila Nabil", "email": email, "gender": "g" * length,
            "organisation_type": "ngo", "language": "en"})

    refused = new_edition(name + 1)
    assert refused.status_code == 400 and too_long(name) in refused.text
    assert new_edition(name).status_code == 302
    assert db.session.scalar(select(Edition).filter_by(name="n" * name)) is not None
    refused = enrol(gender + 1, "over@example.org")
    assert refused.status_code == 400 and too_long(gender) in refused.text
    assert db.session.scalar(select(User).filter_by(email="over@example.org")) is None
    assert enrol(gender, "fits@example.org").status_code == 302
    assert db.session.scalar(select(Enrolment.gender).join(User, User.id == Enrolment.user_id)
                             .filter(User.email == "fits@example.org")) == "g" * gender

    organisation = column_length(User.organisation)
    participant = factories.make_user()
    db.session.commit()
    auth.logout()
    auth.login(participant)

    def profile(length: int) -> Any:
        return client.post("/account/profile", data={
            "full_name": participant.full_name, "organisation": "o" * length, "language": "en"})

    refused = profile(organisation + 1)
    assert refused.status_code == 400 and too_long(organisation) in refused.text
    assert profile(organisation).status_code == 302
    db.session.refresh(participant)
    assert participant.organisation == "o" * organisation
