"""Release several clients at the same instant, each with its own connection to the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from lms.auth.models import User
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests import factories

T = TypeVar("T")
ROSTER = ("name,name_ar,email,organisation,organisation_type,country,gender\n"
          "Hana Mostafa,هناء مصطفى,hana@example.org,Ministry of Foreign Affairs,government,"
          "Egypt,female\n"
          "Youssef Samir,يوسف سمير,youssef@example.org,Caritas,ngo,Egypt,\n")
# Long enough for the slowest request on a busy machine, short enough that a deadlock fails
# the test instead of hanging the suite.
WAIT_SECONDS = 60


def client_of(app: Flask, user: User) -> FlaskClient:
    """A browser of its own (cookie jar and all), logged in as the user."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.text
    return client


def at_once(actions: list[Callable[[], T]]) -> list[T]:
    """Run every action in its own thread, all released by one barrier; their results in order.

    A thread has no application context of its own, so each request opens its own database
    session and connection, as separate workers would.
    """
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    failures: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            results[index] = action()
        except BaseException as error:  # noqa: BLE001  (re-raised in the main thread)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, action), daemon=True)
               for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    # A request that failed is the cause to show: the others may be waiting for it.
    if failures:
        raise failures[0]
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


@contextmanager
def writes_held(model: Any, requests: int) -> Iterator[None]:
    """Hold back every write to the model's table until ``requests`` requests wait for a lock.

    Left to the thread scheduler, one request sometimes commits before another has even
    looked, and then the race under test never happens. Held here, every request has read the
    table before any of them can write to it, as when they truly arrive at the same moment;
    then they all go on at once. Fails if fewer requests than that ever wait (PostgreSQL only).
    """
    engine = db.engine  # the releasing thread has no application context
    connection = engine.connect()
    held = connection.begin()
    table = connection.dialect.identifier_preparer.quote(model.__table__.name)
    connection.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
    done = threading.Event()
    waited = threading.Event()

    def release_when_all_wait() -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        # Outside a transaction: in one, the server would show the same activity every time.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            while not done.is_set() and time.monotonic() < deadline:
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")).scalar_one()
                if waiting >= requests:
                    waited.set()
                    break
                time.sleep(0.02)
        held.rollback()
        connection.close()

    releaser = threading.Thread(target=release_when_all_wait, daemon=True)
    releaser.start()
    try:
        yield
    finally:
        done.set()
        releaser.join(WAIT_SECONDS)
    assert waited.is_set(), f"fewer than {requests} requests waited to write"


def assert_no_error_page(response: Any) -> None:
    """What a user relies on: a redirect to the next page, never an error status or page."""
    assert response.status_code == 302, (response.status_code, response.text[:500])
    assert "Something went wrong" not in response.text


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    """The messages waiting for the user's next page, as (category, text)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def count(model: type, **criteria: object) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**criteria)) or 0


def no_errors_flashed(client) -> None:  # type: ignore[no-untyped-def]
    assert [text for category, text in flashes(client) if category == "error"] == []


def pdf_files(app: Flask) -> list[str]:
    folder = Path(app.config["STORAGE_DIR"]) / "certificates"
    return sorted(path.name for path in folder.iterdir())


def mails_to(recipient: str, template: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.template == template)) or 0


def all_succeeded(clients: list[FlaskClient], responses: list[Any],
                  ends_with: str | None = None) -> None:
    """Every request was answered with its ordinary redirect and no error message."""
    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        if ends_with is not None:
            assert response.headers["Location"].endswith(ends_with)
        no_errors_flashed(client)
