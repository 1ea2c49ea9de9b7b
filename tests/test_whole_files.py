"""Files written to the storage folder: whole or not at all, also two at the same moment."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from lms import whole_files
from lms.whole_files import copy_whole, write_whole


def test_two_copies_of_one_file_at_the_same_moment_both_finish(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """Two hosts loading one package store its pictures under the same name. The first
    copy is held after writing its temporary file while the second runs from start to end;
    then the first goes on. Both finish, the file is whole, and nothing hidden is left over."""
    source = tmp_path / "map.png"
    source.write_bytes(b"\x89PNG picture" * 1000)
    target = tmp_path / "media" / "3f2a.png"
    target.parent.mkdir()
    written, go_on = threading.Event(), threading.Event()
    copy = shutil.copyfile

    def held_copy(from_path: Path, to_path: Path) -> None:
        copy(from_path, to_path)
        if threading.current_thread() is not threading.main_thread():
            written.set()
            go_on.wait(10)

    monkeypatch.setattr(whole_files.shutil, "copyfile", held_copy)
    failures: list[BaseException] = []

    def first() -> None:
        try:
            copy_whole(source, target)
        except BaseException as error:  # noqa: BLE001  (checked below)
            failures.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(10)
    copy_whole(source, target)
    go_on.set()
    thread.join(10)

    assert failures == []
    assert target.read_bytes() == source.read_bytes()
    assert sorted(path.name for path in target.parent.iterdir()) == ["3f2a.png"]


def test_a_file_rewritten_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "ABCD-EFGH.pdf"
    write_whole(target, b"%PDF old")
    write_whole(target, b"%PDF new")
    assert target.read_bytes() == b"%PDF new"
    assert [path.name for path in tmp_path.iterdir()] == ["ABCD-EFGH.pdf"]


def test_a_write_that_fails_leaves_the_old_file_and_no_half_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    """A full disk in the middle of a write: the file keeps what it had."""
    target = tmp_path / "ABCD-EFGH.pdf"
    write_whole(target, b"%PDF whole")

    def disk_full(from_path: Path, to_path: Path) -> None:
        Path(to_path).write_bytes(b"%PDF ha")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(whole_files.shutil, "copyfile", disk_full)
    with pytest.raises(OSError, match="No space left"):
        copy_whole(tmp_path / "ABCD-EFGH.pdf", target)
    assert target.read_bytes() == b"%PDF whole"
    assert [path.name for path in tmp_path.iterdir()] == ["ABCD-EFGH.pdf"]
