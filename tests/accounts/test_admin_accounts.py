"""Admins run accounts: edit, roles, deactivation, reactivation, module instructors."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import ModuleInstructor, Role, User, UserSession
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.models import Module, Unit
from lms.progress.models import UnitInstructor
from tests import factories
from tests.conftest import Auth


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def test_admin_edits_an_account_and_the_old_address_is_told(
        client: FlaskClient, auth: Auth) -> None:
    """Name, organisation and email change; the previous address gets a notice."""
    auth.login_as(Role.ADMIN)
    person = factories.make_user(email="old@example.org", full_name="Hana Mostafa")
    db.session.commit()
    page = client.get(f"/admin/users/{person.id}/edit")
    assert page.status_code == 200 and 'value="old@example.org"' in page.text
    response = client.post(f"/admin/users/{person.id}/edit", data={
        "full_name": "Hana M. Mostafa", "full_name_ar": "هناء مصطفى", "email": "New@Example.org",
        "organisation": "Ministry of Foreign Affairs", "country": "Egypt", "language": "ar"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.email, person.full_name, person.preferred_language) == (
        "new@example.org", "Hana M. Mostafa", "ar")
    notice = db.session.scalar(select(OutboxMessage).filter_by(template="email_changed"))
    assert notice is not None and notice.recipient == "old@example.org"
    assert "new@example.org" in notice.body_text
    assert events("user.email_change") and events("user.update")


def test_email_already_used_is_refused_and_nothing_changes(client: FlaskClient,
                                                           auth: Auth) -> None:
    """Another account's address is refused; the other fields are not half-saved."""
    auth.login_as(Role.ADMIN)
    factories.make_user(email="taken@example.org")
    person = factories.make_user(full_name="Before")
    db.session.commit()
    response = client.post(f"/admin/users/{person.id}/edit", data={
        "full_name": "After", "email": "taken@example.org", "language": "en"})
    assert response.status_code == 400 and "already uses this address" in response.text
    db.session.refresh(person)
    assert person.full_name == "Before"


def test_role_change_needs_the_admins_password_and_is_audited(client: FlaskClient,
                                                               auth: Auth) -> None:
    """A wrong password changes nothing (and is logged); the right one changes the role."""
    auth.login_as(Role.ADMIN)
    person = factories.make_user()
    db.session.commit()
    client.post(f"/admin/users/{person.id}/role", data={"role": "admin", "current": "wrong"})
    db.session.refresh(person)
    assert person.role == Role.PARTICIPANT
    assert events("user.role_change")[0].outcome == "failure"
    client.post(f"/admin/users/{person.id}/role",
                data={"role": "instructor", "current": factories.PASSWORD})
    db.session.refresh(person)
    assert person.role == Role.INSTRUCTOR
    done = events("user.role_change")[-1]
    assert done.outcome == "success" and done.details == {"old": "participant",
                                                          "new": "instructor"}


def test_admin_cannot_change_own_role_or_deactivate_self(client: FlaskClient,
                                                         auth: Auth) -> None:
    """No admin locks themselves out by a slip."""
    admin = auth.login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/role",
                data={"role": "participant", "current": factories.PASSWORD})
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.is_active_account


def test_deactivated_account_cannot_log_in_and_its_sessions_end(app: Flask, client: FlaskClient,
                                                                auth: Auth) -> None:
    """Deactivation ends the person's open sessions at once and refuses new logins;
    reactivation lets them in again; both are audited."""
    person = factories.make_user()
    db.session.commit()
    theirs = app.test_client()
    Auth(theirs).login(person)
    assert theirs.get("/").status_code == 200
    auth.login_as(Role.ADMIN)
    assert client.post(f"/admin/users/{person.id}/deactivate").status_code == 302
    assert theirs.get("/").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession).filter_by(
        user_id=person.id)) == 0
    refused = Auth(app.test_client()).login(person)
    assert refused.status_code == 401
    client.post(f"/admin/users/{person.id}/reactivate")
    assert Auth(app.test_client()).login(person).status_code == 302
    assert events("user.deactivate") and events("user.reactivate")


def test_module_instructors_are_assigned_and_lose_rights_with_their_role(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """An admin picks an instructor's modules; demotion removes the rights, and the units
    they taught in an edition, so the edition no longer lists them."""
    auth.login_as(Role.ADMIN)
    teacher = factories.make_user(role=Role.INSTRUCTOR, full_name="Omar Former")
    edition = factories.make_edition()
    unit_id = db.session.scalar(select(Unit.id).filter_by(programme_id=edition.programme_id))
    db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit_id, user_id=teacher.id))
    db.session.commit()
    assert "Omar Former" in client.get(f"/admin/editions/{edition.id}").text
    alpha = db.session.scalar(select(Module.id).filter_by(slug="alpha"))
    response = client.post(f"/admin/users/{teacher.id}/modules", data={"module": [str(alpha)]})
    assert response.status_code == 302
    assert db.session.get(ModuleInstructor, (alpha, teacher.id)) is not None
    assert events("user.modules")[0].details["added"] == str(alpha)
    page = client.get(f"/admin/users/{teacher.id}").text
    assert f'name="module" value="{alpha}" checked' in page
    client.post(f"/admin/users/{teacher.id}/modules", data={"module": ["999999"]})
    assert db.session.get(ModuleInstructor, (alpha, teacher.id)) is not None
    for bad in ("\u00b9", "9" * 5000):
        response = client.post(f"/admin/users/{teacher.id}/modules",
                               data={"module": [str(alpha), bad]})
        assert response.status_code == 302
        assert db.session.get(ModuleInstructor, (alpha, teacher.id)) is not None
    client.post(f"/admin/users/{teacher.id}/role",
                data={"role": "participant", "current": factories.PASSWORD})
    assert db.session.get(ModuleInstructor, (alpha, teacher.id)) is None
    assert db.session.get(UnitInstructor, (edition.id, unit_id, teacher.id)) is None
    assert "Omar Former" not in client.get(f"/admin/editions/{edition.id}").text


