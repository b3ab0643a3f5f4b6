"""Store a parsed course as an immutable version, and move versions between states."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select

from elearn import clock
from elearn.competencies.course_check import store_course_competencies, unknown_competencies
from elearn.content.errors import ContentErrors, SourceError
from elearn.content.images import shown_size, store_image
from elearn.content.parse import Asset, ParsedCourse, ParsedItem
from elearn.content.quizrecord import quiz_record
from elearn.content.render import render_markdown
from elearn.content.sanitize import ImageSizes, ItemLinks
from elearn.extensions import db
from elearn.models import (
    Course,
    CourseAsset,
    CourseItem,
    CourseVersion,
    ItemKind,
    Unit,
    User,
    VersionStatus,
)
from elearn.problem_text import Problem


class PublishError(ContentErrors):
    """Publishing was refused for a reason found only against the database."""


@dataclass(frozen=True)
class RenderedItem:
    """A module's sanitised HTML and contents, or a quiz's stored record."""

    html: str = ""
    toc: tuple[dict[str, Any], ...] = ()
    quiz: dict[str, Any] | None = None


@dataclass(frozen=True)
class RenderedCourse:
    """Everything of a parsed course that needs the renderer, done once (in the render process)."""

    overview_html: str
    items: tuple[RenderedItem, ...]
    assets: tuple[Asset, ...]  # as stored: images re-encoded (``elearn.content.images``)


def render_course(parsed: ParsedCourse, base: str | None = None) -> RenderedCourse:
    """Re-encode the images, then render the overview, every module and every quiz.

    Images point under ``base``: the version's asset URL. A preview names its own and
    serves the images as uploaded, so they are measured, not re-encoded (the slow part).
    """
    if base is None:
        base = asset_base(parsed.slug, parsed.content_hash)
        assets, sizes = _stored_assets(parsed.assets)
    else:
        assets, sizes = parsed.assets, _shown_sizes(parsed.assets)
    links = item_links(parsed)
    overview = render_markdown(
        parsed.overview, asset_base=base, image_sizes=sizes, item_links=links
    )
    return RenderedCourse(
        overview_html=overview.html,
        items=tuple(_render_item(item, base, sizes, links) for item in parsed.items),
        assets=assets,
    )


def item_links(parsed: ParsedCourse) -> ItemLinks:
    """The learner's page of each module and quiz, by its file name and by its name."""
    links = {}
    for item in parsed.items:
        page = f"/learn/{parsed.slug}/{item.name}"
        links[item.name] = links[PurePosixPath(item.path).name] = page
    return links


def _stored_assets(assets: tuple[Asset, ...]) -> tuple[tuple[Asset, ...], ImageSizes]:
    stored, sizes = [], {}
    for asset in assets:
        if not asset.content_type.startswith("image/"):
            stored.append(asset)
            continue
        image = store_image(PurePosixPath(asset.path).suffix.lower(), asset.data)
        stored.append(replace(asset, data=image.data))
        sizes[asset.path] = (image.width, image.height)
    return tuple(stored), sizes


def _shown_sizes(assets: tuple[Asset, ...]) -> ImageSizes:
    return {
        asset.path: shown_size(asset.data)
        for asset in assets
        if asset.content_type.startswith("image/")
    }


def _render_item(item: ParsedItem, base: str, sizes: ImageSizes, links: ItemLinks) -> RenderedItem:
    if item.quiz is not None:
        return RenderedItem(quiz=quiz_record(item.quiz, asset_base=base, image_sizes=sizes))
    # The page shows the title as its heading: a first "# heading" repeating it is left out.
    rendered = render_markdown(
        item.body, asset_base=base, image_sizes=sizes, item_links=links, title=item.title
    )
    return RenderedItem(html=rendered.html, toc=tuple(asdict(entry) for entry in rendered.toc))


@dataclass(frozen=True)
class StoreResult:
    version: CourseVersion
    created: bool  # False: an identical version already existed
    status_changed: bool


def asset_base(slug: str, content_hash: str) -> str:
    """Return the URL prefix under which a version's assets are served."""
    return f"/courses/{slug}/v/{content_hash[:12]}/assets"


