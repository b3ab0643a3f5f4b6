from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn.content.parse import parse_course
from elearn.content.publish import PublishError, archive_course, publish_version, store_version
from elearn.extensions import db
from elearn.models import CourseItem, CourseVersion, VersionStatus
from tests.conftest import FrozenClock
from tests.content.course_fixtures import MODULE_MD, write_course


def versions() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(CourseVersion.number, CourseVersion.status).order_by(CourseVersion.number)
    )
    return [(number, str(status)) for number, status in rows]


def test_publish_stores_rendered_items_and_assets(app, tmp_path: Path):
    result = store_version(
        parse_course(write_course(tmp_path)), unit=None, actor=None, publish=True
    )
    db.session.commit()
    version = result.version
    assert result.created and version.status == VersionStatus.PUBLISHED
    module, quiz_md, gift = version.items
    assert '<h2 id="tahap-proyek">Tahap proyek</h2>' in module.html
    prefix = f"/courses/dasar-proyek/v/{version.short_hash}/assets/diagram.png"
    assert f'src="{prefix}"' in module.html
    assert [entry["anchor"] for entry in module.toc] == ["tahap-proyek", "tahap-penutupan"]
    assert quiz_md.quiz["settings"]["max_attempts"] == 3
    first = quiz_md.quiz["questions"][0]
    assert first["kind"] == "single" and first["choices"][0]["fraction"] == 1.0
    assert "JP adalah satuan" in first["general_feedback_html"]
    assert gift.quiz["questions"][0]["true_false"]["correct"] is True
    assert [a.path for a in version.assets] == ["diagram.png"]


def test_republishing_unchanged_content_changes_nothing(app, tmp_path: Path):
    folder = write_course(tmp_path)
    store_version(parse_course(folder), unit=None, actor=None, publish=True)
    db.session.commit()
    again = store_version(parse_course(folder), unit=None, actor=None, publish=True)
    db.session.commit()
    assert not again.created and not again.status_changed
    assert versions() == [(1, "published")]
    assert db.session.scalar(select(func.count()).select_from(CourseItem)) == 3


def test_new_content_makes_a_new_version_and_archives_the_old(app, tmp_path: Path):
    store_version(parse_course(write_course(tmp_path / "a")), unit=None, actor=None, publish=True)
    db.session.commit()
    changed = write_course(tmp_path / "b", **{"01-siklus.md": MODULE_MD + "\nTambahan.\n"})
    result = store_version(parse_course(changed), unit=None, actor=None, publish=True)
    db.session.commit()
    assert result.created
    assert versions() == [(1, "archived"), (2, "published")]
    old, new = db.session.scalars(select(CourseVersion).order_by(CourseVersion.number))
    # Unchanged quizzes keep their item hash, so progress on them can carry over.
    assert [i.content_hash for i in old.items][1:] == [i.content_hash for i in new.items][1:]
    assert old.items[0].content_hash != new.items[0].content_hash


def test_draft_then_publish_and_rollback_to_an_old_version(app, tmp_path: Path):
    first = store_version(
        parse_course(write_course(tmp_path / "a")), unit=None, actor=None, publish=True
    ).version
    changed = write_course(tmp_path / "b", **{"01-siklus.md": MODULE_MD + "\nBaru.\n"})
    draft = store_version(parse_course(changed), unit=None, actor=None, publish=False).version
    db.session.commit()
    assert versions() == [(1, "published"), (2, "draft")]
    publish_version(draft)
    db.session.commit()
    assert versions() == [(1, "archived"), (2, "published")]
    publish_version(first)
    db.session.commit()
    assert versions() == [(1, "published"), (2, "archived")]
    assert archive_course(first.course)
    db.session.commit()
    assert versions() == [(1, "archived"), (2, "archived")]


def test_database_allows_only_one_published_version(app, tmp_path: Path):
    store_version(parse_course(write_course(tmp_path / "a")), unit=None, actor=None, publish=True)
    changed = write_course(tmp_path / "b", **{"01-siklus.md": MODULE_MD + "\nX.\n"})
    draft = store_version(parse_course(changed), unit=None, actor=None, publish=False).version
    db.session.commit()
    draft.status = VersionStatus.PUBLISHED  # bypassing publish_version
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_unknown_prerequisite_refuses_publishing(app, tmp_path: Path):
    course_md = (
        "---\ntitle: Lanjutan\nsummary: S\ncategory: umum\ncompetency: teknis\njp: 2\n"
        "prerequisites: [tidak-ada]\n---\nIsi\n"
    )
    parsed = parse_course(write_course(tmp_path, "lanjutan", **{"course.md": course_md}))
    with pytest.raises(PublishError) as excinfo:
        store_version(parsed, unit=None, actor=None, publish=True)
    assert str(excinfo.value.errors[0]) == (
        "lanjutan/course.md:1: kursus prasyarat belum ada: tidak-ada"
    )


def test_prerequisite_cycles_across_uploads_are_refused(app, tmp_path: Path):
    def course_md(prerequisites: str) -> str:
        return (
            "---\ntitle: T\nsummary: S\ncategory: umum\ncompetency: teknis\njp: 2\n"
            f"prerequisites: [{prerequisites}]\n---\nIsi\n"
        )

    first = parse_course(write_course(tmp_path / "a", "dasar", **{"course.md": course_md("")}))
    store_version(first, unit=None, actor=None, publish=True)
    second = write_course(tmp_path / "b", "lanjut", **{"course.md": course_md("dasar")})
    store_version(parse_course(second), unit=None, actor=None, publish=True)
    db.session.commit()
    loop = write_course(tmp_path / "c", "dasar", **{"course.md": course_md("lanjut")})
    with pytest.raises(PublishError) as excinfo:
        store_version(parse_course(loop), unit=None, actor=None, publish=False)
    assert str(excinfo.value.errors[0]) == "dasar/course.md:1: prasyarat melingkar"


def test_publishing_and_archiving_are_dated_by_the_clock(app, tmp_path: Path, clock: FrozenClock):
    first = store_version(
        parse_course(write_course(tmp_path / "a")), unit=None, actor=None, publish=True
    ).version
    clock.advance(days=3)
    changed = write_course(tmp_path / "b", **{"01-siklus.md": MODULE_MD + "\nBaru.\n"})
    second = store_version(parse_course(changed), unit=None, actor=None, publish=True).version
    db.session.commit()
    start = clock.current - timedelta(days=3)
    assert (first.published_at, first.archived_at) == (start, clock.current)
    assert second.published_at == clock.current
