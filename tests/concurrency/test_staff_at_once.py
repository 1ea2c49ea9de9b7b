"""Staff doing the same thing at the same moment (quizzes, days, instructors, topics, uploads,
make-ups, quiz imports): one record, and no error page.

Each test releases its requests together against PostgreSQL (SQLite runs one writer at a
time, so it cannot show these races).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.courses.authoring.models import LessonVersion, MediaUpload, VersionStatus
from lms.courses.loader import load_package
from lms.courses.models import CoursePackage, MediaFile, Module, Topic
from lms.extensions import db
from lms.progress.models import (
    InPersonSession,
    MakeUp,
    UnitInstructor,
)
from lms.quizzes.models import Question, Quiz
from lms.quizzes.snapshot import live_questions
from tests import factories
from tests.authoring.conftest import editor_fields, lesson_form
from tests.concurrency.helpers import (
    all_succeeded,
    assert_no_error_page,
    at_once,
    client_of,
    count,
    writes_held,
)
from tests.conftest import FIXTURE_PACKAGE
from tests.courses.test_loader import other_package
from tests.progress.helpers import participant, scheduled_edition, sessions_of, unit
from tests.quizzes.conftest import module_instructor, quiz_of

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("loaded")]

def test_two_instructors_create_one_quiz(app: Flask) -> None:
    """Two instructors press "create quiz" for the same topic at once: one quiz, which both
    are taken to."""
    topic = db.session.scalar(select(Topic).filter_by(slug="third"))
    assert topic is not None
    instructors = [module_instructor("beta") for _ in range(2)]
    clients = [client_of(app, instructor) for instructor in instructors]
    url = "/author/quizzes/topics/third/create"

    with writes_held(Quiz, len(clients)):
        responses = at_once([lambda c=c: c.post(url) for c in clients])

    assert count(Quiz, topic_id=topic.id) == 1
    quiz = db.session.scalar(select(Quiz).filter_by(topic_id=topic.id))
    assert quiz is not None
    all_succeeded(clients, responses, ends_with=f"/author/quizzes/{quiz.id}")
    assert count(AuditEvent, action="quiz.create") == 1


def test_two_admins_schedule_the_same_unit(app: Flask) -> None:
    """Two admins schedule a unit's days with the same form at once: its five days once."""
    edition = factories.make_edition()
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/schedule"
    data = {"unit": unit("alpha").id, "first_day": "2027-01-03", "starts": "09:00",
            "ends": "16:00"}

    with writes_held(InPersonSession, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}")
    assert count(InPersonSession, edition_id=edition.id) == 5
    assert count(AuditEvent, action="edition.schedule") == 1


def test_two_admins_add_the_same_day(app: Flask) -> None:
    """Two admins add the same in-person day by hand at once: one day."""
    edition = factories.make_edition()
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/sessions"
    data = {"unit": unit("alpha").id, "day": "2027-01-03", "starts": "09:00",
            "ends": "16:00", "contact_hours": "6"}

    with writes_held(InPersonSession, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}")
    assert count(InPersonSession, edition_id=edition.id) == 1
    assert count(AuditEvent, action="edition.session_add") == 1


def test_two_admins_assign_the_same_instructor(app: Flask) -> None:
    """Two admins make the same instructor a unit instructor at once: one assignment."""
    edition = scheduled_edition()
    teacher = factories.make_user(role=Role.INSTRUCTOR)
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/instructors"
    data = {"unit": unit("alpha").id, "instructor": teacher.id}

    with writes_held(UnitInstructor, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}")
    assert count(UnitInstructor, edition_id=edition.id, user_id=teacher.id) == 1
    assert count(AuditEvent, action="edition.instructor_assign") == 1


