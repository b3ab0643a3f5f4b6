"""Fixtures for the SIASN tests: the stand-in server, an instansi with codes, records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from elearn.extensions import db
from elearn.models import CodeList, ExternalTraining, ReviewStatus, SiasnCode, Unit, User
from elearn.settings import with_changes
from elearn.siasn.settings import SiasnSettings
from tests.siasn.standin import Running, StandIn

PDF = b"%PDF-1.4\n%bukti uji\n"


@pytest.fixture
def standin(app: Flask) -> Iterator[StandIn]:
    """A stand-in SIASN on a free port; the app is configured to push to it."""
    state = StandIn()
    with Running(state) as running:
        configure_siasn(app, **running.config())
        yield state


def configure_siasn(app: Flask, **values: object) -> None:
    """Change SIASN config values; the app reads them once, into its settings."""
    app.config.update(values)
    with_changes(app, siasn=SiasnSettings.from_config(app.config))


def give_codes(instansi: Unit, **extra: str) -> None:
    """The ids an instansi needs for both shapes (SIASN-style ids; made up for tests)."""
    codes = {
        (CodeList.INSTANSI, "default"): "A5EB03E23C8BF6A0E040640A040252AD",
        (CodeList.LOKASI, "default"): "A5EB03E2-lokasi-palu",
        (CodeList.JENIS_KURSUS, "default"): "2",
        (CodeList.LATIHAN_STRUKTURAL, "default"): "4",
    }
    for spec, code in extra.items():
        list_name, key = spec.split(":")
        codes[(CodeList(list_name), key)] = code
    for (list_name, key), code in codes.items():
        db.session.add(SiasnCode(instansi_id=instansi.id, list_name=list_name, key=key, code=code))
    db.session.commit()


def add_training(
    user: User,
    *,
    name: str = "Bimtek SAKIP",
    route: str = "bimbingan-teknis",
    status: ReviewStatus = ReviewStatus.VERIFIED,
    finished_on: date = date(2026, 2, 4),
    number: str = "027/45/BAPPEDA/2026",
) -> ExternalTraining:
    training = ExternalTraining(
        user_id=user.id,
        name=name,
        organiser="Bappeda Provinsi Sulawesi Tengah",
        route=route,
        competency="teknis",
        started_on=date(finished_on.year, 2, 2),
        finished_on=finished_on,
        jp=12,
        certificate_number=number,
        evidence_name="sertifikat.pdf",
        evidence_type="application/pdf",
        evidence=PDF,
        status=status,
        created_at=datetime(2026, 2, 5, tzinfo=UTC),
    )
    db.session.add(training)
    db.session.commit()
    return training
