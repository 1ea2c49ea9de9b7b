"""Journey: a participant reads a lesson, marks it complete, passes its quiz, and sees both
lines of the unit's checklist turn to done. Every page is checked with axe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import Server, check_accessibility, follow
from tests.e2e.journey_steps import (
    Text,
    english,
    enrol_new_participant,
    first_section,
    login,
    pass_quiz,
    topic_title,
)


def topic_row(page: Any, title: str) -> Any:
    """The topic's line on its unit's own page, found from the home page as a reader would:
    following each unit's "days and topics" link until the topic is there."""
    links = page.locator("p.checklist__more a")
    for index in range(links.count()):
        follow(links.nth(index))
        row = page.locator("table.data-table tr").filter(has_text=title)
        if row.count():
            return row
        page.go_back()
    raise AssertionError(f"no unit page lists {title}")


def read_complete_and_pass(page: Any, slug: str, language: str, name: str, t: Text,
                           on_each_page: Callable[[Any], None]) -> None:
    """The whole journey from the home page, in ``language``; ``on_each_page`` runs the
    checks every page visited must pass (axe, and direction and language for Arabic)."""
    title = topic_title(slug, language)
    lesson_todo = t("Read and complete the lesson “%(title)s”", title=title)
    quiz_todo = t("Pass the quiz of “%(title)s”", title=title)
    assert page.get_by_role("heading", name=t("Welcome, %(name)s", name=name)).is_visible()
    home_missing = page.locator("ul.missing-list").first
    assert home_missing.get_by_role("link", name=lesson_todo).count() == 1
    on_each_page(page)
    row = topic_row(page, title)
    assert row.locator("td").nth(0).inner_text().strip() == t("Not yet completed")
    assert row.locator("td").nth(1).inner_text().strip() == t("Not attempted")
    missing = page.locator("ul.missing-list").first
    assert missing.get_by_role("link", name=lesson_todo).count() == 1
    assert missing.get_by_role("link", name=quiz_todo).count() == 1
    on_each_page(page)

    follow(row.get_by_role("link", name=title, exact=True))
    article = page.locator("article.lesson")
    assert article.get_attribute("lang") == language
    assert article.get_by_role("heading", name=title, level=1).is_visible()
    assert article.get_by_role("heading", name=first_section(slug, language),
                               level=2).is_visible()
    assert page.get_by_role("heading", name=t("Check your understanding")).is_visible()
    on_each_page(page)
    follow(page.get_by_role("button", name=t("Mark as complete")))
    assert page.get_by_text(t("You have completed this lesson.")).is_visible()
    on_each_page(page)

    follow(page.get_by_role("link", name=t("Take the quiz")))
    assert page.get_by_text(t("You have not attempted this quiz yet.")).is_visible()
    on_each_page(page)
    follow(page.get_by_role("button", name=t("Start the quiz")))
    pass_quiz(page, slug, t)
    assert page.get_by_role("heading", name=t("Result of attempt %(num)d", num=1)).is_visible()
    outcome = page.locator("dl.meta-list .status--done")
    assert outcome.inner_text().strip() == t("Passed")
    on_each_page(page)

    follow(page.get_by_role("link", name=t("Home"), exact=True).first)
    assert page.get_by_role("link", name=lesson_todo).count() == 0
    assert page.get_by_role("link", name=quiz_todo).count() == 0
    on_each_page(page)
    row = topic_row(page, title)
    assert row.locator("td").nth(0).inner_text().strip() == t("Completed")
    assert row.locator("td").nth(1).inner_text().strip() == t("Passed (best %(score)d%%)",
                                                              score=100)
    assert page.get_by_role("link", name=lesson_todo).count() == 0
    assert page.get_by_role("link", name=quiz_todo).count() == 0
    on_each_page(page)


def test_participant_reads_completes_and_passes_a_quiz(server: Server, new_page: Any) -> None:
    """Lesson and quiz lines of the checklist go from missing to done."""
    name = "Dina Hamed"
    email = "dina.hamed@example.org"
    password = enrol_new_participant(server, new_page, email, name, "دينا حامد")
    page = new_page()
    login(page, server, email, password)
    read_complete_and_pass(page, "history-of-cooperation", "en", name, english,
                           check_accessibility)
