"""Nothing that matters lives in one worker's memory: what one process changes, another sees
at once, and files that every worker may create are created safely."""

from __future__ import annotations

import threading
from pathlib import Path

from lms.certificates.badges import KEY_FILE, public_jwk
from lms.courses.loader import load_package
from lms.extensions import db
from tests import factories
from tests.conftest import make_app


def test_a_content_reload_in_one_worker_is_seen_by_another(tmp_path: Path,
                                                           package_copy: Path) -> None:
    """Two app instances (two workers) on one database: a lesson reloaded through the first
    shows on the second's very next page, so no worker serves content from its own memory."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    storage = str(tmp_path / "storage")
    loader, reader = (make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, STORAGE_DIR=storage)
                      for _ in range(2))
    with loader.app_context():
        db.create_all()
        load_package(package_copy, Path(storage))
        user = factories.make_user()
        factories.enrol(user, factories.make_edition())
        db.session.commit()
        email = user.email
    browser = reader.test_client()
    assert browser.post("/login", data={"email": email,
                                        "password": factories.PASSWORD}).status_code == 302
    assert "Later practice" not in browser.get("/topics/first").text

    lesson = package_copy / "modules" / "01-alpha" / "01-first.md"
    lesson.write_text(lesson.read_text() + "\n## Later practice\n\nAdded after the first load.\n")
    with loader.app_context():
        load_package(package_copy, Path(storage))
        db.session.commit()

    assert "Added after the first load." in browser.get("/topics/first").text
    for app in (loader, reader):
        with app.app_context():
            db.engine.dispose()


def test_workers_creating_the_issuer_key_at_once_agree(tmp_path: Path) -> None:
    """Several workers asking for the badge signing key at the same moment end up with one
    key, complete, and no leftover files."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    barrier = threading.Barrier(4)
    keys: list[dict[str, str]] = []

    def ask() -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            keys.append(public_jwk())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(keys) == 4 and all(key == keys[0] for key in keys)
    assert [p.name for p in (tmp_path / "storage" / "keys").iterdir()] == [KEY_FILE]
