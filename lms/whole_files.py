"""Files in the storage folder appear whole or not at all.

Each write goes to a hidden file of its own beside the target and is then renamed over it.
A reader never sees half a file, and two workers writing the same file at the same moment
(two hosts loading one package, two people uploading one picture, a double-click on a
certificate) each rename a complete copy: a shared temporary name would let one move the
other's half-written file away. Hidden names are skipped by backups and media listings.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path


def write_whole(target: Path, data: bytes) -> None:
    """Store ``data`` at ``target``."""
    _replace_whole(target, lambda temporary: temporary.write_bytes(data))


def copy_whole(source: Path, target: Path) -> None:
    """Store a copy of the file at ``source`` at ``target``."""
    _replace_whole(target, lambda temporary: shutil.copyfile(source, temporary))


def _replace_whole(target: Path, write: Callable[[Path], object]) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.part")
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a half-written file nothing would ever read
        raise
