"""Learner pages in-process: time each page through the Flask test client, optionally profile.

Seeds a temporary SQLite file as ``benchmarks/pages.py`` does, builds the app with the
production settings, signs one demo learner in (the last, who holds a certificate) and
times N requests per page. Interleaves pages, so a busy machine slows all of them alike.

    .venv/bin/python benchmarks/pages_profile.py [-n 200] [--gc-freeze]
    .venv/bin/python benchmarks/pages_profile.py --profile verify|home|all [--pyinstrument]
    .venv/bin/python benchmarks/pages_profile.py --database-url postgresql+psycopg://postgres@127.0.0.1/x
    .venv/bin/python benchmarks/pages_profile.py --accept-encoding "gzip, deflate, br"

With ``--database-url`` the pages are seeded into a throw-away schema of that PostgreSQL
database (as ``benchmarks/pages.py`` does), dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="", help="profile this page (e.g. verify) or all")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() as wsgi.py does")
    parser.add_argument("--stats-file", default="", help="also write cProfile stats here")
    parser.add_argument("--pyinstrument", action="store_true", help="pyinstrument, not cProfile")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--accept-encoding",
        default="gzip",
        help='sent with every page request; browsers send "gzip, deflate, br" (brotli chosen)',
    )
    args = parser.parse_args()

    from benchmarks.pages import production_app, seed, throwaway_database

    with throwaway_database(args.database_url, "profile") as (url, _database):
        seeded = seed(url)
        app = production_app(url)
        client = app.test_client()
        if args.gc_freeze:  # as wsgi.py does for gunicorn's workers
            import gc

            gc.collect()
            gc.freeze()
        page = client.get("/login").get_data(True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token
        form = {"login": seeded["nips"][-1], "password": "demo-elearn-2026"}
        client.post(
            "/login",
            data=urlencode({**form, "csrf_token": token.group(1)}),
            content_type="application/x-www-form-urlencoded",
        )
        assert "/logout" in client.get("/me").get_data(True), "could not sign in"
        headers = {"Accept-Encoding": args.accept_encoding}

        def hit(path: str) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        if args.profile:
            paths = list(seeded["paths"].values())
            if args.profile != "all":
                paths = [{**seeded["paths"], "home": "/"}[args.profile]]
            for _ in range(20):
                for path in paths:
                    hit(path)
            if args.pyinstrument:
                from pyinstrument import Profiler  # local profiling only, not a dependency

                profiler_ = Profiler(interval=0.0002)
                profiler_.start()
                for _ in range(args.n):
                    for path in paths:
                        hit(path)
                profiler_.stop()
                print(profiler_.output_text(unicode=False, show_all=False))
                return
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                for path in paths:
                    hit(path)
            profiler.disable()
            if args.stats_file:
                profiler.dump_stats(args.stats_file)
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
            return

        # For scale: the signed-in home page (the page chrome and the user, no page data)
        # and a bare Flask "hello" through its own test client.
        from benchmarks.pages import hello_app

        hello = hello_app.test_client()
        paths = {**seeded["paths"], "home (chrome)": "/"}
        targets = {p: (lambda path=paths[p]: hit(path)) for p in paths}
        targets["bare Flask"] = lambda: hello.get("/")
        times: dict[str, list[float]] = {p: [] for p in targets}
        for run in targets.values():
            for _ in range(20):
                run()
        for _ in range(args.rounds):
            for p, run in targets.items():
                began = time.process_time()
                for _ in range(args.n):
                    run()
                times[p].append((time.process_time() - began) / args.n * 1000)
        # On a shared machine the best round is the steadier figure; the median is shown too.
        bare, bare_best = statistics.median(times["bare Flask"]), min(times["bare Flask"])
        for p in targets:
            median, best = statistics.median(times[p]), min(times[p])
            print(f"{p:14s} {median:6.2f} ms  1/{median / bare:4.1f}  best {best:6.2f} ms  "
                  f"1/{best / bare_best:4.1f}  (rounds: "
                  + ", ".join(f"{t:.2f}" for t in times[p]) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