def test_resend_invitation_from_the_account_page(client: FlaskClient, auth: Auth) -> None:
    """The account page offers a fresh invitation, which the platform mails."""
    auth.login_as(Role.ADMIN)
    person = factories.make_user(email="invitee@example.org")
    db.session.commit()
    assert "Send a new invitation" in client.get(f"/admin/users/{person.id}").text
    client.post(f"/admin/users/{person.id}/invitation")
    assert db.session.scalar(select(OutboxMessage).filter_by(
        recipient="invitee@example.org", template="invitation")) is not None


def test_only_admins_run_accounts(app: Flask, loaded: object) -> None:
    """Participants and instructors get 403 from every account action, by direct POST too."""
    person = factories.make_user()
    db.session.commit()
    for role in (Role.PARTICIPANT, Role.INSTRUCTOR):
        client = app.test_client()
        Auth(client).login_as(role)
        for path in ("", "/edit", "/anonymise"):
            assert client.get(f"/admin/users/{person.id}{path}").status_code == 403
        for path in ("/edit", "/role", "/deactivate", "/reactivate", "/modules", "/anonymise"):
            assert client.post(f"/admin/users/{person.id}{path}",
                               data={"role": "admin"}).status_code == 403
    db.session.refresh(person)
    assert person.role == Role.PARTICIPANT and person.is_active_account


def test_extra_fields_are_ignored(client: FlaskClient, auth: Auth) -> None:
    """Sending role or is_active_account in the edit form changes neither."""
    auth.login_as(Role.ADMIN)
    person = factories.make_user()
    db.session.commit()
    client.post(f"/admin/users/{person.id}/edit", data={
        "full_name": "X", "email": person.email, "language": "en", "role": "admin",
        "is_active_account": "false"})
    db.session.refresh(person)
    assert person.role == Role.PARTICIPANT and person.is_active_account


def test_unknown_account_is_404(client: FlaskClient, auth: Auth) -> None:
    """Actions on an account that does not exist answer 404."""
    auth.login_as(Role.ADMIN)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_account_page_query_count_is_flat(client: FlaskClient, auth: Auth, loaded: object,
                                          count_queries) -> None:  # type: ignore[no-untyped-def]
    """The account page costs the same with one edition or many."""
    auth.login_as(Role.ADMIN)
    person = factories.make_user()
    factories.enrol(person, factories.make_edition())
    db.session.commit()
    person_id = person.id

    def count() -> int:
        db.session.expunge_all()
        with count_queries() as counter:
            assert client.get(f"/admin/users/{person_id}").status_code == 200
        return counter.count

    small = count()
    for _ in range(5):
        user = db.session.get(User, person_id)
        assert user is not None
        factories.enrol(user, factories.make_edition())
    db.session.commit()
    assert count() == small


def test_people_are_found_by_name_or_email_as_typed(client: FlaskClient, auth: Auth) -> None:
    """A piece of the name (any case, either script) or the address finds the person; % and _
    are matched as themselves, not as wildcards."""
    auth.login_as(Role.ADMIN)
    factories.make_user(full_name="Rania Adel", full_name_ar="رانيا عادل",
                        email="rania_adel@example.org")
    factories.make_user(full_name="Ranya Xadel", email="ranyaxadel@example.org")
    db.session.commit()

    def found(search: str) -> set[str]:
        page = client.get("/admin/users", query_string={"q": search}).text
        return {name for name in ("Rania Adel", "Ranya Xadel") if name in page}

    assert found("rania") == {"Rania Adel"}
    assert found("عادل") == {"Rania Adel"}
    assert found("a_adel") == {"Rania Adel"}
    assert found("ran%adel") == set()


def test_names_with_accented_capitals_are_found_as_typed(client: FlaskClient,
                                                         auth: Auth) -> None:
    """"Émile" finds "Émile Zola", and so do "émile" and "ÉMILE", on SQLite as on
    PostgreSQL, whose lower() folds every script."""
    auth.login_as(Role.ADMIN)
    factories.make_user(full_name="Émile Zola", email="ez@example.org")
    db.session.commit()
    for search in ("Émile", "émile", "ÉMILE"):
        assert "ez@example.org" in client.get("/admin/users",
                                              query_string={"q": search}).text, search
