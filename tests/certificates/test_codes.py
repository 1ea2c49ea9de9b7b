"""Verification codes: random, well-formed, forgiving of case and look-alikes, strict on typos."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.certificates.codes import ALPHABET, CodeInvalid, display_code, new_code, parse_code


def test_code_shape() -> None:
    """Twenty base-32 characters and a check symbol, shown in groups of four."""
    code = new_code()
    assert len(code) == 21 and all(c in ALPHABET for c in code[:20])
    shown = display_code(code)
    assert [len(part) for part in shown.split("-")] == [4, 4, 4, 4, 4, 1]


def test_codes_do_not_repeat() -> None:
    """A thousand codes are all different (100 random bits each)."""
    assert len({new_code() for _ in range(1000)}) == 1000


def test_parse_is_forgiving_of_case_separators_and_look_alikes() -> None:
    """Lower case, spaces, hyphens, O for 0 and l/I for 1 are read as meant."""
    code = new_code()
    typed = display_code(code).lower().replace("-", " ")
    assert parse_code(typed) == code
    assert parse_code(display_code(code)) == code
    if "0" in code[:20]:
        assert parse_code(code[:20].replace("0", "O") + code[20]) == code


@given(st.data())
def test_single_character_typo_is_caught(data: st.DataObject) -> None:
    """Changing any one character of the code makes it invalid."""
    code = new_code()
    position = data.draw(st.integers(0, 19))
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    mistyped = code[:position] + replacement + code[position + 1:]
    with pytest.raises(CodeInvalid):
        parse_code(mistyped)


@pytest.mark.parametrize("text", ["", "ABC", "U" * 21, "!" * 21, "0" * 22])
def test_malformed_text_is_refused(text: str) -> None:
    """Wrong length or characters are refused before any lookup."""
    with pytest.raises(CodeInvalid):
        parse_code(text)
