"""The cohort directory: opt-in, seen by the edition and alumni, withdrawable at any time."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import Role, User
from lms.courses.models import Unit
from lms.extensions import db
from lms.progress.models import Enrolment, EnrolmentStatus, UnitInstructor
from tests import factories
from tests.conftest import Auth


def participant(app: Flask, edition: object, **fields: object) -> tuple[User, FlaskClient]:
    user = factories.make_user(**fields)
    factories.enrol(user, edition)  # type: ignore[arg-type]
    db.session.commit()
    client = app.test_client()
    Auth(client).login(user)
    return user, client


def join(client: FlaskClient, **fields: str) -> object:
    data = {"position": "Director of Migration Affairs", "areas_of_work": "labour migration"}
    data.update(fields)
    return client.post("/directory/me", data=data)


def test_two_who_opted_in_find_each_other_and_one_who_did_not_is_absent(
        app: Flask, loaded: object) -> None:
    """Listed participants of one edition see each other; the unlisted one is nowhere."""
    edition = factories.make_edition()
    salma, salma_client = participant(app, edition, full_name="Salma Farouk",
                                      organisation="Ministry of Social Solidarity")
    omar, omar_client = participant(app, edition, full_name="Omar Khaled",
                                    organisation="Ministry of Manpower")
    nour, nour_client = participant(app, edition, full_name="Nour Ibrahim")
    assert join(salma_client, show_contact="y").status_code == 302
    assert join(omar_client, position="Legal adviser").status_code == 302
    for client in (salma_client, omar_client, nour_client):
        page = client.get("/directory").text
        assert "Salma Farouk" in page and "Omar Khaled" in page
        assert "Nour Ibrahim" not in page
        assert "Ministry of Manpower" in page and "Legal adviser" in page
        assert f"mailto:{salma.email}" in page and f"mailto:{omar.email}" not in page
    assert f"Your edition: <bdi>{edition.name}</bdi>" in nour_client.get("/directory").text
    assert nour.id not in set(db.session.scalars(select(DirectoryEntry.user_id)))


def test_alumni_are_visible_and_other_current_editions_are_not(app: Flask,
                                                               loaded: object) -> None:
    """A participant sees alumni of earlier editions but not another current edition."""
    old = factories.make_edition(name="Second edition", starts_on=date(2017, 10, 1),
                                 ends_on=date(2018, 3, 31))
    parallel = factories.make_edition(name="Regional pilot")
    mine = factories.make_edition(name="Fourth edition")
    _alumna, alumna_client = participant(app, old, full_name="Alumna Listed")
    _p, parallel_client = participant(app, parallel, full_name="Parallel Listed")
    _me, my_client = participant(app, mine, full_name="Me")
    join(alumna_client)
    join(parallel_client)
    page = my_client.get("/directory").text
    assert "Alumni of <bdi>Second edition</bdi>" in page and "Alumna Listed" in page
    assert "Parallel Listed" not in page
    staff = app.test_client()
    Auth(staff).login_as(Role.ADMIN)
    staff_page = staff.get("/directory").text
    assert "Alumna Listed" in staff_page and "Parallel Listed" in staff_page
    # A running edition is not headed as alumni for those who see it from outside.
    assert "Current edition: <bdi>Regional pilot</bdi>" in staff_page
    assert "Alumni of <bdi>Regional pilot</bdi>" not in staff_page


def test_instructors_see_the_editions_they_teach_and_alumni(app: Flask,
                                                            loaded: object) -> None:
    """An instructor sees the listings (and contact addresses) of the editions they teach and
    the alumni, not those of a running edition they do not teach."""
    old = factories.make_edition(name="Second edition", starts_on=date(2017, 10, 1),
                                 ends_on=date(2018, 3, 31))
    taught = factories.make_edition(name="Fourth edition")
    other = factories.make_edition(name="Regional pilot")
    for edition, name in ((old, "Alumna Listed"), (taught, "Taught Listed"),
                          (other, "Other Listed")):
        _user, client = participant(app, edition, full_name=name)
        join(client, show_contact="y", contact_email=f"{name.split()[0].lower()}@example.org")
    instructor = factories.make_user(role=Role.INSTRUCTOR)
    unit = db.session.scalar(select(Unit).where(Unit.programme_id == taught.programme_id))
    assert unit is not None
    db.session.add(UnitInstructor(edition_id=taught.id, unit_id=unit.id, user_id=instructor.id))
    db.session.commit()
    client = app.test_client()
    Auth(client).login(instructor)
    page = client.get("/directory").text
    assert "Taught Listed" in page and "taught@example.org" in page
    assert "Alumna Listed" in page
    assert "Other Listed" not in page and "other@example.org" not in page
    nobody = app.test_client()
    Auth(nobody).login_as(Role.INSTRUCTOR)
    assert "Taught Listed" not in nobody.get("/directory").text


def test_a_withdrawn_participant_leaves_the_running_cohort(app: Flask, loaded: object) -> None:
    """Withdrawn from a running edition, a participant no longer sees its listings and is no
    longer listed to it."""
    edition = factories.make_edition(name="Fourth edition")
    _salma, salma_client = participant(app, edition, full_name="Salma Farouk")
    join(salma_client, show_contact="y", contact_email="salma.private@example.org")
    gone, gone_client = participant(app, edition, full_name="Withdrawn Person")
    join(gone_client)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=gone.id))
    assert enrolment is not None
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    page = gone_client.get("/directory").text
    assert "salma.private@example.org" not in page and "Salma Farouk" not in page
    assert "Withdrawn Person" not in salma_client.get("/directory").text


def test_listing_is_editable_and_withdrawable(app: Flask, loaded: object) -> None:
    """Changing the listing updates it; leaving deletes it entirely."""
    edition = factories.make_edition()
    me, client = participant(app, edition, full_name="Changing Person")
    join(client)
    join(client, position="New position")
    entry = db.session.get(DirectoryEntry, me.id)
    assert entry is not None and entry.position == "New position"
    assert client.post("/directory/me/withdraw").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == 0
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-3:] == ["directory.opt_in", "directory.update", "directory.withdraw"]
    assert "Changing Person" not in client.get("/directory").text.split("</nav>", 1)[1]


def test_deactivated_people_leave_the_directory(app: Flask, loaded: object) -> None:
    """A deactivated participant's listing is no longer shown."""
    edition = factories.make_edition()
    gone, gone_client = participant(app, edition, full_name="Gone Person")
    _me, client = participant(app, edition)
    join(gone_client)
    gone.is_active_account = False
    db.session.commit()
    assert "Gone Person" not in client.get("/directory").text


