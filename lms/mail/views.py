"""The development outbox: mail that would have been sent, for admins to read."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.mail import services
from lms.whole_numbers import page_number

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox", template_folder="templates")


@bp.get("")
@role_required(Role.ADMIN)
def list_messages() -> str:
    """The newest messages in the outbox, fifty to a page."""
    page = page_number()
    messages = services.outbox(page)
    return render_template("mail/outbox.html", messages=messages, page=page,
                           pages=page + (1 if len(messages) == 50 else 0))


@bp.get("/<int:message_id>")
@role_required(Role.ADMIN)
def show_message(message_id: int) -> str:
    """One message as it would have been sent.

    :raises 404: for an unknown message.
    """
    message = services.outbox_message(message_id)
    if message is None:
        abort(404)
    return render_template("mail/message.html", message=message)
