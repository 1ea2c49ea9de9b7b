"""The Migration Governance learning platform: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. It only wires things up: no database work happens here."""
    app = Flask(__name__, instance_relative_config=True)
    from lms.whole_numbers import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter
    load_config(app, config)
    _register_extensions(app)
    _register_blueprints(app)
    _register_authoring(app)
    _register_cli(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


def _register_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401  (every model registered before the first query)
    from lms.database import (
        close_session_at_request_end,
        enable_sqlite_pragmas,
        keep_prepared_statements,
    )
    from lms.extensions import babel, csrf, db, login_manager, migrate
    from lms.i18n import select_locale
    from lms.ratelimit import init_limiter

    db.init_app(app)
    close_session_at_request_end(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
        keep_prepared_statements(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from lms.template_gettext import install_template_gettext

    install_template_gettext(app)
    login_manager.init_app(app)
    init_limiter(app)
    if app.config["PROXY_FIX_X_FOR"]:
        # Only behind a proxy we run do forwarded addresses mean anything.
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    from lms.auth import sessions

    sessions.init_sessions(app, login_manager)


def _register_blueprints(app: Flask) -> None:
    from lms.audit.views import bp as audit_bp
    from lms.auth.admin_views import bp as admin_users_bp
    from lms.auth.views import bp as auth_bp
    from lms.courses.views import bp as courses_bp
    from lms.i18n import bp as i18n_bp
    from lms.mail.views import bp as outbox_bp

    for blueprint in (auth_bp, admin_users_bp, courses_bp, i18n_bp, outbox_bp, audit_bp):
        app.register_blueprint(blueprint)
    from lms.certificates.admin_views import bp as certificate_admin_bp
    from lms.certificates.badge_views import bp as badges_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.health import bp as health_bp
    from lms.security_txt import bp as security_bp

    for blueprint in (certificates_bp, certificate_admin_bp, badges_bp, health_bp, security_bp):
        app.register_blueprint(blueprint)
    from lms.progress.admin_views import bp as editions_bp
    from lms.progress.board_views import bp as board_bp
    from lms.progress.enrolment_views import bp as enrolments_bp
    from lms.progress.participant_views import bp as participation_bp
    from lms.progress.teaching_views import bp as teaching_bp

    for blueprint in (editions_bp, enrolments_bp, board_bp, teaching_bp, participation_bp):
        app.register_blueprint(blueprint)
    from lms.quizzes.authoring_views import bp as quiz_authoring_bp
    from lms.quizzes.review_views import bp as quiz_review_bp
    from lms.quizzes.transfer_views import bp as quiz_transfer_bp
    from lms.quizzes.views import bp as quizzes_bp

    for blueprint in (quizzes_bp, quiz_authoring_bp, quiz_review_bp, quiz_transfer_bp):
        app.register_blueprint(blueprint)


def _register_authoring(app: Flask) -> None:
    from lms.auth.account_admin_views import bp as admin_accounts_bp
    from lms.auth.directory_views import bp as directory_bp
    from lms.auth.profile_views import bp as account_bp
    from lms.auth.two_step_views import bp as two_step_bp
    from lms.courses.authoring.lesson_views import bp as lesson_authoring_bp
    from lms.courses.authoring.package_views import bp as package_admin_bp
    from lms.courses.authoring.views import bp as authoring_bp

    for blueprint in (authoring_bp, lesson_authoring_bp, package_admin_bp, admin_accounts_bp,
                      account_bp, directory_bp, two_step_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)
    from lms.progress.cli import COMMANDS as PROGRESS_COMMANDS

    for command in PROGRESS_COMMANDS:
        lms_group.add_command(command)
    from lms.auth.cli import purge_command
    from lms.courses.authoring.cli import export_command
    from lms.mail.cli import send_mail_command

    lms_group.add_command(export_command)
    lms_group.add_command(purge_command)
    lms_group.add_command(send_mail_command)
    from lms.quizzes.cli import COMMANDS as QUIZ_COMMANDS

    for command in QUIZ_COMMANDS:
        lms_group.add_command(command)
    from lms.backup.cli import COMMANDS as BACKUP_COMMANDS

    for command in BACKUP_COMMANDS:
        lms_group.add_command(command)


def _register_error_handlers(app: Flask) -> None:
    from lms.errors import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from lms.formatting import register_formatting
    from lms.layout import register_layout
    from lms.static_files import register_static_files

    register_layout(app)
    register_formatting(app)
    register_static_files(app)
