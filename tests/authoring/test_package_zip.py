"""Packages without a terminal: zip upload, the report with file and line, fix, load."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.courses.authoring import package_views
from lms.courses.authoring.models import PackageUpload, UploadStatus
from lms.courses.authoring.package_zip import ZipLimits, ZipRefused, extract
from lms.courses.models import Topic
from lms.extensions import db
from tests.conftest import FIXTURE_PACKAGE, Auth
from tests.courses.test_loader import other_package
from tests.courses.test_validation import edit


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def zip_entries(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def post_zip(client: FlaskClient, data: bytes, name: str = "package.zip") -> object:
    return client.post("/admin/packages", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def latest() -> PackageUpload:
    upload = db.session.scalar(select(PackageUpload).order_by(PackageUpload.id.desc()))
    assert upload is not None
    return upload


def topics() -> int:
    return db.session.scalar(select(func.count()).select_from(Topic)) or 0


@pytest.fixture
def admin(client: FlaskClient, auth: Auth) -> None:
    auth.login_as(Role.ADMIN)


def test_broken_package_is_reported_then_fixed_and_loaded(
        client: FlaskClient, admin: None, package_copy: Path) -> None:
    """The report names file and line; nothing loads; the fixed zip validates and loads."""
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7", "minutes: seven")
    response = post_zip(client, zip_folder(package_copy, "sample/"))
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).text
    assert "modules/02-beta/01-third.md" in report and "<td>3</td>" in report
    assert "&#39;minutes&#39; must be a whole number" in report
    assert "Load this package" not in report
    assert latest().status == UploadStatus.INVALID and topics() == 0
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: seven", "minutes: 7")
    fixed = post_zip(client, zip_folder(package_copy))
    page = client.get(fixed.headers["Location"]).text
    assert "sample: valid (2 modules, 3 topics" in page and "Load this package" in page
    upload = latest()
    loaded = client.post(f"/admin/packages/{upload.id}/load")
    assert loaded.status_code == 302
    assert topics() == 3
    db.session.expire_all()
    assert latest().status == UploadStatus.LOADED
    assert "topics: 3 new" in client.get(f"/admin/packages/{upload.id}").text
    assert [a for a in db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
            if a.startswith("package.")] == ["package.upload", "package.upload", "package.load"]


def test_values_yaml_cannot_read_are_reported_in_a_zip(
        client: FlaskClient, admin: None, package_copy: Path) -> None:
    """An impossible date and a list for a question type are on the report with file and
    line; the upload cannot be loaded."""
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7",
         "minutes: 7\npublished: 2026-13-01")
    edit(package_copy / "modules/01-alpha/02-second.quiz.yaml", "type: true_false",
         "type: [true_false]")
    response = post_zip(client, zip_folder(package_copy))
    assert response.status_code == 302
    rows = [" ".join(row.split()) for row in
            client.get(response.headers["Location"]).text.split("<tr>")[1:]]
    assert any("<code dir=\"ltr\">modules/02-beta/01-third.md</code></th> <td>4</td> "
               "<td dir=\"auto\">&#39;2026-13-01&#39; is not a date that exists" in row
               for row in rows), rows
    assert any("<code dir=\"ltr\">modules/01-alpha/02-second.quiz.yaml</code></th> <td>3</td> "
               "<td dir=\"auto\">unknown question type [&#39;true_false&#39;]" in row
               for row in rows), rows
    report = "".join(rows)
    assert "Load this package" not in report
    assert latest().status == UploadStatus.INVALID and topics() == 0


def test_topic_slug_of_another_loaded_package_is_reported(
        client: FlaskClient, admin: None, loaded: Path, package_copy: Path) -> None:
    """A zip whose topic slug a loaded package already uses is reported, naming the file and
    that package, and cannot be loaded."""
    other_package(package_copy, shared={"third"})
    response = post_zip(client, zip_folder(package_copy))
    report = " ".join(client.get(response.headers["Location"]).text.split())
    assert ("<code dir=\"ltr\">modules/02-beta/01-third.md</code></th> <td></td> "
            "<td dir=\"auto\">the topic slug "
            "&#39;third&#39; is already used by the package &#39;sample&#39; loaded on the "
            "platform") in report
    assert "Load this package" not in report
    assert latest().status == UploadStatus.INVALID and topics() == 3


def test_second_load_of_one_upload_is_refused(client: FlaskClient, admin: None) -> None:
    """A double click on Load loads the package once."""
    post_zip(client, zip_folder(FIXTURE_PACKAGE))
    upload = latest()
    client.post(f"/admin/packages/{upload.id}/load")
    again = client.post(f"/admin/packages/{upload.id}/load", follow_redirects=True)
    assert "can be loaded" in again.text
    loads = db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(
        action="package.load"))
    assert loads == 1


def test_participant_and_instructor_cannot_upload(client: FlaskClient, auth: Auth,
                                                  app: Flask) -> None:
    """Package upload is for admins only."""
    for role in (Role.PARTICIPANT, Role.INSTRUCTOR):
        other = app.test_client()
        Auth(other).login_as(role)
        assert other.get("/admin/packages").status_code == 403
        assert post_zip(other, zip_folder(FIXTURE_PACKAGE)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PackageUpload)) == 0


@pytest.mark.parametrize(("name", "message"), [
    ("../evil.txt", "paths with '..' are not allowed"),
    ("sample/../../evil.txt", "paths with '..' are not allowed"),
    ("/etc/evil.txt", "absolute paths are not allowed"),
    ("C:/evil.txt", "absolute paths are not allowed"),
    ("modules\\..\\evil.txt", "backslash"),
    ("media/" + "n" * 252 + ".png", "longer than 255 bytes"),
])
def test_zip_path_tricks_are_refused(client: FlaskClient, admin: None, tmp_path: Path,
                                     name: str, message: str) -> None:
    """Entries that would land outside the package are refused before anything is written."""
    data = zip_entries({"package.yaml": b"id: x\n", name: b"gotcha"})
    post_zip(client, data)
    upload = latest()
    assert upload.status == UploadStatus.INVALID
    assert any(message in p["message"] and p["file"] == name for p in upload.problems)
    assert not (tmp_path / "evil.txt").exists()


def test_links_in_a_zip_are_refused(tmp_path: Path) -> None:
    """A symbolic link entry is refused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        info = zipfile.ZipInfo("media/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(info, "/etc/passwd")
        bundle.writestr("package.yaml", "id: x\n")
    buffer.seek(0)
    with pytest.raises(ZipRefused) as refused:
        extract(buffer, tmp_path, ZipLimits())
    assert "links are not allowed" in str(refused.value)
    assert not (tmp_path / "media").exists()


def test_zip_bomb_is_refused(client: FlaskClient, admin: None, app: Flask) -> None:
    """A small zip that unpacks to more than the limit is refused, whatever it declares."""
    app.config["PACKAGE_ZIP_MAX_UNCOMPRESSED"] = 2 * 2**20
    bomb = zip_entries({"package.yaml": b"id: x\n", "media/zeros.pdf": bytes(20 * 2**20)})
    assert len(bomb) < 100_000
    post_zip(client, bomb)
    assert any("unpacks to more than 2 MiB" in p["message"] for p in latest().problems)


def test_zip_that_understates_its_sizes_is_refused(tmp_path: Path) -> None:
    """Sizes in the zip's directory are not trusted: a zip that understates them is refused
    while unpacking (bytes are counted, and the archive's checksum no longer matches)."""
    data = zip_entries({"package.yaml": b"id: x\n", "media/zeros.pdf": bytes(3 * 2**20)})
    bundle = zipfile.ZipFile(io.BytesIO(data))
    entry = bundle.getinfo("media/zeros.pdf")
    offset = data.rfind(b"PK\x01\x02")  # the last central directory record is this entry's
    assert data[offset + 46: offset + 46 + len(entry.filename)] == entry.filename.encode()
    lying = bytearray(data)
    lying[offset + 24: offset + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10
    with pytest.raises(ZipRefused) as refused:
        extract(io.BytesIO(bytes(lying)), tmp_path, ZipLimits(max_uncompressed=2**20))
    assert "unpacks to more than" in str(refused.value) or "not a zip" in str(refused.value)


def test_too_many_entries_are_refused(client: FlaskClient, admin: None, app: Flask) -> None:
    """A zip with more entries than a package may have is refused."""
    app.config["PACKAGE_ZIP_MAX_ENTRIES"] = 10
    post_zip(client, zip_entries({f"media/{n}.png": b"x" for n in range(20)}))
    assert any("may have at most 10" in p["message"] for p in latest().problems)


def test_not_a_zip_and_no_package_yaml(client: FlaskClient, admin: None) -> None:
    """A file that is not a zip, and a zip without package.yaml, are clearly reported."""
    post_zip(client, b"PK but not really a zip", "fake.zip")
    assert "not a zip archive" in latest().problems[0]["message"]
    post_zip(client, zip_entries({"readme.txt": b"hello"}))
    assert "package.yaml is missing" in latest().problems[0]["message"]


def test_empty_upload_form_is_refused(client: FlaskClient, admin: None) -> None:
    """Submitting the form without a file re-shows it with an error."""
    assert client.post("/admin/packages", data={}).status_code == 400


def test_an_upload_that_fails_after_keeping_the_zip_leaves_no_file(
        app: Flask, client: FlaskClient, admin: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upload crashes after its zip is kept (the audit record fails): the admin gets the
    error page, and neither the upload's row nor its zip stays; uploading again keeps one."""
    folder = Path(app.config["STORAGE_DIR"]) / "package-uploads"

    def failing(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit record could not be written")

    monkeypatch.setattr(package_views, "record", failing)
    assert post_zip(client, zip_folder(FIXTURE_PACKAGE)).status_code == 500
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PackageUpload)) == 0
    assert list(folder.iterdir()) == []

    monkeypatch.undo()
    assert post_zip(client, zip_folder(FIXTURE_PACKAGE)).status_code == 302
    assert [path.name for path in folder.iterdir()] == [latest().stored_name]

