"""Day N in the learner's unit's zone, and no survey e-mail while it is night at the recipient's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from elearn.extensions import db
from elearn.mail.binding import bind_mailer
from elearn.mail.memory import MemoryMailer
from elearn.models import Enrollment, FollowUpSurvey, Respondent
from elearn.settings import with_changes
from tests.conftest import FrozenClock
from tests.evaluation.helpers import learner_in, publish_with_tests
from tests.factories import make_unit, make_user

SUBJECT = "Survei tindak lanjut"
# 23:30 on 2 March in Palangka Raya (WIB, +07), 01:30 on 3 March in Jayapura (WIT, +09).
COMPLETED = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)


def mailed_to(mailer: MemoryMailer) -> list[str]:
    return sorted(m.to for m in mailer.sent if SUBJECT in m.subject)


def run_due(app: Flask, clock: FrozenClock, at: datetime) -> None:
    clock.current = at
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output


def surveyed(user_id: int) -> list[Respondent]:
    return sorted(
        db.session.scalars(
            select(FollowUpSurvey.respondent)
            .join(Enrollment, Enrollment.id == FollowUpSurvey.enrollment_id)
            .where(Enrollment.user_id == user_id)
        )
    )


@pytest.fixture
def world(app: Flask, tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """Dewi in Palangka Raya and Yohana in Jayapura complete at the same instant; Yohana's
    supervisor Budi works in Palangka Raya. The platform's default zone is neither's."""
    with_changes(app, follow_up_days=10, default_timezone="Asia/Makassar")
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    version = publish_with_tests(tmp_path)
    palangka = make_unit("Pemerintah Kota Palangka Raya", code="pky", timezone="Asia/Pontianak")
    papua = make_unit("Pemerintah Kota Jayapura", code="jpr", timezone="Asia/Jayapura")
    # A perangkat daerah without a zone of its own inherits the instansi's.
    dinas = make_unit("Dinas Kesehatan", parent=papua, code="jpr-dinkes", timezone=None)
    boss = make_user(unit=palangka, name="Budi Atasan", email="budi@pky.example.go.id")
    dewi = learner_in(version, palangka, name="Dewi", email="dewi@pky.example.go.id")
    yohana = learner_in(version, dinas, name="Yohana", email="yohana@jpr.example.go.id")
    yohana.user.supervisor_id = boss.id
    for enrollment in (dewi, yohana):
        enrollment.completed_at = COMPLETED
    db.session.commit()
    return mailer, dewi.user, yohana.user


def test_day_n_is_counted_in_the_learners_unit_zone(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    mailer, dewi, yohana = world
    # 12 March, 12:00 WIB / 14:00 WIT: Dewi's day N (she finished on 2 March), not Yohana's.
    run_due(app, clock, datetime(2026, 3, 12, 5, 0, tzinfo=UTC))
    assert surveyed(dewi.id) == [Respondent.LEARNER]
    assert surveyed(yohana.id) == []
    assert mailed_to(mailer) == ["dewi@pky.example.go.id"]
    # 13 March: Yohana's day N (she finished on 3 March, Jayapura time).
    run_due(app, clock, datetime(2026, 3, 13, 5, 0, tzinfo=UTC))
    assert surveyed(yohana.id) == [Respondent.LEARNER, Respondent.SUPERVISOR]
    assert mailed_to(mailer) == [
        "budi@pky.example.go.id",
        "dewi@pky.example.go.id",
        "yohana@jpr.example.go.id",
    ]


def test_no_mail_while_it_is_night_where_the_recipient_works(app: Flask, clock: FrozenClock, world):  # type: ignore[no-untyped-def]
    mailer, dewi, yohana = world
    run_due(app, clock, datetime(2026, 3, 12, 5, 0, tzinfo=UTC))  # Dewi's, in daytime
    mailer.sent.clear()
    # 13 March 12:00 UTC: 19:00 in Palangka Raya (day), 21:00 in Jayapura (night).
    run_due(app, clock, datetime(2026, 3, 13, 12, 0, tzinfo=UTC))
    assert surveyed(yohana.id) == [Respondent.LEARNER, Respondent.SUPERVISOR]  # day N there
    assert mailed_to(mailer) == ["budi@pky.example.go.id"]  # Yohana's waits for the morning
    # 22:00 UTC: 05:00 in Palangka Raya (night), 07:00 on 14 March in Jayapura (day).
    run_due(app, clock, datetime(2026, 3, 13, 22, 0, tzinfo=UTC))
    assert mailed_to(mailer) == ["budi@pky.example.go.id", "yohana@jpr.example.go.id"]
    run_due(app, clock, datetime(2026, 3, 14, 3, 0, tzinfo=UTC))  # daytime everywhere
    assert len(mailed_to(mailer)) == 2  # each once
