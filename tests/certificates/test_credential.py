"""The Open Badges 3.0 credential and its VC-JWT (Ed25519) proof."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from elearn import clock
from elearn.certificates.credential import (
    InvalidCredential,
    build_credential,
    decode_vc_jwt,
    encode_vc_jwt,
    identity_hash,
    key_url,
)
from elearn.certificates.document import CertificateDocument
from elearn.certificates.signing import key_id, public_jwk

BASE = "https://elearn.palukota.go.id"
NIP = "198609262015051001"
SALT = "kXh3v9Qw2ZpL0aR7sT5uYw"
KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}


def make_document(**changes: Any) -> CertificateDocument:
    doc = CertificateDocument(
        code=SALT,
        number="800/BKPSDM/2026/00012",
        learner_name="Siti Aminah, S.Kom.",
        nip=NIP,
        rank="Penata Muda (III/a)",
        position="Pranata Komputer Ahli Pertama",
        instansi="Pemerintah Kota Palu",
        course_title="Dasar Manajemen Proyek",
        course_version="v2 · a1b2c3d4e5f6",
        competency="Teknis",
        jp=6,
        enrolled_on=date(2026, 1, 20),
        completed_on=date(2026, 2, 5),
        score_summary="Rata-rata nilai kuis 86,5 (2 kuis)",
        issuer_name="BKPSDM Kota Palu",
        signatory_name="Dr. Budi Santoso",
        signatory_position="Kepala BKPSDM",
        signatory_nip="197001011995031001",
        verify_url=f"{BASE}/certificates/{SALT}",
        issued_on=date(2026, 2, 5),
    )
    return replace(doc, **changes)


def make_credential(**changes: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "base_url": BASE + "/",
        "issuer_name": "BKPSDM Kota Palu",
        "issuer_url": BASE,
        "subject_salt": SALT,
        "course_slug": "dasar-proyek",
        "issued_at": datetime(2026, 2, 5, 3, 12, 45, 123456, tzinfo=UTC),
    }
    options.update(changes)
    return build_credential(make_document(), **options)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def sign_raw(header: dict[str, Any], claims: dict[str, Any], key: Ed25519PrivateKey = KEY) -> str:
    """A token signed with a real key but whose content we choose freely."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


# --- the credential ----------------------------------------------------------------------------

