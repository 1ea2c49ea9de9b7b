"""Loading the logged-in user for each request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from lms.auth.models import User
from lms.extensions import db


def init_login_manager(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))
