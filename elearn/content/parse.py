"""Read a course folder into checked, frozen data; every error is ``path:line``."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from elearn.content.assets import (
    ALLOWED_ASSET_TYPES,
    MAX_ASSET_BYTES,
    asset_type_problem,
    image_size_problem,
)
from elearn.content.checks import Document, QuizSource, course_problems
from elearn.content.course_competencies import KEY as COMPETENCIES_KEY
from elearn.content.course_competencies import DeclaredCompetency, declared_competencies
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.frontmatter import split_front_matter
from elearn.content.gift import parse_gift_quiz
from elearn.content.limits import MAX_COURSE_BYTES, MAX_SCAN_CHARS, MAX_SOURCE_BYTES, shape_problems
from elearn.content.quiz import Quiz
from elearn.content.quiz_roles import quiz_role_problems
from elearn.content.quizformat import parse_markdown_quiz
from elearn.content.render import asset_references, document_title
from elearn.problem_text import Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_FILE = re.compile(
    r"^(?P<nn>\d{2})-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)(?P<ext>\.quiz\.md|\.md|\.gift)$"
)
COMPETENCIES = ("teknis", "manajerial", "sosial-kultural")
LEVELS = ("dasar", "menengah", "lanjut")
LANGUAGES = ("id", "en")
COURSE_KEYS = {
    "title", "summary", "category", "competency", "jp", "level", "language",
    "prerequisites", "certificate", COMPETENCIES_KEY, "follow_up_days",
}  # fmt: skip
MAX_FOLLOW_UP_DAYS = 730
MODULE_KEYS = {"title", "minutes"}
MAX_JP = 200
MAX_TITLE = 200  # the database columns' sizes
MAX_SUMMARY = 1000
WORDS_PER_MINUTE = 130  # reading speed for Indonesian prose on a phone, rounded down


@dataclass(frozen=True)
class CourseMeta:
    title: str
    summary: str
    category: str
    competency: str
    jp: int
    level: str
    language: str
    prerequisites: tuple[str, ...]
    certificate: bool
    competencies: tuple[DeclaredCompetency, ...] = ()  # ``kompetensi:``, shape checked
    follow_up_days: int | None = None  # None: the platform's FOLLOW_UP_DAYS


@dataclass(frozen=True)
class ParsedItem:
    """A module (Markdown body) or a quiz (parsed pool) of a course."""

    position: int
    name: str
    path: str
    source_format: str  # "markdown" | "quiz.md" | "gift"
    title: str
    minutes: int | None
    content_hash: str
    body: str = ""
    quiz: Quiz | None = None

    @property
    def is_quiz(self) -> bool:
        return self.quiz is not None


@dataclass(frozen=True)
class Asset:
    path: str  # relative to assets/
    data: bytes
    content_type: str


@dataclass(frozen=True)
class ParsedCourse:
    slug: str
    meta: CourseMeta
    overview: str
    items: tuple[ParsedItem, ...]
    assets: tuple[Asset, ...]
    content_hash: str
    warnings: tuple[SourceError, ...] = ()  # found with no error: shown, never blocking


def parse_course(
    folder: Path, *, label: str | None = None, max_scan_chars: int = MAX_SCAN_CHARS
) -> ParsedCourse:
    """Parse and check one course folder; raise ContentErrors with every problem.

    ``label`` is how paths appear in messages (default: the folder as given).
    Files over the size limits are refused before they are read. Warnings are
    raised with the errors, or returned on the parsed course.
    """
    label = label or str(folder)
    errors: list[SourceError] = []
    warnings: list[SourceError] = []
    slug = folder.name
    if not SLUG.match(slug):
        errors.append(
            SourceError(
                label, 1, Problem("nama folder kursus harus huruf kecil, angka dan tanda hubung")
            )
        )
    files = _collect_files(folder, label, errors)
    if "course.md" not in files:
        raise ContentErrors(
            [*errors, SourceError(f"{label}/course.md", 1, Problem("course.md tidak ada"))]
        )

    texts = _decode_sources(files, label, max_scan_chars, errors)
    if "course.md" not in texts:
        raise ContentErrors(errors)
    meta, overview, overview_line = _parse_course_md(
        texts["course.md"], f"{label}/course.md", errors
    )
    assets = _collect_assets(files, label, errors)
    asset_paths = {asset.path for asset in assets}
    _check_asset_references(overview, overview_line, f"{label}/course.md", asset_paths, errors)

    items: list[ParsedItem] = []
    positions: dict[int, str] = {}
    for relative in sorted(files):
        if relative == "course.md" or relative.startswith("assets/"):
            continue
        item_path = f"{label}/{relative}"
        match = ITEM_FILE.match(relative)
        if match is None:
            errors.append(SourceError(item_path, 1, _unknown_file_message(relative)))
            continue
        position = int(match["nn"])
        if position in positions:
            errors.append(
                SourceError(
                    item_path,
                    1,
                    Problem(
                        "nomor urut %(nn)s sudah dipakai %(other)s",
                        nn=match["nn"],
                        other=positions[position],
                    ),
                )
            )
            continue
        positions[position] = relative
        if relative not in texts:
            continue  # too large, not UTF-8 or too tangled: already reported
        item = _parse_item(
            match, texts[relative], files[relative], item_path, asset_paths, errors, warnings
        )
        if item is not None:
            items.append(item)
    if not any(
        name.endswith(".md") and not name.endswith(".quiz.md") for name in positions.values()
    ):
        errors.append(
            SourceError(
                f"{label}/course.md", 1, Problem("kursus belum memiliki modul (NN-nama.md)")
            )
        )
    if meta is not None and slug in meta.prerequisites:
        errors.append(
            SourceError(
                f"{label}/course.md", 1, Problem("kursus tidak boleh menjadi prasyaratnya sendiri")
            )
        )

    # An overview after a broken front matter may still hold the YAML: not checked then.
    overview_document = Document(f"{label}/course.md", overview, overview_line) if meta else None
    for problem in _checks(label, texts, positions, overview_document, assets):
        (errors if problem.is_error else warnings).append(problem)
    # Roles are compared across files: only once every file parsed, or a broken pre-test
    # would also report its post-test as lacking one.
    if len(items) == len(positions):
        sources = {f"{label}/{relative}": text for relative, text in texts.items()}
        for problem in quiz_role_problems(items, sources):
            (errors if problem.is_error else warnings).append(problem)

    if errors or meta is None:
        raise ContentErrors([*errors, *warnings])
    return ParsedCourse(
        slug=slug,
        meta=meta,
        overview=overview,
        items=tuple(items),
        assets=tuple(assets),
        content_hash=_content_hash(files),
        warnings=tuple(sorted(warnings)),
    )


def _checks(
    label: str,
    texts: dict[str, str],
    positions: dict[int, str],
    overview: Document | None,
    assets: list[Asset],
) -> list[SourceError]:
    """Run the course-wide checks (``elearn.content.checks``) on every readable source."""
    documents = [overview] if overview is not None else []
    quizzes = []
    items: dict[str, str] = {}
    for relative in sorted(positions.values()):
        path = f"{label}/{relative}"
        match = ITEM_FILE.match(relative)
        if match is None:
            continue
        items[relative] = items[match["name"]] = path
        text = texts.get(relative)
        if text is None:
            continue
        if match["ext"] == ".md":
            document, front_errors = split_front_matter(text, path)
            if not front_errors:
                documents.append(Document(path, document.body, document.body_line))
        else:
            quizzes.append(QuizSource(path, text, gift=match["ext"] == ".gift"))
    return course_problems(documents, quizzes, items, {a.path: a.data for a in assets})


def _collect_files(folder: Path, label: str, errors: list[SourceError]) -> dict[str, bytes]:
    if not folder.is_dir():
        raise ContentErrors([SourceError(label, 1, Problem("folder kursus tidak ditemukan"))])
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        where = f"{label}/{relative}"
        if any(part.startswith(".") for part in relative.split("/")):
            continue  # editor and OS litter such as .DS_Store
        if path.is_symlink():
            errors.append(SourceError(where, 1, Problem("tautan simbolik tidak diizinkan")))
        elif path.is_file():
            size = path.stat().st_size
            problem = file_size_problem(relative, size)
            total += size
            if problem:
                errors.append(SourceError(where, 1, problem))
            elif total > MAX_COURSE_BYTES:
                limit = MAX_COURSE_BYTES // 2**20
                errors.append(
                    SourceError(
                        where, 1, Problem("isi kursus melebihi %(mb)d MB secara total", mb=limit)
                    )
                )
                break
            else:
                files[relative] = path.read_bytes()
    return files


def file_size_problem(relative: str, size: int) -> str | None:
    """Return why a course file of ``size`` bytes is too large, or None (checked unread)."""
    if relative.startswith("assets/"):
        if size > MAX_ASSET_BYTES:
            return Problem("aset melebihi %(mb)d MB", mb=MAX_ASSET_BYTES // 2**20)
    elif size > MAX_SOURCE_BYTES:
        return Problem(
            "berkas sumber melebihi %(mb)d MB; pecah menjadi beberapa modul",
            mb=MAX_SOURCE_BYTES // 2**20,
        )
    return None


def _decode_sources(
    files: dict[str, bytes], label: str, max_scan_chars: int, errors: list[SourceError]
) -> dict[str, str]:
    """Decode every source file and refuse those the renderer would take too long on."""
    texts = {}
    for relative, data in files.items():
        if relative.startswith("assets/"):
            continue
        path = f"{label}/{relative}"
        text = _decode(data, path, errors)
        if text is None:
            continue
        problems = shape_problems(text, max_scan_chars)
        errors.extend(SourceError(path, line, message) for line, message in problems)
        if not problems:
            texts[relative] = text
    return texts


def _unknown_file_message(relative: str) -> str:
    if "/" in relative:
        return Problem("subfolder tidak diizinkan selain assets/")
    return Problem(
        "nama berkas tidak dikenali; gunakan NN-nama.md (modul), NN-nama.quiz.md atau "
        "NN-nama.gift (kuis), dengan NN dua angka dan nama huruf kecil/angka/tanda hubung"
    )


def _decode(data: bytes, path: str, errors: list[SourceError]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(SourceError(path, line, Problem("berkas harus berenkode UTF-8")))
        return None


def _parse_course_md(
    text: str, path: str, errors: list[SourceError]
) -> tuple[CourseMeta | None, str, int]:
    """Return the course's metadata, overview Markdown and the overview's first line."""
    document, front_errors = split_front_matter(text, path)
    errors.extend(front_errors)
    if front_errors:
        return None, document.body, document.body_line
    meta = _course_meta(document.meta, path, errors, text)
    return meta, document.body, document.body_line


def _course_meta(
    raw: dict[str, Any], path: str, errors: list[SourceError], source: str = ""
) -> CourseMeta | None:
    before = len(errors)

    def fail(message: str) -> None:
        errors.append(SourceError(path, 1, message))

    for key in sorted(set(raw) - COURSE_KEYS):
        fail(Problem("kunci front matter tidak dikenal: '%(key)s'", key=key))

    def text(key: str, limit: int) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            fail(Problem("'%(key)s' wajib diisi dengan teks", key=key))
            return ""
        if len(value.strip()) > limit:
            fail(Problem("'%(key)s' paling panjang %(n)d karakter", key=key, n=limit))
        return value.strip()

    def choice(key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = raw.get(key, default)
        if value not in options:
            fail(
                Problem(
                    "'%(key)s' harus salah satu dari: %(options)s",
                    key=key,
                    options=", ".join(options),
                )
            )
            return options[0]
        return str(value)

    title, summary = text("title", MAX_TITLE), text("summary", MAX_SUMMARY)
    category = text("category", 80)
    if category and not SLUG.match(category):
        fail(Problem("'category' harus huruf kecil, angka dan tanda hubung, mis. manajemen-proyek"))
    jp = raw.get("jp")
    if isinstance(jp, bool) or not isinstance(jp, int) or not 1 <= jp <= MAX_JP:
        fail(Problem("'jp' harus bilangan bulat 1–%(max)d (jam pelajaran yang diakui)", max=MAX_JP))
        jp = 1
    prerequisites = raw.get("prerequisites", []) or []
    if not isinstance(prerequisites, list) or not all(
        isinstance(p, str) and SLUG.match(p) for p in prerequisites
    ):
        fail(Problem("'prerequisites' harus daftar slug kursus, mis. [manajemen-proyek]"))
        prerequisites = []
    certificate = raw.get("certificate", True)
    if not isinstance(certificate, bool):
        fail(Problem("'certificate' harus true atau false"))
        certificate = True
    follow_up_days = raw.get("follow_up_days")
    if follow_up_days is not None and (
        isinstance(follow_up_days, bool)
        or not isinstance(follow_up_days, int)
        or not 1 <= follow_up_days <= MAX_FOLLOW_UP_DAYS
    ):
        fail(Problem("'follow_up_days' harus bilangan bulat 1–%(max)d", max=MAX_FOLLOW_UP_DAYS))
        follow_up_days = None
    meta = CourseMeta(
        title=title,
        summary=summary,
        category=category,
        competency=choice("competency", COMPETENCIES),
        jp=jp,
        level=choice("level", LEVELS, "dasar"),
        language=choice("language", LANGUAGES, "id"),
        prerequisites=tuple(dict.fromkeys(prerequisites)),
        certificate=certificate,
        competencies=declared_competencies(raw.get(COMPETENCIES_KEY), source, path, errors),
        follow_up_days=follow_up_days,
    )
    return meta if len(errors) == before else None


def _collect_assets(files: dict[str, bytes], label: str, errors: list[SourceError]) -> list[Asset]:
    assets = []
    for relative, data in files.items():
        if not relative.startswith("assets/"):
            continue
        path = f"{label}/{relative}"
        name = relative.removeprefix("assets/")
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_ASSET_TYPES:
            allowed = ", ".join(sorted(s.lstrip(".") for s in ALLOWED_ASSET_TYPES))
            errors.append(
                SourceError(
                    path,
                    1,
                    Problem(
                        "jenis berkas aset tidak diizinkan (hanya %(allowed)s)", allowed=allowed
                    ),
                )
            )
            continue
        problem = asset_type_problem(suffix, data) or image_size_problem(suffix, data)
        if problem:
            errors.append(SourceError(path, 1, problem))
            continue
        assets.append(Asset(name, data, ALLOWED_ASSET_TYPES[suffix]))
    return assets


def _check_asset_references(
    source: str, first_line: int, path: str, assets: set[str], errors: list[SourceError]
) -> None:
    for line, reference in asset_references(source):
        name = reference.removeprefix("assets/")
        if name not in assets:
            errors.append(
                SourceError(
                    path,
                    first_line + line - 1,
                    Problem("aset '%(name)s' tidak ada di assets/", name=reference),
                )
            )


def _parse_item(
    match: re.Match[str],
    text: str,
    data: bytes,
    path: str,
    assets: set[str],
    errors: list[SourceError],
    warnings: list[SourceError],
) -> ParsedItem | None:
    name, ext = match["name"], match["ext"]
    default_title = name.replace("-", " ").capitalize()
    item = partial(
        ParsedItem,
        position=int(match["nn"]),
        name=name,
        path=path,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    if ext == ".md":
        module = _parse_module(text, path, default_title, assets, errors)
        if module is None:
            return None
        title, minutes, body = module
        return item(source_format="markdown", title=title, minutes=minutes, body=body)
    try:
        if ext == ".gift":
            quiz = parse_gift_quiz(text, path, default_title)
        else:
            quiz = parse_markdown_quiz(text, path, default_title)
    except ContentErrors as exc:
        errors.extend(exc.errors)
        warnings.extend(exc.warnings)
        return None
    warnings.extend(quiz.warnings)
    document, _ = split_front_matter(text, path)
    _check_asset_references(document.body, document.body_line, path, assets, errors)
    return item(
        source_format="gift" if ext == ".gift" else "quiz.md",
        title=quiz.settings.title,
        minutes=quiz.settings.time_limit,
        quiz=quiz,
    )


def _parse_module(
    text: str, path: str, default_title: str, assets: set[str], errors: list[SourceError]
) -> tuple[str, int, str] | None:
    """Return (title, minutes, Markdown body) of a module, or None after recording errors."""
    document, front_errors = split_front_matter(text, path)
    errors.extend(front_errors)
    before = len(errors)
    for key in sorted(set(document.meta) - MODULE_KEYS):
        errors.append(
            SourceError(path, 1, Problem("kunci front matter tidak dikenal: '%(key)s'", key=key))
        )
    if "title" in document.meta:
        title = document.meta["title"]
    else:  # the module's own "# heading" is its title, else its file name
        title = document_title(document.body) or default_title
    if not isinstance(title, str) or not title.strip():
        errors.append(SourceError(path, 1, Problem("'title' harus berupa teks")))
    elif len(title.strip()) > MAX_TITLE:
        errors.append(
            SourceError(
                path,
                1,
                Problem("'%(key)s' paling panjang %(n)d karakter", key="title", n=MAX_TITLE),
            )
        )
    minutes = document.meta.get("minutes")
    if minutes is None:
        minutes = max(1, round(len(document.body.split()) / WORDS_PER_MINUTE))
    elif isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
        errors.append(SourceError(path, 1, Problem("'minutes' harus bilangan bulat 1–600")))
    if not document.body.strip():
        errors.append(SourceError(path, document.body_line, Problem("modul tidak berisi materi")))
    _check_asset_references(document.body, document.body_line, path, assets, errors)
    if front_errors or len(errors) > before:
        return None
    return str(title).strip(), minutes, document.body


def _content_hash(files: dict[str, bytes]) -> str:
    """Hash names and contents, so any change to any file makes a new version."""
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(relative.encode() + b"\0" + hashlib.sha256(files[relative]).digest())
    return digest.hexdigest()
