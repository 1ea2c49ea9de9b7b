"""Dependencies are bounded so an install never jumps a major version unreviewed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def test_asvs_14_2_1_dependencies_are_bounded_and_auditable() -> None:
    """Every runtime and test dependency names a lowest and a below-next-major version, and
    the development tools include the advisory checker used before each release."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    pinned = project["dependencies"] + extras["test"]
    assert len(pinned) > 20
    for requirement in pinned:
        assert re.search(r">=\s*\d", requirement), requirement
        assert re.search(r"<\s*\d", requirement), requirement
    assert any(r.startswith("pip-audit") for r in extras["dev"])
