"""The quick start's runner: an address given to it replaces the default one."""

from __future__ import annotations

import pytest

from bootstrap import bind_address


@pytest.mark.parametrize(("arguments", "address"), [
    (["-b", "127.0.0.1:5057"], "127.0.0.1:5057"),
    (["--workers", "3", "--bind=127.0.0.1:8080"], "127.0.0.1:8080"),
    (["-b127.0.0.1:9000"], "127.0.0.1:9000"),
    (["--bind", "127.0.0.1:7000", "--workers", "3"], "127.0.0.1:7000"),
    (["--workers", "3"], None),
    ([], None),
])
def test_bind_address(arguments: list[str], address: str | None) -> None:
    assert bind_address(arguments) == address
