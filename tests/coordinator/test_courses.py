from io import BytesIO
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.extensions import db
from elearn.models import Course, CourseVersion, Role, Unit, VersionStatus
from tests.conftest import AuthActions, csrf_token
from tests.content.course_fixtures import MODULE_MD, write_course, zip_folder
from tests.factories import make_unit, make_user


def upload(client: FlaskClient, data: bytes, unit: Unit, name: str = "kursus.zip"):
    """Post ``data`` to the upload form; the answer redirects to the upload's status page."""
    return client.post(
        "/coordinator/courses/upload",
        data={
            "csrf_token": csrf_token(client, "/coordinator/courses"),
            "file": (BytesIO(data), name),
            "unit_id": str(unit.id),
        },
        content_type="multipart/form-data",
    )


def palu_coordinator(auth: AuthActions) -> Unit:
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    coordinator = make_user(Role.COORDINATOR, unit=palu, scope=[palu], name="Siti")
    auth.login(coordinator.nip)
    return palu


def test_upload_with_errors_lists_them_and_saves_nothing(client, auth, tmp_path: Path):
    palu = palu_coordinator(auth)
    broken = write_course(tmp_path, **{"02-kuis-siklus.quiz.md": "## Soal\n- [ ] a\n- [ ] b\n"})
    response = upload(client, zip_folder(broken), palu)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kursus tidak diterima" in page
    assert "dasar-proyek/02-kuis-siklus.quiz.md:" in page
    assert db.session.scalar(select(Course)) is None


def test_upload_fix_preview_publish_archive(client, auth, tmp_path: Path):
    palu = palu_coordinator(auth)
    response = upload(client, zip_folder(write_course(tmp_path)), palu)
    assert response.status_code == 302
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Versi baru tersimpan sebagai draf" in status
    assert 'href="/coordinator/courses/dasar-proyek/v/1"' in status

    preview = client.get("/coordinator/courses/dasar-proyek/v/1").get_data(as_text=True)
    assert "Pratinjau versi 1" in preview
    assert '<h2 id="tahap-proyek">Tahap proyek</h2>' in preview
    assert 'class="correct"' in preview  # the answer key, for the coordinator
    assert "Jawaban numerik:" in preview and "<code>45</code>" in preview

    version = db.session.scalar(select(CourseVersion))
    image = client.get(f"/courses/dasar-proyek/v/{version.short_hash}/assets/diagram.png")
    assert image.status_code == 200 and image.mimetype == "image/png"

    token = csrf_token(client, "/coordinator/courses/dasar-proyek")
    client.post("/coordinator/courses/dasar-proyek/v/1/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.scalar(select(CourseVersion.status)) == VersionStatus.PUBLISHED

    same = upload(client, zip_folder(write_course(tmp_path / "again")), palu)
    status = client.get(same.headers["Location"]).get_data(as_text=True)
    assert "tidak ada yang berubah" in status
    assert 'href="/coordinator/courses/dasar-proyek/v/1"' in status

    client.post("/coordinator/courses/dasar-proyek/archive", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.scalar(select(CourseVersion.status)) == VersionStatus.ARCHIVED


def test_coordinator_of_another_unit_cannot_see_or_overwrite(app, client, auth, tmp_path: Path):
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    parsed = parse_course(write_course(tmp_path / "a"))
    version = store_version(parsed, unit=mamuju, actor=None, publish=False).version
    db.session.commit()

    palu = palu_coordinator(auth)
    assert client.get("/coordinator/courses/dasar-proyek").status_code == 404
    assert client.get("/coordinator/courses/dasar-proyek/v/1").status_code == 404
    listing = client.get("/coordinator/courses").get_data(as_text=True)
    assert "dasar-proyek" not in listing
    draft_asset = f"/courses/dasar-proyek/v/{version.short_hash}/assets/diagram.png"
    assert client.get(draft_asset).status_code == 404

    changed = write_course(tmp_path / "b", **{"01-siklus.md": MODULE_MD + "\nUbah.\n"})
    status = upload(client, zip_folder(changed), palu).headers["Location"]
    assert "kursus &#39;dasar-proyek&#39; dikelola unit lain" in client.get(status).get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(CourseVersion)).all()) == 1


def test_sub_unit_courses_belong_to_the_parent_scope(client, auth, tmp_path: Path):
    palu = palu_coordinator(auth)
    kominfo = make_unit("Dinas Kominfo", parent=palu, code="palu-kominfo")
    parsed = parse_course(write_course(tmp_path))
    store_version(parsed, unit=kominfo, actor=None, publish=False)
    db.session.commit()
    assert client.get("/coordinator/courses/dasar-proyek").status_code == 200


def test_learners_and_evaluators_cannot_reach_coordinator_pages(client, auth):
    learner = make_user(Role.LEARNER, Role.EVALUATOR, scope=[make_unit(code="palu")])
    auth.login(learner.nip)
    assert client.get("/coordinator/courses").status_code == 403


def test_platform_wide_courses_are_for_admins(client, auth, tmp_path: Path):
    parsed = parse_course(write_course(tmp_path))
    store_version(parsed, unit=None, actor=None, publish=False)
    db.session.commit()
    palu_coordinator(auth)
    assert client.get("/coordinator/courses/dasar-proyek").status_code == 404
    auth.logout()
    admin = make_user(Role.ADMIN, name="Admin")
    auth.login(admin.nip)
    assert client.get("/coordinator/courses/dasar-proyek").status_code == 200
