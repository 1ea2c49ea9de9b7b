"""The health endpoint tells a load balancer whether this host can serve."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_healthy(client: FlaskClient) -> None:
    """With the database and storage working, 200 and ok."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


def test_unwritable_storage_is_reported(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    """When storage cannot be written, 503 names the failing check and nothing more."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app.config["STORAGE_DIR"] = str(blocker / "storage")
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json["checks"]["storage"] == "failing"
