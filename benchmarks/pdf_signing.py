"""Time PAdES signing per instansi: first use (CA + signer made), each further PDF, and the
check `flask certificates verify` runs (pyHanko validation against the published roots).

Needs no database: a sample certificate PDF (with a logo) is signed by the signers of two
instansi kept in a temporary instance/pdf-signers/.

Run: .venv/bin/python benchmarks/pdf_signing.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

import elearn.pdf_signing  # noqa: E402, F401 - silences pyHanko's DSA warning first
from elearn import clock  # noqa: E402
from elearn.certificates.pdf import render_certificate_pdf  # noqa: E402
from elearn.pdf_signing.identity import certificates_pem  # noqa: E402
from elearn.pdf_signing.signer import LocalPdfSigner  # noqa: E402
from elearn.pdf_signing.store import signer_store  # noqa: E402
from elearn.pdf_signing.validation import check_signatures  # noqa: E402
from tests.certificates.test_pdf import make_document  # noqa: E402


def ms(seconds: list[float]) -> str:
    values = sorted(s * 1000 for s in seconds)
    return f"median {statistics.median(values):.1f} ms, min {values[0]:.1f}, max {values[-1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    logo = io.BytesIO()
    Image.new("RGB", (256, 256), (22, 43, 84)).save(logo, format="PNG")
    pdf = render_certificate_pdf(replace(make_document(), issuer_logo=logo.getvalue()))
    print(f"sample certificate PDF: {len(pdf):,} bytes")
    with tempfile.TemporaryDirectory() as instance:
        store = signer_store(instance)
        started = time.perf_counter()
        palu, _ = store.identity("palu", "Pemerintah Kota Palu", clock.now())
        first = (time.perf_counter() - started) * 1000
        print(f"first use (CA and Palu's signer made): {first:.1f} ms")
        mamuju, _ = store.identity("mamuju", "Pemerintah Kabupaten Mamuju", clock.now())
        signers = [LocalPdfSigner(palu), LocalPdfSigner(mamuju)]
        wall, cpu, signed = [], [], []
        for round_no in range(args.rounds):
            signer = signers[round_no % 2]
            w, c = time.perf_counter(), time.process_time()
            signed.append(signer.sign(pdf, reason="Sertifikat eLearn ASN nomor 800/1/2026"))
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        print(f"sign one PDF, wall: {ms(wall)}")
        print(f"sign one PDF, CPU:  {ms(cpu)}")
        roots = certificates_pem(store.roots())
        checks = []
        for data in signed:
            w = time.perf_counter()
            result = check_signatures(data, roots)
            checks.append(time.perf_counter() - w)
            assert result.valid, result.reason
        print(f"validate one PDF (pyHanko, against the roots), wall: {ms(checks)}")
        forged = bytearray(signed[0])
        forged[len(pdf) // 3] ^= 1  # one bit inside the signed revision
        verdict = check_signatures(bytes(forged), roots)
        assert not verdict.valid
        print(f"one bit flipped: {verdict.reason}")


if __name__ == "__main__":
    main()
