"""Everything the platform reads at run time ships when it is installed with ``pip install .``
(the production setup), not only when it runs from a checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_of_the_platform_is_package_data() -> None:
    """Templates, styles, catalogues and the certificate's fonts: a file left out would be
    missing from an installed platform (the PDF would fall back to whatever fonts the server
    has, without Arabic)."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = settings["tool"]["setuptools"]["package-data"]["lms"]
    package = ROOT / "lms"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    data = {path for path in package.rglob("*") if path.is_file()
            and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}
    assert sorted(str(p.relative_to(package)) for p in data - shipped) == []
    assert any(path.suffix == ".ttf" for path in shipped)
