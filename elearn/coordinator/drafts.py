"""Course drafts edited in the browser: kept in the database, checked and published as uploads are.

A draft is a course folder held as rows (one per file), so that every app server
sees the same draft and a restart loses nothing. Every save raises the draft's
revision with a conditional update: a save based on an older revision is
refused (``StaleDraft``) instead of silently overwriting someone else's work.
Checking, previewing and publishing zip the folder and hand it to the same
render process as an uploaded zip (``elearn.content.sandbox``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import delete, select, update

from elearn import clock
from elearn.content.assets import ALLOWED_ASSET_TYPES, asset_type_problem, image_size_problem
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.parse import ITEM_FILE, file_size_problem
from elearn.content.publish import store_version
from elearn.content.sandbox import (
    PreparedCourse,
    RenderFailure,
    ZipSource,
    prepare,
    prepare_limited,
)
from elearn.coordinator.sources import folder_zip, keep_source, read_course_zip
from elearn.coordinator.uploads import UploadSettings
from elearn.extensions import db
from elearn.models import (
    Course,
    CourseDraft,
    CourseDraftFile,
    CourseSource,
    CourseVersion,
    User,
)
from elearn.problem_text import Problem

ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class StaleDraft(Exception):
    """Someone saved the draft after the revision a change was based on."""

    def __init__(self, current: int) -> None:
        super().__init__(f"draft is at revision {current}")
        self.current = current


class DraftRefused(Exception):
    """A file name or content the draft cannot take; ``message`` says why, in Indonesian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DraftCheck:
    """What the render process made of a draft: the course, or why not, and every problem.

    Problem paths are relative to the course folder (``01-intro.md``), as the editor names files.
    """

    prepared: PreparedCourse | None
    problems: tuple[SourceError, ...]
    failure: str = ""  # a render-process failure (time, memory), not the authors' errors

    @property
    def errors(self) -> list[SourceError]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[SourceError]:
        return [p for p in self.problems if not p.is_error]


def is_text_file(path: str) -> bool:
    return not path.startswith("assets/")


def text_path_problem(path: str) -> str | None:
    """Return why ``path`` cannot be a course.md, module or quiz file, or None."""
    if path == "course.md" or ITEM_FILE.match(path):
        return None
    return Problem(
        "nama berkas tidak dikenali; gunakan NN-nama.md (modul), NN-nama.quiz.md atau "
        "NN-nama.gift (kuis), dengan NN dua angka dan nama huruf kecil/angka/tanda hubung"
    )


def asset_problem(name: str, data: bytes) -> str | None:
    """Return why ``data`` cannot be stored as ``assets/<name>``: the zip upload's checks."""
    suffix = PurePosixPath(name).suffix.lower()
    if not ASSET_NAME.match(name) or suffix not in ALLOWED_ASSET_TYPES:
        return Problem(
            "nama aset harus huruf, angka, titik, garis bawah atau tanda hubung, dengan "
            "ekstensi %(suffixes)s",
            suffixes=", ".join(sorted(ALLOWED_ASSET_TYPES)),
        )
    return (
        file_size_problem(f"assets/{name}", len(data))
        or asset_type_problem(suffix, data)
        or image_size_problem(suffix, data)
    )


def normalised_text(text: str) -> bytes:
    """A textarea's text as stored: LF line ends (browsers send CRLF), UTF-8."""
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


def draft_of(course: Course) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def draft_files(draft: CourseDraft) -> dict[str, bytes]:
    return {file.path: file.data for file in draft.files}


def open_draft(
    course: Course, version: CourseVersion, actor: User, *, revision: int | None
) -> CourseDraft:
    """Start the course's draft from ``version``'s folder, replacing the draft's files.

    ``revision`` is the draft revision the coordinator saw (None: there was none);
    replacing a draft saved since raises StaleDraft.
    """
    source = db.session.get(CourseSource, version.id)
    if source is None:
        raise DraftRefused(
            Problem(
                "versi %(n)d tidak menyimpan berkas sumbernya; unggah zip kursus", n=version.number
            )
        )
    files = read_course_zip(source.data, f"{course.slug}.zip")
    draft = draft_of(course)
    if draft is None:
        if revision is not None:
            raise StaleDraft(0)
        draft = CourseDraft(course=course, revision=1, updated_by=actor)
        db.session.add(draft)
        db.session.flush()
    else:
        _next_revision(draft, revision, actor)
        db.session.execute(delete(CourseDraftFile).where(CourseDraftFile.draft_id == draft.id))
    draft.based_on = version.number
    db.session.add_all(
        CourseDraftFile(draft_id=draft.id, path=path, data=data) for path, data in files.items()
    )
    db.session.flush()
    db.session.expire(draft, ["files"])
    return draft


