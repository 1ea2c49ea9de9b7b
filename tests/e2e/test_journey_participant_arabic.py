"""Journey: the participant's journey entirely in Arabic, after switching the language with
the switch in the page: right-to-left pages, Arabic interface text from the catalogue, and
the Arabic version of the lesson."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.journey_steps import arabic, enrol_new_participant, login
from tests.e2e.test_journey_participant import read_complete_and_pass


def in_arabic(page: Any) -> None:
    """What every page of the Arabic journey must be: Arabic, right to left, accessible."""
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), page.url
    check_accessibility(page)


def test_participant_journey_in_arabic(server: Server, new_page: Any) -> None:
    """Switch to Arabic, then read, complete and pass a quiz; the checklist follows in Arabic."""
    name = "Yasmin Adel"
    email = "yasmin.adel@example.org"
    password = enrol_new_participant(server, new_page, email, name, "ياسمين عادل")
    page = new_page(390, 844)
    login(page, server, email, password)
    assert page.locator("html").get_attribute("dir") == "ltr"
    follow(page.get_by_role("button", name="العربية"))
    in_arabic(page)
    read_complete_and_pass(page, "egypt-origin-transit-destination", "ar", name, arabic,
                           in_arabic)