IDENTITY_TYPES = {
    "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
}  # fmt: skip
ACHIEVEMENT_TYPES = {"Course", "Certificate", "CertificateOfCompletion", "Badge"}  # subset
RESULT_TYPES = {"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "RawScore"}
EXTENSION = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")
DATE_TIME_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")


def types_of(node: dict[str, Any]) -> list[str]:
    value = node["type"]
    return [value] if isinstance(value, str) else value


def test_required_open_badges_fields_are_present() -> None:
    """Checks written from the OB 3.0 data model: AchievementCredential and its classes."""
    c = make_credential()
    assert c["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert c["id"] == f"{BASE}/certificates/{SALT}/credential"
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(types_of(c))
    assert isinstance(c["name"], str) and c["name"]
    issuer = c["issuer"]
    assert issuer["id"] == f"{BASE}/certificates/issuer" and "Profile" in types_of(issuer)
    assert issuer["name"] == "BKPSDM Kota Palu" and issuer["url"] == BASE
    assert DATE_TIME_Z.match(c["validFrom"])

    subject = c["credentialSubject"]
    assert "AchievementSubject" in types_of(subject)
    assert URI.match(subject["id"]) or subject["identifier"]  # id and/or identifier
    for identity in subject["identifier"]:
        assert set(identity) <= {"type", "hashed", "identityHash", "identityType", "salt"}
        assert identity["type"] == "IdentityObject"  # a single IRI, not a list, in OB 3.0
        assert isinstance(identity["hashed"], bool) and isinstance(identity["identityHash"], str)
        assert identity["identityType"] in IDENTITY_TYPES or EXTENSION.match(
            identity["identityType"]
        )
    for moment in (subject["activityStartDate"], subject["activityEndDate"]):
        assert DATE_TIME_Z.match(moment)

    achievement = subject["achievement"]
    for name in ("id", "type", "criteria", "description", "name"):
        assert achievement[name], name
    assert URI.match(achievement["id"]) and "Achievement" in types_of(achievement)
    assert achievement["achievementType"] in ACHIEVEMENT_TYPES
    assert achievement["criteria"]["narrative"]
    descriptions = {d["id"]: d for d in achievement["resultDescription"]}
    for description in descriptions.values():
        assert {"id", "type", "name", "resultType"} <= set(description)
        assert "ResultDescription" in types_of(description)
        kind = description["resultType"]
        assert kind in RESULT_TYPES or EXTENSION.match(kind)
    for result in subject["result"]:
        assert "Result" in types_of(result) and isinstance(result["value"], str)
        assert result["resultDescription"] in descriptions  # links inside this achievement
    for evidence in c["evidence"]:
        assert "Evidence" in types_of(evidence)


def test_credential_carries_the_certificate_facts() -> None:
    c = make_credential()
    subject = c["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE}/courses/dasar-proyek"
    assert achievement["name"] == "Dasar Manajemen Proyek"
    assert achievement["version"] == "v2 · a1b2c3d4e5f6"
    assert achievement["achievementType"] == "Course"
    assert "Kompetensi Teknis" in achievement["tag"]
    [jp] = subject["result"]
    assert jp["value"] == "6"
    [jp_description] = achievement["resultDescription"]
    assert (
        jp_description["name"] == "Jam Pelajaran (JP)"
        and jp["resultDescription"] == (jp_description["id"])
    )
    assert c["validFrom"] == "2026-02-05T03:12:45Z"
    assert subject["activityStartDate"] == "2026-01-20T00:00:00Z"
    assert subject["activityEndDate"] == "2026-02-05T00:00:00Z"
    assert c["evidence"][0]["id"] == f"{BASE}/certificates/{SALT}"
    assert c["evidence"][0]["narrative"] == "Rata-rata nilai kuis 86,5 (2 kuis)"
    assert "800/BKPSDM/2026/00012" in c["description"]
    names = [i for i in subject["identifier"] if i["identityType"] == "name"]
    assert names == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Siti Aminah, S.Kom.",
        }
    ]


def test_no_nip_anywhere_but_a_salted_hash_a_verifier_can_match() -> None:
    c = make_credential()
    token = encode_vc_jwt(c, KEY)
    texts = [
        json.dumps(c, ensure_ascii=False),
        unb64(token.split(".")[1]).decode(),
        unb64(token.split(".")[0]).decode(),
    ]
    for text in texts:
        for fragment in (NIP, "19860926 201505 1 001", NIP[:14], "197001011995031001"):
            assert fragment not in text
    [hashed] = [i for i in c["credentialSubject"]["identifier"] if i["hashed"]]
    assert hashed["identityType"] == "identifier" and hashed["salt"] == SALT
    # OB 3.0 "Verify the Recipient Using an Identifier", done by hand.
    known = hashlib.sha256((NIP + hashed["salt"]).encode()).hexdigest()
    assert hashed["identityHash"] == f"sha256${known}"
    assert identity_hash("198609262015051002", SALT) != hashed["identityHash"]


def test_grouped_nip_hashes_like_the_plain_one() -> None:
    grouped = build_credential(
        make_document(nip="19860926 201505 1 001"),
        base_url=BASE,
        issuer_name="X",
        issuer_url=BASE,
        subject_salt=SALT,
    )
    [hashed] = [i for i in grouped["credentialSubject"]["identifier"] if i["hashed"]]
    assert hashed["identityHash"] == identity_hash(NIP, SALT)


def test_other_personal_data_stays_on_the_pdf() -> None:
    text = json.dumps(make_credential(), ensure_ascii=False)
    for private in ("Penata Muda", "Pranata Komputer", "Dr. Budi Santoso"):
        assert private not in text


def test_subject_id_is_opaque_and_per_credential() -> None:
    first = make_credential()["credentialSubject"]["id"]
    again = make_credential()["credentialSubject"]["id"]
    other = build_credential(
        make_document(code="ZZZZZZZZZZZZZZZZZZZZZZ"),
        base_url=BASE,
        issuer_name="X",
        issuer_url=BASE,
        subject_salt="salt",
    )["credentialSubject"]["id"]
    assert first == again and first != other
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", first)


def test_without_a_slug_the_achievement_id_is_a_stable_uuid() -> None:
    a = make_credential(course_slug=None)["credentialSubject"]["achievement"]["id"]
    b = make_credential(course_slug=None)["credentialSubject"]["achievement"]["id"]
    assert a == b and a.startswith("urn:uuid:")


def test_valid_from_without_the_instant_is_midnight_utc_of_the_issue_date() -> None:
    c = make_credential(issued_at=None)
    assert c["validFrom"] == "2026-02-05T00:00:00Z"


def test_valid_from_never_lies_in_the_future(monkeypatch: pytest.MonkeyPatch) -> None:
    # 20:00 UTC on 4 Feb is already 5 Feb 03:00 in Jakarta, the date on the certificate.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 2, 4, 20, 0, 5, tzinfo=UTC))
    c = make_credential(issued_at=None)
    assert c["validFrom"] == "2026-02-04T20:00:05Z"
    assert decode_vc_jwt(encode_vc_jwt(c, KEY), KEYS) == c


def test_empty_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        make_credential(subject_salt="")


# --- VC-JWT ------------------------------------------------------------------------------------


def test_vc_jwt_round_trip_returns_the_credential() -> None:
    c = make_credential()
    assert decode_vc_jwt(encode_vc_jwt(c, KEY), KEYS) == c


def test_jose_header_and_registered_claims_follow_ob3() -> None:
    c = make_credential()
    header, claims, _ = parts(encode_vc_jwt(c, KEY))
    assert header == {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": f"{BASE}/certificates/keys/{key_id(KEY.public_key())}",
    }
    assert header["kid"] == key_url(BASE, KEY.public_key())
    assert claims["iss"] == c["issuer"]["id"]
    assert claims["jti"] == c["id"]
    assert claims["sub"] == c["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime(2026, 2, 5, 3, 12, 45, tzinfo=UTC).timestamp())
    assert {name: value for name, value in claims.items() if name in c} == c


def test_any_ed25519_library_verifies_it_from_the_published_jwk() -> None:
    """What an integrator does: take x from the JWK at kid, verify header.payload."""
    token = encode_vc_jwt(make_credential(), KEY)
    jwk = public_jwk(KEY.public_key())
    public = Ed25519PublicKey.from_public_bytes(unb64(jwk["x"]))
    header, payload, signature = token.split(".")
    public.verify(unb64(signature), f"{header}.{payload}".encode())  # raises if wrong


def test_keys_may_be_named_by_full_url() -> None:
    token = encode_vc_jwt(make_credential(), KEY)
    by_url = {key_url(BASE, KEY.public_key()): KEY.public_key()}
    assert decode_vc_jwt(token, by_url)["id"] == f"{BASE}/certificates/{SALT}/credential"


def tampered(token: str, edit: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(unb64(payload))
    edit(claims)
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def set_jp(claims: dict[str, Any]) -> None:
    claims["credentialSubject"]["result"][0]["value"] = "60"


def set_name(claims: dict[str, Any]) -> None:
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Orang Lain"


def set_date(claims: dict[str, Any]) -> None:
    claims["credentialSubject"]["activityEndDate"] = "2025-02-05T00:00:00Z"


@pytest.mark.parametrize("edit", [set_jp, set_name, set_date])
def test_tampered_payload_with_the_original_signature_fails(edit: Any) -> None:
    token = tampered(encode_vc_jwt(make_credential(), KEY), edit)
    with pytest.raises(InvalidCredential, match="signature does not match"):
        decode_vc_jwt(token, KEYS)


def test_a_different_key_under_the_same_kid_fails() -> None:
    token = encode_vc_jwt(make_credential(), KEY)
    impostor = {key_id(KEY.public_key()): Ed25519PrivateKey.generate().public_key()}
    with pytest.raises(InvalidCredential, match="signature"):
        decode_vc_jwt(token, impostor)


def test_an_unknown_kid_fails() -> None:
    token = encode_vc_jwt(make_credential(), Ed25519PrivateKey.generate())
    with pytest.raises(InvalidCredential, match="unknown signing key"):
        decode_vc_jwt(token, KEYS)


def header_for(alg: str) -> dict[str, Any]:
    return {"alg": alg, "typ": "JWT", "kid": key_url(BASE, KEY.public_key())}


def claims_of(credential: dict[str, Any]) -> dict[str, Any]:
    return parts(encode_vc_jwt(credential, KEY))[1]


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_unsigned_tokens_are_refused(alg: str) -> None:
    body = f"{b64(json.dumps(header_for(alg)).encode())}."
    body += b64(json.dumps(claims_of(make_credential())).encode())
    for token in (body + ".", body + "." + b64(b"x")):
        with pytest.raises(InvalidCredential, match="refused"):
            decode_vc_jwt(token, KEYS)


def public_pem() -> bytes:
    return KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_raw() -> bytes:
    return KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# Named ids: the key is random per process, and xdist workers must collect the same ids.
@pytest.mark.parametrize(
    "secret",
    [public_pem(), public_raw(), json.dumps(public_jwk(KEY.public_key())).encode()],
    ids=["pem", "raw", "jwk"],
)
def test_hmac_tokens_keyed_with_public_material_are_refused(secret: bytes) -> None:
    forged = make_credential()
    forged["credentialSubject"]["result"][0]["value"] = "60"
    signing_input = (
        f"{b64(json.dumps(header_for('HS256')).encode())}."
        f"{b64(json.dumps(claims_of(forged)).encode())}"
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidCredential, match="'HS256' is refused"):
        decode_vc_jwt(f"{signing_input}.{b64(mac)}", KEYS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"typ": "JWS"}, "typ"),
        ({"typ": None}, "typ"),
        ({"crit": ["exp"]}, "crit"),
        ({"b64": False}, "b64"),
        ({"kid": None}, "kid"),
        ({"alg": "ES256"}, "refused"),
    ],
)
def test_unexpected_headers_are_refused(change: dict[str, Any], message: str) -> None:
    header = {**header_for("EdDSA"), **change}
    header = {name: value for name, value in header.items() if value is not None}
    token = sign_raw(header, claims_of(make_credential()))
    with pytest.raises(InvalidCredential, match=message):
        decode_vc_jwt(token, KEYS)


