"""The learner's side: dashboard, module reader, quizzes, evaluation."""

from __future__ import annotations

import hashlib
import time
from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from elearn import clock
from elearn.certificates.issuance import owed_enrollment_ids, public_base_url, verify_url
from elearn.certificates.owed_job import settle_owed
from elearn.content.quiz import ReviewMoment
from elearn.coordinator.forms import ActionForm
from elearn.delivery import revalidated_tag
from elearn.extensions import db
from elearn.learning.attempts import (
    AttemptRefused,
    accepts_answers,
    attempts_of,
    load_attempts,
    save_answers,
    start_attempt,
    submit_attempt,
)
from elearn.learning.completion import completion_of
from elearn.learning.dashboard import dashboard_for
from elearn.learning.enrollment import move_to_version, newer_version, progress_for
from elearn.learning.evaluation import submit_evaluation
from elearn.learning.forms import EvaluationForm
from elearn.learning.outline import OutlineItem
from elearn.learning.paper import answers_from_form, questions_for_learner, unanswered
from elearn.learning.progress import complete_module
from elearn.learning.review import (
    attempts_left,
    review_options_of,
    review_questions,
    review_shown,
)
from elearn.learning.visits import (
    EnrolledOutline,
    StudyPage,
    attempts_at,
    enrolled_outline,
    note_visit,
    study_page,
)
from elearn.main.errors import database_unavailable, one_line
from elearn.models import Course, CourseItem, Enrollment, ItemKind, QuizAttempt
from elearn.offline.copies import is_prefetch, keep_offline
from elearn.programs.views import locked_page
from elearn.settings import LearningSettings, current_settings

