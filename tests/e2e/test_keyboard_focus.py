"""Keyboard users always see where they are: the skip link comes first, and every control that
takes focus from the Tab key shows a visible ring, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Server, follow
from tests.e2e.journey_steps import login

FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {
    name: element.tagName.toLowerCase() + (element.className ? "." + element.className : "")
          + " " + (element.textContent || element.getAttribute("name") || "").trim().slice(0, 40),
    outline: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
    ring: style.boxShadow !== "none",
  };
}"""


def tab_through(page: Any, presses: int = 30) -> list[str]:
    """Press Tab repeatedly; name every focused control that shows no focus indicator."""
    invisible = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        if focused["outline"] < 2 and not focused["ring"]:
            invisible.append(focused["name"])
    return invisible


@pytest.mark.parametrize("language", ["en", "ar"])
def test_focus_is_visible_for_keyboard_users(server: Server, new_page: Any,
                                             language: str) -> None:
    page = new_page()
    page.goto(f"{server.url}/login")
    if language == "ar":
        follow(page.get_by_role("button", name="العربية"))
    assert page.locator("html").get_attribute("lang") == language
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert tab_through(page) == []

    page = new_page()
    login(page, server, *server.accounts["participant3"], language=language)
    try:
        page.goto(f"{server.url}/")
        assert page.locator("html").get_attribute("lang") == language
        assert tab_through(page) == []
    finally:
        # The choice is saved on the account; other journeys expect this participant in English.
        if language != "en":
            page.goto(f"{server.url}/")
            follow(page.get_by_role("button", name="English"))
