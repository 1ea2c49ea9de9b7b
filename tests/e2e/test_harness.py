"""The harness itself: axe-core really reports violations, so a clean result means something."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import check_accessibility


def test_axe_reports_a_violation(new_page: Any) -> None:
    """A page with an unlabeled image and no language fails the accessibility check."""
    page = new_page()
    page.set_content("<!doctype html><html><head><title>x</title></head>"
                     "<body><main><img src='data:,'></main></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        check_accessibility(page)
