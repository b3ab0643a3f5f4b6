"""Every address a certificate carries (QR code, credential, issuer) is PUBLIC_BASE_URL."""

from __future__ import annotations

import io
import json
from base64 import urlsafe_b64decode
from pathlib import Path

from flask import Flask
from pypdf import PdfReader

from elearn.settings import with_changes
from tests.certificates.helpers import complete_course

BASE = "https://elearn.palukota.go.id"


def test_certificates_carry_the_configured_public_address(app: Flask, tmp_path: Path):
    # The request comes to http://localhost, as it would through a proxy that rewrites Host.
    with_changes(app, public_base_url=BASE)
    learner, certificate = complete_course(app, tmp_path)
    verify_url = f"{BASE}/certificates/{certificate.code}"

    pdf = learner.client.get(f"/certificates/{certificate.code}/pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert verify_url in text.replace("\n", "")
    assert "127.0.0.1" not in text and "localhost" not in text

    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(True)
    payload = token.split(".")[1]
    claims = json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert [evidence["id"] for evidence in claims["evidence"]] == [verify_url]
    assert claims["issuer"]["id"] == f"{BASE}/certificates/issuer"

    issuer = learner.client.get("/certificates/issuer").json
    assert issuer["id"] == f"{BASE}/certificates/issuer" and issuer["url"] == BASE
