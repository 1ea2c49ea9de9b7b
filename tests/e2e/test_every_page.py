"""Every page type of the registry, as its role, in English and Arabic, at desktop and phone
widths: no axe-core violation, the right language and direction, no sideways scrolling of the
page at 320 px. Downloads answer with their content type; the Nu HTML Checker finds no error
in any page's served HTML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, Server, check_accessibility
from tests.e2e.pages import ACCOUNTS, DOWNLOADS, ROLES, PageType, pages_of

LANGUAGES = ("en", "ar")
DESKTOP, PHONE = 1280, 320
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Each role runs its four combinations together, switching language only twice.
MATRIX = [(role, language, width) for role in ROLES for language in LANGUAGES
          for width in (DESKTOP, PHONE)]


@pytest.fixture(scope="module")
def ids(server: Server) -> dict[str, Any]:
    """Real ids from the server's database, with what the demo lacks created once."""
    result = subprocess.run([sys.executable, "-m", "tests.e2e.page_fixtures"],  # noqa: S603
                            cwd=ROOT, env=server.env, capture_output=True, text=True,
                            check=True, timeout=120)
    return dict(json.loads(result.stdout))


def _log_in(page: Any, server: Server, handle: str) -> None:
    email, password = server.accounts[handle]
    page.goto(f"{server.url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{handle} could not log in with the demo password"
    acknowledge = page.locator("form[action$='/privacy/acknowledge'] button")
    if acknowledge.count():
        with page.expect_navigation():
            acknowledge.first.click()


def use_language(page: Any, server: Server, language: str) -> None:
    """Switch with the header's language button, as a person would."""
    page.goto(f"{server.url}/privacy")
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.locator(f"form[action$='/language'] button[lang={language}]").click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.fixture(scope="module")
def role_pages(browser: Any, server: Server) -> Iterator[Callable[[str], Any]]:
    """One logged-in browser page per role, opened on first use and kept for the module."""
    pages: dict[str, Any] = {}
    contexts: list[Any] = []

    def page_for(role: str) -> Any:
        if role not in pages:
            context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
            context.set_default_timeout(15_000)
            contexts.append(context)
            page = context.new_page()
            handle = ACCOUNTS[role]
            if handle:
                _log_in(page, server, handle)
            pages[role] = page
        return pages[role]

    yield page_for
    for role, page in pages.items():
        if ACCOUNTS[role]:
            use_language(page, server, "en")  # the preference is saved on the account
    for context in contexts:
        context.close()


def _url(server: Server, entry: PageType, ids: dict[str, Any]) -> str:
    return server.url + entry.path.format(**ids)


SUBMIT = "main form.form button[type=submit]"


def _open(page: Any, entry: PageType, url: str) -> Any:
    """Load the page (and send its form empty when the entry asks); the last response."""
    response = page.goto(url)
    if entry.submit and response is not None and response.ok:
        with page.expect_navigation() as navigation:
            page.locator(SUBMIT).first.click()
        response = navigation.value
    return response


def _check_page(page: Any, entry: PageType, url: str, language: str, width: int) -> list[str]:
    problems = []
    response = _open(page, entry, url)
    if response is None or response.status != entry.status:
        return [f"status {response.status if response else 'none'}, not {entry.status}"]
    html = page.locator("html")
    direction = "rtl" if language == "ar" else "ltr"
    if (html.get_attribute("lang"), html.get_attribute("dir")) != (language, direction):
        problems.append(f"<html lang={html.get_attribute('lang')} "
                        f"dir={html.get_attribute('dir')}>")
    try:
        check_accessibility(page)
    except AssertionError as violation:
        problems.append(str(violation).split(": ", 1)[-1])
    if width == PHONE:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width + 1:
            wide = page.evaluate(
                "w => [...document.querySelectorAll('body *')].filter(e => "
                "e.getBoundingClientRect().right > w + 1 || e.getBoundingClientRect().left < -1)"
                ".slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + "
                "String(e.className).split(' ')[0] : ''))", width)
            problems.append(f"page scrolls sideways: {scroll} px wide ({', '.join(wide)})")
    return problems


@pytest.mark.parametrize(("role", "language", "width"), MATRIX,
                         ids=[f"{r}-{lang}-{w}" for r, lang, w in MATRIX])
def test_every_page_passes_axe(role_pages: Any, server: Server, ids: dict[str, Any],
                               role: str, language: str, width: int) -> None:
    """Each of the role's pages: no WCAG 2.1 A/AA violation, <html lang dir> of the language,
    and on a phone nothing wider than the screen; every failure is listed at once."""
    page = role_pages(role)
    page.set_viewport_size({"width": width, "height": 900})
    use_language(page, server, language)
    failures = []
    for entry in pages_of(role):
        url = _url(server, entry, ids)
        failures += [f"{entry.name} {url}: {p}"
                     for p in _check_page(page, entry, url, language, width)]
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_downloads_answer_with_their_content_type(role_pages: Any, server: Server,
                                                  ids: dict[str, Any]) -> None:
    """Files, feeds and exports are not pages: each answers 200 with its own type."""
    wrong = []
    for entry in DOWNLOADS:
        response = role_pages(entry.role).request.get(_url(server, entry, ids))
        content_type = response.headers.get("content-type", "")
        if response.status != 200 or not content_type.startswith(entry.content_type):
            wrong.append(f"{entry.name}: {response.status} {content_type}")
    assert not wrong


def _vnu_missing() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed"
    if not VNU.exists():
        return "vnu-jar is not installed (npm ci)"
    return None


def test_served_html_is_valid(role_pages: Any, server: Server, ids: dict[str, Any],
                              tmp_path: Path) -> None:
    """The Nu HTML Checker reports no error in any page, in either language."""
    if reason := _vnu_missing():
        pytest.skip(reason)
    files: dict[str, str] = {}
    failures: list[str] = []
    for role in ROLES:
        page = role_pages(role)
        for language in LANGUAGES:
            use_language(page, server, language)
            for entry in pages_of(role):
                url = _url(server, entry, ids)
                # A form's answer has no URL to fetch again: its DOM stands in for it.
                response = _open(page, entry, url) if entry.submit else page.request.get(url)
                if response is None or response.status != entry.status:
                    failures.append(f"{language} {entry.name} {url}: status "
                                    f"{response.status if response else 'none'}")
                    continue
                path = tmp_path / f"{language}-{entry.name}.html"
                path.write_bytes(page.content().encode() if entry.submit else response.body())
                files[path.name] = f"{language} {entry.name} {url}"
    result = subprocess.run(  # noqa: S603
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json",  # noqa: S607
         *sorted(str(tmp_path / name) for name in files)],
        capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            name = message.get("url", "").rsplit("/", 1)[-1]
            failures.append(f"{files.get(name, name)} line {message.get('lastLine')}: "
                            f"{message.get('message')}")
    assert not failures, f"{len(failures)} errors:\n" + "\n".join(failures)
