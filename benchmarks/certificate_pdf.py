"""A certificate PDF download served from the blob store against one rendered in the request.

Builds one app (the tests' settings, a temporary SQLite file, inline jobs), completes a
course for a learner and downloads the certificate's PDF N times per round through the
Flask test client, in interleaved rounds: a miss (the stored PDF and its job deleted
first, so the request renders and stores it, as the first download does inline) and a
hit (served from the store). CPU time of the process, medians; the ratio hit/miss is the
figure. The rendering alone (the download's work before the store) is timed in the same
rounds.

    .venv/bin/python benchmarks/certificate_pdf.py [-n 10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10, help="downloads per kind per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import delete

    from elearn import create_app
    from elearn.certificates.issuance import document_of
    from elearn.certificates.pdf import render_certificate_pdf
    from elearn.certificates.pdf_store import PDF_KIND
    from elearn.extensions import db
    from elearn.models.blob import Blob, BlobChunk
    from elearn.models.job import Job
    from tests.certificates.helpers import complete_course
    from tests.conftest import IsolatedClient, TestConfig

    with tempfile.TemporaryDirectory(prefix="elearn-pdf-") as tmp:
        overrides = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
        }
        # The tests' settings (no CSRF dance over plain HTTP, quick password hashes).
        app = create_app(type("Bench", (TestConfig,), overrides))
        app.test_client_class = IsolatedClient  # each request its own app context and session
        with app.app_context():
            db.create_all()
            learner, certificate = complete_course(app, Path(tmp))
            url = f"/certificates/{certificate.code}/pdf"

            def forget() -> None:
                db.session.execute(delete(Job).where(Job.kind == PDF_KIND))
                db.session.execute(delete(BlobChunk))
                db.session.execute(delete(Blob))
                db.session.commit()

            def download() -> float:
                start = time.process_time()
                response = learner.client.get(url)
                spent = time.process_time() - start
                assert response.status_code == 200 and response.data.startswith(b"%PDF-")
                return spent * 1000

            def render() -> float:  # what the download did before: render, nothing stored
                start = time.process_time()
                render_certificate_pdf(document_of(certificate, "http://localhost"))
                return (time.process_time() - start) * 1000

            download()  # warm up: fonts, templates, compiled statements
            misses: list[float] = []
            hits: list[float] = []
            renders: list[float] = []
            for _ in range(args.rounds):
                for _ in range(args.n):
                    renders.append(render())
                for _ in range(args.n):
                    forget()
                    misses.append(download())
                for _ in range(args.n):
                    hits.append(download())
            miss, hit = statistics.median(misses), statistics.median(hits)
            print(f"{args.rounds} rounds x {args.n} downloads, ms CPU (median)")
            print(f"render alone (the PDF view's work before): {statistics.median(renders):5.2f}")
            print(f"miss (render and store in the request): {miss:8.2f}")
            print(f"hit (served from the blob store):       {hit:8.2f}")
            print(f"ratio hit/miss:                         {hit / miss:8.3f}")


if __name__ == "__main__":
    main()
