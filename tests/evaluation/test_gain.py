"""The level-2 learning gain on known numbers, and its scoping by unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.evaluation.gain import gains
from tests.evaluation.helpers import attempt, item, learner_in, publish_with_tests
from tests.factories import make_unit

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def scores(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two units; first attempts 40→70 and 60→90 in one, 100→100 in the other."""
    version = publish_with_tests(tmp_path)
    pre, post, plain = (item(version, n) for n in ("tes-awal", "tes-akhir", "kuis-siklus"))
    palu, mamuju = make_unit(code="palu"), make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    first = learner_in(version, palu)
    attempt(first, pre, 40, 0)
    attempt(first, post, 70, 60)
    attempt(first, pre, 80, 90)  # a retry after studying: not the first pre-test
    attempt(first, post, 100, 120)  # a retry after the review: not the first post-test
    attempt(first, plain, 10, 30)  # an ordinary quiz: not part of the gain
    second = learner_in(version, palu)
    attempt(second, post, 90, 50)  # the post-test taken first still pairs with the pre-test
    attempt(second, pre, 60, 40)
    full = learner_in(version, mamuju)
    attempt(full, pre, 100, 0)
    attempt(full, post, 100, 10)
    only_pre = learner_in(version, mamuju)
    attempt(only_pre, pre, 20, 0)  # no post-test: left out
    return version, palu, mamuju


def test_course_and_unit_rows_on_known_numbers(scores):  # type: ignore[no-untyped-def]
    version, palu, mamuju = scores
    rows = gains(None)
    assert [(g.course_id, g.unit_id, g.learners) for g in rows] == [
        (version.course_id, None, 3),
        (version.course_id, palu.id, 2),
        (version.course_id, mamuju.id, 1),
    ]
    course, in_palu, in_mamuju = rows
    assert course.mean_pre == pytest.approx(200 / 3)
    assert course.mean_post == pytest.approx(260 / 3)
    assert course.mean_gain == pytest.approx(20)
    # Per learner: (70−40)/(100−40) = 0.5 and (90−60)/(100−60) = 0.75; the 100 is left out.
    assert course.normalised_gain == pytest.approx(0.625)
    # Class average: 20 / (100 − 66.67) = 0.6.
    assert course.class_normalised_gain == pytest.approx(0.6)
    assert (in_palu.mean_pre, in_palu.mean_post, in_palu.mean_gain) == (50, 80, 30)
    assert in_palu.normalised_gain == pytest.approx(0.625)
    assert in_palu.class_normalised_gain == pytest.approx(0.6)
    assert (in_mamuju.mean_pre, in_mamuju.mean_gain) == (100, 0)
    assert in_mamuju.normalised_gain is None
    assert in_mamuju.class_normalised_gain is None


def test_scoped_to_units(scores):  # type: ignore[no-untyped-def]
    version, _palu, mamuju = scores
    rows = gains({mamuju.id})
    assert [(g.unit_id, g.learners, g.mean_pre) for g in rows] == [
        (None, 1, 100),
        (mamuju.id, 1, 100),
    ]
    assert gains(set()) == []


def test_the_pre_test_does_not_count_for_completion(tmp_path: Path):
    from elearn.extensions import db
    from elearn.learning.progress import requirements_met
    from elearn.models import ItemProgress
    from tests.evaluation.helpers import START

    version = publish_with_tests(tmp_path)
    enrollment = learner_in(version, make_unit())
    pre = item(version, "tes-awal")
    for each in version.items:
        if each.id != pre.id:
            db.session.add(ItemProgress(enrollment=enrollment, item=each, completed_at=START))
    db.session.commit()
    db.session.refresh(enrollment)
    assert requirements_met(enrollment)
    post = item(version, "tes-akhir")
    db.session.delete(next(p for p in enrollment.progress if p.item_id == post.id))
    db.session.commit()
    db.session.refresh(enrollment)
    assert not requirements_met(enrollment)  # the post-test still does


def test_the_pre_test_is_not_part_of_the_progress_bar(tmp_path: Path):
    from elearn.extensions import db
    from elearn.learning.outline import outline_of
    from elearn.models import ItemProgress
    from tests.evaluation.helpers import START

    version = publish_with_tests(tmp_path)
    enrollment = learner_in(version, make_unit())
    db.session.add(
        ItemProgress(enrollment=enrollment, item=item(version, "tes-awal"), completed_at=START)
    )
    db.session.commit()
    db.session.refresh(enrollment)
    outline = outline_of(version.id, version.content_hash)
    progress = outline.summary(enrollment.progress)
    # Besides the pre-test the course has two ordinary quizzes and the post-test.
    assert (progress.quizzes_passed, progress.quizzes_total, progress.percent) == (0, 3, 0)
    for each in version.items:
        if each.name != "tes-awal":
            db.session.add(ItemProgress(enrollment=enrollment, item=each, completed_at=START))
    db.session.commit()
    db.session.refresh(enrollment)
    assert outline.summary(enrollment.progress).percent == 100
