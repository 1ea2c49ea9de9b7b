"""Authoring, packages, personal data and the directory, tried as new users would, in a real
browser, with an accessibility check on every page visited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, Server, check_accessibility, follow
from tests.e2e.journey_steps import login_as

PIXEL = ROOT / "tests/fixtures/package/media/pixel.png"
COURSE = ROOT / "course_content/migration-governance"


def course_zip(folder: Path, broken: bool) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(COURSE.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if broken and path.name == "02-migration-in-numbers.md":
                data = data.replace(b"minutes: 15", b"minutes: fifteen", 1)
            bundle.writestr("migration-governance/" + path.relative_to(COURSE).as_posix(),
                            data)
    target = folder / ("broken.zip" if broken else "fixed.zip")
    target.write_bytes(buffer.getvalue())
    return target


def test_instructor_writes_publishes_edits_and_restores(server: Server, new_page: Any) -> None:
    """An instructor uploads an image, writes a lesson with it, previews English and Arabic,
    publishes, edits and restores; the participant sees each published state."""
    teacher = new_page()
    login_as(teacher, server, "instructor", check_notice=True)
    follow(teacher.get_by_role("link", name="Authoring"))
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name=re.compile("^Introduction to Migration")))
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name="Images and readings"))
    teacher.get_by_label("Image (PNG, JPEG, WebP) or reading (PDF)").set_input_files(str(PIXEL))
    follow(teacher.get_by_role("button", name="Upload", exact=True))
    assert "media/pixel.png" in teacher.content()
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name=re.compile("^Introduction to Migration")))
    follow(teacher.get_by_role("link", name="New topic"))
    check_accessibility(teacher)
    teacher.get_by_label("Short name for links").fill("field-visit")
    teacher.get_by_label("Title in English").fill("Preparing the field visit")
    teacher.get_by_label("Title in Arabic").fill("الاستعداد للزيارة الميدانية")
    follow(teacher.get_by_role("button", name="Create the draft topic"))
    check_accessibility(teacher)
    teacher.get_by_label("Reading time in minutes").fill("10")
    teacher.get_by_label("Learning objectives, one per line").fill("Prepare questions.")
    teacher.get_by_label("Lesson text (Markdown)").fill(
        "## Before the visit\n\nFirst version of the plan.\n\n![The site](media/pixel.png)\n")
    follow(teacher.get_by_role("button", name="Preview"))
    assert teacher.locator("article.lesson--preview img").get_attribute("src") == (
        "/media/migration-governance/pixel.png")
    check_accessibility(teacher)
    follow(teacher.get_by_role("button", name="Save draft"))
    topic_url = teacher.url

    reader = new_page(390, 844)
    login_as(reader, server, "participant1", check_notice=True)
    assert reader.request.get(f"{server.url}/topics/field-visit").status == 404

    teacher.goto(topic_url.replace("/en/edit", "/ar/edit"))
    teacher.get_by_label("Reading time in minutes").fill("10")
    teacher.get_by_label("Learning objectives, one per line").fill("إعداد الأسئلة.")
    teacher.get_by_label("Lesson text (Markdown)").fill("## قبل الزيارة\n\nالخطة الأولى.\n")
    follow(teacher.get_by_role("button", name="Preview"))
    assert teacher.locator("article.lesson--preview").get_attribute("dir") == "rtl"
    check_accessibility(teacher)
    follow(teacher.get_by_role("button", name="Publish"))
    teacher.goto(topic_url)
    follow(teacher.get_by_role("button", name="Publish"))
    check_accessibility(teacher)

    reader.goto(f"{server.url}/topics/field-visit?lang=en")
    assert "First version of the plan." in reader.content()
    check_accessibility(reader)

    teacher.goto(topic_url)
    teacher.get_by_label("Lesson text (Markdown)").fill(
        "## Before the visit\n\nSecond version of the plan.\n")
    follow(teacher.get_by_role("button", name="Publish"))
    reader.goto(f"{server.url}/topics/field-visit?lang=en")
    assert "Second version of the plan." in reader.content()

    teacher.goto(topic_url.replace("/edit", "/history"))
    check_accessibility(teacher)
    follow(teacher.get_by_role("link", name="What changed").first)
    assert "Second version of the plan." in teacher.locator("table.diff").inner_text()
    check_accessibility(teacher)
    teacher.goto(topic_url.replace("/edit", "/history"))
    follow(teacher.get_by_role("link", name="Version 1", exact=True))
    check_accessibility(teacher)
    follow(teacher.get_by_role("button", name="Restore this version"))
    assert "Version 1 is published again as version 3." in teacher.content()
    reader.goto(f"{server.url}/topics/field-visit?lang=en")
    assert "First version of the plan." in reader.content()


def test_admin_uploads_a_package_fixes_it_and_loads_it(server: Server, new_page: Any,
                                                       tmp_path: Path) -> None:
    """The report names the file and line of the error; the fixed zip loads."""
    admin = new_page()
    login_as(admin, server, "admin", check_notice=True)
    follow(admin.get_by_role("link", name="Packages"))
    check_accessibility(admin)
    admin.get_by_label("Course package (.zip)").set_input_files(str(course_zip(tmp_path, True)))
    follow(admin.get_by_role("button", name="Upload and check"))
    problems = admin.locator("table").inner_text()
    assert "modules/01-introduction/02-migration-in-numbers.md" in problems
    assert "must be a whole number" in problems
    check_accessibility(admin)
    follow(admin.get_by_role("link", name="Course packages"))
    admin.get_by_label("Course package (.zip)").set_input_files(str(course_zip(tmp_path, False)))
    follow(admin.get_by_role("button", name="Upload and check"))
    assert "migration-governance: valid" in admin.content()
    follow(admin.get_by_role("button", name="Load this package"))
    assert "The package is loaded." in admin.content()
    check_accessibility(admin)


def test_participant_downloads_data_and_finds_colleagues(server: Server, new_page: Any) -> None:
    """The data download holds the participant's own account; two listed participants find
    each other in the directory and the unlisted one is absent."""
    page = new_page(390, 844)
    login_as(page, server, "participant1", check_notice=True)
    follow(page.get_by_role("link", name="My account"))
    check_accessibility(page)
    follow(page.get_by_role("link", name="My data"))
    check_accessibility(page)
    with page.expect_download() as download:
        follow(page.get_by_role("link", name="Download as a JSON file"))
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == server.accounts["participant1"][0]
    follow(page.get_by_role("link", name="Open as a printable page"))
    check_accessibility(page)
    follow(page.get_by_role("link", name="Directory"))
    check_accessibility(page)
    listing = page.locator("main").inner_text()
    assert "Salma Farouk" in listing and "Omar Khaled" in listing
    assert "Nour Ibrahim" not in listing
    other = new_page()
    login_as(other, server, "participant2", check_notice=True)
    follow(other.get_by_role("link", name="Directory"))
    assert "Salma Farouk" in other.locator("main").inner_text()


def test_account_pages_are_accessible(server: Server, new_page: Any) -> None:
    """Profile, email, privacy notice, directory listing and the admin's account pages pass
    the accessibility check, in English and in Arabic."""
    page = new_page(390, 844)
    login_as(page, server, "participant3", check_notice=True)
    for path in ("/account/profile", "/account/email", "/privacy", "/directory/me"):
        page.goto(f"{server.url}{path}")
        check_accessibility(page)
    page.get_by_label("Position").fill("Caseworker")
    follow(page.get_by_role("button", name="Join the directory"))
    assert "You are listed in the directory." in page.content()
    follow(page.get_by_role("button", name="العربية"))
    for path in ("/account/profile", "/directory", "/privacy"):
        page.goto(f"{server.url}{path}")
        check_accessibility(page)
    admin = new_page()
    login_as(admin, server, "admin", check_notice=True)
    follow(admin.get_by_role("link", name="People"))
    follow(admin.get_by_role("link", name="Nour Ibrahim"))
    check_accessibility(admin)
    follow(admin.get_by_role("link", name="Edit the account"))
    check_accessibility(admin)
