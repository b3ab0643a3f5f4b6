"""The evaluators' dashboard: figures, scoping, filters, item analysis."""

from pathlib import Path

from flask import Flask

from elearn.models import Role
from tests.certificates.helpers import complete_course
from tests.conftest import AuthActions
from tests.factories import make_unit, make_user
from tests.learning.helpers import answer_form, publish_course, sign_in


def staff_client(app: Flask, unit, role: Role = Role.EVALUATOR):  # type: ignore[no-untyped-def]
    user = make_user(role, unit=unit, scope=[unit], name=f"Staf {unit.code}")
    client = app.test_client()
    AuthActions(client).login(user.nip)
    return client


def test_dashboard_is_scoped_to_the_evaluators_units(app: Flask, tmp_path: Path, clock):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    complete_course(app, tmp_path, unit=palu)
    sign_in(app, unit=palu, name="Belum Selesai").enroll()
    for _ in range(3):
        complete_course(app, tmp_path, unit=mamuju)

    page = staff_client(app, palu).get("/reports/").get_data(as_text=True)
    # Palu: 2 enrolled, 1 completed → 50 %; Mamuju's three completions are invisible.
    assert "<td>Dasar Manajemen Proyek</td><td>2</td><td>1</td><td>50,0%</td>" in page
    assert "Pemerintah Kabupaten Mamuju" not in page
    assert "<svg" in page and 'role="img"' in page

    asked = staff_client(app, palu).get("/reports/?unit=mamuju").get_data(as_text=True)
    assert "<td>Dasar Manajemen Proyek</td>" not in asked  # another unit's data stays hidden

    admin = staff_client(app, palu, Role.ADMIN).get("/reports/").get_data(as_text=True)
    assert "<td>Dasar Manajemen Proyek</td><td>5</td><td>4</td><td>80,0%</td>" in admin


def test_jp_bands_count_learners_in_scope(app: Flask, tmp_path: Path, clock):
    palu = make_unit(code="palu")
    complete_course(app, tmp_path, unit=palu)
    make_user(unit=palu, name="Tanpa JP")
    page = staff_client(app, palu).get("/reports/").get_data(as_text=True)
    # staff + "Tanpa JP" at 0 JP, the learner with 2 JP in 1–9.
    assert "<tbody><tr><td>2</td><td>1</td><td>0</td><td>0</td></tr></tbody>" in page


def test_item_analysis_flags_questions(app: Flask, tmp_path: Path, clock):
    palu = make_unit(code="palu")
    version = publish_course(tmp_path)
    for index in range(6):
        learner = sign_in(app, unit=palu, name=f"Peserta {index}")
        learner.enroll()
        quiz = "/learn/dasar-proyek/kuis-siklus"
        learner.post(f"{quiz}/attempts")
        form = answer_form(version, "kuis-siklus", correct=index >= 3)
        learner.post(f"{quiz}/attempts/1", {**form, "action": "submit"})
    page = staff_client(app, palu).get("/reports/?course=dasar-proyek").get_data(as_text=True)
    assert "Apa kepanjangan JP?" in page
    assert "<td>6</td><td>0,50</td><td>1,00</td>" in page  # half right, fully discriminating


def test_bad_filter_is_a_clear_400(app: Flask):
    client = staff_client(app, make_unit(code="palu"))
    response = client.get("/reports/?since=kemarin")
    assert response.status_code == 400
    assert "since: expected a date as YYYY-MM-DD" in response.get_data(as_text=True)


def test_audit_log_is_for_admins(app: Flask):
    palu = make_unit(code="palu")
    assert staff_client(app, palu).get("/reports/audit").status_code == 403
    assert staff_client(app, palu, Role.ADMIN).get("/reports/audit").status_code == 200


def test_month_filter_counts_whole_months_and_says_when_days_were_widened(
    app: Flask, tmp_path: Path, clock
):
    palu = make_unit(code="palu")
    complete_course(app, tmp_path, unit=palu)  # enrolled and completed on 2 March 2026
    client = staff_client(app, palu)
    row = "<td>Dasar Manajemen Proyek</td><td>1</td><td>1</td><td>100,0%</td>"

    page = client.get("/reports/?since=2026-03&until=2026-03").get_data(as_text=True)
    assert row in page
    assert 'name="since" type="month"' in page and 'value="2026-03"' in page
    assert "dibulatkan" not in page  # whole months asked: nothing to say

    # Days in the URL (an old bookmark) are widened to their months, and the page says so;
    # 2 March lies outside the days asked but inside their month.
    page = client.get("/reports/?since=2026-03-05&until=2026-03-20").get_data(as_text=True)
    assert row in page
    assert "rentang 05/03/2026 – 20/03/2026 dibulatkan menjadi 03/2026 – 03/2026 (UTC)" in page
    assert "since=2026-03-05&amp;until=2026-03-20" in page  # the export link keeps the days

    page = client.get("/reports/?since=2026-04").get_data(as_text=True)
    assert "<td>Dasar Manajemen Proyek</td><td>1</td>" not in page

    response = client.get("/reports/?since=2026-13")
    assert response.status_code == 400
    assert "since: expected a month as YYYY-MM" in response.get_data(as_text=True)
