"""Release several clients at the same instant, each with its own connection to the database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import User
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
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if failures:
        raise failures[0]
    return results


def assert_no_error_page(response: Any) -> None:
    """What a user relies on: a redirect to the next page, never an error status or page."""
    assert response.status_code == 302, (response.status_code, response.text[:500])
    assert "Something went wrong" not in response.text


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    """The messages waiting for the user's next page, as (category, text)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))
