"""The two-step login's shared keys, sealed (encrypted and authenticated) before they are stored.

Anyone holding a key can make the person's codes, so a copy of the database (a backup, a
dump sent for support) must not give them. Each key is sealed with Fernet under a key derived
from ``SECRET_KEY``, which lives in the configuration, never in the database. Keys sealed under
a key in ``SECRET_KEY_FALLBACKS`` still open, so ``SECRET_KEY`` can be changed by moving the old
one there; each person's key is sealed again under the new one at their next code. Keys stored
in the clear before sealing existed (32 letters and digits of base 32) are read as they are and
sealed at the next code too.
"""

from __future__ import annotations

import base64
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_PURPOSE = b"two-step login keys"
_CLEAR_KEY_LENGTH = 32
_BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def seal(key: str) -> str:
    """The key as stored: a Fernet token under the current ``SECRET_KEY``."""
    return _sealer(*_secret_keys()).encrypt(key.encode()).decode()


def unseal(stored: str) -> str | None:
    """The key a stored value holds; None if no configured secret key opens it."""
    if _stored_in_clear(stored):
        return stored
    try:
        return _sealer(*_secret_keys()).decrypt(stored.encode()).decode()
    except InvalidToken:
        logging.getLogger(__name__).warning(
            "a two-step login key could not be opened: SECRET_KEY changed without the old "
            "one in SECRET_KEY_FALLBACKS; the person logs in with a recovery code or an "
            "admin resets their two-step login")
        return None


def _stored_in_clear(stored: str) -> bool:
    # A Fernet token is far longer, and starts with its version byte ("gAAAAA" in base 64).
    return len(stored) == _CLEAR_KEY_LENGTH and set(stored) <= _BASE32


def _secret_keys() -> tuple[str, ...]:
    config = current_app.config
    return (str(config["SECRET_KEY"]),
            *(str(key) for key in config.get("SECRET_KEY_FALLBACKS") or ()))


@functools.lru_cache(maxsize=8)
def _sealer(*secret_keys: str) -> MultiFernet:
    return MultiFernet([Fernet(_derived(secret)) for secret in secret_keys])


def _derived(secret: str) -> bytes:
    # The secret key signs cookies too; its own derived key keeps the two uses apart.
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret.encode())
    return base64.urlsafe_b64encode(raw)