def test_staff_cannot_list_themselves_and_anonymous_sees_nothing(app: Flask,
                                                                 loaded: object) -> None:
    """The directory lists participants only; only logged-in people see it."""
    staff = app.test_client()
    Auth(staff).login_as(Role.INSTRUCTOR)
    assert staff.post("/directory/me", data={"position": "x"}).status_code == 403
    assert app.test_client().get("/directory").status_code == 302


def test_bad_contact_address_is_refused(app: Flask, loaded: object) -> None:
    """A contact address that is not an email is a form error and nothing is saved."""
    _me, client = participant(app, factories.make_edition())
    response = join(client, contact_email="not an address")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == 0


def test_directory_query_count_is_flat(app: Flask, loaded: object,
                                       count_queries) -> None:  # type: ignore[no-untyped-def]
    """The directory costs the same number of statements for two or twelve listed people."""
    edition = factories.make_edition()
    edition_id = edition.id
    _me, client = participant(app, edition)

    def add(n: int) -> None:
        for _ in range(n):
            user = factories.make_user()
            db.session.add(Enrolment(user_id=user.id, edition_id=edition_id))
            db.session.add(DirectoryEntry(user_id=user.id, position="p"))
        db.session.commit()

    def measure() -> int:
        db.session.expunge_all()
        with count_queries() as counter:
            assert client.get("/directory").status_code == 200
        return counter.count

    add(2)
    small = measure()
    add(10)
    assert measure() == small
