"""Journey: an admin opens an edition, imports its roster, finds the people on the board,
issues a graduate's certificate, and anyone can verify it by its code. Every page is checked
with axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.journey_steps import login

ROSTER = ("name,name_ar,email,organisation,organisation_type,country,gender\n"
          "Tarek Said,طارق سعيد,tarek.said@example.org,Ministry of Interior,government,"
          "Egypt,male\n"
          "Mariam Fawzy,مريم فوزي,mariam.fawzy@example.org,Terre des hommes,ngo,Egypt,"
          "female\n")
FINISHED_EDITION = "Regional edition, spring 2026"
GRADUATE = "Laila Mansour"  # complete in the demo's finished edition, not issued yet


def test_admin_runs_an_edition_and_issues_a_certificate(server: Server, new_page: Any,
                                                         tmp_path: Path) -> None:
    """Create, import (preview, then confirm), find on the board, issue, verify logged out."""
    admin = new_page()
    login(admin, server, *server.accounts["admin"])
    follow(admin.get_by_role("link", name="Editions"))
    check_accessibility(admin)
    follow(admin.get_by_role("link", name="Create an edition"))
    admin.get_by_label("Name").fill("Spring edition 2027")
    admin.get_by_label("Start date").fill("2027-02-07")
    admin.get_by_label("End date").fill("2027-07-29")
    follow(admin.get_by_role("button", name="Save"))
    assert admin.get_by_role("heading", name="Spring edition 2027", level=1).is_visible()
    check_accessibility(admin)

    roster = tmp_path / "spring-roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    follow(admin.get_by_role("link", name="Import a roster (CSV)"))
    check_accessibility(admin)
    admin.get_by_label("CSV file (UTF-8)").set_input_files(str(roster))
    follow(admin.get_by_role("button", name="Check the file"))
    assert admin.get_by_text("New account, invited").count() == 2
    check_accessibility(admin)
    follow(admin.get_by_role("button", name="Import 2 rows"))
    assert "2 rows imported." in admin.content()

    follow(admin.get_by_role("link", name="Progress board"))
    check_accessibility(admin)
    board = admin.locator("main")
    assert "Tarek Said" in board.inner_text() and "Mariam Fawzy" in board.inner_text()
    admin.get_by_label("Name or email").fill("mariam")
    follow(admin.get_by_role("button", name="Filter"))
    assert admin.get_by_role("link", name="Mariam Fawzy").is_visible()
    assert "Tarek Said" not in admin.locator("main").inner_text()
    check_accessibility(admin)

    follow(admin.get_by_role("link", name="Editions"))
    follow(admin.get_by_role("link", name=FINISHED_EDITION))
    follow(admin.get_by_role("link", name="Certificates"))
    check_accessibility(admin)
    row = admin.locator("tr").filter(has_text=GRADUATE)
    assert "Eligible, not issued yet" in row.inner_text()
    follow(row.get_by_role("button", name=f"Issue to {GRADUATE}"))
    assert f"Certificate issued to {GRADUATE}." in admin.content()
    row = admin.locator("tr").filter(has_text=GRADUATE)
    assert "Issued" in row.inner_text()
    follow(row.get_by_role("link"))
    code = admin.locator("h1 code").inner_text()
    check_accessibility(admin)

    visitor = new_page(390, 844)  # logged out, in a browser of its own
    visitor.goto(f"{server.url}/verify")
    check_accessibility(visitor)
    visitor.get_by_label("Verification code").fill(code)
    follow(visitor.get_by_role("button", name="Verify"))
    assert visitor.get_by_role("status").inner_text().startswith("Valid:")
    assert GRADUATE in visitor.locator("main").inner_text()
    assert code in visitor.locator("main").inner_text()
    check_accessibility(visitor)