bp = Blueprint("learning", __name__)


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every page here belongs to the signed-in learner."""


@bp.after_request
def _issue_owed_certificates(response: Response) -> Response:
    """Settle what the completions this request committed are owed (certificates, badges,
    program certificates) when jobs run inline; with workers the completing transaction
    recorded a job for it instead (owed_job.owe_certificate)."""
    try:
        settle_owed(owed_enrollment_ids(), current_settings())
    except Exception as error:
        # The database went away after the completion was committed (benchmarks/cluster.py
        # stops it under load): the learner's answer is safe, so answer it, not a bare 500,
        # and leave the certificate to ``flask certificates issue-missing``.
        if not database_unavailable(error):
            raise
        db.session.remove()
        current_app.logger.warning("certificates owed not issued yet: %s", one_line(error))
    return response


def _enrollment(slug: str) -> Enrollment:
    """The current user's enrolment in ``slug``; anyone else's is a 404."""
    enrollment = db.session.scalar(
        select(Enrollment)
        .join(Course, Enrollment.course_id == Course.id)
        .where(Course.slug == slug, Enrollment.user_id == current_user.id)
    )
    if enrollment is None:
        _not_enrolled(slug)
    return enrollment


def _not_enrolled(slug: str) -> NoReturn:
    """A course held by a sequential program says so (with the way back); else a 404."""
    locked = locked_page(db.session, current_user.id, slug)
    abort(make_response(locked, 403) if locked else 404)


def _item(enrollment: Enrollment, name: str) -> CourseItem:
    item = next((i for i in enrollment.version.items if i.name == name), None)
    if item is None:
        abort(404)
    return item


def _attempt(enrollment: Enrollment, item: CourseItem | OutlineItem, number: int) -> QuizAttempt:
    attempt = next(
        (
            a
            for a in attempts_of(enrollment, item, learning=current_settings().learning)
            if a.number == number
        ),
        None,
    )
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/me")
def dashboard() -> Response:
    page = render_template(
        "learning/dashboard.html",
        dashboard=dashboard_for(current_user, current_settings().jp_target_per_year),
    )
    return keep_offline(make_response(page))


@bp.route("/learn/<slug>")
def resume(slug: str) -> Response:
    """Go to the item last opened, else the first one not yet done."""
    enrollment = _enrollment(slug)
    item = enrollment.last_item
    if item is None or item.version_id != enrollment.version_id:
        done = {i for i, p in progress_for(enrollment).items() if p.completed_at}
        items = enrollment.version.items
        item = next((i for i in items if i.id not in done), items[0] if items else None)
    if item is None:
        abort(404)
    return redirect(url_for(".item", slug=slug, name=item.name))


def _neighbours(
    enrollment: Enrollment, item: CourseItem
) -> tuple[CourseItem | None, CourseItem | None]:
    items = enrollment.version.items
    index = items.index(item)
    previous = items[index - 1] if index > 0 else None
    following = items[index + 1] if index + 1 < len(items) else None
    return previous, following


def _study_page(slug: str) -> StudyPage:
    page = study_page(current_user.id, slug)
    if page is None:
        _not_enrolled(slug)
    return page


def _enrolled_outline(slug: str) -> EnrolledOutline:
    page = enrolled_outline(current_user.id, slug)
    if page is None:
        _not_enrolled(slug)
    return page


def _module_etag(page: StudyPage, item: OutlineItem) -> str:
    """Names everything the module page shows that may change for this user.

    The hour is in it too, so a page revalidated from the browser's cache never
    carries a CSRF token older than about an hour.
    """
    parts = (
        current_user.id,
        current_user.full_name,
        sorted(current_user.roles),
        get_locale(),
        page.outline.content_hash,
        item.name,
        sorted(page.done),
        page.newer,
        int(time.time() // 3600),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@bp.route("/learn/<slug>/<name>")
def item(slug: str, name: str) -> Response:
    page = _study_page(slug)
    item = page.outline.find(name)
    if item is None:
        abort(404)
    previous, following = page.outline.neighbours(item)
    context = {
        "enrollment": page.enrollment,
        "outline": page.outline,
        "item": item,
        "previous": previous,
        "following": following,
        "done": page.done,
        "summary": page.outline.summary(page.rows),
        "newer": page.newer,
    }
    if item.kind == ItemKind.MODULE:
        etag = _module_etag(page, item)
        cached = None if "_flashes" in session else revalidated_tag(etag)
        if cached is not None:
            response = Response(status=304)
            response.set_etag(cached)  # the validator the browser holds, compressed or not
        else:
            response = make_response(render_template("learning/module.html", **context))
            response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-cache"
        keep_offline(response)
    else:
        attempts = attempts_at(page.enrollment.id, item.id, learning=current_settings().learning)
        response = make_response(
            render_template(
                "learning/quiz.html",
                attempts=attempts,
                settings=dict((item.quiz or {})["settings"]),
                **context,
            )
        )
        # A quiz is taken online: no cache (nor the service worker) may serve its form later.
        response.headers["Cache-Control"] = "private, no-store"
    if not is_prefetch(request):  # saving a course for offline reading is not a visit
        note_visit(page, item, clock.now(), current_settings().learning.visit_time_cap)
    return response


@bp.route("/learn/<slug>/<name>/complete", methods=["POST"])
def complete(slug: str, name: str) -> Response:
    enrollment = _enrollment(slug)
    item = _item(enrollment, name)
    if item.kind != ItemKind.MODULE or not ActionForm().validate_on_submit():
        abort(400)
    complete_module(enrollment, item, learning=current_settings().learning)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        # A completion queued offline, sent by offline.js: it shows its own message.
        done = enrollment.is_complete
        then = url_for(".completion", slug=slug) if done else url_for(".item", slug=slug, name=name)
        return jsonify(completed=True, course_complete=done, next=then)
    if enrollment.is_complete:
        flash(_("Selamat! Anda telah menyelesaikan kursus ini."), "success")
        return redirect(url_for(".completion", slug=slug))
    following = _neighbours(enrollment, item)[1]
    target = following or item
    return redirect(url_for(".item", slug=slug, name=target.name))


def _outline_item(page: EnrolledOutline, name: str) -> OutlineItem:
    item = page.outline.find(name)
    if item is None:
        abort(404)
    return item


def _item_ids(page: EnrolledOutline) -> set[int]:
    return {i.id for i in page.outline.items}


@bp.route("/learn/<slug>/<name>/attempts", methods=["POST"])
def start(slug: str, name: str) -> Response:
    page = _enrolled_outline(slug)
    item = _outline_item(page, name)
    if item.kind != ItemKind.QUIZ or not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = start_attempt(
            page.enrollment, item, _item_ids(page), learning=current_settings().learning
        )
    except AttemptRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".item", slug=slug, name=name))
    number = attempt.number  # read before the commit expires it
    db.session.commit()
    return redirect(url_for(".attempt", slug=slug, name=name, number=number))


@bp.route("/learn/<slug>/<name>/attempts/<int:number>")
def attempt(slug: str, name: str, number: int) -> str:
    page = _enrolled_outline(slug)
    enrollment = page.enrollment
    item = _outline_item(page, name)
    attempts, finished = load_attempts(enrollment, item, learning=current_settings().learning)
    attempt = next((a for a in attempts if a.number == number), None)
    if attempt is None:
        abort(404)
    if finished:  # an expired attempt was just submitted
        db.session.commit()
    record = item.quiz or {}
    if attempt.submitted_at is not None:
        options = review_options_of(record["settings"])
        shown = review_shown(
            options,
            passed=any(a.passed for a in attempts),
            attempts_left=attempts_left(record["settings"], attempts),
        )
        return render_template(
            "learning/review.html",
            enrollment=enrollment,
            item=item,
            attempt=attempt,
            settings=record["settings"],
            shown=shown,
            answers_later=_answers_later(options.answers),
            questions=review_questions(
                record, attempt.paper, attempt.answers, attempt.results or [], shown
            ),
        )
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - clock.now()).total_seconds()))
    return render_template(
        "learning/attempt.html",
        enrollment=enrollment,
        item=item,
        attempt=attempt,
        settings=record["settings"],
        questions=questions_for_learner(record, attempt.paper),
        remaining=remaining,
        action=ActionForm(),
    )


def _answers_later(moments: tuple[ReviewMoment, ...]) -> str:
    """Tell the learner when the correct answers will be shown, if ever."""
    passing = ReviewMoment.AFTER_PASSING in moments
    last = ReviewMoment.AFTER_LAST_ATTEMPT in moments
    if passing and last:
        return _("Jawaban benar ditampilkan setelah Anda lulus atau setelah percobaan terakhir.")
    if passing:
        return _("Jawaban benar ditampilkan setelah Anda lulus.")
    if last:
        return _("Jawaban benar ditampilkan setelah percobaan terakhir.")
    return ""


@bp.route("/learn/<slug>/<name>/attempts/<int:number>", methods=["POST"])
def answer(slug: str, name: str, number: int) -> Response:
    """Save answers ("Simpan") or submit them ("Kumpulkan") — one form, two buttons."""
    page = _enrolled_outline(slug)
    enrollment = page.enrollment
    item = _outline_item(page, name)
    attempt = _attempt(enrollment, item, number)
    if not ActionForm().validate_on_submit():
        abort(400)
    here = url_for(".attempt", slug=slug, name=name, number=number)
    learning = current_settings().learning
    if request.form.get("action") == "submit":
        confirmed = request.form.get("confirmed") == "1"
        if not confirmed and _asks_to_confirm(attempt, item, learning):
            db.session.commit()
            return redirect(url_for(".confirm", slug=slug, name=name, number=number))
        was_open = attempt.submitted_at is None
        # "Kirim tetap" sends no answers: the ones saved on the way to the question stand.
        form = None if confirmed else request.form
        submit_attempt(attempt, form, item, page.outline.items, learning=learning)
        # Read before the commit, which would expire it: this request completed the
        # course, or it was complete already (or another request completed it meanwhile).
        # The message is made before the commit too: translating it reads the user's
        # locale, which the commit expires.
        done = _("Selamat! Anda telah menyelesaikan kursus ini.")
        completed = was_open and enrollment.is_complete
        db.session.commit()
        if completed:
            flash(done, "success")
            return redirect(url_for(".completion", slug=slug))
        return redirect(here)
    if attempt.submitted_at is None and save_answers(
        attempt, request.form, item, learning=learning
    ):
        flash(_("Jawaban tersimpan."), "success")
    elif not accepts_answers(attempt, clock.now(), learning.quiz_grace):
        flash(
            _("Waktu habis. Jawaban yang tersimpan sebelum batas waktu telah dinilai."), "warning"
        )
    db.session.commit()
    return redirect(here)


def _asks_to_confirm(attempt: QuizAttempt, item: OutlineItem, learning: LearningSettings) -> bool:
    """Save the answers and say so when a submit leaves questions unanswered.

    Only while the attempt still takes answers: once time is up, submitting
    grades what was saved, and asking first would change nothing.
    """
    if not accepts_answers(attempt, clock.now(), learning.quiz_grace):
        return False
    record = item.quiz or {}
    answers = answers_from_form(request.form, attempt.paper, record)
    if not unanswered(record, attempt.paper, answers):
        return False
    return save_answers(attempt, request.form, item, learning=learning)


@bp.route("/learn/<slug>/<name>/attempts/<int:number>/confirm")
def confirm(slug: str, name: str, number: int) -> str | Response:
    """Name the unanswered questions before "Kirim tetap"; no JavaScript needed."""
    page = _enrolled_outline(slug)
    item = _outline_item(page, name)
    attempt = _attempt(page.enrollment, item, number)  # an expired one is submitted here
    here = url_for(".attempt", slug=slug, name=name, number=number)
    learning = current_settings().learning
    if not accepts_answers(attempt, clock.now(), learning.quiz_grace):
        db.session.commit()
        return redirect(here)
    return render_template(
        "learning/confirm.html",
        enrollment=page.enrollment,
        item=item,
        attempt=attempt,
        missing=unanswered(item.quiz or {}, attempt.paper, attempt.answers),
        action=ActionForm(),
    )


@bp.route("/learn/<slug>/move", methods=["POST"])
def move(slug: str) -> Response:
    enrollment = _enrollment(slug)
    target = newer_version(enrollment)
    if target is None or not ActionForm().validate_on_submit():
        abort(400)
    carried = move_to_version(enrollment, target)
    db.session.commit()
    flash(_("Pindah ke versi terbaru; %(n)d bagian tetap tercatat selesai.", n=carried), "success")
    return redirect(url_for(".resume", slug=slug))


@bp.route("/learn/<slug>/done")
def completion(slug: str) -> str:
    """The completed course: its certificate (view, PDF, verify link) and the evaluation."""
    enrollment = _enrollment(slug)
    if not enrollment.is_complete:
        abort(404)
    done = completion_of(enrollment)
    verify = None
    if done.certificate is not None:
        verify = verify_url(
            done.certificate.code, public_base_url(current_settings(), request.url_root)
        )
    return render_template("learning/completion.html", done=done, verify=verify)


@bp.route("/learn/<slug>/evaluation", methods=["GET", "POST"])
def evaluation(slug: str) -> str | Response:
    enrollment = _enrollment(slug)
    if not enrollment.is_complete:
        abort(404)
    form = EvaluationForm()
    if form.validate_on_submit():
        submit_evaluation(
            enrollment,
            relevance=int(form.relevance.data or 0),
            clarity=int(form.clarity.data or 0),
            applicability=int(form.applicability.data or 0),
            comment=form.comment.data or "",
        )
        db.session.commit()
        flash(_("Terima kasih atas penilaian Anda."), "success")
        return redirect(url_for(".dashboard"))
    return render_template("learning/evaluation.html", enrollment=enrollment, form=form)
