"""Sign and verify an OB 3.0 credential's Data Integrity proof (eddsa-rdfc-2022); time it,
show a tampered copy failing, and, with --dcc, ask DCC verifier-core (npm, offline) too.

Needs no database: the credential is built from a sample certificate. The key is a fresh
Ed25519 key unless --key names a PEM file (e.g. instance/certificate-signing-key.pem).
Writes the signed credential to --out, so it can be handed to any other verifier.

Run: .venv/bin/python benchmarks/data_integrity.py [--rounds 200] [--out credential.jsonld]
     [--key instance/certificate-signing-key.pem] [--dcc]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from elearn.certificates.data_integrity import add_proof, verify_data_integrity  # noqa: E402
from elearn.certificates.did import did_key  # noqa: E402
from tests.certificates.test_credential import make_credential  # noqa: E402

ISSUED = datetime(2026, 2, 5, 3, 12, 45, tzinfo=UTC)
DCC = ROOT / "tests" / "dcc"
OB_SCHEMA = ROOT / "tests" / "interop" / "schema" / "ob_v3p0_achievementcredential.json"


def load_key(path: Path | None) -> Ed25519PrivateKey:
    if path is None:
        return Ed25519PrivateKey.generate()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{path}:1: not an Ed25519 private key")
    return key


def timed(rounds: int, work: Callable[[], object]) -> tuple[float, float]:
    """Median wall and CPU milliseconds of one call."""
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def dcc_verify(path: Path) -> dict[str, Any]:
    if not (DCC / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DCC, check=True)
    result = subprocess.run(
        ["node", str(DCC / "verify.mjs"), str(path), "--schema", str(OB_SCHEMA)],
        cwd=DCC,
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("credential.jsonld"))
    parser.add_argument("--key", type=Path, help="PEM Ed25519 key (default: a fresh key)")
    parser.add_argument("--dcc", action="store_true", help="also run DCC verifier-core (node)")
    args = parser.parse_args()

    key = load_key(args.key)
    credential = make_credential()  # the credential tests' sample certificate
    started = time.perf_counter()
    document = add_proof(credential, key, created=ISSUED)
    first_ms = (time.perf_counter() - started) * 1000
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"issuer {did_key(key.public_key())}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")

    trusted = frozenset({did_key(key.public_key())})
    print("verify:", verify_data_integrity(document, trusted_issuers=trusted))
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Nama Lain"
    print("verify, name changed:", verify_data_integrity(tampered, trusted_issuers=trusted))

    sign_ms = timed(args.rounds, lambda: add_proof(credential, key, created=ISSUED))
    verify_ms = timed(args.rounds, lambda: verify_data_integrity(document))
    print(f"first signature (contexts processed): {first_ms:.1f} ms wall")
    print(f"median of {args.rounds} rounds:")
    print(f"  sign   {sign_ms[0]:.2f} ms wall, {sign_ms[1]:.2f} ms CPU")
    print(f"  verify {verify_ms[0]:.2f} ms wall, {verify_ms[1]:.2f} ms CPU")

    if args.dcc:
        answer = dcc_verify(args.out)
        print("DCC verifier-core:", json.dumps({k: answer[k] for k in ("verified", "log")}))
        bad = args.out.with_suffix(".tampered.jsonld")
        bad.write_text(json.dumps(tampered, ensure_ascii=False), "utf-8")
        answer = dcc_verify(bad)
        print("DCC verifier-core, name changed:", json.dumps(answer["errors"]))


if __name__ == "__main__":
    main()
