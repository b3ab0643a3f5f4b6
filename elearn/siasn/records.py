"""The records that count for a year, in the form SIASN takes them: one ``PushRecord`` each.

What counts is what the career record counts (docs/career-record.md): certificates not
revoked, and external trainings a coordinator verified; the year is that of the finishing
date in the learner's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from elearn.accounts.services import descendants_of
from elearn.extensions import db
from elearn.models import (
    Certificate,
    Enrollment,
    ExternalTraining,
    PushShape,
    ReviewStatus,
    Unit,
    User,
)
from elearn.records.routes import PLATFORM_ROUTE, ROUTE_LABELS

# Routes SIASN keeps as riwayat diklat (structural leadership training, with a
# latihanStrukturalId); every other route is a riwayat kursus.
DIKLAT_ROUTES = frozenset({"pelatihan-struktural"})


def shape_for(route: str) -> PushShape:
    """Which SIASN history a record of ``route`` belongs to."""
    return PushShape.DIKLAT if route in DIKLAT_ROUTES else PushShape.KURSUS


@dataclass(frozen=True)
class PushRecord:
    """One countable record with everything the mapping needs."""

    source: str  # "certificate" or "training"
    source_id: int
    user_id: int
    nip: str
    learner_name: str
    instansi_id: int
    name: str
    organiser: str
    route: str
    competency: str
    jp: int
    started_on: date
    finished_on: date
    certificate_number: str

    @property
    def shape(self) -> PushShape:
        return shape_for(self.route)


def instansi_units(instansi_id: int | None) -> set[int] | None:
    """The units inside an instansi (None: every unit)."""
    return None if instansi_id is None else descendants_of({instansi_id})


def countable_records(year: int, instansi_id: int | None, default_zone: str) -> list[PushRecord]:
    """Every record that counts in ``year`` for learners of ``instansi_id`` (None: all)."""
    units = instansi_units(instansi_id)
    instansi_of = _instansi_map()
    # A day either side of the UTC year: every zone's year lies inside; exact below.
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    certificates = (
        select(Certificate)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .join(User, Certificate.user_id == User.id)
        .where(
            Certificate.revoked_at.is_(None),
            Enrollment.completed_at >= start,
            Enrollment.completed_at < end,
        )
        .options(
            joinedload(Certificate.enrollment).joinedload(Enrollment.version),
            joinedload(Certificate.user).joinedload(User.unit),
        )
        .order_by(Certificate.id)
    )
    trainings = (
        select(ExternalTraining)
        .join(User, ExternalTraining.user_id == User.id)
        .where(
            ExternalTraining.status == ReviewStatus.VERIFIED,
            ExternalTraining.finished_on >= date(year, 1, 1),
            ExternalTraining.finished_on <= date(year, 12, 31),
        )
        .options(
            defer(ExternalTraining.evidence),  # read one at a time, when uploaded
            joinedload(ExternalTraining.user).joinedload(User.unit),
        )
        .order_by(ExternalTraining.id)
    )
    if units is not None:
        certificates = certificates.where(User.unit_id.in_(units))
        trainings = trainings.where(User.unit_id.in_(units))
    records: list[PushRecord] = []
    for certificate in db.session.scalars(certificates).unique():
        enrollment = certificate.enrollment
        user = certificate.user
        zone = ZoneInfo(user.timezone or default_zone)
        assert enrollment.completed_at is not None  # noqa: S101 - the query asked for it
        finished = enrollment.completed_at.astimezone(zone).date()
        if finished.year != year:
            continue
        version = enrollment.version
        records.append(
            PushRecord(
                source="certificate",
                source_id=certificate.id,
                user_id=user.id,
                nip=user.nip,
                learner_name=user.full_name,
                instansi_id=instansi_of[user.unit_id],
                name=version.title,
                organiser=str(certificate.payload.get("issuer_name") or "eLearn ASN"),
                route=PLATFORM_ROUTE,
                competency=version.competency,
                jp=version.jp,
                started_on=enrollment.enrolled_at.astimezone(zone).date(),
                finished_on=finished,
                certificate_number=certificate.number,
            )
        )
    for training in db.session.scalars(trainings).unique():
        user = training.user
        records.append(
            PushRecord(
                source="training",
                source_id=training.id,
                user_id=user.id,
                nip=user.nip,
                learner_name=user.full_name,
                instansi_id=instansi_of[user.unit_id],
                name=training.name,
                organiser=training.organiser,
                route=training.route if training.route in ROUTE_LABELS else "kursus",
                competency=training.competency,
                jp=training.jp,
                started_on=training.started_on,
                finished_on=training.finished_on,
                certificate_number=training.certificate_number,
            )
        )
    return records


def _instansi_map() -> dict[int, int]:
    """Each unit's instansi (the root of its tree), from one read of the unit table."""
    statement = select(Unit.id, Unit.parent_id)
    parents: dict[int, int | None] = {
        unit_id: parent_id for unit_id, parent_id in db.session.execute(statement)
    }

    def root(unit_id: int) -> int:
        seen: set[int] = set()
        parent = parents.get(unit_id)
        while parent is not None and unit_id not in seen:  # no cycles (constraints), but never loop
            seen.add(unit_id)
            unit_id, parent = parent, parents.get(parent)
        return unit_id

    return {unit_id: root(unit_id) for unit_id in parents}
