"""Two-step login in a real browser: set up with the key shown, log in with a code in Arabic,
then with a recovery code; every page on the way has no accessibility violation."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from tests.e2e.conftest import Server, check_accessibility, follow

EMAIL = "two.step@example.org"
PASSWORD = "a long walk by the river 2027"


def _password_step(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/login")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page.locator("main form button[type=submit]"))
    assert page.url.endswith("/login/code")


def _next_step_code(secret: str) -> str:
    """A code of a later time step than any used so far: the one after the current step."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def test_two_step_login_from_set_up_to_recovery_code(server: Server, new_page: Any) -> None:
    """An instructor turns two-step login on from the key on the page, keeps the recovery
    codes, logs in with the app's code on the Arabic pages, then with a recovery code."""
    server.flask("lms", "create-user", "--email", EMAIL, "--name", "Two Step",
                 "--role", "instructor", "--password", PASSWORD)
    page = new_page()
    page.goto(f"{server.url}/login")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    follow(page.locator("main form button[type=submit]"))
    page.goto(f"{server.url}/account/two-step")
    check_accessibility(page)
    secret = page.locator("code.setup-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill("000000")
    follow(page.get_by_role("button", name="Turn two-step login on"))
    assert page.locator("#code-errors").count() == 1
    check_accessibility(page)
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    follow(page.get_by_role("button", name="Turn two-step login on"))
    codes = re.findall(r"(?:[a-z0-9]{4}-){3}[a-z0-9]{4}",
                       page.locator(".recovery-codes").inner_text())
    assert len(codes) == 10
    check_accessibility(page)
    follow(page.locator("form[action$='/logout'] button"))

    follow(page.locator("form[action$='/language'] button[lang=ar]"))
    _password_step(page, server)
    assert page.locator("html").get_attribute("dir") == "rtl"
    check_accessibility(page)
    page.locator("input[name=code]").fill(_next_step_code(secret).translate(
        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    follow(page.locator("main form button[type=submit]"))
    assert "/login" not in page.url
    follow(page.locator("form[action$='/logout'] button"))

    _password_step(page, server)
    page.locator("details summary").click()
    page.locator("input[name=recovery_code]").fill(codes[0])
    follow(page.locator("main form button[type=submit]"))
    assert "/login" not in page.url
    check_accessibility(page)
