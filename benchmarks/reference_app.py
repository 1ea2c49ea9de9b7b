"""The ceiling the platform is measured against: the least a Flask app can do for each kind of
page, served the same way, on the same database.

    GET  /page    a template for the logged-in Flask-Login user
    POST /notes   one INSERT and a commit, then a redirect (as a form post ends)
    GET  /table   a table of 1,000 rows read by one query

Plain Flask-Login keeps the user id in the signed session cookie and loads the user by primary
key on each request: one query. Its tables are prefixed ``reference_`` so they sit beside the
platform's without touching them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, redirect, render_template, session
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import DateTime, String, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.wrappers import Response

ROWS = 1000
TEMPLATES = {
    "layout.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title></head>
<body><header><p>Logged in as {{ current_user.name }}</p></header>
<main>{% block main %}{% endblock %}</main></body></html>""",
    "page.html": """{% extends "layout.html" %}{% block title %}Welcome{% endblock %}
{% block main %}<h1>Welcome, {{ current_user.name }}</h1>
<p>Your address is {{ current_user.email }}.</p>{% endblock %}""",
    "table.html": """{% extends "layout.html" %}{% block title %}Rows{% endblock %}
{% block main %}<table><thead><tr><th>Name</th><th>Country</th><th>Score</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.country }}</td>
<td>{{ row.score }}</td></tr>{% endfor %}</tbody></table>{% endblock %}""",
}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()


class ReferenceUser(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reference_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))


class ReferenceNote(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reference_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReferenceRow(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reference_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    score: Mapped[float]


@login_manager.user_loader
def load_user(user_id: str) -> ReferenceUser | None:
    return db.session.get(ReferenceUser, int(user_id))


def _database_url(url: str) -> str:
    # The platform reads postgresql:// as psycopg 3; so must the reference, to be comparable.
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_reference_app(config: dict[str, Any] | None = None) -> Flask:
    """The reference app, on the database and key named by DATABASE_URL and SECRET_KEY."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "reference-development-key"),
        SQLALCHEMY_DATABASE_URI=_database_url(os.environ.get("DATABASE_URL", "sqlite://")),
        # The platform's engine options, so connection handling costs the same.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    app.config.update(config or {})
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        _sqlite_pragmas()

    @app.get("/page")
    @login_required
    def page() -> str:
        return render_template("page.html")

    @app.post("/notes")
    @login_required
    def add_note() -> Response:
        db.session.add(ReferenceNote(user_id=current_user.id, body="A note",
                                     created_at=datetime.now(UTC)))
        db.session.commit()
        return redirect("/page")

    @app.get("/table")
    @login_required
    def table() -> str:
        rows = db.session.scalars(select(ReferenceRow).order_by(ReferenceRow.id)).all()
        return render_template("table.html", rows=rows)

    return app


def _sqlite_pragmas() -> None:
    """The settings the platform gives SQLite (WAL, busy timeout, foreign keys)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def prepare(app: Flask) -> str:
    """Create the reference tables with 1,000 rows and one user; that user's session cookie."""
    with app.app_context():
        db.create_all()
        user = ReferenceUser(name="Reference Participant", email="reference@example.invalid")
        db.session.add(user)
        db.session.add_all(ReferenceRow(name=f"Participant {n:05d}", country="Egypt",
                                        score=float(n % 100)) for n in range(ROWS))
        db.session.commit()
        with app.test_request_context("/"):
            login_user(user)
            serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
            return str(serializer.dumps(dict(session)))


app = create_reference_app()
