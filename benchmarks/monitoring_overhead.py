"""What the per-request metrics and log line cost: the same app with and without them.

Builds one app (production settings, a temporary SQLite file, JSON logs written to
/dev/null so the line is formatted as in production), signs a learner in, and times N
requests per page through the Flask test client, in interleaved rounds: with the monitoring
hooks, then with them unhooked from the same app. CPU time of the process, medians.

    .venv/bin/python benchmarks/monitoring_overhead.py [-n 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("/healthz", "/", "/me/records")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import config
    from elearn import create_app
    from elearn.extensions import db
    from elearn.monitoring import metrics, request_log
    from tests.conftest import AuthActions
    from tests.factories import make_user

    with tempfile.TemporaryDirectory(prefix="elearn-monitoring-") as tmp:
        overrides = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
            "SECRET_KEY": "benchmark-secret-key",  # noqa: S106 - a throw-away app
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": "https://elearn.example.go.id",
            "LOG_FORMAT": "json",
            "PASSWORD_HASH_PROFILE": "fast-tests",
        }
        app = create_app(type("Production", (config.Config,), overrides))
        for handler in app.logger.handlers:  # formatted as in production, written nowhere
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open("/dev/null", "w"))  # noqa: SIM115 - lives as long as the run
        app.logger.propagate = False
        with app.app_context():
            db.create_all()
            nip = make_user().nip
            db.session.commit()
        client = app.test_client()
        AuthActions(client).login(nip)

        hooks = [
            (app.before_request_funcs[None], metrics._start),
            (app.after_request_funcs[None], metrics._observe),
            (app.after_request_funcs[None], request_log._log_request),
            (app.teardown_request_funcs[None], metrics._finish),
        ]
        positions = [(funcs, funcs.index(hook), hook) for funcs, hook in hooks]

        def unhook() -> None:
            for funcs, _, hook in positions:
                funcs.remove(hook)

        def rehook() -> None:
            for funcs, index, hook in positions:
                funcs.insert(index, hook)

        def per_request_ms(path: str) -> float:
            started = time.process_time()
            for _ in range(args.n):
                assert client.get(path).status_code == 200, path
            return (time.process_time() - started) * 1000 / args.n

        for path in PAGES:  # warm-up
            per_request_ms(path)
        with_hooks: dict[str, list[float]] = {p: [] for p in PAGES}
        without: dict[str, list[float]] = {p: [] for p in PAGES}
        for _ in range(args.rounds):
            for path in PAGES:
                with_hooks[path].append(per_request_ms(path))
            unhook()
            for path in PAGES:
                without[path].append(per_request_ms(path))
            rehook()

    print(f"{args.n} requests per page per round, {args.rounds} rounds, CPU ms/request (medians)")
    print(f"{'page':<10} {'without':>9} {'with':>9} {'added':>9} {'ratio':>7}")
    for path in PAGES:
        before, after = statistics.median(without[path]), statistics.median(with_hooks[path])
        print(f"{path:<10} {before:9.3f} {after:9.3f} {after - before:9.3f} {after / before:7.3f}")


if __name__ == "__main__":
    main()