def test_vc_jose_cose_typ_is_accepted_too() -> None:
    header = {**header_for("EdDSA"), "typ": "vc+jwt", "cty": "vc"}
    c = make_credential()
    assert decode_vc_jwt(sign_raw(header, claims_of(c)), KEYS) == c


def drop(name: str) -> Any:
    return lambda claims: claims.pop(name)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (drop("sub"), "'sub'"),
        (drop("iss"), "'iss'"),
        (drop("nbf"), "'nbf'"),
        (lambda c: c.update(iss="https://evil.example/certificates/issuer"), "'iss'"),
        (lambda c: c.update(jti="https://evil.example/credential"), "'jti'"),
        (lambda c: c.update(sub="urn:uuid:00000000-0000-0000-0000-000000000000"), "'sub'"),
        (lambda c: c.update(nbf=c["nbf"] - 86400), "'nbf'"),
        (lambda c: c.update(exp=c["nbf"] + 86400 * 10000), "'exp'"),
    ],
)
def test_claims_must_match_the_credential(edit: Any, message: str) -> None:
    claims = claims_of(make_credential())
    edit(claims)
    with pytest.raises(InvalidCredential, match=message):
        decode_vc_jwt(sign_raw(header_for("EdDSA"), claims), KEYS)


def test_a_credential_of_another_type_is_refused() -> None:
    claims = claims_of(make_credential())
    claims["type"] = ["VerifiableCredential"]
    with pytest.raises(InvalidCredential, match="OpenBadgeCredential"):
        decode_vc_jwt(sign_raw(header_for("EdDSA"), claims), KEYS)


