"""``/.well-known/security.txt`` tells a finder where to report a vulnerability privately."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import make_app


def _fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        assert name and value, line
        fields[name] = value
    return fields


def test_security_txt_defaults_to_the_mail_sender(client: FlaskClient) -> None:
    """Without a setting, the contact is the address mail comes from; the file is RFC 9116
    plain text with a future expiry, both languages and its own canonical address."""
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response.get_data(as_text=True))
    assert fields["Contact"] == "mailto:no-reply@localhost"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    assert now + timedelta(days=30) < expires < now + timedelta(days=365)
    assert fields["Preferred-Languages"] == "en, ar"
    assert fields["Canonical"] == "http://127.0.0.1:5000/.well-known/security.txt"
    assert "Policy" not in fields


def test_security_txt_uses_the_operators_settings(tmp_path: Path) -> None:
    """The operator's contact, public address and policy page are what the file announces."""
    app = make_app(tmp_path, SECURITY_CONTACT="security@cmrs.example.org",
                   SECURITY_POLICY_URL="https://cmrs.example.org/lms/security",
                   PUBLIC_BASE_URL="https://lms.example.org",
                   MAIL_FROM="Programme <programme@cmrs.example.org>")
    fields = _fields(app.test_client().get("/.well-known/security.txt").get_data(as_text=True))
    assert fields["Contact"] == "mailto:security@cmrs.example.org"
    assert fields["Canonical"] == "https://lms.example.org/.well-known/security.txt"
    assert fields["Policy"] == "https://cmrs.example.org/lms/security"
    web_form = make_app(tmp_path, SECURITY_CONTACT="https://cmrs.example.org/report")
    text = web_form.test_client().get("/.well-known/security.txt").get_data(as_text=True)
    assert _fields(text)["Contact"] == "https://cmrs.example.org/report"
