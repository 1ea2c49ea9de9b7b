"""A file written for a transaction's rows stays only if those rows are committed: a rollback
of the transaction, or of the savepoint it was written in, removes it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from lms.auth.models import User
from lms.database import savepoint
from lms.extensions import db
from lms.transaction_files import remove_unless_committed
from tests import factories


def written(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-")
    remove_unless_committed(path)
    return path


def test_a_committed_file_stays(app: Flask, tmp_path: Path) -> None:
    """Committed with its rows, the file stays, also through later rollbacks."""
    factories.make_user(email="kept@example.org")
    path = written(tmp_path, "kept.pdf")
    db.session.commit()
    assert path.exists()
    # A later transaction that rolls back does not take a file committed before it.
    factories.make_user()
    db.session.rollback()
    assert path.exists()


def test_a_rolled_back_file_goes(app: Flask, tmp_path: Path) -> None:
    """Rolled back with its rows, the file goes."""
    factories.make_user(email="gone@example.org")
    path = written(tmp_path, "gone.pdf")
    db.session.rollback()
    assert not path.exists()
    assert db.session.scalar(select(User).filter_by(email="gone@example.org")) is None


def test_a_session_closed_without_commit_removes_its_file(app: Flask, tmp_path: Path) -> None:
    """The end of a request that never committed (its session is closed) is a rollback."""
    factories.make_user()
    path = written(tmp_path, "closed.pdf")
    db.session.remove()
    assert not path.exists()


def test_a_released_savepoint_still_falls_with_its_transaction(app: Flask,
                                                               tmp_path: Path) -> None:
    """A savepoint's release hands its file to the transaction around it, which rolls back."""
    factories.make_user()
    with savepoint():
        path = written(tmp_path, "inner.pdf")
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_a_released_savepoint_stands_with_its_committed_transaction(app: Flask,
                                                                    tmp_path: Path) -> None:
    """A file written in a released savepoint stays once the whole transaction commits."""
    factories.make_user()
    with savepoint():
        path = written(tmp_path, "inner.pdf")
    db.session.commit()
    assert path.exists()


def test_a_rolled_back_savepoint_takes_only_its_own_file(app: Flask, tmp_path: Path) -> None:
    """The work around the savepoint goes on and commits: its file stays, the savepoint's
    goes at once."""
    factories.make_user()
    outer = written(tmp_path, "outer.pdf")
    inner = savepoint()
    rolled_back = written(tmp_path, "inner.pdf")
    inner.rollback()
    assert not rolled_back.exists()
    db.session.commit()
    assert outer.exists() and not rolled_back.exists()


def test_a_file_that_cannot_be_removed_does_not_stop_the_rollback(
        app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The rollback goes through and the log names the file for the operator."""
    factories.make_user(email="stuck@example.org")
    stuck = tmp_path / "stuck.pdf"
    stuck.mkdir()  # unlink refuses a folder, as it would a file on a read-only mount
    remove_unless_committed(stuck)
    with caplog.at_level(logging.WARNING, logger="lms.transaction_files"):
        db.session.rollback()
    assert "stuck.pdf" in caplog.text
    assert db.session.scalar(select(User).filter_by(email="stuck@example.org")) is None