def save_file(draft: CourseDraft, revision: int, path: str, data: bytes, actor: User) -> None:
    """Write one file of the draft as a new revision (added or replaced)."""
    problem = text_path_problem(path) if is_text_file(path) else None
    problem = problem or file_size_problem(path, len(data))
    if problem:
        raise DraftRefused(problem)
    _next_revision(draft, revision, actor)
    existing = db.session.get(CourseDraftFile, (draft.id, path))
    if existing is None:
        db.session.add(CourseDraftFile(draft_id=draft.id, path=path, data=data))
    else:
        existing.data = data
    db.session.flush()
    db.session.expire(draft, ["files"])


def save_asset(draft: CourseDraft, revision: int, name: str, data: bytes, actor: User) -> str:
    """Add or replace ``assets/<name>`` after the zip upload's checks; return its path."""
    problem = asset_problem(name, data)
    if problem:
        raise DraftRefused(problem)
    path = f"assets/{name}"
    save_file(draft, revision, path, data, actor)
    return path


def delete_file(draft: CourseDraft, revision: int, path: str, actor: User) -> None:
    """Remove one file from the draft as a new revision; course.md stays."""
    if path == "course.md":
        raise DraftRefused(Problem("course.md tidak dapat dihapus"))
    _next_revision(draft, revision, actor)
    db.session.execute(
        delete(CourseDraftFile).where(
            CourseDraftFile.draft_id == draft.id, CourseDraftFile.path == path
        )
    )
    db.session.expire(draft, ["files"])


def starter_text(path: str) -> bytes:
    """A new file's first text: front matter the checks accept, for the author to fill in.

    Course content, so in the course's language (Indonesian), whatever the editor's UI language.
    """
    if path.endswith(".gift"):
        text = "::S1:: Tulis pertanyaan di sini? {=jawaban benar ~jawaban salah}\n"
    elif path.endswith(".quiz.md"):
        text = (
            "---\ntitle: Kuis baru\npass_mark: 70\n---\n"
            "## Tulis pertanyaan di sini?\n- [x] Jawaban benar\n- [ ] Jawaban salah\n"
        )
    else:
        text = "---\ntitle: Modul baru\nminutes: 10\n---\nTulis materi di sini.\n"
    return text.encode("utf-8")


def _next_revision(draft: CourseDraft, revision: int | None, actor: User) -> None:
    # Conditional: of two saves based on the same revision, exactly one goes through.
    outcome = db.session.execute(
        update(CourseDraft)
        .where(CourseDraft.id == draft.id, CourseDraft.revision == revision)
        .values(revision=CourseDraft.revision + 1, updated_by_id=actor.id, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(draft)
        raise StaleDraft(draft.revision)
    db.session.refresh(draft)


def check_draft(
    slug: str, files: dict[str, bytes], settings: UploadSettings, *, asset_base: str | None = None
) -> DraftCheck:
    """Parse, check and render ``files`` as an upload would be; never raises for authors' errors.

    ``asset_base`` points a preview's images at the editor's asset URL.
    """
    source = ZipSource(folder_zip(slug, files), f"{slug}.zip", asset_base)
    try:
        if settings.sandboxed:
            prepared = prepare_limited(source, settings.budget)
        else:
            prepared = prepare(source, settings.budget)
    except ContentErrors as exc:
        return DraftCheck(None, relative_problems(slug, exc.problems))
    except RenderFailure as exc:
        return DraftCheck(None, (), failure=exc.message)
    return DraftCheck(prepared, relative_problems(slug, prepared.parsed.warnings))


def relative_problems(
    slug: str, problems: list[SourceError] | tuple[SourceError, ...]
) -> tuple[SourceError, ...]:
    prefix = f"{slug}/"
    return tuple(
        sorted(
            SourceError(
                p.path[len(prefix) :] if p.path.startswith(prefix) else p.path,
                p.line,
                p.message,
                p.severity,
            )
            for p in problems
        )
    )


def publish_draft(
    draft: CourseDraft, revision: int, settings: UploadSettings, actor: User
) -> tuple[CourseVersion, DraftCheck]:
    """Publish the draft as the course's new version through the upload's path.

    Raises StaleDraft when the draft was saved since ``revision`` (the coordinator
    would publish text they have not seen) and ContentErrors when any error stops it.
    """
    if draft.revision != revision:
        raise StaleDraft(draft.revision)
    course = draft.course
    files = draft_files(draft)
    check = check_draft(course.slug, files, settings)
    if check.prepared is None:
        if check.failure:
            raise RenderFailure(check.failure)
        raise ContentErrors(check.problems)
    result = store_version(
        check.prepared.parsed,
        unit=course.unit,
        actor=actor,
        publish=True,
        rendered=check.prepared.rendered,
    )
    keep_source(result.version, files)
    draft.based_on = result.version.number
    return result.version, check
