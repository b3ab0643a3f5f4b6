"""Coordinators edit a course draft in the browser: save, stale saves, assets, preview, publish."""

from __future__ import annotations

import html
import re
import zipfile
from io import BytesIO
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from elearn.content.images import shown_size, store_image
from elearn.content.parse import parse_course
from elearn.content.publish import store_version
from elearn.coordinator.authoring import TEMPLATE_FOLDER, template_files
from elearn.coordinator.drafts import StaleDraft, save_file
from elearn.extensions import db
from elearn.models import (
    CourseDraft,
    CourseDraftFile,
    CourseItem,
    CourseVersion,
    Role,
    User,
    VersionStatus,
)
from tests.conftest import AuthActions, csrf_token, run_in_parallel
from tests.content.course_fixtures import MODULE_MD, PNG, write_course, zip_folder
from tests.coordinator.test_courses import palu_coordinator, upload
from tests.factories import make_unit, make_user

EDITOR = "/coordinator/courses/dasar-proyek/editor"
MODULE = f"{EDITOR}/files/01-siklus.md"


def uploaded_course(client: FlaskClient, auth: AuthActions, tmp_path: Path) -> None:
    """Palu's coordinator signs in and uploads the test course (a draft version 1)."""
    palu = palu_coordinator(auth)
    response = upload(client, zip_folder(write_course(tmp_path)), palu)
    assert response.status_code == 302


def open_draft(client: FlaskClient, version: int = 1) -> None:
    token = csrf_token(client, EDITOR)
    response = client.post(f"{EDITOR}/open", data={"csrf_token": token, "version": str(version)})
    assert response.status_code == 302, response.get_data(as_text=True)


def revision_of(page: str) -> str:
    found = re.search(r'name="revision" type="hidden" value="(\d+)"', page)
    assert found, page
    return found.group(1)


def save(client: FlaskClient, url: str, text: str, revision: str, **extra: str):
    token = csrf_token(client, url)
    data = {"csrf_token": token, "text": text, "revision": revision, "save": "Simpan", **extra}
    return client.post(url, data=data)


