"""Two-step login's keys and recovery codes: sealed keys across SECRET_KEY changes, codes
that work once, and codes renewed."""


from __future__ import annotations

import hashlib
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import RecoveryCode
from lms.auth.sealed_keys import unseal
from lms.extensions import db
from tests import factories
from tests.auth.test_two_step import (
    RECOVERY_CODE,
    app_code,
    events,
    password_step,
    user_with_two_step,
)
from tests.concurrency.helpers import at_once, count, writes_held
from tests.conftest import Auth


def test_a_key_stored_in_the_clear_before_keeps_working_and_is_sealed(client: FlaskClient,
                                                                     auth: Auth) -> None:
    """Keys were once stored as they are: such a key still gives codes that log in, and the
    first one seals it."""
    user, secret, _codes = user_with_two_step(auth)
    user.two_step_secret = secret
    db.session.commit()
    password_step(client, user)
    assert client.post("/login/code", data={"code": app_code(secret, 30)}).status_code == 302
    db.session.refresh(user)
    assert user.two_step_secret is not None and secret not in user.two_step_secret
    assert unseal(user.two_step_secret) == secret


def test_a_new_secret_key_keeps_codes_working_while_the_old_one_is_a_fallback(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    """SECRET_KEY is changed with the old one in SECRET_KEY_FALLBACKS: codes still log in,
    and each login seals the key again under the new one, so the fallback can go later."""
    user, secret, _codes = user_with_two_step(auth)
    app.config.update(SECRET_KEY="a-new-secret-key-that-is-long-enough-111",
                      SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    password_step(client, user)
    assert client.post("/login/code", data={"code": app_code(secret, 30)}).status_code == 302
    auth.logout()
    app.config["SECRET_KEY_FALLBACKS"] = []
    user.two_step_last_step = None  # as if the next login came a few minutes later
    db.session.commit()
    password_step(client, user)
    assert client.post("/login/code", data={"code": app_code(secret)}).status_code == 302


def test_a_key_no_secret_key_opens_leaves_the_recovery_codes(
        app: Flask, client: FlaskClient, auth: Auth, caplog: pytest.LogCaptureFixture) -> None:
    """SECRET_KEY changed without the old one kept: the app's codes are refused as wrong, the
    log says why, and a recovery code still logs in (or an admin resets it)."""
    user, secret, codes = user_with_two_step(auth)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-2"
    password_step(client, user)
    with caplog.at_level(logging.WARNING):
        refused = client.post("/login/code", data={"code": app_code(secret)})
    assert refused.status_code == 401
    assert "SECRET_KEY_FALLBACKS" in caplog.text and secret not in caplog.text
    assert client.post("/login/code", data={"recovery_code": codes[0]}).status_code == 302


def test_a_recovery_code_works_once(client: FlaskClient, auth: Auth) -> None:
    """A recovery code logs in once (typed in capitals or without its dash too); then it is
    refused."""
    user, _secret, codes = user_with_two_step(auth)
    password_step(client, user)
    response = client.post("/login/code",
                           data={"recovery_code": codes[3].replace("-", " ").upper()})
    assert response.status_code == 302
    assert "9 codes are left" in client.get("/").text
    auth.logout()
    password_step(client, user)
    again = client.post("/login/code", data={"recovery_code": codes[3]})
    assert again.status_code == 401
    assert 'aria-describedby="recovery_code-errors"' in again.text
    assert client.post("/login/code", data={"recovery_code": codes[4]}).status_code == 302


def test_a_recovery_code_of_ten_letters_issued_earlier_still_works(client: FlaskClient,
                                                                   auth: Auth) -> None:
    """Codes were ten letters long before they grew to sixteen: a person who printed theirs
    then still logs in with one, once."""
    user, _secret, _codes = user_with_two_step(auth)
    earlier = "ab2cd-ef3gh"
    db.session.add(RecoveryCode(user_id=user.id,
                                code_hash=hashlib.sha256(b"ab2cdef3gh").hexdigest()))
    db.session.commit()
    password_step(client, user)
    assert client.post("/login/code", data={"recovery_code": earlier}).status_code == 302
    auth.logout()
    password_step(client, user)
    assert client.post("/login/code", data={"recovery_code": earlier}).status_code == 401
    assert client.post("/login/code", data={"recovery_code": "ab2cd-ef3g"}).status_code == 401


def test_new_recovery_codes_replace_the_old_ones(client: FlaskClient, auth: Auth) -> None:
    """With the password, ten new recovery codes are shown once and the unused old ones stop
    working; a wrong password changes nothing and is audited."""
    user, _secret, old = user_with_two_step(auth)
    password_step(client, user)
    assert client.post("/login/code", data={"recovery_code": old[0]}).status_code == 302
    page = client.get("/account/two-step").text
    assert "You have 9 unused recovery codes." in page
    assert 'id="codes-current"' in page and 'id="current"' in page

    wrong = client.post("/account/two-step/codes", data={"codes-current": "not my password"})
    assert wrong.status_code == 400 and "The current password is not correct." in wrong.text
    assert events("two_step.new_codes", "failure") == 1
    response = client.post("/account/two-step/codes", data={"codes-current": factories.PASSWORD})
    assert response.status_code == 200
    assert "Your earlier recovery codes no longer work." in response.text
    new = re.findall(RECOVERY_CODE, response.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert events("two_step.new_codes") == 1
    assert "You have 10 unused recovery codes." in client.get("/account/two-step").text

    auth.logout()
    password_step(client, user)
    assert client.post("/login/code", data={"recovery_code": old[1]}).status_code == 401
    assert client.post("/login/code", data={"recovery_code": new[0]}).status_code == 302


@pytest.mark.postgres
def test_a_recovery_code_sent_twice_at_once_works_once(app: Flask, auth: Auth) -> None:
    """Two browsers send the same recovery code at the same moment: one logs in, the other
    is refused, and the code is used once."""
    user, _secret, codes = user_with_two_step(auth)
    clients = [app.test_client() for _ in range(2)]
    for browser in clients:
        password_step(browser, user)
    with writes_held(RecoveryCode, len(clients)):
        responses = at_once([lambda b=b: b.post("/login/code",
                                                data={"recovery_code": codes[0]})
                             for b in clients])
    assert sorted(r.status_code for r in responses) == [302, 401]
    assert count(RecoveryCode, user_id=user.id) == 10
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.used_at.is_not(None))) == 1
