"""An admin sets up an edition, an instructor takes attendance on a phone, and the participant
sees the result: in a real browser, with every page checked for accessibility."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.test_invited_participant import login

ROSTER = ("name,name_ar,email,organisation,organisation_type,country,gender\n"
          "Rania Fathy,رانيا فتحي,rania.fathy@example.org,Ministry of Health,government,"
          "Egypt,female\n")


def test_admin_edition_roster_schedule_and_board(server: Server, new_page: Any,
                                                 tmp_path: Path) -> None:
    """Create an edition, import a roster (preview, then confirm), schedule a module, and
    read the board, the report and the participant detail."""
    admin = new_page()
    login(admin, server, *server.accounts["admin"])
    follow(admin.get_by_role("link", name="Editions"))
    check_accessibility(admin)
    follow(admin.get_by_role("link", name="Create an edition"))
    check_accessibility(admin)
    admin.get_by_label("Name").fill("Fourth edition")
    admin.get_by_label("Start date").fill("2027-10-03")
    admin.get_by_label("End date").fill("2028-03-30")
    admin.get_by_label("Venue").fill("AUC Tahrir Square campus")
    follow(admin.get_by_role("button", name="Save"))
    assert "Now schedule its in-person days" in admin.content()
    check_accessibility(admin)
    admin.get_by_label("Units").select_option(index=1)
    admin.get_by_label("First day").fill("2027-10-07")
    admin.get_by_label("Start time").first.fill("09:00")
    admin.get_by_label("End time").first.fill("16:00")
    follow(admin.get_by_role("button", name="Schedule", exact=True))
    assert "5 in-person days scheduled." in admin.content()
    assert "Oct 10, 2027" in admin.content()  # Friday and Saturday skipped

    roster = tmp_path / "roster.csv"
    roster.write_bytes(("\ufeff" + ROSTER).encode("utf-8"))
    follow(admin.get_by_role("link", name="Import a roster (CSV)"))
    check_accessibility(admin)
    admin.get_by_label("CSV file (UTF-8)").set_input_files(str(roster))
    follow(admin.get_by_role("button", name="Check the file"))
    assert "New account, invited" in admin.content()
    check_accessibility(admin)
    follow(admin.get_by_role("button", name="Import 1 row"))
    assert "1 rows imported." in admin.content()

    follow(admin.get_by_role("link", name="Progress board"))
    check_accessibility(admin)
    assert "Rania Fathy" in admin.content()
    follow(admin.get_by_role("link", name="Rania Fathy"))
    check_accessibility(admin)
    admin.go_back()
    follow(admin.get_by_role("link", name="Report and charts").first)
    check_accessibility(admin)
    # Completion and quiz scores are drawn; attendance waits for a day to be held.
    assert admin.locator("svg[role=img]").count() == 2
    assert "Nothing to show yet." in admin.content()


def test_instructor_takes_attendance_on_a_phone(server: Server, new_page: Any) -> None:
    """Mark everyone present, adjust one to late with a note, and see it in the history."""
    phone = new_page(390, 844)
    login(phone, server, *server.accounts["instructor"])
    follow(phone.get_by_role("link", name="Teaching"))
    check_accessibility(phone)
    follow(phone.get_by_role("link", name="Take attendance").nth(5))
    check_accessibility(phone)
    follow(phone.get_by_role("button", name="Mark everyone not yet marked as present"))
    assert re.search(r"\d+ participants? marked present", phone.content())
    person = phone.locator("fieldset.roster__person").first
    person.get_by_label("Late").check()
    person.get_by_label("Note").fill("Arrived at 10:15")
    follow(phone.get_by_role("button", name="Save attendance"))
    assert "Attendance saved (1 change)." in phone.content()
    check_accessibility(phone)
    follow(phone.get_by_role("link", name="History of changes"))
    check_accessibility(phone)
    assert "Arrived at 10:15" in phone.content()
    phone.go_back()
    follow(phone.get_by_role("link", name="Show the check-in code"))
    check_accessibility(phone)


def test_participant_sees_what_is_missing(server: Server, new_page: Any) -> None:
    """The demo participant one quiz from module 1 sees exactly that, and the check-in page."""
    phone = new_page(390, 844)
    login(phone, server, *server.accounts["participant2"])
    check_accessibility(phone)
    assert phone.get_by_text("Quizzes: 4 of 5 passed").first.is_visible()
    assert phone.get_by_role("link", name=re.compile("Pass the quiz of")).first.is_visible()
    follow(phone.get_by_role("link", name="Check in to today's session"))
    check_accessibility(phone)
    phone.get_by_label("Check-in code").fill("12")
    follow(phone.get_by_role("button", name="Check in"))
    assert phone.locator(".field-errors").is_visible()
    check_accessibility(phone)
