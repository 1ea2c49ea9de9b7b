"""The page registry the browser checks walk covers every endpoint, each the way it answers."""

from __future__ import annotations

import re

from flask import Flask

from lms.access import ACCESS
from lms.auth.models import Role
from tests.e2e.pages import PAGES, REGISTRY, ROLES


def _sample(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "sample.png" if m[1] == "media_name" else "7", path)


def test_every_endpoint_that_answers_get_is_a_page_or_a_download(app: Flask) -> None:
    """An endpoint answering GET without a registry entry would escape axe and the HTML
    checker; one answering only POST is listed with its reason instead."""
    registered = {(e.endpoint, e.kind) for e in REGISTRY}
    missing = []
    for rule in app.url_map.iter_rules():
        answers_get = "GET" in (rule.methods or set())
        kinds = {"page", "download"} if answers_get else {"post-only"}
        if not any((rule.endpoint, kind) in registered for kind in kinds):
            missing.append(f"{rule.endpoint} ({'GET' if answers_get else 'POST only'})")
    assert missing == [], "add these to tests/e2e/pages.py"
    assert {e.endpoint for e in REGISTRY if e.endpoint} == set(ACCESS)


def test_each_entry_opens_its_endpoint_as_a_role_allowed_there(app: Flask) -> None:
    """The path of every page and download leads to the endpoint it is listed for, and the
    role that opens it is one the access table lets in."""
    adapter = app.url_map.bind("localhost")
    wrong = []
    for entry in REGISTRY:
        if entry.kind == "post-only" or not entry.endpoint:
            continue
        endpoint, _ = adapter.match(_sample(entry.path).split("?")[0], method="GET")
        role = None if entry.role == "anonymous" else Role(entry.role)
        if endpoint != entry.endpoint or not ACCESS[endpoint].allows(role):
            wrong.append(f"{entry.endpoint} {entry.role} {entry.path}")
    assert wrong == []


def test_every_role_has_pages_and_every_page_a_unique_name() -> None:
    """Each role's pages are checked, and saved HTML files never overwrite one another."""
    assert {entry.role for entry in PAGES} == set(ROLES)
    names = [entry.name for entry in PAGES]
    assert len(names) == len(set(names))
