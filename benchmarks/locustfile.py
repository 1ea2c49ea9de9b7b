"""Simulated participants for ``benchmarks/load.py``: each logs in with its own account, then
reads lessons, looks at its dashboard, takes quizzes to the end and checks in with the code of
the day, as a person on a phone would, a second or three between steps.

Any answer other than the one a person would get counts as a failure, not only server errors:
a login that does not log in, a check-in the form refuses, a submission that lands nowhere.
The plan (accounts, lessons, quizzes, today's session) is the JSON file named by LMS_LOAD_PLAN.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lms.progress.checkin import CODE_PERIOD_SECONDS, code_for  # noqa: E402

PLAN: dict[str, Any] = json.loads(Path(os.environ["LMS_LOAD_PLAN"]).read_text())
ACCOUNTS = iter(PLAN["accounts"])
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHOICE = re.compile(r'<input type="(?:radio|checkbox)" name="(q-[^"]+)"[^>]*value="([^"]+)"')
SELECT = re.compile(r'<select[^>]*name="(q-[^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
TYPED = re.compile(r'<input type="text"([^>]*)name="(q-[^"]+)"')
ESSAY = re.compile(r'<textarea[^>]*name="(q-[^"]+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)")


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def answers(html: str) -> dict[str, str]:
    """An answer to every question on an attempt page: the first choice, a number, a word."""
    given: dict[str, str] = {}
    for name, value in CHOICE.findall(html):
        given.setdefault(name, value)
    for name, options in SELECT.findall(html):
        found = OPTION.search(options)
        if found:
            given[name] = found.group(1)
    for attributes, name in TYPED.findall(html):
        given[name] = "1" if 'inputmode="decimal"' in attributes else "answer"
    for name in ESSAY.findall(html):
        given[name] = "A short answer written during the load run."
    return given


class Participant(HttpUser):
    """One participant of the edition, with today's in-person session open for check-in."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.email = next(ACCOUNTS)
        token = csrf_token(self.client.get("/login").text)
        with self.client.post("/login", data={"email": self.email, "password": PLAN["password"],
                                              "csrf_token": token, "next": ""},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.email} answered {response.status_code}")

    def _post(self, path: str, data: dict[str, str], name: str) -> str:
        """A form post that must end in a redirect, as every successful form here does."""
        with self.client.post(path, data=data, allow_redirects=False, catch_response=True,
                              name=name) as response:
            if response.status_code != 302:
                response.failure(f"{name} answered {response.status_code}")
                return ""
            return str(response.headers.get("Location", ""))

    @task(5)
    def read_lesson(self) -> None:
        lesson = random.choice(PLAN["lessons"])  # noqa: S311  (what to read, not a secret)
        self.client.get(f"/topics/{lesson}", name="/topics/[slug]")

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/", name="/ (dashboard)")

    @task(2)
    def take_quiz(self) -> None:
        slug = random.choice(PLAN["quizzes"])  # noqa: S311
        overview = self.client.get(f"/topics/{slug}/quiz", name="/topics/[slug]/quiz")
        token = csrf_token(overview.text)
        location = self._post(f"/topics/{slug}/quiz/start", {"csrf_token": token},
                              "/topics/[slug]/quiz/start")
        found = ATTEMPT.search(location)
        if found is None:
            return
        attempt = found.group(1)
        page = 1
        for _ in range(20):
            html = self.client.get(f"/attempts/{attempt}?page={page}",
                                   name="/attempts/[id]?page").text
            last = 'value="next"' not in html
            data = {"csrf_token": csrf_token(html), "page": str(page),
                    "action": "summary" if last else "next", **answers(html)}
            if not self._post(f"/attempts/{attempt}", data, "/attempts/[id] (save)"):
                return
            if last:
                break
            page += 1
        self._post(f"/attempts/{attempt}/submit", {"csrf_token": token},
                   "/attempts/[id]/submit")
        self.client.get(f"/attempts/{attempt}/result", name="/attempts/[id]/result")

    @task(1)
    def check_in(self) -> None:
        token = csrf_token(self.client.get("/checkin", name="/checkin").text)
        period = int(datetime.now(UTC).timestamp()) // CODE_PERIOD_SECONDS
        code = code_for(PLAN["secret"], PLAN["session_id"], period)
        self._post("/checkin", {"csrf_token": token, "code": code}, "/checkin (post)")
