"""Journey: an instructor publishes a lesson from a Markdown file, takes a day's attendance on a
phone, and sees a participant who checked in with the room's code. Every page is checked
with axe."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.journey_steps import DEMO_EDITION, login

LESSON = """---
title: {en: "Briefing before the border post visit", ar: "إحاطة قبل زيارة المنفذ الحدودي"}
minutes: 12
objectives:
  - Prepare three questions for the officers at the border post.
---

## Who we will meet

The visit starts with the shift supervisor, who explains how arrivals are registered.
"""
CRISIS_UNIT = "Migration Management in Crisis (MCOF, MICIC) and Psychosocial Issues of Refugees"
LATECOMER = "Salma Farouk"  # participant1 of the demo
NOTE = "Phoned at 9:10: held up at the metro"


def add_todays_day(server: Server, new_page: Any, day: str) -> None:
    """The admin adds a day for the crisis unit today, open for check-in all day, so the
    journey runs at any hour and leaves the other units' days as they are."""
    admin = new_page()
    login(admin, server, *server.accounts["admin"])
    follow(admin.get_by_role("link", name="Editions"))
    follow(admin.get_by_role("link", name=DEMO_EDITION))
    form = admin.locator("form", has=admin.get_by_role("button", name="Add the day"))
    form.get_by_label("Unit", exact=True).select_option(label=CRISIS_UNIT)
    form.get_by_label("Date").fill(day)
    form.get_by_label("Start time").fill("00:00")
    form.get_by_label("End time").fill("23:59")
    form.get_by_label("Contact hours").fill("7")
    follow(form.get_by_role("button", name="Add the day"))
    assert "The day has been added." in admin.content()
    check_accessibility(admin)
    admin.context.close()


def read_code(page: Any) -> str:
    follow(page.get_by_role("link", name="Show the check-in code"))
    check_accessibility(page)
    return re.sub(r"\D", "", page.locator(".checkin-code").inner_text())


def test_instructor_publishes_a_lesson_and_takes_attendance(server: Server, new_page: Any,
                                                            tmp_path: Path) -> None:
    """Upload, publish and read a lesson; mark a phone roster; a participant checks in with
    the code on the instructor's page and shows up on the roster, the instructor's note kept."""
    teacher = new_page()
    login(teacher, server, *server.accounts["instructor"])
    follow(teacher.get_by_role("link", name="Authoring"))
    follow(teacher.get_by_role("link", name=re.compile("^Introduction to Migration")))
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name="New topic"))
    teacher.get_by_label("Short name for links").fill("border-post-briefing")
    teacher.get_by_label("Title in English").fill("Briefing before the border post visit")
    teacher.get_by_label("Title in Arabic").fill("إحاطة قبل زيارة المنفذ الحدودي")
    follow(teacher.get_by_role("button", name="Create the draft topic"))
    check_accessibility(teacher)
    lesson = tmp_path / "briefing.md"
    lesson.write_text(LESSON, encoding="utf-8")
    teacher.get_by_label("Lesson file (.md, UTF-8)").set_input_files(str(lesson))
    follow(teacher.get_by_role("button", name="Upload as the draft"))
    assert "The file is saved as the draft." in teacher.content()
    assert teacher.get_by_role("heading", name="Who we will meet").is_visible()
    check_accessibility(teacher)
    follow(teacher.get_by_role("button", name="Publish this draft"))
    assert "Published: participants now see version 1." in teacher.content()
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name="See it as participants do"))
    assert teacher.url.endswith("/topics/border-post-briefing")
    article = teacher.locator("article.lesson")
    assert article.get_by_role("heading", name="Briefing before the border post visit",
                               level=1).is_visible()
    assert "registered" in article.inner_text()
    check_accessibility(teacher)
    teacher.context.close()

    today = datetime.now(ZoneInfo("Africa/Cairo")).date().isoformat()
    add_todays_day(server, new_page, today)

    phone = new_page(375, 740)
    login(phone, server, *server.accounts["instructor"])
    follow(phone.get_by_role("link", name="Teaching"))
    check_accessibility(phone)
    unit = phone.locator("section.unit-schedule").filter(has_text=CRISIS_UNIT).filter(
        has_text=DEMO_EDITION)
    follow(unit.locator("li", has=phone.locator(f"time[datetime^='{today}']")).get_by_role(
        "link", name="Take attendance"))
    check_accessibility(phone)
    follow(phone.get_by_role("button", name="Mark everyone not yet marked as present"))
    assert re.search(r"\d+ participants? marked present", phone.content())
    person = phone.locator("fieldset.roster__person").filter(has_text=LATECOMER)
    assert person.get_by_label("Present").is_checked()
    person.get_by_label("Absent").check()
    person.get_by_label("Note").fill(NOTE)
    follow(phone.get_by_role("button", name="Save attendance"))
    assert "Attendance saved (1 change)." in phone.content()
    check_accessibility(phone)
    roster_url = phone.url
    code = read_code(phone)
    assert len(code) == 6

    participant = new_page(390, 844)
    login(participant, server, *server.accounts["participant1"])
    follow(participant.get_by_role("link", name="Check in to today's session"))
    check_accessibility(participant)
    for _try in range(2):
        participant.get_by_label("Check-in code").fill(code)
        follow(participant.get_by_role("button", name="Check in"))
        if "You are checked in for" in participant.content():
            break
        # The code changes every three minutes: read the new one, as the room would.
        phone.goto(roster_url)
        code = read_code(phone)
    assert f"You are checked in for {CRISIS_UNIT}." in participant.content()
    check_accessibility(participant)

    phone.goto(roster_url)
    person = phone.locator("fieldset.roster__person").filter(has_text=LATECOMER)
    assert person.locator("input[type=radio]:checked").get_attribute("value") in (
        "present", "late")
    assert person.get_by_label("Note").input_value() == NOTE
    check_accessibility(phone)
