"""Server-side login sessions: logout, password changes and timeouts end them for good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user
from sqlalchemy import event, func, select

from lms.auth.models import Role, UserSession
from lms.extensions import db
from tests import factories
from tests.conftest import Auth


def session_cookie(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def shift_sessions(**fields: timedelta) -> None:
    """Move session times into the past, as if time had passed."""
    for row in db.session.scalars(select(UserSession)):
        for name, delta in fields.items():
            setattr(row, name, getattr(row, name) - delta)
    db.session.commit()


def sessions_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession)
                             .filter_by(user_id=user_id)) or 0


def test_cookie_holds_only_a_session_id(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """The signed cookie carries the session id, not the user id."""
    from flask.sessions import SecureCookieSessionInterface

    user = auth.login_as(Role.PARTICIPANT)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    data = serializer.loads(session_cookie(client, app))
    assert set(data) <= {"sid", "language", "csrf_token", "_flashes", "_permanent"}
    assert "_user_id" not in data and len(data["sid"]) >= 40
    assert sessions_count(user.id) == 1


def test_copied_cookie_is_refused_after_logout(app: Flask, client: FlaskClient,
                                               auth: Auth) -> None:
    """Replaying the cookie from before logout does not log anyone in."""
    auth.login_as(Role.PARTICIPANT)
    copied = session_cookie(client, app)
    auth.logout()
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_pre_login_cookie_does_not_become_a_session(app: Flask, client: FlaskClient) -> None:
    """A cookie fixed before login is not the one that ends up logged in."""
    client.get("/login")
    user = factories.make_user()
    db.session.commit()
    client.post("/language", data={"language": "en"})
    before = session_cookie(client, app)
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert attacker.get("/").status_code == 302


def test_password_change_ends_other_sessions(app: Flask, auth: Auth) -> None:
    """Changing the password logs every other browser out, and this one goes on in a new
    session: a copy of its cookie taken before the change no longer logs anyone in."""
    user = factories.make_user()
    db.session.commit()
    phone, laptop, copy = app.test_client(), app.test_client(), app.test_client()
    Auth(phone).login(user)
    Auth(laptop).login(user)
    before = laptop.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert before is not None
    copy.set_cookie(before.key, before.value)
    assert copy.get("/").status_code == 200
    response = laptop.post("/account/password", data={
        "current": factories.PASSWORD, "password": "a brand new pass phrase",
        "confirm": "a brand new pass phrase"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert copy.get("/").status_code == 302
    assert sessions_count(user.id) == 1


def test_password_change_needs_current_password(client: FlaskClient, auth: Auth) -> None:
    """A wrong current password changes nothing."""
    user = auth.login_as(Role.PARTICIPANT)
    response = client.post("/account/password", data={
        "current": "not my password", "password": "a brand new pass phrase",
        "confirm": "a brand new pass phrase"})
    assert response.status_code == 400
    assert "The current password is not correct." in response.text
    assert user.check_password(factories.PASSWORD)


def test_idle_session_times_out(client: FlaskClient, auth: Auth, app: Flask) -> None:
    """A session unused for longer than the idle timeout is ended on the server."""
    user = auth.login_as(Role.PARTICIPANT)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    shift_sessions(last_seen_at=idle, created_at=idle)
    assert client.get("/").status_code == 302
    assert sessions_count(user.id) == 0


def test_absolute_lifetime_ends_active_session(client: FlaskClient, auth: Auth) -> None:
    """Even an active session ends when its absolute lifetime is over."""
    auth.login_as(Role.PARTICIPANT)
    shift_sessions(expires_at=timedelta(hours=13))
    assert client.get("/").status_code == 302


def test_last_seen_written_at_most_once_a_minute(client: FlaskClient, auth: Auth,
                                                 count_queries) -> None:  # type: ignore[no-untyped-def]
    """Reading pages costs no writes until a minute has passed."""
    auth.login_as(Role.PARTICIPANT)
    with count_queries() as counter:
        client.get("/glossary")
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter.statements)
    shift_sessions(last_seen_at=timedelta(minutes=2))
    with count_queries() as counter:
        client.get("/glossary")
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in counter.statements) == 1


def last_seen(user_id: int) -> datetime:
    db.session.expire_all()
    value = db.session.scalar(select(UserSession.last_seen_at).filter_by(user_id=user_id))
    assert value is not None
    return value


def test_last_seen_rides_with_the_requests_own_commit(app: Flask, client: FlaskClient,
                                                     auth: Auth) -> None:
    """A request that commits its own work writes "last seen" in the same transaction."""
    user = auth.login_as(Role.PARTICIPANT)
    shift_sessions(last_seen_at=timedelta(minutes=2))
    before = last_seen(user.id)
    commits: list[object] = []

    def on_commit(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", on_commit)
    try:
        response = client.post("/language", data={"language": "ar", "next": "/glossary"})
    finally:
        event.remove(db.engine, "commit", on_commit)
    assert response.status_code == 302
    assert len(commits) == 1
    assert last_seen(user.id) > before
    db.session.refresh(user)
    assert user.preferred_language == "ar"


def assert_last_seen_written_and_name_kept(app: Flask, client: FlaskClient, auth: Auth,
                                           view: Callable[[], str]) -> None:
    """Serve ``view`` to a participant whose "last seen" write is due: the write is made, and
    the name the view changed without committing is not."""
    app.add_url_rule(f"/test-{view.__name__}", view.__name__, view)
    user = auth.login_as(Role.PARTICIPANT)
    name = user.full_name
    shift_sessions(last_seen_at=timedelta(minutes=2))
    before = last_seen(user.id)
    assert client.get(f"/test-{view.__name__}").text == "done"
    assert last_seen(user.id) > before
    db.session.refresh(user)
    assert user.full_name == name


def test_last_seen_commit_leaves_a_views_unfinished_work_out(app: Flask, client: FlaskClient,
                                                            auth: Auth) -> None:
    """Writing "last seen" after a view never commits what the view left uncommitted."""

    def half_done() -> str:
        current_user.full_name = "Changed but never committed"
        db.session.flush()
        return "done"

    assert_last_seen_written_and_name_kept(app, client, auth, half_done)


def test_last_seen_is_not_lost_with_a_rolled_back_savepoint(app: Flask, client: FlaskClient,
                                                            auth: Auth) -> None:
    """A savepoint committed inside a transaction that is then rolled back does not take the
    "last seen" write with it."""

    def savepoint_then_rollback() -> str:
        current_user.full_name = "Changed, then rolled back"
        db.session.flush()
        with db.session.begin_nested():
            current_user.full_name = "Inside a savepoint"
        db.session.rollback()
        return "done"

    assert_last_seen_written_and_name_kept(app, client, auth, savepoint_then_rollback)


def test_user_lists_and_ends_own_sessions_only(app: Flask, client: FlaskClient,
                                               auth: Auth) -> None:
    """A user sees their sessions and ends one; another user's session id gives 404."""
    user = auth.login_as(Role.PARTICIPANT)
    other_browser = app.test_client()
    Auth(other_browser).login(user)
    stranger = factories.make_user()
    db.session.commit()
    Auth(app.test_client()).login(stranger)
    page = client.get("/account/sessions").text
    assert "This browser" in page and "End this session" in page
    own = db.session.scalars(select(UserSession.id).filter_by(user_id=user.id)).all()
    theirs = db.session.scalar(select(UserSession.id).filter_by(user_id=stranger.id))
    assert client.post(f"/account/sessions/{theirs}/end").status_code == 404
    assert client.post("/account/sessions/999999/end").status_code == 404
    assert sessions_count(stranger.id) == 1
    other_id = max(own)
    assert client.post(f"/account/sessions/{other_id}/end").status_code == 302
    assert other_browser.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_deactivated_user_loses_live_session(client: FlaskClient, auth: Auth) -> None:
    """Deactivating an account ends its access at the next request."""
    user = auth.login_as(Role.PARTICIPANT)
    user.is_active_account = False
    db.session.commit()
    assert client.get("/").status_code == 302
