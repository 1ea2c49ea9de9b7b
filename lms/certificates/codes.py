"""Verification codes: 100 random bits as 20 Crockford base-32 characters plus a check symbol.

Codes are read case-insensitively, with O taken as 0 and I or L as 1, and hyphens and spaces
ignored; the check symbol (the number modulo 37) catches a mistyped or swapped character
before any lookup.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BITS = 100
LENGTH = BITS // 5  # 20 characters
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class CodeInvalid(ValueError):
    """The text cannot be a verification code (wrong length, characters or check symbol)."""


def _encode(number: int) -> str:
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def _check_symbol(number: int) -> str:
    return CHECK_ALPHABET[number % 37]


def new_code() -> str:
    """A fresh random code in canonical form (21 characters, no separators)."""
    number = secrets.randbits(BITS)
    return _encode(number) + _check_symbol(number)


def parse_code(text: str) -> str:
    """The canonical form of a typed or scanned code.

    :raises CodeInvalid: when it is not a well-formed code with a matching check symbol.
    """
    cleaned = "".join(text.split()).replace("-", "").upper()
    cleaned = "".join(_READ_AS.get(c, c) for c in cleaned)
    if len(cleaned) != LENGTH + 1:
        raise CodeInvalid("wrong length")
    body, check = cleaned[:LENGTH], cleaned[LENGTH]
    if any(c not in ALPHABET for c in body) or check not in CHECK_ALPHABET:
        raise CodeInvalid("unexpected character")
    number = 0
    for c in body:
        number = number * 32 + ALPHABET.index(c)
    if _check_symbol(number) != check:
        raise CodeInvalid("check symbol does not match")
    return body + check


def display_code(code: str) -> str:
    """`ABCD-EFGH-JKMN-PQRS-TVWX-C`: groups of four, then the check symbol."""
    body, check = code[:LENGTH], code[LENGTH:]
    return "-".join(body[i : i + 4] for i in range(0, LENGTH, 4)) + "-" + check
