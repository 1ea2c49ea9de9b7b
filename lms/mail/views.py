"""The outbox: every message the platform wrote and how it went, for admins to read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.mail import services
from lms.whole_numbers import page_number

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox", template_folder="templates")


@bp.get("")
@role_required(Role.ADMIN)
def list_messages() -> str:
    """The newest messages in the outbox, fifty to a page, each with how it went, and how many
    the mail server has not taken; ``?show=unsent`` lists only those."""
    page = page_number()
    unsent_only = request.args.get("show") == "unsent"
    messages, total = services.outbox(page, unsent_only=unsent_only)
    return render_template("mail/outbox.html", messages=messages, page=page,
                           pages=max(1, -(-total // services.OUTBOX_PAGE)), total=total,
                           unsent=services.unsent_count(), unsent_only=unsent_only,
                           mail_server=bool(current_app.config.get("MAIL_SERVER")))


@bp.get("/<int:message_id>")
@role_required(Role.ADMIN)
def show_message(message_id: int) -> str:
    """One message as it would have been sent, or, for mail meant for the mail server, how
    its sending went.

    :raises 404: for an unknown message.
    """
    message = services.outbox_message(message_id)
    if message is None:
        abort(404)
    return render_template("mail/message.html", message=message)