def store_version(
    parsed: ParsedCourse,
    *,
    unit: Unit | None,
    actor: User | None,
    publish: bool,
    known_slugs: frozenset[str] = frozenset(),
    rendered: RenderedCourse | None = None,
) -> StoreResult:
    """Save ``parsed`` as a version of its course (draft, or published at once).

    Content that matches an existing version reuses it: republishing unchanged
    content changes nothing. ``known_slugs`` are courses being published in the
    same batch, which count as existing prerequisites. ``rendered`` is the
    course as rendered by the render process; without it, it is rendered here.
    """
    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    if course is None:
        course = Course(slug=parsed.slug, unit_id=unit.id if unit else None)
        db.session.add(course)
        db.session.flush()
    _check_prerequisites(parsed, known_slugs)
    unknown = unknown_competencies(parsed, parsed.slug)
    if unknown:
        raise PublishError(unknown)

    existing = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id,
            CourseVersion.content_hash == parsed.content_hash,
        )
    )
    created = existing is None
    version = existing
    if version is None:
        version = _new_version(course, parsed, actor, rendered or render_course(parsed))
        store_course_competencies(version, parsed)
    changed = False
    if publish and version.status != VersionStatus.PUBLISHED:
        publish_version(version)
        changed = True
    db.session.flush()
    return StoreResult(version, created, changed)


def publish_version(version: CourseVersion) -> None:
    """Make ``version`` the one new learners get; the previous one is archived."""
    now = clock.now()
    current = version.course.published_version
    if current is not None and current is not version:
        current.status = VersionStatus.ARCHIVED
        current.archived_at = now
        # Flush first: the one-published-per-course index is checked per statement.
        db.session.flush()
    version.status = VersionStatus.PUBLISHED
    version.published_at = version.published_at or now
    version.archived_at = None


def archive_course(course: Course) -> bool:
    """Withdraw a course from the catalog; return False when nothing was published."""
    current = course.published_version
    if current is None:
        return False
    current.status = VersionStatus.ARCHIVED
    current.archived_at = clock.now()
    return True


def _check_prerequisites(parsed: ParsedCourse, known_slugs: frozenset[str]) -> None:
    where = f"{parsed.slug}/course.md"
    wanted = set(parsed.meta.prerequisites) - known_slugs
    found = set(db.session.scalars(select(Course.slug).where(Course.slug.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        message = Problem("kursus prasyarat belum ada: %(slugs)s", slugs=", ".join(missing))
        raise PublishError([SourceError(where, 1, message)])
    if _reaches(set(parsed.meta.prerequisites), parsed.slug):
        raise PublishError([SourceError(where, 1, Problem("prasyarat melingkar"))])


def _reaches(start: set[str], target: str) -> bool:
    """Tell whether following stored prerequisites from ``start`` leads back to ``target``."""
    graph: dict[str, list[str]] = {}
    rows = db.session.execute(
        select(Course.slug, CourseVersion.prerequisites)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.status != VersionStatus.ARCHIVED)
    )
    for slug, prerequisites in rows:
        graph.setdefault(slug, []).extend(prerequisites or [])
    seen: set[str] = set()
    frontier = list(start)
    while frontier:
        slug = frontier.pop()
        if slug == target:
            return True
        if slug not in seen:
            seen.add(slug)
            frontier.extend(graph.get(slug, []))
    return False


def _new_version(
    course: Course, parsed: ParsedCourse, actor: User | None, rendered: RenderedCourse
) -> CourseVersion:
    number = db.session.scalar(
        select(func.coalesce(func.max(CourseVersion.number), 0)).where(
            CourseVersion.course_id == course.id
        )
    )
    meta = parsed.meta
    version = CourseVersion(
        course=course,
        number=(number or 0) + 1,
        content_hash=parsed.content_hash,
        status=VersionStatus.DRAFT,
        title=meta.title,
        summary=meta.summary,
        category=meta.category,
        competency=meta.competency,
        jp=meta.jp,
        level=meta.level,
        language=meta.language,
        prerequisites=list(meta.prerequisites),
        certificate=meta.certificate,
        follow_up_days=meta.follow_up_days,
        overview_html=rendered.overview_html,
        created_by=actor,
        items=[_item(item, done) for item, done in zip(parsed.items, rendered.items, strict=True)],
        assets=[
            CourseAsset(
                path=asset.path,
                content_type=asset.content_type,
                sha256=_sha256(asset.data),
                data=asset.data,
            )
            for asset in rendered.assets
        ],
    )
    db.session.add(version)
    return version


def _item(item: ParsedItem, rendered: RenderedItem) -> CourseItem:
    fields = {
        "position": item.position,
        "name": item.name,
        "title": item.title,
        "minutes": item.minutes,
        "content_hash": item.content_hash,
        "source_format": item.source_format,
    }
    if item.quiz is not None:
        role = item.quiz.settings.role
        return CourseItem(
            **fields,
            kind=ItemKind.QUIZ,
            quiz=rendered.quiz,
            quiz_role=role.value if role is not None else None,
        )
    return CourseItem(
        **fields, kind=ItemKind.MODULE, html=rendered.html, toc=[dict(e) for e in rendered.toc]
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
