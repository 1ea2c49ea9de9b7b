"""The Migration Governance learning platform: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. It only wires things up: no database work happens here."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    _register_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


def _register_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401  (every model registered before the first query)
    from lms.database import enable_sqlite_pragmas
    from lms.extensions import babel, csrf, db, login_manager, migrate
    from lms.i18n import select_locale
    from lms.ratelimit import limiter

    db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_FIX_X_FOR"]:
        # Only behind a proxy we run do forwarded addresses mean anything.
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    from lms.auth import sessions

    sessions.init_login_manager(login_manager)


def _register_blueprints(app: Flask) -> None:
    from lms.audit.views import bp as audit_bp
    from lms.auth.admin_views import bp as admin_users_bp
    from lms.auth.views import bp as auth_bp
    from lms.courses.views import bp as courses_bp
    from lms.i18n import bp as i18n_bp
    from lms.mail.views import bp as outbox_bp

    for blueprint in (auth_bp, admin_users_bp, courses_bp, i18n_bp, outbox_bp, audit_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)


def _register_error_handlers(app: Flask) -> None:
    from lms.errors import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from lms.layout import register_layout

    register_layout(app)
