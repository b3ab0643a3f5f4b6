"""Reporting an external training with evidence, and its review by a coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from elearn import clock
from elearn.accounts.services import scoped_unit_ids
from elearn.auth.duties import refuse_own_record
from elearn.content.assets import asset_type_problem
from elearn.extensions import db
from elearn.models import ExternalTraining, ReviewStatus, Role, User
from elearn.problem_text import Problem
from elearn.records.entries import today_for
from elearn.records.routes import COMPETENCIES, ROUTE_LABELS
from elearn.reports.audit import audit

EVIDENCE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".png": "image/png"}  # fmt: skip
MAX_JP_PER_ENTRY = 1000


class TrainingRefused(ValueError):
    """The report cannot be accepted; the message is for the learner (Indonesian)."""


@dataclass(frozen=True)
class TrainingReport:
    name: str
    organiser: str
    route: str
    competency: str
    started_on: date
    finished_on: date
    jp: int
    certificate_number: str
    evidence_name: str
    evidence: bytes


def add_training(user: User, report: TrainingReport, *, max_bytes: int) -> ExternalTraining:
    """Record a training the learner reports; it counts once a coordinator verifies it."""
    if report.route not in ROUTE_LABELS:
        raise TrainingRefused(Problem("Jenis kegiatan tidak dikenal."))
    if report.competency not in dict(COMPETENCIES):
        raise TrainingRefused(Problem("Jenis kompetensi tidak dikenal."))
    if report.finished_on < report.started_on:
        raise TrainingRefused(Problem("Tanggal selesai tidak boleh sebelum tanggal mulai."))
    if report.finished_on > today_for(user):
        raise TrainingRefused(Problem("Kegiatan yang belum selesai belum dapat dicatat."))
    if not 1 <= report.jp <= MAX_JP_PER_ENTRY:
        raise TrainingRefused(Problem("JP harus 1–%(max)d.", max=MAX_JP_PER_ENTRY))
    suffix = (
        "." + report.evidence_name.rsplit(".", 1)[-1].lower() if "." in report.evidence_name else ""
    )
    if suffix not in EVIDENCE_TYPES:
        raise TrainingRefused(Problem("Bukti harus berkas PDF, JPG atau PNG."))
    if len(report.evidence) > max_bytes:
        raise TrainingRefused(Problem("Bukti paling besar %(mb)d MB.", mb=max_bytes // 2**20))
    if asset_type_problem(".jpg" if suffix == ".jpeg" else suffix, report.evidence):
        raise TrainingRefused(Problem("Isi berkas bukti tidak sesuai dengan jenisnya."))
    training = ExternalTraining(
        user_id=user.id,
        name=report.name.strip(),
        organiser=report.organiser.strip(),
        route=report.route,
        competency=report.competency,
        started_on=report.started_on,
        finished_on=report.finished_on,
        jp=report.jp,
        certificate_number=report.certificate_number.strip(),
        evidence_name=report.evidence_name[-200:],
        evidence_type=EVIDENCE_TYPES[suffix],
        evidence=report.evidence,
        status=ReviewStatus.PENDING,
        created_at=clock.now(),
    )
    db.session.add(training)
    db.session.flush()
    return training


def reviewable_units(user: User) -> set[int] | None:
    """Units whose learners ``user`` reviews: None for admins (all)."""
    if user.has_role(Role.ADMIN):
        return None
    return scoped_unit_ids(user, Role.COORDINATOR)


def may_review(user: User, training: ExternalTraining) -> bool:
    units = reviewable_units(user)
    return units is None or training.user.unit_id in units


def trainings_to_review(user: User) -> Select[ExternalTraining]:
    """Pending reports from learners in ``user``'s units, oldest first."""
    statement = (
        select(ExternalTraining)
        .join(User, ExternalTraining.user_id == User.id)
        .where(ExternalTraining.status == ReviewStatus.PENDING)
        .order_by(ExternalTraining.created_at)
    )
    units = reviewable_units(user)
    if units is not None:
        statement = statement.where(User.unit_id.in_(units))
    return statement


def review_training(training: ExternalTraining, reviewer: User, *, accept: bool, note: str) -> None:
    """Verify or reject a report; a rejection needs a reason the learner will read.

    Raises OwnRecordRefused when the reviewer reported it: verified JP count toward the
    reviewer's own 20 JP duty, so another coordinator or an admin must decide.
    """
    details = {"training_id": training.id, "learner_id": training.user_id}
    refuse_own_record(reviewer, training.user_id, "records.review", details)
    if not accept and not note.strip():
        raise TrainingRefused(Problem("Alasan penolakan wajib diisi."))
    training.status = ReviewStatus.VERIFIED if accept else ReviewStatus.REJECTED
    training.reviewed_by_id = reviewer.id
    training.reviewed_at = clock.now()
    training.review_note = note.strip()[:2000]
    audit(reviewer, "records.verify" if accept else "records.reject", details, 1)
