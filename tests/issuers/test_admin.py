"""The admin edits an issuer profile: name, address, city and a checked logo; audited."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditEntry, IssuerProfile, Role
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_unit, make_user
from tests.issuers.helpers import download_jwt, instansi_certificate, jwt_parts


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def admin_client(app: Flask):  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN, name="Admin")
    client = app.test_client()
    AuthActions(client).login(admin.nip)
    return client


def test_admin_edits_name_city_and_logo_and_credentials_follow(app: Flask, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    client = admin_client(app)
    url = f"/admin/issuers/{palu.id}"
    assert "Pemerintah Kota Palu" in client.get("/admin/issuers").get_data(True)
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "Pemerintah Kota Palu — BKPSDM",
            "address": "Jl. Balai Kota No. 1",
            "city": "Palu",
            "logo": (io.BytesIO(png()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    issuer = db.session.scalar(select(IssuerProfile).where(IssuerProfile.unit_id == palu.id))
    assert issuer is not None and issuer.city == "Palu" and issuer.logo_png
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "issuers.update"))
    assert entry is not None and set(entry.filters["changed"]) == {
        "name",
        "address",
        "city",
        "logo",
    }

    public = app.test_client()
    profile = public.get("/issuers/palu", headers={"Accept": "application/json"}).json
    assert profile["name"] == "Pemerintah Kota Palu — BKPSDM"
    assert profile["address"]["addressLocality"] == "Palu"
    logo = public.get(profile["image"]["id"])
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (40, 20)

    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    claims = jwt_parts(download_jwt(learner, certificate))[1]
    assert claims["issuer"]["name"] == "Pemerintah Kota Palu — BKPSDM"
    assert certificate.payload["issuer_city"] == "Palu"


def test_a_file_that_is_no_image_is_refused_with_a_reason(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    client = admin_client(app)
    url = f"/admin/issuers/{palu.id}"
    for upload, name in [
        (b"<svg onload=alert(1)></svg>", "logo.png"),
        (b"GIF89a" + b"\0" * 40, "logo.png"),
    ]:
        response = client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                "name": "Nama Baru",
                "city": "Palu",
                "logo": (io.BytesIO(upload), name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        assert "PNG atau JPEG" in response.get_data(True)
    issuer = db.session.scalar(select(IssuerProfile).where(IssuerProfile.unit_id == palu.id))
    assert issuer is not None and issuer.name == "Pemerintah Kota Palu" and issuer.logo_png is None
    # A real picture passes: the check can pass.
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Nama Baru",
            "logo": (io.BytesIO(png()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_a_unit_that_is_no_instansi_has_no_issuer_page(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    bagian = make_unit("Bagian Umum", parent=palu, code="palu-umum")
    client = admin_client(app)
    assert client.get(f"/admin/issuers/{bagian.id}").status_code == 404
    assert client.get("/admin/issuers/0").status_code == 200  # the platform's


def test_admin_removes_the_logo_and_its_address_goes(app: Flask):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    client = admin_client(app)
    url = f"/admin/issuers/{palu.id}"
    public = app.test_client()

    def save(**extra: object) -> dict[str, object]:
        form = {"csrf_token": csrf_token(client, url), "name": "Pemerintah Kota Palu", **extra}
        response = client.post(url, data=form, content_type="multipart/form-data")
        assert response.status_code == 302
        return public.get("/issuers/palu", headers={"Accept": "application/json"}).json

    logo_url = save(logo=(io.BytesIO(png()), "logo.png"))["image"]["id"]  # type: ignore[index]
    assert public.get(logo_url).status_code == 200
    assert "image" not in save(remove_logo="y")
    assert public.get(logo_url).status_code == 404
    last = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "issuers.update").order_by(AuditEntry.id)
    ).all()[-1]
    assert last.filters["changed"] == ["logo"]
