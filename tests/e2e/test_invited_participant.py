"""An invited participant's first steps, in a real browser, in English and in Arabic."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow

PASSWORD = "olive tree by the nile 2027"


def login(page: Any, server: Server, email: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    check_accessibility(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    follow(page.get_by_role("button", name="Log in"))


def test_invited_participant_sets_password_reads_and_completes(server: Server,
                                                               new_page: Any) -> None:
    """Admin invites; participant sets a password from the mail, switches to Arabic, completes
    a lesson; every page visited has no accessibility violations."""
    admin = new_page()
    email, password = server.accounts["admin"]
    login(admin, server, email, password)
    follow(admin.get_by_role("link", name="People"))
    check_accessibility(admin)
    follow(admin.get_by_role("link", name="Invite a person"))
    check_accessibility(admin)
    admin.get_by_label("Full name (Latin script)").fill("Hana Mostafa")
    admin.get_by_label("Full name (Arabic script)").fill("هناء مصطفى")
    admin.get_by_label("Email").fill("hana.mostafa@example.org")
    admin.get_by_label("Organisation").fill("Ministry of Foreign Affairs")
    admin.get_by_label("Enrol in edition").select_option(label="Demo edition")
    follow(admin.get_by_role("button", name="Send the invitation"))
    assert "hana.mostafa@example.org has been invited." in admin.content()
    follow(admin.get_by_role("link", name="Outbox"))
    check_accessibility(admin)
    follow(admin.get_by_role(
        "link", name="Your account for the Certificate in Migration Governance").first)
    check_accessibility(admin)
    link = re.search(r"http://127\.0\.0\.1:\d+/password/set\?token=[\w-]+",
                     admin.inner_text("pre"))
    assert link, "no link in the invitation"

    participant = new_page(390, 844)  # a phone-sized screen
    participant.goto(link.group(0))
    check_accessibility(participant)
    participant.get_by_label("New password", exact=True).fill(PASSWORD)
    participant.get_by_label("New password again").fill(PASSWORD)
    follow(participant.get_by_role("button", name="Set password"))
    assert "Your password is set" in participant.content()
    login(participant, server, "hana.mostafa@example.org", PASSWORD)
    assert participant.get_by_role("heading", name="Welcome, Hana Mostafa").is_visible()
    check_accessibility(participant)

    follow(participant.get_by_role("button", name="العربية"))
    assert participant.locator("html").get_attribute("dir") == "rtl"
    assert participant.locator("html").get_attribute("lang") == "ar"
    check_accessibility(participant)
    follow(participant.locator("a[href='/topics/who-is-a-migrant']").first)
    assert participant.locator("article.lesson").get_attribute("dir") == "rtl"
    check_accessibility(participant)
    follow(participant.locator("form.complete-form button"))
    assert participant.locator("form.complete-form .status--done").is_visible()
    check_accessibility(participant)
    follow(participant.get_by_role("link", name="Read this lesson in English"))
    assert participant.locator("article.lesson").get_attribute("lang") == "en"
    check_accessibility(participant)
