"""Open Badges 3.0 credentials, verified with an independent JOSE library (PyJWT) against the
published key set, and refused once altered."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from flask.testing import FlaskClient

from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.codes import new_code
from lms.certificates.models import Certificate
from lms.certificates.pdf import pdf_engine_available
from lms.db_types import utcnow
from lms.extensions import db
from tests.certificates.conftest import finish
from tests.conftest import Auth

pytestmark = pytest.mark.skipif(not pdf_engine_available(),
                                reason="WeasyPrint's system libraries (Pango) are missing")


@pytest.fixture
def issued(graduate) -> Certificate:  # type: ignore[no-untyped-def]
    user, edition, _sessions = graduate
    finish(user)
    certificate, _created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    return certificate


def published_key(client: FlaskClient):  # type: ignore[no-untyped-def]
    keys = client.get("/ob/jwks.json").json["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256"
    return jwt.PyJWK(keys[0]).key


def test_credential_verifies_with_published_key(client: FlaskClient, auth: Auth,
                                                issued: Certificate, graduate) -> None:  # type: ignore[no-untyped-def]
    """The holder's VC-JWT verifies (RS256) with the key published under the public URL."""
    user = graduate[0]
    auth.login(user)
    token = client.get(f"/ob/credentials/{issued.id}.jwt").get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    claims = jwt.decode(token, published_key(client), algorithms=["RS256"],
                        options={"verify_aud": False})
    assert "OpenBadgeCredential" in claims["type"]
    assert claims["credentialSubject"]["name"] == "Salma Farouk"
    assert claims["issuer"]["id"] == "http://127.0.0.1:5000/ob/issuer"
    assert claims["id"] == f"http://127.0.0.1:5000/verify/{issued.code}"


def test_altered_credential_fails(client: FlaskClient, auth: Auth, issued: Certificate,
                                  graduate) -> None:  # type: ignore[no-untyped-def]
    """Changing the holder's name in the payload breaks the signature."""
    auth.login(graduate[0])
    token = client.get(f"/ob/credentials/{issued.id}.jwt").get_data(as_text=True)
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["name"] = "Mallory"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged_body}.{signature}", published_key(client),
                   algorithms=["RS256"])


def test_credential_only_for_holder_and_admin(client: FlaskClient, auth: Auth,
                                              issued: Certificate) -> None:
    """Another participant gets 404 for someone's credential."""
    auth.login_as(Role.PARTICIPANT)
    assert client.get(f"/ob/credentials/{issued.id}.jwt").status_code == 404


def test_issuer_profile_is_public(client: FlaskClient, issued: Certificate) -> None:
    """The issuer profile and the achievement are readable without logging in."""
    profile = client.get("/ob/issuer").json
    assert profile["type"] == ["Profile"] and profile["publicKey"]["kty"] == "RSA"
    achievement = client.get(f"/ob/achievements/{issued.code}").json
    assert achievement["type"] == ["Achievement"]
    assert client.get("/ob/achievements/nonsense").status_code == 404


def test_achievement_lookups_are_rate_limited(client: FlaskClient) -> None:
    """The achievement endpoint answers for any code, like the verification page, and is
    limited like it: after twenty lookups a minute, 429."""
    codes = [client.get(f"/ob/achievements/{new_code()}").status_code for _ in range(21)]
    assert codes[:20] == [404] * 20 and codes[20] == 429


def test_a_credential_claimed_early_in_the_day_east_of_utc_is_valid_at_once(
        client: FlaskClient, auth: Auth, graduate) -> None:  # type: ignore[no-untyped-def]
    """Claimed at half past one in the morning in Cairo (still the day before in UTC), the
    credential is valid from the moment it was issued, so a verifier checking it at once
    accepts it; its criteria claim no more than the completion rule asks."""
    from datetime import UTC, datetime
    from unittest import mock

    user, edition, _sessions = graduate
    finish(user)
    moment = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    certificate, _created = services.issue_certificate(
        user, edition, None, moment, services.eligibility(user.id, edition, moment))
    db.session.commit()
    auth.login(user)
    token = client.get(f"/ob/credentials/{certificate.id}.jwt").get_data(as_text=True)
    with mock.patch("jwt.api_jwt.datetime") as clock:
        clock.now.return_value = moment
        clock.side_effect = datetime
        claims = jwt.decode(token, published_key(client), algorithms=["RS256"],
                            options={"verify_aud": False})
    assert claims["nbf"] == int(moment.timestamp())
    assert claims["validFrom"] == "2027-03-31T23:30:00Z"
    narrative = claims["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "every in-person day" not in narrative and "edition edition" not in narrative
