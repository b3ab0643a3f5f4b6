"""The upload status page and the preview show the content checks' warnings; publishing goes on."""

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import CourseUpload, CourseVersion, VersionStatus
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import write_course, zip_folder
from tests.content.test_cli_warnings import EXTERNAL, WARNED
from tests.coordinator.test_courses import palu_coordinator, upload

HEADING_SKIP = (
    "<li><code>dasar-proyek/01-siklus.md:5:</code> judul tingkat 4 setelah judul tingkat 2 "
    "melompati tingkat; gunakan ###</li>"
)


def test_the_upload_and_its_preview_show_warnings_and_the_version_publishes(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
):
    palu = palu_coordinator(auth)
    folder = write_course(tmp_path, **{"01-siklus.md": "## Isi\n\nTeks.\n\n#### Rincian\n"})
    response = upload(client, zip_folder(folder), palu)
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Versi baru tersimpan sebagai draf" in status
    assert "1 peringatan; tidak menghalangi penerbitan, tetapi sebaiknya diperbaiki:" in status
    assert HEADING_SKIP in status

    preview_url = "/coordinator/courses/dasar-proyek/v/1"
    preview = client.get(preview_url).get_data(as_text=True)
    assert HEADING_SKIP in preview
    response = client.post(
        f"{preview_url}/publish", data={"csrf_token": csrf_token(client, preview_url)}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(CourseVersion.status)).one() == VersionStatus.PUBLISHED


def test_every_warning_is_kept_with_the_upload_and_shown_in_english_too(
    client: FlaskClient, auth: AuthActions
):
    palu = palu_coordinator(auth)
    status_url = upload(client, zip_folder(WARNED), palu).headers["Location"]
    record = db.session.scalars(select(CourseUpload)).one()
    assert [entry["severity"] for entry in record.errors] == ["warning"] * 10
    client.post(
        "/language/en", data={"csrf_token": csrf_token(client, status_url), "next": status_url}
    )
    english = client.get(status_url).get_data(as_text=True)
    assert "10 warning(s); they do not block publishing, but should be fixed:" in english
    assert (
        "<li><code>peringatan/04-evaluasi.gift:3:</code> the text &#39;&#34;;&#39; after the "
        "answer block {...} becomes part of the question text; remove it if it was not meant "
        "to be there</li>"
    ) in english


def test_a_failed_upload_lists_errors_and_warnings_apart(client: FlaskClient, auth: AuthActions):
    palu = palu_coordinator(auth)
    response = upload(client, zip_folder(EXTERNAL), palu)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 kesalahan ditemukan; tidak ada yang disimpan:" in page
    assert "<code>gambar-luar/01-logo.md:3:</code> gambar dari luar kursus" in page
    assert "peringatan;" not in page
