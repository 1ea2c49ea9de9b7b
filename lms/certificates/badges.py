"""Open Badges 3.0: each certificate as a W3C Verifiable Credential, signed as a VC-JWT (RS256).

The issuer's RSA key lives in storage (shared by every worker and host) and is created once, on
first use. Its public half is published as a JWK Set under PUBLIC_BASE_URL, next to the issuer
profile, so anyone can verify a credential without trusting the platform's own check.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import current_app

from lms.certificates.models import Certificate
from lms.urls import public_url

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
KEY_FILE = "issuer-rsa.pem"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_path() -> Path:
    folder = Path(current_app.config["STORAGE_DIR"]) / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / KEY_FILE


def signing_key() -> rsa.RSAPrivateKey:
    """The issuer's private key, created on first use (safely, if two workers race)."""
    path = _key_path()
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        # Written whole under a name of its own, then linked into place in one step: a worker
        # racing this one either wins the link or reads the winner's complete key, never a
        # half-written file.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker wrote it first; use theirs
        finally:
            os.unlink(temporary)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def public_jwk() -> dict[str, str]:
    numbers = signing_key().public_key().public_numbers()

    def encode(value: int) -> str:
        return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    jwk = {"kty": "RSA", "n": encode(numbers.n), "e": encode(numbers.e)}
    # RFC 7638 thumbprint as the key id: stable and derived from the key itself.
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return {**jwk, "kid": _b64(hashlib.sha256(canonical).digest()), "alg": "RS256",
            "use": "sig"}


def issuer_profile(names: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": public_url("badges.issuer"),
        "type": ["Profile"],
        "name": " and ".join(n["en"] for n in names) or "Certificate issuer",
        "url": public_url("certificates.verify"),
    }


def credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate as an OpenBadgeCredential (unsigned)."""
    c = certificate.snapshot
    return {
        "@context": CONTEXTS,
        "id": public_url("certificates.verify_code", code=certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(c["issuers"]),
        # The moment it was issued: midnight UTC of the issue day, which is the edition's
        # local day, is still to come east of UTC, and verifiers would refuse the credential.
        "validFrom": _utc_text(certificate.issued_at),
        "name": c["certificate_title"]["en"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": c["name_en"],
            "achievement": {
                "id": public_url("badges.achievement", code=certificate.code),
                "type": ["Achievement"],
                "name": f"{c['certificate_title']['en']}: {c['programme']['en']}",
                "description": c["statement"]["en"],
                "criteria": {"narrative": _criteria(certificate)},
            },
        },
    }


def signed_credential(certificate: Certificate) -> str:
    """The credential as a compact VC-JWT signed with RS256."""
    body = credential(certificate)
    jwk = public_jwk()
    header = {"alg": "RS256", "typ": "JWT", "kid": jwk["kid"]}
    claims = {**body, "iss": body["issuer"]["id"], "jti": body["id"],
              "nbf": int(certificate.issued_at.timestamp())}
    signing_input = (_b64(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False)
                          .encode()))
    signature = signing_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64(signature)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _criteria(certificate: Certificate) -> str:
    """What the holder did, as the completion rule asks it, without claiming more: the rule
    may allow an absence, and an admin may issue a certificate as an exception."""
    c = certificate.snapshot
    done = (f"Completed the {len(c['units'])} units ({c['contact_hours']} contact hours) of "
            f"{c['edition']}, {c['starts_on']} to {c['ends_on']}, as the programme's "
            "completion rule requires: the in-person days and the online lessons and quizzes "
            "of each unit.")
    if certificate.exception_reason:
        return (f"Issued by the programme's administrators as an exception to the completion "
                f"rule, for {c['edition']}, {c['starts_on']} to {c['ends_on']}.")
    return done
