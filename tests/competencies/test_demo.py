"""flask demo loads the PermenPANRB 38/2017 dictionary, sample standards, jabatan and atasan."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from elearn.demo.cli import DEMO_PASSWORD
from elearn.extensions import db
from elearn.models import Competency, CompetencyKind
from tests.conftest import AuthActions


def test_demo_ships_the_regulation_dictionary_and_a_team_with_gaps(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "9 competencies (kompetensi-permenpanrb-38-2017.csv), 11 standards" in result.output
    kinds = dict(
        db.session.execute(select(Competency.kind, func.count()).group_by(Competency.kind)).all()
    )
    assert kinds == {CompetencyKind.MANAJERIAL: 8, CompetencyKind.SOSIAL_KULTURAL: 1}
    assert runner.invoke(args=["demo"]).exit_code == 0  # again: nothing doubles

    client = app.test_client()
    AuthActions(client).login("198609262015051001", DEMO_PASSWORD)  # Andi Pratama
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/me/competencies").text))
    assert "Jabatan: Pranata Komputer Ahli Pertama" in page
    assert "M.02 Kerjasama Manajerial 2 1 ⚠ Kesenjangan 1 level" in page

    boss = app.test_client()
    AuthActions(boss).login("197810152003121009", DEMO_PASSWORD)  # Budi Santoso
    assert "Andi Pratama" in boss.get("/me/team").text
