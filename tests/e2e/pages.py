"""The registry of page types: every endpoint, as whom it is opened, and how its URL is made.

Pages (``kind="page"``) are checked in a real browser with axe-core in both languages at
desktop and phone widths, and their served HTML by the Nu HTML Checker. Downloads are fetched
to check their status and content type. Endpoints that answer only POST are listed with the
reason, so the registry stays complete: ``tests/test_page_registry.py`` fails for any endpoint
of the access table missing here.

Paths are format strings filled from the ids ``tests/e2e/page_fixtures.py`` finds or creates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("anonymous", "participant", "instructor", "admin")
# The demo account each role logs in as (None: not logged in).
ACCOUNTS = {"anonymous": None, "participant": "participant1", "instructor": "instructor",
            "admin": "admin"}


@dataclass(frozen=True)
class PageType:
    endpoint: str  # "" for a page no endpoint renders itself, such as the 404 page
    role: str
    path: str = ""
    kind: str = "page"  # page | download | post-only
    status: int = 200
    content_type: str = "text/html"
    reason: str = ""
    # A form sent empty after loading, so the page is checked with its errors tied to fields.
    submit: bool = False

    @property
    def name(self) -> str:
        """A short unique label for reports and saved files."""
        label = self.endpoint or "error"
        variant = re.sub(r"\W+", "-", self.path.split("?", 1)[-1] if "?" in self.path else "")
        return (f"{self.role}-{label}" + (f"-{variant.strip('-')}" if variant else "")
                + ("-errors" if self.submit else ""))


def _page(endpoint: str, role: str, path: str, status: int = 200) -> PageType:
    return PageType(endpoint, role, path, status=status)


def _errors(endpoint: str, role: str, path: str) -> PageType:
    return PageType(endpoint, role, path, status=400, submit=True)


def _download(endpoint: str, role: str, path: str, content_type: str, reason: str) -> PageType:
    return PageType(endpoint, role, path, kind="download", content_type=content_type,
                    reason=reason)


def _post(endpoint: str, reason: str) -> PageType:
    return PageType(endpoint, "", kind="post-only", reason=reason)


ANONYMOUS_PAGES = [
    _page("auth.login", "anonymous", "/login"),
    # Without a password step just done, it returns to the login form with a message.
    _page("auth.login_code", "anonymous", "/login/code"),
    _page("auth.forgot_password", "anonymous", "/password/forgot"),
    _page("auth.set_password", "anonymous", "/password/set?token={token}"),
    _page("auth.set_password", "anonymous", "/password/set?token=expired", status=410),
    _errors("auth.set_password", "anonymous", "/password/set?token={token}"),
    _page("account.notice", "anonymous", "/privacy"),
    _page("certificates.verify", "anonymous", "/verify"),
    _page("certificates.verify_code", "anonymous", "/verify/{code}"),
    _page("certificates.verify_code", "anonymous", "/verify/{revoked_code}?revoked"),
    _page("", "anonymous", "/no-such-page", status=404),
]

PARTICIPANT_PAGES = [
    _page("courses.home", "participant", "/"),
    _page("courses.lesson", "participant", "/topics/{slug}"),
    _page("courses.glossary", "participant", "/glossary"),
    _page("quizzes.overview", "participant", "/topics/{slug}/quiz"),
    _page("quizzes.take", "participant", "/attempts/{open_attempt_id}"),
    _page("quizzes.summary", "participant", "/attempts/{open_attempt_id}/summary"),
    _page("quizzes.result", "participant", "/attempts/{graded_attempt_id}/result"),
    _page("certificates.mine", "participant", "/certificates"),
    _page("participation.check_in", "participant", "/checkin"),
    _page("participation.unit_progress", "participant",
          "/my/editions/{edition_id}/units/{unit_id}"),
    _page("participation.apology", "participant", "/my/sessions/{upcoming_session_id}/apology"),
    _page("account.profile", "participant", "/account/profile"),
    _page("account.change_email", "participant", "/account/email"),
    _page("account.data", "participant", "/account/data"),
    _page("account.data_print", "participant", "/account/data/print"),
    _page("auth.change_own_password", "participant", "/account/password"),
    _errors("auth.change_own_password", "participant", "/account/password"),
    _page("auth.own_sessions", "participant", "/account/sessions"),
    _page("two_step.setup", "participant", "/account/two-step"),
    _errors("two_step.setup", "participant", "/account/two-step"),
    _page("directory.index", "participant", "/directory"),
    _page("directory.mine", "participant", "/directory/me"),
]

INSTRUCTOR_PAGES = [
    _page("courses.home", "instructor", "/"),
    _page("authoring.index", "instructor", "/author"),
    _page("authoring.module", "instructor", "/author/modules/{module_id}"),
    _page("authoring.new_topic", "instructor", "/author/modules/{module_id}/topics/new"),
    _page("authoring.topic", "instructor", "/author/topics/{topic_id}"),
    _page("authoring.media", "instructor", "/author/modules/{module_id}/media"),
    _page("lesson_authoring.edit", "instructor", "/author/topics/{topic_id}/en/edit"),
    _page("lesson_authoring.history", "instructor", "/author/topics/{topic_id}/en/history"),
    _page("lesson_authoring.version", "instructor", "/author/versions/{version_id}"),
    _page("lesson_authoring.changes", "instructor", "/author/versions/{version_id}/changes"),
    _page("quiz_authoring.index", "instructor", "/author/quizzes"),
    _page("quiz_authoring.edit_quiz", "instructor", "/author/quizzes/{quiz_id}"),
    *[_page("quiz_authoring.new_question", "instructor",
            f"/author/quizzes/{{quiz_id}}/questions/new?type={kind}")
      for kind in ("single", "matching", "numeric", "essay")],
    _page("quiz_authoring.edit_question", "instructor",
          "/author/quizzes/{quiz_id}/questions/{question_id}"),
    _page("quiz_review.preview", "instructor", "/author/quizzes/{quiz_id}/preview"),
    _page("quiz_review.statistics", "instructor", "/author/quizzes/{quiz_id}/statistics"),
    _page("quiz_review.grading_queue_page", "instructor", "/author/quizzes/grading"),
    _page("quiz_transfer.import_file", "instructor", "/author/quizzes/topics/{slug}/import"),
    _page("teaching.my_units", "instructor", "/teaching"),
    _page("teaching.unit", "instructor", "/teaching/editions/{edition_id}/units/{unit_id}"),
    _page("teaching.roster", "instructor", "/teaching/sessions/{session_id}"),
    _page("teaching.history", "instructor", "/teaching/sessions/{session_id}/history"),
    _page("teaching.code", "instructor", "/teaching/sessions/{open_session_id}/code?still=1"),
]

ADMIN_PAGES = [
    _page("courses.home", "admin", "/"),
    # The essay sits in the last module, which only admins may grade in the demo.
    _page("quiz_review.grade", "admin", "/author/quizzes/grading/{answer_id}"),
    _page("admin_users.list_users", "admin", "/admin/users"),
    _page("admin_users.invite", "admin", "/admin/users/invite"),
    _page("admin_accounts.show_user", "admin", "/admin/users/{participant_id}"),
    _page("admin_accounts.edit_user", "admin", "/admin/users/{participant_id}/edit"),
    _page("admin_accounts.anonymise_user", "admin", "/admin/users/{former_id}/anonymise"),
    _page("two_step.setup", "admin", "/account/two-step"),
    _page("outbox.list_messages", "admin", "/admin/outbox"),
    _page("outbox.show_message", "admin", "/admin/outbox/{message_id}"),
    _page("audit.list_events", "admin", "/admin/audit"),
    _page("certificate_admin.editions", "admin", "/admin/certificates"),
    _page("certificate_admin.edition", "admin",
          "/admin/certificates/editions/{finished_edition_id}"),
    _page("certificate_admin.detail", "admin", "/admin/certificates/{certificate_id}"),
    _page("editions.list_editions", "admin", "/admin/editions"),
    _page("editions.create_edition", "admin", "/admin/editions/new"),
    _errors("editions.create_edition", "admin", "/admin/editions/new"),
    _page("editions.show_edition", "admin", "/admin/editions/{edition_id}"),
    _page("editions.edit_edition", "admin", "/admin/editions/{edition_id}/edit"),
    _page("editions.edit_session", "admin", "/admin/editions/sessions/{session_id}"),
    _page("enrolments.enrol_one", "admin", "/admin/editions/{edition_id}/enrol"),
    _page("enrolments.import_roster_page", "admin", "/admin/editions/{edition_id}/roster"),
    _page("enrolments.import_attendance_page", "admin",
          "/admin/editions/{edition_id}/attendance-import"),
    _page("enrolments.make_ups", "admin", "/admin/editions/{edition_id}/make-ups"),
    _page("board.board", "admin", "/admin/editions/{edition_id}/board"),
    _page("board.participant", "admin",
          "/admin/editions/{edition_id}/participants/{participant_id}"),
    _page("board.report", "admin", "/admin/editions/{edition_id}/report"),
    _page("package_admin.uploads", "admin", "/admin/packages"),
    _page("package_admin.report", "admin", "/admin/packages/{upload_id}"),
]

DOWNLOADS = [
    _download("static", "anonymous", "/static/style.css", "text/css", "style sheet"),
    _download("health.health", "anonymous", "/health", "application/json",
              "health check for the load balancer"),
    _download("security.security_txt", "anonymous", "/.well-known/security.txt", "text/plain",
              "security contact (RFC 9116)"),
    _download("badges.issuer", "anonymous", "/ob/issuer", "application/json",
              "Open Badges issuer profile"),
    _download("badges.jwks", "anonymous", "/ob/jwks.json", "application/json", "public key set"),
    _download("badges.achievement", "anonymous", "/ob/achievements/{code}", "application/json",
              "Open Badges achievement"),
    _download("courses.media", "participant", "/media/{media_package}/{media_name}",
              "image/png", "lesson image"),
    _download("participation.calendar", "participant", "/my/schedule.ics", "text/calendar",
              "iCalendar file"),
    _download("account.data_json", "participant", "/account/data.json", "application/json",
              "personal data download"),
    _download("certificates.download", "participant",
              "/certificates/{certificate_id}/certificate.pdf", "application/pdf",
              "certificate PDF"),
    _download("badges.download", "participant", "/ob/credentials/{certificate_id}.jwt",
              "application/jwt", "signed Open Badges credential"),
    _download("quiz_transfer.export_gift", "instructor", "/author/quizzes/{quiz_id}/export.gift",
              "text/plain", "GIFT export"),
    _download("quiz_transfer.export_aiken", "instructor",
              "/author/quizzes/{quiz_id}/export.aiken.txt", "text/plain", "Aiken export"),
    _download("audit.export", "admin", "/admin/audit/export.csv", "text/csv", "CSV export"),
    _download("certificate_admin.archive", "admin",
              "/admin/certificates/editions/{finished_edition_id}/certificates.zip",
              "application/zip", "every PDF of an edition"),
    _download("board.export_board", "admin", "/admin/editions/{edition_id}/board.csv",
              "text/csv", "CSV export"),
    _download("board.export_board", "admin", "/admin/editions/{edition_id}/board.xlsx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "XLSX export"),
    _download("board.export_register", "admin", "/admin/editions/{edition_id}/register.csv",
              "text/csv", "CSV export"),
]

_ACTION = "a form's action; it redirects to the page the form is on"
POST_ONLY = [
    _post(endpoint, reason) for endpoint, reason in [
        ("auth.logout", _ACTION), ("auth.end_own_session", _ACTION),
        ("i18n.switch_language", _ACTION), ("account.gender", _ACTION),
        ("account.remove_roster_gender", _ACTION),
        ("account.acknowledge", _ACTION), ("directory.withdraw", _ACTION),
        ("admin_users.resend_invitation", _ACTION), ("admin_accounts.change_role", _ACTION),
        ("admin_accounts.deactivate", _ACTION), ("admin_accounts.reactivate", _ACTION),
        ("admin_accounts.set_modules", _ACTION), ("certificates.claim", _ACTION),
        ("certificate_admin.issue_all", _ACTION), ("certificate_admin.issue_one", _ACTION),
        ("certificate_admin.revoke", _ACTION), ("certificate_admin.reissue", _ACTION),
        ("editions.schedule", _ACTION), ("editions.add_session", _ACTION),
        ("editions.delete_session", _ACTION), ("editions.assign_instructor", _ACTION),
        ("editions.archive", _ACTION), ("enrolments.change_status", _ACTION),
        ("teaching.all_present", _ACTION), ("teaching.decide", _ACTION),
        ("courses.complete_lesson", _ACTION), ("quizzes.start", _ACTION),
        ("quizzes.save", _ACTION), ("quizzes.submit", _ACTION),
        ("quiz_authoring.create_quiz", _ACTION), ("quiz_authoring.move_question", _ACTION),
        ("quiz_authoring.remove_question", _ACTION), ("authoring.reorder", _ACTION),
        ("lesson_authoring.upload", _ACTION), ("lesson_authoring.publish", _ACTION),
        ("lesson_authoring.restore", _ACTION), ("lesson_authoring.dismiss", _ACTION),
        ("lesson_authoring.discard", _ACTION), ("package_admin.load", _ACTION),
        ("two_step.turn_off", _ACTION),
        ("two_step.renew_codes", _ACTION), ("admin_accounts.reset_two_step", _ACTION),
    ]
]

PAGES = ANONYMOUS_PAGES + PARTICIPANT_PAGES + INSTRUCTOR_PAGES + ADMIN_PAGES
REGISTRY = PAGES + DOWNLOADS + POST_ONLY


def pages_of(role: str) -> list[PageType]:
    return [entry for entry in PAGES if entry.role == role]
