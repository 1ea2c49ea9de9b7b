"""Images and readings uploaded in the browser: checked by content, stored and served safely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.courses.authoring.models import MediaUpload
from lms.courses.authoring.uploads import media_name
from lms.courses.models import MediaFile
from lms.extensions import db
from tests.authoring.conftest import module, save, topic
from tests.conftest import FIXTURE_PACKAGE

PNG = (FIXTURE_PACKAGE / "media/pixel.png").read_bytes()
PDF = (FIXTURE_PACKAGE / "media/reading.pdf").read_bytes()
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' \
      b"<script>alert(2)</script></svg>"


def upload(client: FlaskClient, data: bytes, name: str) -> object:
    return client.post(f"/author/modules/{module('alpha').id}/media", data={
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def uploaded() -> int:
    return db.session.scalar(select(func.count()).select_from(MediaUpload)) or 0


def test_image_upload_then_lesson_uses_it(app: Flask, client: FlaskClient,
                                          alpha_instructor: User) -> None:
    """A PNG is stored outside the code tree under its hash, listed, and usable in a lesson,
    which participants then see with the image."""
    response = upload(client, PNG, "Routes Map.PNG")
    assert response.status_code == 302
    media = db.session.scalar(select(MediaFile).filter_by(name="media/routes-map.png"))
    assert media is not None and media.content_type == "image/png"
    stored = Path(app.config["STORAGE_DIR"]) / "media" / media.stored_name
    assert stored.read_bytes() == PNG
    assert not stored.resolve().is_relative_to(Path(__file__).parent.parent.parent / "lms")
    assert "media/routes-map.png" in client.get(f"/author/modules/{module('alpha').id}/media").text
    published = save(client, topic("first").id, action="publish",
                     body="## Key concepts and definitions\n\n![Routes](media/routes-map.png)\n")
    assert published.status_code == 302
    served = client.get("/media/sample/routes-map.png")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()
    event = db.session.scalar(select(AuditEvent).filter_by(action="media.upload"))
    assert event is not None and event.details["name"] == "media/routes-map.png"


def test_pdf_and_webp_are_accepted_and_pdf_downloads(client: FlaskClient,
                                                     alpha_instructor: User) -> None:
    """Readings are PDFs served as downloads; WebP images are accepted."""
    assert upload(client, PDF, "reading two.pdf").status_code == 302
    assert upload(client, WEBP, "photo.webp").status_code == 302
    pdf = client.get("/media/sample/reading-two.pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in pdf.headers["Content-Security-Policy"]
    pdf.close()


def test_svg_with_script_is_refused(client: FlaskClient, alpha_instructor: User) -> None:
    """SVG can carry script, so it is refused whatever its name says."""
    for name in ("drawing.svg", "innocent.png"):
        response = upload(client, SVG, name)
        assert response.status_code == 400
        assert "SVG images are not accepted" in response.text
    assert uploaded() == 0


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>",
                                  b"MZ\x90\x00 executable", b"GIF89a" + bytes(10),
                                  b"just some text"])
def test_wrong_content_behind_a_good_extension_is_refused(
        client: FlaskClient, alpha_instructor: User, data: bytes) -> None:
    """The file's content decides its type: an HTML page named .png is refused."""
    response = upload(client, data, "photo.png")
    assert response.status_code == 400
    assert "checks what the file contains" in response.text
    assert uploaded() == 0


def test_oversized_upload_is_refused(app: Flask, client: FlaskClient,
                                     alpha_instructor: User) -> None:
    """A file over the upload limit is refused with the limit named; over the request limit
    the platform answers 413."""
    # Bodies stay under 500 KiB: larger ones make the test client leave a temporary file.
    app.config["MEDIA_UPLOAD_MAX_BYTES"] = 100 * 1024
    response = upload(client, PNG + bytes(200 * 1024), "big.png")
    assert response.status_code == 400 and "larger than 100 KiB" in response.text
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert upload(client, PNG + bytes(4096), "big.png").status_code == 413
    assert uploaded() == 0


def test_empty_file_and_missing_file_are_refused(client: FlaskClient,
                                                 alpha_instructor: User) -> None:
    """An empty upload or a form without a file is a form error."""
    assert upload(client, b"", "empty.png").status_code == 400
    no_file = client.post(f"/author/modules/{module('alpha').id}/media", data={})
    assert no_file.status_code == 400
    assert uploaded() == 0


def test_quota_per_uploader(app: Flask, client: FlaskClient, alpha_instructor: User) -> None:
    """An instructor's uploads together stay under the quota."""
    app.config["MEDIA_UPLOAD_QUOTA_BYTES"] = len(PNG) + 10
    assert upload(client, PNG, "one.png").status_code == 302
    second = upload(client, PDF, "two.pdf")
    assert second.status_code == 400 and "would exceed" in second.text


@pytest.mark.parametrize(("name", "expected"), [
    ("../../app.py", "media/app.png"), ("..\\..\\x.png", "media/x.png"),
    ("a.md%00.html", "media/a-md-00.png"), ("a.md\x00.html", "media/a.png"),
    ("/etc/passwd", "media/passwd.png"), ("خريطة.png", "media/file.png"),
    ("", "media/file.png"), ("Émigré Map (2).PNG", "media/emigre-map-2.png")])
def test_names_cannot_escape_or_trick(name: str, expected: str) -> None:
    """Whatever the uploader calls the file, the name is plain letters under media/."""
    assert media_name(name, "image/png") == expected


def test_same_name_twice_gets_a_new_name(client: FlaskClient, alpha_instructor: User) -> None:
    """An upload never replaces an existing file; it gets the next free name."""
    upload(client, PNG, "map.png")
    upload(client, PNG, "map.png")
    names = set(db.session.scalars(select(MediaFile.name)))
    assert {"media/map.png", "media/map-2.png"} <= names
    assert "media/pixel.png" in names
    assert upload(client, PNG, "pixel.png").status_code == 302
    assert "media/pixel-2.png" in set(db.session.scalars(select(MediaFile.name)))


def test_other_modules_instructor_cannot_upload(client: FlaskClient,
                                                alpha_instructor: User) -> None:
    """Uploading through another module's media page is refused."""
    response = client.post(f"/author/modules/{module('beta').id}/media", data={
        "file": (io.BytesIO(PNG), "x.png")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert uploaded() == 0
