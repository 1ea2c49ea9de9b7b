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
# Authoring: 404 for an unknown object, 403 for another module's instructor.
EDIT_MODULE = "courses.permissions.can_edit_module"

ACCESS: dict[str, Rule] = {
    "static": Rule(PUBLIC),
    "health.health": Rule(PUBLIC, "reports ok or failing only"),
    "security.security_txt": Rule(PUBLIC, "the reporting contact only"),
    "auth.login": Rule(PUBLIC),
    "auth.login_code": Rule(PUBLIC, "a pending login whose password was right, for 5 "
                                    "minutes; rate-limited"),
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
    "certificates.mine": Rule((Role.PARTICIPANT,), "own enrolments only"),
    "certificates.claim": Rule((Role.PARTICIPANT,),
                               "own active enrolment (404 otherwise); completion rule"),
    "certificates.download": Rule(ANY_USER, "the holder or an admin (404 otherwise)"),
    "certificates.verify": Rule(PUBLIC, "rate-limited"),
    "certificates.verify_code": Rule(PUBLIC, "rate-limited; shows only what the certificate says"),
    "badges.issuer": Rule(PUBLIC),
    "badges.jwks": Rule(PUBLIC),
    "badges.achievement": Rule(PUBLIC, "what the certificate's credential names; rate-limited"),
    "badges.download": Rule(ANY_USER, "the holder or an admin, valid certificates (404 "
                                      "otherwise)"),
    "certificate_admin.editions": Rule((Role.ADMIN,)),
    "certificate_admin.edition": Rule((Role.ADMIN,)),
    "certificate_admin.issue_all": Rule((Role.ADMIN,)),
    "certificate_admin.archive": Rule((Role.ADMIN,)),
    "certificate_admin.issue_one": Rule((Role.ADMIN,), "person enrolled in the edition"),
    "certificate_admin.detail": Rule((Role.ADMIN,)),
    "certificate_admin.revoke": Rule((Role.ADMIN,)),
    "certificate_admin.reissue": Rule((Role.ADMIN,)),
    "editions.list_editions": Rule((Role.ADMIN,)),
    "editions.create_edition": Rule((Role.ADMIN,)),
    "editions.edit_edition": Rule((Role.ADMIN,), "edition exists (404 otherwise)"),
    "editions.show_edition": Rule((Role.ADMIN,), "edition exists (404 otherwise)"),
    "editions.schedule": Rule((Role.ADMIN,), "open edition; all or nothing"),
    "editions.add_session": Rule((Role.ADMIN,), "open edition"),
    "editions.edit_session": Rule((Role.ADMIN,), "day of an open edition"),
    "editions.delete_session": Rule((Role.ADMIN,), "day with nothing recorded"),
    "editions.assign_instructor": Rule((Role.ADMIN,), "instructor accounts only"),
    "editions.archive": Rule((Role.ADMIN,)),
    "enrolments.enrol_one": Rule((Role.ADMIN,), "open edition"),
    "enrolments.import_roster_page": Rule((Role.ADMIN,), "open edition; all or nothing"),
    "enrolments.import_attendance_page": Rule((Role.ADMIN,), "open edition; all or nothing"),
    "enrolments.change_status": Rule((Role.ADMIN,), "enrolment exists (404 otherwise)"),
    "enrolments.make_ups": Rule((Role.ADMIN,), "same unit, another edition"),
    "board.board": Rule((Role.ADMIN,)),
    "board.participant": Rule((Role.ADMIN,), "enrolled in the edition (404 otherwise)"),
    "board.report": Rule((Role.ADMIN,)),
    "board.export_board": Rule((Role.ADMIN,)),
    "board.export_register": Rule((Role.ADMIN,)),
    "teaching.my_units": Rule(STAFF, "only the units the instructor teaches"),
    "teaching.unit": Rule(STAFF, "progress.permissions.can_teach_unit (404 otherwise)"),
    "teaching.roster": Rule(STAFF, "progress.permissions.can_teach_session (404 otherwise)"),
    "teaching.all_present": Rule(STAFF, "progress.permissions.can_teach_session (404 "
                                        "otherwise)"),
    "teaching.history": Rule(STAFF, "progress.permissions.can_teach_session (404 otherwise)"),
    "teaching.code": Rule(STAFF, "progress.permissions.can_teach_session (404 otherwise)"),
    "teaching.decide": Rule(STAFF, "the apology's day: can_teach_session (404 otherwise)"),
    "participation.check_in": Rule((Role.PARTICIPANT,), "own active enrolments; POST only "
                                                        "changes; rate-limited"),
    "participation.calendar": Rule((Role.PARTICIPANT,), "own active enrolments"),
    "participation.unit_progress": Rule((Role.PARTICIPANT,), "a unit of an own active "
                                                             "enrolment (404 otherwise)"),
    "participation.apology": Rule((Role.PARTICIPANT,), "a day of an own active enrolment "
                                                       "(404 otherwise)"),
    "i18n.switch_language": Rule(PUBLIC),
    "courses.home": Rule(ANY_USER, "a participant sees only their own progress"),
    "courses.lesson": Rule(ANY_USER, "courses.permissions.can_read_topic (404 otherwise)"),
    "courses.complete_lesson": Rule((Role.PARTICIPANT,),
                                    "courses.permissions.can_read_topic; own record only"),
    "courses.glossary": Rule(ANY_USER),
    "courses.media": Rule(ANY_USER, "live media of a loaded package"),
    "quizzes.overview": Rule((Role.PARTICIPANT,), "quizzes.permissions.quiz_to_take (404)"),
    "quizzes.start": Rule((Role.PARTICIPANT,), "quizzes.permissions.quiz_to_take (404)"),
    "quizzes.take": Rule((Role.PARTICIPANT,), "own attempt only (404 otherwise)"),
    "quizzes.save": Rule((Role.PARTICIPANT,), "own open attempt only (404); rate-limited"),
    "quizzes.summary": Rule((Role.PARTICIPANT,), "own attempt only (404 otherwise)"),
    "quizzes.submit": Rule((Role.PARTICIPANT,), "own attempt only (404); rate-limited"),
    "quizzes.result": Rule((Role.PARTICIPANT,), "own attempt only; review as the quiz allows"),
    "quiz_authoring.index": Rule(STAFF, "lists only modules the user may edit"),
    "quiz_authoring.create_quiz": Rule(STAFF, "can_edit_module of the topic (404)"),
    "quiz_authoring.edit_quiz": Rule(STAFF, "can_edit_module of the quiz's topic (404)"),
    "quiz_authoring.new_question": Rule(STAFF, "can_edit_module of the quiz's topic (404)"),
    "quiz_authoring.edit_question": Rule(STAFF, "can_edit_module; question of that quiz"),
    "quiz_authoring.move_question": Rule(STAFF, "can_edit_module; question of that quiz"),
    "quiz_authoring.remove_question": Rule(STAFF, "can_edit_module; question of that quiz"),
    "quiz_review.preview": Rule(STAFF, "can_edit_module of the quiz's topic; stores nothing"),
    "quiz_review.statistics": Rule(STAFF, "can_edit_module of the quiz's topic (404)"),
    "quiz_review.grading_queue_page": Rule(STAFF, "essays of the modules the user may edit"),
    "quiz_review.grade": Rule(STAFF, "can_edit_module of the answer's quiz (404)"),
    "quiz_transfer.import_file": Rule(STAFF, "can_edit_module of the topic (404)"),
    "quiz_transfer.export_gift": Rule(STAFF, "can_edit_module of the quiz's topic (404)"),
    "quiz_transfer.export_aiken": Rule(STAFF, "can_edit_module of the quiz's topic (404)"),
    "authoring.index": Rule(STAFF, "lists only modules the user may edit"),
    "authoring.module": Rule(STAFF, EDIT_MODULE),
    "authoring.new_topic": Rule(STAFF, EDIT_MODULE),
    "authoring.reorder": Rule(STAFF, EDIT_MODULE),
    "authoring.topic": Rule(STAFF, EDIT_MODULE + " of the topic"),
    "authoring.media": Rule(STAFF, EDIT_MODULE),
    "lesson_authoring.edit": Rule(STAFF, EDIT_MODULE + " of the topic"),
    "lesson_authoring.upload": Rule(STAFF, EDIT_MODULE + " of the topic"),
    "lesson_authoring.history": Rule(STAFF, EDIT_MODULE + " of the topic"),
    "lesson_authoring.version": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "lesson_authoring.changes": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "lesson_authoring.publish": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "lesson_authoring.restore": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "lesson_authoring.dismiss": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "lesson_authoring.discard": Rule(STAFF, EDIT_MODULE + " of the version's topic"),
    "package_admin.uploads": Rule((Role.ADMIN,)),
    "package_admin.report": Rule((Role.ADMIN,)),
    "package_admin.load": Rule((Role.ADMIN,), "a validated upload, loaded once"),
    "admin_accounts.show_user": Rule((Role.ADMIN,)),
    "admin_accounts.edit_user": Rule((Role.ADMIN,)),
    "admin_accounts.change_role": Rule((Role.ADMIN,), "not one's own; admin password again"),
    "admin_accounts.deactivate": Rule((Role.ADMIN,), "not one's own account"),
    "admin_accounts.reactivate": Rule((Role.ADMIN,), "not an anonymised account"),
    "admin_accounts.set_modules": Rule((Role.ADMIN,), "instructors and live modules only"),
    "admin_accounts.reset_two_step": Rule((Role.ADMIN,), "not one's own account"),
    "admin_accounts.anonymise_user": Rule((Role.ADMIN,), "deactivated participants only"),
    "account.profile": Rule(ANY_USER, "own account only"),
    "account.change_email": Rule(ANY_USER, "own account only; current password"),
    "account.gender": Rule(ANY_USER, "own account only"),
    "account.remove_roster_gender": Rule(ANY_USER, "own enrolments only"),
    "account.notice": Rule(PUBLIC),
    "account.acknowledge": Rule(ANY_USER, "own account only"),
    "account.data": Rule(ANY_USER, "own data only"),
    "account.data_json": Rule(ANY_USER, "own data only"),
    "account.data_print": Rule(ANY_USER, "own data only"),
    "two_step.setup": Rule(ANY_USER, "own account only"),
    "two_step.renew_codes": Rule(ANY_USER, "own account only; current password"),
    "two_step.turn_off": Rule(ANY_USER, "own account only; current password; not an admin "
                                        "who must keep it"),
    "directory.index": Rule(ANY_USER, "own editions and alumni; listed participants only"),
    "directory.mine": Rule((Role.PARTICIPANT,), "own listing only"),
    "directory.withdraw": Rule((Role.PARTICIPANT,), "own listing only"),
}
