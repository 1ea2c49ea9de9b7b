"""The certificate as a PDF: an HTML/CSS template rendered by WeasyPrint, with the shipped
Noto fonts embedded (Arabic shaped right-to-left by Pango) and a QR code to the public page.

WeasyPrint is imported inside the function, so the rest of the platform runs on machines
without its system libraries (Pango).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import segno
from flask import render_template

FONTS = Path(__file__).parent / "fonts"


def qr_data_uri(url: str) -> str:
    """The URL as a QR code, an SVG data URI (medium error correction)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def render_pdf(snapshot: dict[str, Any], verify_url: str) -> bytes:
    """A4 landscape PDF of the certificate described by ``snapshot``."""
    from weasyprint import HTML

    html = render_template("certificates/pdf.html", c=snapshot, verify_url=verify_url,
                           qr=qr_data_uri(verify_url), fonts=FONTS.as_uri())
    return bytes(HTML(string=html, base_url=str(FONTS)).write_pdf())


def pdf_engine_available() -> bool:
    """True when WeasyPrint and its system libraries load on this machine."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
