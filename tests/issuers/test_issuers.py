"""One issuer per instansi: its own id, name, city, key (with history) and status list."""

from __future__ import annotations

from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import select

from elearn.certificates.credential import encode_vc_jwt
from elearn.certificates.issuance import document_of, revoke
from elearn.certificates.signing import key_id
from elearn.extensions import db
from elearn.models import AuditEntry, IssuerProfile, Role
from tests.factories import make_unit, make_user
from tests.issuers.helpers import download_jwt, instansi_certificate, jwt_parts

JSON = {"Accept": "application/json"}


def two_instansi(app: Flask, tmp_path: Path):  # type: ignore[no-untyped-def]
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    mamuju = make_unit("Pemerintah Kabupaten Mamuju", code="mamuju")
    return (
        instansi_certificate(app, tmp_path, palu, "kursus-palu"),
        instansi_certificate(app, tmp_path, mamuju, "kursus-mamuju"),
    )


def test_each_instansi_issues_under_its_own_id_and_name(app: Flask, tmp_path: Path):
    (palu_learner, palu_cert), (mamuju_learner, mamuju_cert) = two_instansi(app, tmp_path)
    palu_header, palu_claims = jwt_parts(download_jwt(palu_learner, palu_cert))
    mamuju_header, mamuju_claims = jwt_parts(download_jwt(mamuju_learner, mamuju_cert))

    palu_issuer, mamuju_issuer = palu_claims["issuer"], mamuju_claims["issuer"]
    assert palu_issuer["id"] == "http://localhost/issuers/palu" == palu_claims["iss"]
    assert mamuju_issuer["id"] == "http://localhost/issuers/mamuju"
    assert palu_issuer["name"] == "Pemerintah Kota Palu"
    assert mamuju_issuer["name"] == "Pemerintah Kabupaten Mamuju"
    # Each signed with its own key, published under its own id.
    assert palu_header["kid"].startswith("http://localhost/issuers/palu/keys/")
    assert mamuju_header["kid"].startswith("http://localhost/issuers/mamuju/keys/")
    assert palu_header["kid"].rsplit("/", 1)[1] != mamuju_header["kid"].rsplit("/", 1)[1]
    # And each its own status list.
    assert palu_claims["credentialStatus"]["statusListCredential"] == (
        "http://localhost/issuers/palu/status/1"
    )

    client = app.test_client()
    for issuer in (palu_issuer, mamuju_issuer):
        profile = client.get(issuer["id"], headers=JSON)
        assert profile.status_code == 200
        assert profile.json["id"] == issuer["id"] and profile.json["name"] == issuer["name"]
        assert profile.json["type"] == ["Profile"]
        assert "public, max-age=" in profile.headers["Cache-Control"] and profile.headers["ETag"]
        assert "Accept" in profile.headers["Vary"]
        etag = profile.headers["ETag"]
        again = client.get(issuer["id"], headers={**JSON, "If-None-Match": etag})
        assert again.status_code == 304
    page = client.get(palu_issuer["id"], headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "Pemerintah Kota Palu" in page.get_data(True)
    assert palu_header["kid"].rsplit("/", 1)[1] in page.get_data(True)

    # The published key verifies the token (what any outside verifier does).
    jwk = client.get(palu_header["kid"]).json
    public = jwt.PyJWK(jwk).key
    token = download_jwt(palu_learner, palu_cert)
    claims = jwt.decode(token, public, algorithms=["EdDSA"], issuer=palu_issuer["id"])
    assert claims["jti"] == claims["id"]
    # The Mamuju key does not.
    mamuju_jwk = client.get(mamuju_header["kid"]).json
    try:
        jwt.decode(token, jwt.PyJWK(mamuju_jwk).key, algorithms=["EdDSA"])
    except jwt.InvalidSignatureError:
        pass
    else:
        raise AssertionError("a Palu credential verified with Mamuju's key")


def test_a_course_of_no_instansi_is_issued_by_the_platform(app: Flask, tmp_path: Path):
    from tests.certificates.helpers import complete_course

    learner, certificate = complete_course(app, tmp_path)
    header, claims = jwt_parts(download_jwt(learner, certificate))
    assert claims["issuer"]["id"] == "http://localhost/certificates/issuer"
    assert header["kid"].startswith("http://localhost/certificates/keys/")
    profile = app.test_client().get("/certificates/issuer", headers=JSON).json
    assert profile["name"] == claims["issuer"]["name"] == app.config["CERTIFICATE_ISSUER_NAME"]
    assert certificate.issuer_id is None


def test_rotation_keeps_old_credentials_valid_and_signs_new_ones_with_the_new_key(
    app: Flask, runner, tmp_path: Path
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    old_token = download_jwt(learner, certificate)
    old_kid = jwt_parts(old_token)[0]["kid"]
    old_file = tmp_path / "lama.jwt"
    old_file.write_text(old_token)

    rotated = runner.invoke(args=["certificates", "rotate-key", "--instansi", "palu"])
    assert rotated.exit_code == 0, rotated.output
    assert old_kid.rsplit("/", 1)[1] in rotated.output

    # The file downloaded before the rotation still verifies, and its key is still served.
    result = runner.invoke(args=["certificates", "verify", str(old_file)])
    assert result.exit_code == 0 and f"VALID — {certificate.number}" in result.output
    client = app.test_client()
    assert client.get(old_kid).status_code == 200
    jwks = client.get("/issuers/palu/keys", headers=JSON).json["keys"]
    assert len(jwks) == 2 and jwks[1]["kid"] == old_kid.rsplit("/", 1)[1]
    assert "retired_at" in jwks[1] and "retired_at" not in jwks[0]

    # New downloads and new certificates are signed with the new key.
    new_kid = jwt_parts(download_jwt(learner, certificate))[0]["kid"]
    assert new_kid != old_kid and new_kid.endswith("/" + jwks[0]["kid"])
    other, second = instansi_certificate(app, tmp_path, palu, "kursus-palu-2")
    second_token = download_jwt(other, second)
    assert jwt_parts(second_token)[0]["kid"] == new_kid
    new_file = tmp_path / "baru.jwt"
    new_file.write_text(second_token)
    assert runner.invoke(args=["certificates", "verify", str(new_file)]).exit_code == 0
    # The rotation is audited.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "issuers.rotate_key"))
    assert entry is not None and entry.filters["issuer"] == "palu"


def test_a_credential_signed_with_a_key_outside_the_history_is_invalid(
    app: Flask, runner, tmp_path: Path
):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    learner, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    claims = jwt_parts(download_jwt(learner, certificate))[1]
    credential = {k: v for k, v in claims.items() if k not in {"iss", "jti", "nbf", "sub"}}
    stranger = Ed25519PrivateKey.generate()
    kid = f"http://localhost/issuers/palu/keys/{key_id(stranger.public_key())}"
    forged = tmp_path / "palsu.jwt"
    forged.write_text(encode_vc_jwt(credential, stranger, kid=kid))
    result = runner.invoke(args=["certificates", "verify", str(forged)])
    assert result.exit_code == 1 and "INVALID" in result.output
    assert "unknown signing key" in result.output
    # The same credential signed with Palu's real key passes: the check can pass.
    from elearn.issuers.keystore import current_keystore
    from elearn.issuers.registry import signing_key_of

    issuer = db.session.get(IssuerProfile, certificate.issuer_id)
    assert issuer is not None
    signer = signing_key_of(issuer, current_keystore())
    genuine = tmp_path / "asli.jwt"
    genuine.write_text(
        encode_vc_jwt(
            credential,
            signer.private_key,
            kid=f"http://localhost/issuers/palu/keys/{signer.kid}",
        )
    )
    assert runner.invoke(args=["certificates", "verify", str(genuine)]).exit_code == 0


def test_another_instansi_key_cannot_vouch_for_a_certificate(app: Flask, runner, tmp_path: Path):
    (palu_learner, palu_cert), (_, mamuju_cert) = two_instansi(app, tmp_path)
    claims = jwt_parts(download_jwt(palu_learner, palu_cert))[1]
    credential = {k: v for k, v in claims.items() if k not in {"iss", "jti", "nbf", "sub"}}
    from elearn.issuers.keystore import current_keystore
    from elearn.issuers.registry import signing_key_of

    mamuju = db.session.get(IssuerProfile, mamuju_cert.issuer_id)
    assert mamuju is not None
    signer = signing_key_of(mamuju, current_keystore())
    kid = f"http://localhost/issuers/mamuju/keys/{signer.kid}"
    # Mamuju's key, naming Palu as the issuer of Palu's certificate.
    path = tmp_path / "silang.jwt"
    path.write_text(encode_vc_jwt(credential, signer.private_key, kid=kid))
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and "names another issuer" in result.output
    # Mamuju's key, naming Mamuju, for Palu's certificate.
    renamed = {
        **credential,
        "issuer": {**credential["issuer"], "id": claims["iss"].replace("palu", "mamuju")},
    }
    path.write_text(encode_vc_jwt(renamed, signer.private_key, kid=kid))
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and "did not issue" in result.output


def test_revocation_shows_in_the_issuers_own_status_list(app: Flask, tmp_path: Path):
    from elearn.certificates import status_list
    from elearn.certificates.credential import STATUS_LIST_TYPES, decode_vc_jwt
    from elearn.issuers.registry import key_history

    (palu_learner, palu_cert), (mamuju_learner, mamuju_cert) = two_instansi(app, tmp_path)
    entry = jwt_parts(download_jwt(palu_learner, palu_cert))[1]["credentialStatus"]
    client = app.test_client()

    def bit(slug: str) -> bool:
        url = f"http://localhost/issuers/{slug}/status/1"
        token = client.get(url).get_data(True)
        keys = {kid: key for kid, (key, _) in key_history().items()}
        listed = decode_vc_jwt(token, keys, kinds=STATUS_LIST_TYPES)
        assert listed["issuer"]["id"] == f"http://localhost/issuers/{slug}"
        return status_list.is_revoked_in(listed, {**entry, "statusListCredential": url})

    assert entry["statusListCredential"] == "http://localhost/issuers/palu/status/1"
    assert bit("palu") is False
    revoke(palu_cert, make_user(Role.ADMIN, name="Admin"), "Data keliru")
    db.session.commit()
    assert bit("palu") is True
    # Mamuju's list holds none of Palu's bits.
    assert bit("mamuju") is False
    assert client.get("/issuers/palu/status/1").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/issuers/nobody/status/1").status_code == 404


def test_the_issuers_city_is_printed_before_the_date(app: Flask, tmp_path: Path):
    palu = make_unit("Pemerintah Kota Palu", code="palu")
    from elearn import clock
    from elearn.issuers.keystore import current_keystore
    from elearn.issuers.registry import issuer_of_unit
    from elearn.settings import current_settings

    issuer = issuer_of_unit(palu, current_settings(), current_keystore(), clock.now())
    issuer.city = "Palu"
    db.session.commit()
    _, certificate = instansi_certificate(app, tmp_path, palu, "kursus-palu")
    doc = document_of(certificate, "http://localhost")
    assert doc.issuer_city == "Palu" and certificate.payload["issuer_city"] == "Palu"
    import io

    from pypdf import PdfReader

    from elearn.certificates.pdf import render_certificate_pdf

    text = PdfReader(io.BytesIO(render_certificate_pdf(doc))).pages[0].extract_text()
    assert "Palu, " in text and "Pemerintah Kota Palu, " not in text


def test_the_key_history_is_read_in_one_statement_however_many_issuers(app: Flask, tmp_path: Path):
    from elearn.issuers.registry import key_history
    from tests.learning.test_statement_budget import _queries, counted

    two_instansi(app, tmp_path)
    db.session.expire_all()
    with counted(app) as statements:
        history = key_history()
        issuers = sorted(issuer.slug for _, issuer in history.values())
    assert issuers == ["mamuju", "palu"]
    assert len(_queries(statements)) == 1
