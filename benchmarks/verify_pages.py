"""The public verification pages in-process: Python calls or CPU per request.

Seeds as ``benchmarks/pages.py`` does, then gives its signed-in learner (the last demo account)
the certificate of the sample program ``jalur-aparatur-digital`` (its three courses completed)
and a badge. Each verification page (course certificate, program certificate, badge) is asked
by that learner and by an anonymous visitor; the home page and the quiz landing are controls.

    .venv/bin/python benchmarks/verify_pages.py --calls            # cProfile calls a request
    .venv/bin/python benchmarks/verify_pages.py [-n 150] [--rounds 5] [--database-url URL]

Call counts do not depend on the machine's load; CPU times do (compare trees interleaved).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROGRAM = "jalur-aparatur-digital"
PROGRAM_COURSES = ("administrasi-digital", "manajemen-proyek", "kepemimpinan")


def add_program_certificate_and_badge(database_url: str, nip: str) -> dict[str, str]:
    """Complete the program's courses for ``nip``, issue its certificate and a badge."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from config import TestConfig
    from elearn import clock, create_app
    from elearn.badges.issuance import Owed, issue
    from elearn.certificates.issuance import issue_certificate
    from elearn.extensions import db
    from elearn.learning.enrollment import enroll
    from elearn.models import Course, JpBadge, Program, User
    from elearn.programs.completion import check_programs_of
    from elearn.programs.enrollment import enroll_in_program
    from elearn.settings import current_settings

    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        settings, now = current_settings(), clock.now()
        user = db.session.scalar(select(User).where(User.nip == nip))
        program = db.session.scalar(select(Program).where(Program.slug == PROGRAM))
        assert user is not None and program is not None
        enroll_in_program(db.session, user, program, now)
        for slug in PROGRAM_COURSES:
            course = db.session.scalar(select(Course).where(Course.slug == slug))
            assert course is not None
            enrollment = enroll(user, course)
            if enrollment.completed_at is None:
                enrollment.completed_at = now
                issue_certificate(enrollment, settings)
        db.session.commit()
        (certificate,) = check_programs_of(db.session, user.id, settings, now)
        db.session.commit()
        owed = Owed(user.id, user.full_name, user.nip, now.year, settings.jp_target_per_year)
        issue([owed], {user.id: ZoneInfo("Asia/Makassar")}, now, settings)
        db.session.commit()
        badge = db.session.scalar(select(JpBadge).where(JpBadge.user_id == user.id))
        assert badge is not None
        return {
            "program verify": f"/programs/certificates/{certificate.code}",
            "badge verify": f"/badges/{badge.code}",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=150, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", action="store_true", help="cProfile calls per request")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()

    from benchmarks.pages import hello_app, production_app, seed, throwaway_database

    with throwaway_database(args.database_url, "verify") as (url, _label):
        seeded = seed(url)
        nip = seeded["nips"][-1]
        paths = {
            "course verify": seeded["paths"]["verify"],
            **add_program_certificate_and_badge(url, nip),
        }
        app = production_app(url)
        signed_in, anonymous = app.test_client(), app.test_client()
        gc.collect()
        gc.freeze()  # as wsgi.py does
        form = signed_in.get("/login").get_data(True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert token
        signed_in.post(
            "/login",
            data=urlencode(
                {"login": nip, "password": "demo-elearn-2026", "csrf_token": token.group(1)}
            ),
            content_type="application/x-www-form-urlencoded",
        )
        headers = {"Accept-Encoding": "gzip"}

        def get(client: Any, path: str) -> Callable[[], object]:
            return lambda: client.get(path, headers=headers)

        targets: dict[str, Callable[[], object]] = {}
        for name, path in paths.items():
            targets[name] = get(signed_in, path)
            targets[f"{name} (anonymous)"] = get(anonymous, path)
        targets["home (control)"] = get(signed_in, "/")
        targets["quiz landing (control)"] = get(signed_in, seeded["paths"]["quiz landing"])
        for name, run in targets.items():
            response: Any = run()
            assert response.status_code == 200, (name, response.status_code)
            for _ in range(20):
                run()

        if args.calls:
            for name, run in targets.items():
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(50):
                    run()
                profiler.disable()
                calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
                print(f"{name:32s} {calls / 50:7.0f} calls a request")
            return

        hello = hello_app.test_client()
        targets["bare Flask"] = lambda: hello.get("/")
        times: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, run in targets.items():
                began = time.process_time()
                for _ in range(args.n):
                    run()
                times[name].append((time.process_time() - began) / args.n * 1000)
        bare = statistics.median(times["bare Flask"])
        for name, rounds in times.items():
            median = statistics.median(rounds)
            print(f"{name:32s} {median:6.2f} ms CPU  1/{median / bare:4.1f}  (rounds: "
                  + ", ".join(f"{t:.2f}" for t in rounds) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
