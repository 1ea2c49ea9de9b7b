"""A health check for load balancers and monitoring: the database answers and storage is
writable."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from lms.extensions import db

bp = Blueprint("health", __name__)


def _storage_ok() -> bool:
    folder = Path(current_app.config["STORAGE_DIR"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=".health-")
        os.close(handle)
        os.unlink(name)
    except OSError:
        return False
    return True


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


@bp.get("/health")
def health() -> tuple[Response, int]:
    """200 when the database and the storage folder work, 503 otherwise; no details leak."""
    checks = {"database": _database_ok(), "storage": _storage_ok()}
    healthy = all(checks.values())
    body = jsonify(status="ok" if healthy else "unavailable",
                   checks={k: "ok" if v else "failing" for k, v in checks.items()})
    body.headers["Cache-Control"] = "no-store"
    return body, 200 if healthy else 503