def test_two_authors_create_the_same_topic(app: Flask) -> None:
    """The same new topic sent from two tabs at once is created once, and both tabs open its
    lesson editor."""
    alpha = db.session.scalar(select(Module).filter_by(slug="alpha"))
    assert alpha is not None
    author = module_instructor("alpha")
    clients = [client_of(app, author) for _ in range(2)]
    url = f"/author/modules/{alpha.id}/topics/new"
    data = {"slug": "field-visit", "title_en": "Field visit", "title_ar": "زيارة ميدانية"}

    with writes_held(Topic, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    assert count(Topic, slug="field-visit") == 1
    created = db.session.scalar(select(Topic).filter_by(slug="field-visit"))
    assert created is not None
    all_succeeded(clients, responses, ends_with=f"/author/topics/{created.id}/en/edit")
    assert count(AuditEvent, action="topic.create") == 1


def test_two_authors_create_different_topics(app: Flask) -> None:
    """Two different topics created in one module at once each get a place of their own at
    the end of the module, and each author opens their own topic's lesson editor."""
    alpha = db.session.scalar(select(Module).filter_by(slug="alpha"))
    assert alpha is not None
    last = max(db.session.scalars(select(Topic.position).filter_by(module_id=alpha.id)))
    authors = [module_instructor("alpha") for _ in range(2)]
    clients = [client_of(app, author) for author in authors]
    url = f"/author/modules/{alpha.id}/topics/new"
    forms = [{"slug": "field-visit", "title_en": "Field visit", "title_ar": "زيارة ميدانية"},
             {"slug": "case-study", "title_en": "Case study", "title_ar": "دراسة حالة"}]

    with writes_held(Topic, len(clients)):
        responses = at_once([lambda c=c, f=f: c.post(url, data=f)
                             for c, f in zip(clients, forms, strict=True)])

    all_succeeded(clients, responses)
    created = {t.slug: t for t in db.session.scalars(select(Topic).where(
        Topic.slug.in_(["field-visit", "case-study"])))}
    assert sorted(t.position for t in created.values()) == [last + 1, last + 2]
    for form, response in zip(forms, responses, strict=True):
        assert response.headers["Location"].endswith(
            f"/author/topics/{created[form['slug']].id}/en/edit")


def test_authors_of_two_packages_take_one_short_name(app: Flask, package_copy: Path) -> None:
    """Authors of two packages create a topic with the same short name at the same moment.
    Lesson addresses name a topic by its short name alone, so one topic is created and the
    other author is told, on the form, which package has the name; nothing else is written."""
    load_package(other_package(package_copy, shared=set()), Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    modules = list(db.session.scalars(select(Module).filter_by(slug="alpha")
                                      .order_by(Module.package_id)))
    assert len(modules) == 2
    admins = [factories.make_user(role=Role.ADMIN) for _ in modules]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    urls = [f"/author/modules/{module.id}/topics/new" for module in modules]
    data = {"slug": "field-visit", "title_en": "Field visit", "title_ar": "زيارة ميدانية"}

    with writes_held(Topic, len(clients)):
        responses = at_once([lambda c=c, url=url: c.post(url, data=data)
                             for c, url in zip(clients, urls, strict=True)])

    assert count(Topic, slug="field-visit") == 1
    created = db.session.scalar(select(Topic).filter_by(slug="field-visit"))
    assert created is not None
    winner = next(i for i, module in enumerate(modules)
                  if module.package_id == created.package_id)
    assert_no_error_page(responses[winner])
    refused = responses[1 - winner]
    assert refused.status_code == 400
    package = db.session.get(CoursePackage, created.package_id)
    assert package is not None
    assert (f"A topic of the course package {package.slug} already uses the short name "
            "field-visit." in refused.text)
    assert count(AuditEvent, action="topic.create") == 1


def test_uploads_at_once_stay_within_the_quota(app: Flask) -> None:
    """One instructor sends three files from three tabs at once, and the quota holds two: two
    are kept, the third is refused with the quota message and leaves nothing in storage."""
    app.config["MEDIA_UPLOAD_QUOTA_BYTES"] = 2**20
    alpha = db.session.scalar(select(Module).filter_by(slug="alpha"))
    assert alpha is not None
    author = module_instructor("alpha")
    clients = [client_of(app, author) for _ in range(3)]
    url = f"/author/modules/{alpha.id}/media"
    png = (FIXTURE_PACKAGE / "media" / "pixel.png").read_bytes()
    files = [png + bytes([n]) * 400 * 1024 for n in range(3)]  # 400 KiB each
    storage = Path(app.config["STORAGE_DIR"]) / "media"
    before = set(storage.iterdir())

    with writes_held(MediaUpload, len(clients)):
        responses = at_once([
            lambda c=c, f=f: c.post(url, data={"file": (io.BytesIO(f), "map.png")},
                                    content_type="multipart/form-data")
            for c, f in zip(clients, files, strict=True)])

    kept = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code != 302]
    assert len(kept) == 2 and len(refused) == 1
    for response in kept:
        assert_no_error_page(response)
    assert refused[0].status_code == 400
    assert "Your uploads would exceed 1 MiB." in refused[0].text
    assert "Something went wrong" not in refused[0].text
    assert count(MediaUpload, uploaded_by_id=author.id) == 2
    stored = set(db.session.scalars(select(MediaFile.stored_name).join(
        MediaUpload, MediaUpload.media_id == MediaFile.id).where(
        MediaUpload.uploaded_by_id == author.id)))
    assert {path.name for path in set(storage.iterdir()) - before} == stored
    assert count(AuditEvent, action="media.upload") == 2


FROM_A = [("fresh", "Fresh?"), ("only-a", "From A?")]
FROM_B = [("fresh", "Also fresh?"), ("only-b", "From B?")]


def renamed(questions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(f"{key}-2" if key == "fresh" else key, text) for key, text in questions]


@pytest.mark.parametrize(("mode", "package_kept", "outcomes"), [
    # Replacing: the file imported last is the quiz.
    ("replace", False, [FROM_A, FROM_B]),
    # Adding: both files after the package's questions, the second's clashing id renamed.
    ("add", True, [FROM_A + renamed(FROM_B), FROM_B + renamed(FROM_A)]),
])
def test_two_quiz_files_imported_at_once(app: Flask, mode: str, package_kept: bool,
                                         outcomes: list[list[tuple[str, str]]]) -> None:
    """Two instructors import different files into one quiz at once: both imports succeed,
    one after the other, and the quiz holds what the two did in turn."""
    quiz = quiz_of("first")
    package = [q.key for q in live_questions(quiz.id)]
    instructors = [module_instructor("alpha") for _ in range(2)]
    clients = [client_of(app, instructor) for instructor in instructors]
    url = "/author/quizzes/topics/first/import"
    files = ["::fresh::Fresh?{T}\n\n::only-a::From A?{F}\n",
             "::fresh::Also fresh?{F}\n\n::only-b::From B?{T}\n"]

    with writes_held(Question, len(clients)):
        responses = at_once([
            lambda c=c, f=f: c.post(url, data={"file": (io.BytesIO(f.encode()), "quiz.gift"),
                                               "format": "auto", "mode": mode},
                                    content_type="multipart/form-data")
            for c, f in zip(clients, files, strict=True)])

    all_succeeded(clients, responses, ends_with=f"/author/quizzes/{quiz.id}")
    live = live_questions(quiz.id)
    assert [q.key for q in live if q.key in package] == (package if package_kept else [])
    assert [(q.key, q.text["en"]) for q in live if q.key not in package] in outcomes
    assert len({q.position for q in live}) == len(live)
    assert count(AuditEvent, action="quiz.import") == 2


def test_two_uploads_under_one_name(app: Flask) -> None:
    """Two instructors upload files with the same name at once: both are kept, each under a
    name of its own."""
    alpha = db.session.scalar(select(Module).filter_by(slug="alpha"))
    assert alpha is not None
    authors = [module_instructor("alpha") for _ in range(3)]
    clients = [client_of(app, author) for author in authors]
    url = f"/author/modules/{alpha.id}/media"
    png = (FIXTURE_PACKAGE / "media" / "pixel.png").read_bytes()

    with writes_held(MediaFile, len(clients)):
        responses = at_once([
            lambda c=c, n=n: c.post(url, data={"file": (io.BytesIO(png + bytes([n])), "map.png")},
                                    content_type="multipart/form-data")
            for n, c in enumerate(clients)])

    all_succeeded(clients, responses)
    names = sorted(db.session.scalars(select(MediaFile.name).where(
        MediaFile.name.like("media/map%"))))
    assert names == ["media/map-2.png", "media/map-3.png", "media/map.png"]


def test_two_admins_record_the_same_make_up(app: Flask) -> None:
    """Two admins record the same make-up day at once: one make-up."""
    edition = scheduled_edition()
    other = scheduled_edition(name="Earlier edition")
    amal = participant(edition)
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    missed, attended = sessions_of(edition, "alpha")[0], sessions_of(other, "alpha")[1]
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/make-ups"
    data = {"participant": amal.id, "missed": missed.id, "attended": attended.id, "note": ""}

    with writes_held(MakeUp, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}/make-ups")
    assert count(MakeUp, session_id=missed.id, user_id=amal.id) == 1
    assert count(AuditEvent, action="enrolment.make_up") == 1


def test_a_lesson_saved_from_two_tabs_at_once(app: Flask) -> None:
    """The same editor form sent twice at once (a double click, two tabs): one draft, and the
    second request is told the lesson was saved since it was opened, not shown an error."""
    author = module_instructor("alpha")
    first = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert first is not None
    clients = [client_of(app, author) for _ in range(2)]
    url = f"/author/topics/{first.id}/en/edit"
    data = {**editor_fields(clients[0], first.id), **lesson_form(action="save")}

    with writes_held(LessonVersion, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "saved or published after you opened it" in refused.text
    assert count(LessonVersion, topic_id=first.id, status=VersionStatus.DRAFT) == 1
