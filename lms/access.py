"""The access table: every endpoint, who may call it, and the object check it applies.

A test walks ``app.url_map`` and fails for any endpoint missing here, then checks each entry
as anonymous, participant, instructor and admin. A new route lands only with its line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.auth.models import Role

PUBLIC = "public"  # anyone, logged in or not
ANY_USER = "any logged-in user"


@dataclass(frozen=True)
class Rule:
    roles: tuple[Role, ...] | str
    object_check: str = ""

    def allows(self, role: Role | None) -> bool:
        if self.roles == PUBLIC:
            return True
        if role is None:
            return False
        return self.roles == ANY_USER or role in self.roles


STAFF = (Role.INSTRUCTOR, Role.ADMIN)

ACCESS: dict[str, Rule] = {
    "static": Rule(PUBLIC),
    "auth.login": Rule(PUBLIC),
    "auth.logout": Rule(ANY_USER),
    "auth.forgot_password": Rule(PUBLIC),
    "auth.set_password": Rule(PUBLIC, "a live, unused password token"),
    "auth.change_own_password": Rule(ANY_USER, "own account only"),
    "auth.own_sessions": Rule(ANY_USER, "own sessions only"),
    "auth.end_own_session": Rule(ANY_USER, "own sessions only (404 otherwise)"),
    "admin_users.list_users": Rule((Role.ADMIN,)),
    "admin_users.invite": Rule((Role.ADMIN,)),
    "admin_users.resend_invitation": Rule((Role.ADMIN,)),
    "outbox.list_messages": Rule((Role.ADMIN,)),
    "outbox.show_message": Rule((Role.ADMIN,)),
    "audit.list_events": Rule((Role.ADMIN,)),
    "audit.export": Rule((Role.ADMIN,)),
    "i18n.switch_language": Rule(PUBLIC),
    "courses.home": Rule(ANY_USER, "a participant sees only their own progress"),
    "courses.lesson": Rule(ANY_USER, "courses.permissions.can_read_topic (404 otherwise)"),
    "courses.complete_lesson": Rule((Role.PARTICIPANT,),
                                    "courses.permissions.can_read_topic; own record only"),
    "courses.glossary": Rule(ANY_USER),
    "courses.media": Rule(ANY_USER, "live media of a loaded package"),
}
