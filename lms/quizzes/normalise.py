"""How typed answers are compared: spaces, case, Arabic-Indic digits and decimal separators."""

from __future__ import annotations

import math
import re
import unicodedata

# Arabic-Indic (U+0660) and Extended Arabic-Indic (U+06F0, used in Persian and Urdu) digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPACES = re.compile(r"\s+")
# A group of thousands never starts with 0: "0,125" is a decimal comma.
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def fold_digits(text: str) -> str:
    """Arabic-Indic digits as Latin digits."""
    return text.translate(_DIGITS)


def normalise_answer(text: str, case_sensitive: bool = False) -> str:
    """A typed answer as it is compared: trimmed, one space between words, Latin digits.

    NFKC folds presentation forms (ligatures, full-width letters) into their plain letters.
    """
    text = unicodedata.normalize("NFKC", fold_digits(text or ""))
    text = _SPACES.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def answer_matches(accepted: str, given: str, case_sensitive: bool = False) -> bool:
    """Whether a typed answer matches an accepted one, where ``*`` matches any characters."""
    pattern = normalise_answer(accepted, case_sensitive)
    answer = normalise_answer(given, case_sensitive)
    if not answer:
        return False
    if "*" not in pattern:
        return pattern == answer
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, answer, flags=re.DOTALL) is not None


def parse_number(text: str) -> float | None:
    """A typed number in Latin or Arabic-Indic digits; None when it is not a finite number.

    The Arabic decimal separator and a decimal comma are read as a point; commas that group
    thousands (``1,500,000``) are dropped.
    """
    value = fold_digits(unicodedata.normalize("NFKC", text or ""))
    value = value.replace("\u066b", ".").replace("\u066c", "").replace("\u2212", "-")
    value = "".join(value.split())
    if not value:
        return None
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    elif value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    if not _NUMBER.match(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def count_words(text: str) -> int:
    """Words in an essay, counted as runs of characters between spaces."""
    return len((text or "").split())