def test_open_edit_save_and_the_draft_survives_in_the_database(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    first = client.get(EDITOR).get_data(as_text=True)
    assert "Buka draf" in first and "v1 · Dasar Manajemen Proyek · draf" in first
    open_draft(client)

    page = client.get(EDITOR).get_data(as_text=True)
    assert "Revisi 1" in page and "dari versi 1" in page
    for path in ("course.md", "01-siklus.md", "02-kuis-siklus.quiz.md", "03-kuis-akhir.gift"):
        assert f'href="{EDITOR}/files/{path}"' in page
    assert f'href="{EDITOR}/assets/diagram.png"' in page

    editing = client.get(MODULE).get_data(as_text=True)
    assert "## Tahap proyek" in editing  # the source, in the textarea
    changed = MODULE_MD.replace("Proyek punya awal dan akhir.", "Proyek selalu punya batas waktu.")
    response = save(client, MODULE, changed.replace("\n", "\r\n"), revision_of(editing))
    assert response.status_code == 302
    assert "Tersimpan sebagai revisi 2" in client.get(MODULE).get_data(as_text=True)

    db.session.expire_all()
    draft = db.session.scalars(select(CourseDraft)).one()
    stored = db.session.get_one(CourseDraftFile, (draft.id, "01-siklus.md"))
    assert draft.revision == 2
    assert stored.data == changed.encode()  # LF line ends, as in a course folder


def test_a_stale_save_is_refused_with_409_and_keeps_the_text(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    seen = revision_of(client.get(MODULE).get_data(as_text=True))
    assert save(client, MODULE, MODULE_MD + "\nSaya duluan.\n", seen).status_code == 302

    mine = MODULE_MD + "\nTeks saya yang panjang dan berharga.\n"
    response = save(client, MODULE, mine, seen)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "sudah disimpan orang lain (sekarang revisi 2)" in page
    assert "Teks saya yang panjang dan berharga." in page
    db.session.expire_all()
    stored = db.session.scalars(
        select(CourseDraftFile.data).where(CourseDraftFile.path == "01-siklus.md")
    ).one()
    assert b"Saya duluan." in stored and b"berharga" not in stored

    # The form now carries the current revision: saving again is a deliberate overwrite.
    assert revision_of(page) == "2"
    assert save(client, MODULE, mine, "2").status_code == 302


def test_saving_a_file_deleted_meanwhile_keeps_the_text(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    token = csrf_token(client, EDITOR)
    client.post(f"{MODULE}/delete", data={"csrf_token": token, "revision": "1"})
    assert client.get(MODULE).status_code == 404
    response = save(client, MODULE, MODULE_MD + "\nMasih saya simpan.\n", "1")
    assert response.status_code == 409
    assert "Masih saya simpan." in response.get_data(as_text=True)


def test_learners_and_other_units_coordinators_are_refused(client, auth, tmp_path: Path):
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    store_version(parse_course(write_course(tmp_path)), unit=mamuju, actor=None, publish=True)
    db.session.commit()
    palu_coordinator(auth)
    assert client.get(EDITOR).status_code == 404
    assert client.get(MODULE).status_code == 404
    assert client.get("/coordinator/course-template.zip").status_code == 200
    auth.logout()

    learner = make_user(Role.LEARNER, unit=mamuju, name="Andi")
    auth.login(learner.nip)
    assert client.get(EDITOR).status_code == 403
    assert client.get(f"{EDITOR}/assets/diagram.png").status_code == 403
    assert client.get("/coordinator/course-template.zip").status_code == 403


def test_a_draft_from_another_unit_cannot_be_changed(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    revision = revision_of(client.get(MODULE).get_data(as_text=True))
    token = csrf_token(client, MODULE)
    auth.logout()
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    other = make_user(Role.COORDINATOR, unit=mamuju, scope=[mamuju], name="Budi")
    auth.login(other.nip)
    token = csrf_token(client, "/coordinator/courses")
    data = {"csrf_token": token, "text": "dirusak", "revision": revision, "save": "Simpan"}
    assert client.post(MODULE, data=data).status_code == 404
    assert client.get(f"{EDITOR}/assets/diagram.png").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(CourseDraft.revision)) == 1


def test_posts_without_the_csrf_token_change_nothing(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    response = client.post(MODULE, data={"text": "tanpa token", "revision": "1", "save": "Simpan"})
    assert response.status_code == 400
    assert "tanpa token" in response.get_data(as_text=True)  # nothing lost either
    db.session.expire_all()
    assert db.session.scalar(select(CourseDraft.revision)) == 1


def test_warnings_are_listed_with_their_line_next_to_the_text(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    revision = revision_of(client.get(MODULE).get_data(as_text=True))
    no_alt = MODULE_MD.replace("![Diagram](assets/diagram.png)", "![](assets/diagram.png)")
    no_alt = no_alt.replace("## Tahap penutupan", "#### Tahap penutupan")
    token = csrf_token(client, MODULE)
    page = client.post(
        MODULE,
        data={"csrf_token": token, "text": no_alt, "revision": revision, "preview": "Pratinjau"},
    ).get_data(as_text=True)
    # Line 9 holds the image, line 11 the skipped heading level (front matter counted).
    assert re.search(
        r'<a href="#L9" data-line="9"><code>01-siklus\.md:9:</code></a>\s*'
        r"<strong>peringatan:</strong> gambar tanpa teks alternatif",
        page,
    ), page
    assert '<a href="#L11" data-line="11"><code>01-siklus.md:11:</code></a>' in page
    assert '<li id="L9"><code>![](assets/diagram.png)</code></li>' in page
    assert "Pratinjau (belum disimpan)" in page
    db.session.expire_all()
    assert db.session.scalar(select(CourseDraft.revision)) == 1  # a preview saves nothing

    # The draft's page lists every file's problems, each linking to its line.
    save(client, MODULE, no_alt, revision)
    overview = client.get(EDITOR).get_data(as_text=True)
    assert f'href="{MODULE}#L9"><code>01-siklus.md:9:</code>' in overview


def test_errors_are_shown_with_their_line_and_block_publishing(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    quiz = f"{EDITOR}/files/02-kuis-siklus.quiz.md"
    revision = revision_of(client.get(quiz).get_data(as_text=True))
    broken = "---\ntitle: Kuis Siklus\n---\n## Soal tanpa jawaban benar\n- [ ] a\n- [ ] b\n"
    assert save(client, quiz, broken, revision).status_code == 302
    page = client.get(quiz).get_data(as_text=True)
    assert re.search(
        r"<code>02-kuis-siklus\.quiz\.md:\d+:</code></a>\s*tidak ada pilihan benar", page
    )

    token = csrf_token(client, EDITOR)
    response = client.post(f"{EDITOR}/publish", data={"csrf_token": token, "revision": "2"})
    assert response.status_code == 422
    assert "Draf belum dapat diterbitkan" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(CourseVersion.number).order_by(CourseVersion.number.desc())) == 1
    )


def test_preview_shows_the_draft_image_served_from_the_editor(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    page = client.get(MODULE).get_data(as_text=True)
    image = re.search(r'<img[^>]*src="([^"]+)"[^>]*>', page)
    assert image, page
    assert image.group(1) == f"{EDITOR}/assets/diagram.png"
    assert 'alt="Diagram"' in image.group(0)
    assert 'width="2"' in image.group(0) and 'height="2"' in image.group(0)
    served = client.get(image.group(1))
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == PNG


def add_asset(client: FlaskClient, name: str, data: bytes, revision: str):
    return client.post(
        f"{EDITOR}/assets",
        data={
            "csrf_token": csrf_token(client, EDITOR),
            "revision": revision,
            "file": (BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_assets_are_added_and_replaced_with_the_upload_checks(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    buffer = BytesIO()
    from PIL import Image

    Image.new("RGB", (40, 20), "red").save(buffer, "PNG")
    bigger = buffer.getvalue()

    response = add_asset(client, "diagram.png", bigger, "1")
    assert response.status_code == 302
    assert "Aset assets/diagram.png diganti." in client.get(EDITOR).get_data(as_text=True)
    assert client.get(f"{EDITOR}/assets/diagram.png").data == bigger

    assert add_asset(client, "peta.png", PNG, "2").status_code == 302
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Tulis ![keterangan gambar](assets/peta.png) di modul." in page

    fake = add_asset(client, "palsu.png", b"<svg onload=alert(1)>", "3")
    assert fake.status_code == 422
    assert "palsu.png: isi berkas tidak sesuai dengan ekstensi .png" in fake.get_data(as_text=True)
    html = add_asset(client, "x.html", b"<p>hi</p>", "3")
    assert html.status_code == 422
    db.session.expire_all()
    paths = set(db.session.scalars(select(CourseDraftFile.path)))
    assert "assets/palsu.png" not in paths and "assets/x.html" not in paths
    assert "assets/peta.png" in paths


def test_new_module_and_delete_file(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    token = csrf_token(client, EDITOR)
    bad = client.post(
        f"{EDITOR}/new-file", data={"csrf_token": token, "revision": "1", "path": "penutup.md"}
    )
    assert bad.status_code == 422
    assert "nama berkas tidak dikenali" in bad.get_data(as_text=True)

    made = client.post(
        f"{EDITOR}/new-file", data={"csrf_token": token, "revision": "1", "path": "04-penutup.md"}
    )
    assert made.headers["Location"] == f"{EDITOR}/files/04-penutup.md"
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "title: Modul baru" in page
    assert "Tidak ada kesalahan atau peringatan di berkas ini." in page

    gone = client.post(
        f"{EDITOR}/files/03-kuis-akhir.gift/delete", data={"csrf_token": token, "revision": "2"}
    )
    assert gone.status_code == 302
    db.session.expire_all()
    paths = set(db.session.scalars(select(CourseDraftFile.path)))
    assert "03-kuis-akhir.gift" not in paths and "04-penutup.md" in paths
    kept = client.post(
        f"{EDITOR}/files/course.md/delete", data={"csrf_token": token, "revision": "3"}
    )
    assert kept.status_code == 302
    assert "course.md tidak dapat dihapus" in client.get(EDITOR).get_data(as_text=True)


def test_publishing_the_draft_makes_a_version_learners_get(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    revision = revision_of(client.get(MODULE).get_data(as_text=True))
    changed = MODULE_MD.replace("Proyek punya awal dan akhir.", "Teks baru dari penyunting.")
    save(client, MODULE, changed, revision)

    stale = client.post(
        f"{EDITOR}/publish", data={"csrf_token": csrf_token(client, EDITOR), "revision": "1"}
    )
    assert stale.status_code == 409
    token = csrf_token(client, EDITOR)
    response = client.post(f"{EDITOR}/publish", data={"csrf_token": token, "revision": "2"})
    assert response.headers["Location"] == "/coordinator/courses/dasar-proyek"
    assert "Draf diterbitkan sebagai versi 2." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )

    db.session.expire_all()
    published = db.session.scalars(
        select(CourseVersion).where(CourseVersion.status == VersionStatus.PUBLISHED)
    ).one()
    assert published.number == 2
    module = db.session.scalars(
        select(CourseItem).where(CourseItem.version_id == published.id, CourseItem.name == "siklus")
    ).one()
    assert "Teks baru dari penyunting." in module.html
    # Its images point at the published version's assets, not the editor's.
    assert f"/courses/dasar-proyek/v/{published.short_hash}/assets/diagram.png" in module.html

    auth.logout()
    learner = make_user(Role.LEARNER, name="Andi")
    auth.login(learner.nip)
    catalog = client.get("/courses/dasar-proyek").get_data(as_text=True)
    assert "Dasar Manajemen Proyek" in catalog
    token = csrf_token(client, "/courses/dasar-proyek")
    client.post("/courses/dasar-proyek/enroll", data={"csrf_token": token})
    lesson = client.get("/learn/dasar-proyek/siklus").get_data(as_text=True)
    assert "Teks baru dari penyunting." in lesson


def test_the_draft_can_start_over_from_the_published_version(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    revision = revision_of(client.get(MODULE).get_data(as_text=True))
    save(client, MODULE, MODULE_MD + "\nCoretan.\n", revision)
    token = csrf_token(client, EDITOR)
    stale = client.post(
        f"{EDITOR}/open", data={"csrf_token": token, "version": "1", "revision": "1"}
    )
    assert stale.status_code == 409
    client.post(f"{EDITOR}/open", data={"csrf_token": token, "version": "1", "revision": "2"})
    db.session.expire_all()
    data = db.session.scalars(
        select(CourseDraftFile.data).where(CourseDraftFile.path == "01-siklus.md")
    ).one()
    assert data == MODULE_MD.encode()


def test_the_course_template_passes_the_checks_without_warnings(client, auth, tmp_path: Path):
    palu_coordinator(auth)
    response = client.get("/coordinator/course-template.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=contoh-kursus.zip"
    with zipfile.ZipFile(BytesIO(response.data)) as archive:
        archive.extractall(tmp_path)
        names = set(archive.namelist())
    assert names == {f"contoh-kursus/{path}" for path in template_files()}
    parsed = parse_course(tmp_path / TEMPLATE_FOLDER.name)
    assert parsed.warnings == ()
    assert len(parsed.items) == 2 and len(parsed.assets) == 1

    courses = client.get("/coordinator/courses").get_data(as_text=True)
    assert 'href="/coordinator/course-template.zip"' in courses
    assert 'href="/coordinator/format/"' in courses


def test_the_format_guide_is_a_page_in_the_app(client, auth):
    palu_coordinator(auth)
    page = client.get("/coordinator/format/").get_data(as_text=True)
    assert '<h1 id="format-folder-kursus-course-folder-format">' in page or "<h1" in page
    assert "Menyunting di peramban" in page
    assert (
        "<script" not in page.split("<main", 1)[-1]
    )  # the guide's HTML went through the sanitiser


def test_of_parallel_saves_on_one_revision_exactly_one_is_kept(app, client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    draft_id = db.session.scalar(select(CourseDraft.id))
    actor_id = db.session.scalar(select(User.id))
    texts = iter(f"{MODULE_MD}\nPenyunting {n}.\n" for n in range(6))
    stale: list[int] = []

    def save_revision_one() -> None:
        draft = db.session.get_one(CourseDraft, draft_id)
        try:
            save_file(
                draft, 1, "01-siklus.md", next(texts).encode(), db.session.get_one(User, actor_id)
            )
        except StaleDraft as exc:
            stale.append(exc.current)

    errors = run_in_parallel(app, 6, save_revision_one)
    assert errors == []
    assert stale == [2] * 5
    db.session.expire_all()
    assert db.session.get_one(CourseDraft, draft_id).revision == 2


def test_a_preview_gives_a_wide_image_the_size_publishing_will_store():
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (2400, 600), "blue").save(buffer, "PNG")
    assert shown_size(buffer.getvalue()) == (1200, 300)
    assert shown_size(PNG) == (2, 2)
    stored = store_image(".png", buffer.getvalue())
    assert (stored.width, stored.height) == (1200, 300)


def test_the_editor_speaks_english_too(client, auth, tmp_path: Path):
    uploaded_course(client, auth, tmp_path)
    open_draft(client)
    no_alt = MODULE_MD.replace("![Diagram](", "![](")
    save(client, MODULE, no_alt, "1")
    client.post("/language/en", data={"csrf_token": csrf_token(client, MODULE), "next": MODULE})
    page = client.get(MODULE).get_data(as_text=True)
    assert "Edit 01-siklus.md" in page and "Errors and warnings in this file" in page
    assert re.search(r"<code>01-siklus\.md:9:</code></a>\s*<strong>warning:</strong> image", page)
    stale = save(client, MODULE, MODULE_MD, "1")
    assert stale.status_code == 409
    assert "Someone else saved this draft (now revision 2)" in stale.get_data(as_text=True)


def test_a_course_published_from_the_command_line_opens_in_the_editor(
    app, client, auth, tmp_path: Path
):
    palu_coordinator(auth)
    folder = write_course(tmp_path)
    result = app.test_cli_runner().invoke(
        args=["courses", "publish", str(folder), "--unit", "palu"]
    )
    assert result.exit_code == 0, result.output
    first = client.get(EDITOR).get_data(as_text=True)
    assert "Buka draf" in first and "v1 · Dasar Manajemen Proyek · terbit" in first
    open_draft(client)
    editing = client.get(MODULE).get_data(as_text=True)
    assert "## Tahap proyek" in editing  # the folder's own text


def test_the_demo_courses_open_in_the_editor(app, client):
    from elearn.demo.cli import DEMO_PASSWORD

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    AuthActions(client).login("198011052006041004", DEMO_PASSWORD)  # Siti, Palu's coordinator
    editor = "/coordinator/courses/manajemen-proyek/editor"
    assert "Buka draf" in client.get(editor).get_data(as_text=True)
    token = csrf_token(client, editor)
    opened = client.post(f"{editor}/open", data={"csrf_token": token, "version": "1"})
    assert opened.status_code == 302
    page = client.get(f"{editor}/files/course.md").get_data(as_text=True)
    source = (Path(__file__).parents[2] / "courses/manajemen-proyek/course.md").read_text()
    assert html.escape(source.splitlines()[1], quote=False) in page  # the folder's own text