def test_not_yet_valid_and_expired_credentials_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    future = make_credential(issued_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidCredential, match="not valid before 2030-01-01"):
        decode_vc_jwt(encode_vc_jwt(future, KEY), KEYS)
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 1, 1, 0, 1, tzinfo=UTC))
    assert decode_vc_jwt(encode_vc_jwt(future, KEY), KEYS) == future

    expiring = {**make_credential(), "validUntil": "2029-12-31T00:00:00Z"}
    token = encode_vc_jwt(expiring, KEY)
    assert parts(token)[1]["exp"] == int(datetime(2029, 12, 31, tzinfo=UTC).timestamp())
    with pytest.raises(InvalidCredential, match="expired on 2029-12-31"):
        decode_vc_jwt(token, KEYS)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"])
def test_garbage_is_invalid_not_a_crash(token: str) -> None:
    with pytest.raises(InvalidCredential):
        decode_vc_jwt(token, KEYS)


def test_encoding_refuses_a_credential_that_cannot_locate_its_key() -> None:
    c = make_credential()
    c["issuer"]["id"] = "https://elsewhere.example/issuer"
    with pytest.raises(ValueError, match="issuer.id"):
        encode_vc_jwt(c, KEY)
    with pytest.raises(ValueError, match="JWT claim"):
        encode_vc_jwt({**make_credential(), "iss": "x"}, KEY)
