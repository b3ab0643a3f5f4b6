"""The credential as JSON-LD with an eddsa-rdfc-2022 Data Integrity proof (issuer: did:key):
our own verifier, the 1EdTech OB 3.0 JSON schema, and the DCC verifier-core, all offline."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import base58
import jsonschema_rs
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from elearn import clock
from elearn.certificates.credential import decode_vc_jwt
from elearn.certificates.data_integrity import (
    CONTEXT_FILES,
    add_proof,
    canonical_nquads,
    verify_data_integrity,
)
from elearn.certificates.did import (
    UnresolvableDid,
    did_key,
    did_web,
    public_key_multibase,
    resolve_did_key,
)
from elearn.certificates.issuance import public_base_url, revoke
from elearn.certificates.keys import current_key_id, signing_key
from elearn.extensions import db
from elearn.models import Role
from elearn.settings import current_settings
from tests.certificates.helpers import complete_course
from tests.certificates.test_credential import make_credential
from tests.dcc.verifier import OB_SCHEMA, dcc_verify, node_with_verifier, steps
from tests.factories import make_user
from tests.learning.helpers import sign_in

KEY = Ed25519PrivateKey.generate()
ISSUED = datetime(2026, 2, 5, 3, 12, 45, tzinfo=UTC)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every attempt to open a connection fails, and is recorded."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


def signed(
    credential: dict[str, Any] | None = None, key: Ed25519PrivateKey = KEY
) -> dict[str, Any]:
    return add_proof(credential or make_credential(), key, created=ISSUED)


def signed_as_our_issuer(document: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """A forgery done right: our issuer kept, a valid eddsa-rdfc-2022 proof by ``key``
    (hash data built here from the spec, independently of add_proof)."""
    multibase = public_key_multibase(key.public_key())
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-02-05T03:12:45Z",
        "verificationMethod": f"did:key:{multibase}#{multibase}",
        "proofPurpose": "assertionMethod",
    }
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = {"@context": unsigned["@context"], **options}
    data = b"".join(
        hashlib.sha256(canonical_nquads(part).encode()).digest() for part in (config, unsigned)
    )
    value = "z" + base58.b58encode(key.sign(data)).decode()
    return {**unsigned, "proof": [{**options, "proofValue": value}]}


def edited(document: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def rename(document: dict[str, Any]) -> None:
    document["credentialSubject"]["identifier"][0]["identityHash"] = "Siti Aminah Palsu"


@cache
def ob_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OB_SCHEMA.read_text(encoding="utf-8"))
    return loaded


def schema_errors(instance: Any) -> list[str]:
    validator = jsonschema_rs.Draft201909Validator(ob_schema(), validate_formats=True)
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]


# --- signing and our verifier ---------------------------------------------------------------


def test_signed_offline_and_verified_offline(no_network: list[object]) -> None:
    document = signed()
    assert verify_data_integrity(document) == (True, did_key(KEY.public_key()))
    assert no_network == []  # contexts came from the repository, not the network


def test_the_proof_follows_eddsa_rdfc_2022() -> None:
    document = signed()
    (proof,) = document["proof"]
    multibase = public_key_multibase(KEY.public_key())
    assert proof == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-02-05T03:12:45Z",
        "verificationMethod": f"did:key:{multibase}#{multibase}",
        "proofPurpose": "assertionMethod",
        "proofValue": proof["proofValue"],
    }
    assert proof["proofValue"].startswith("z")
    assert len(base58.b58decode(proof["proofValue"][1:])) == 64
    # The issuer is the key's did:key; the rest of the credential is the one the JWT carries.
    assert document["issuer"]["id"] == f"did:key:{multibase}" and multibase.startswith("z6Mk")
    unsigned = make_credential()
    assert {k: v for k, v in document.items() if k not in ("proof", "issuer")} == {
        k: v for k, v in unsigned.items() if k != "issuer"
    }
    assert document["issuer"]["name"] == unsigned["issuer"]["name"]
    # Ed25519 and a fixed `created`: the same certificate always gives the same file.
    assert signed() == document


def test_did_key_encodes_the_raw_public_key() -> None:
    raw = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    multibase = public_key_multibase(KEY.public_key())
    assert base58.b58decode(multibase[1:]) == b"\xed\x01" + raw  # multicodec ed25519-pub
    did, public_key = resolve_did_key(f"did:key:{multibase}#{multibase}")
    assert did == f"did:key:{multibase}"
    assert (
        public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw
    )
    with pytest.raises(UnresolvableDid):
        resolve_did_key(f"did:key:{multibase}#other")
    with pytest.raises(UnresolvableDid):
        resolve_did_key("did:key:z" + base58.b58encode(b"\xe7\x01" + raw).decode())  # secp256k1


def test_did_web_names_the_host_and_path() -> None:
    assert did_web("https://elearn.palukota.go.id/") == "did:web:elearn.palukota.go.id"
    assert did_web("http://localhost:5000/asn") == "did:web:localhost%3A5000:asn"


@pytest.mark.parametrize(
    "change, reason",
    [
        (rename, "altered"),
        (lambda d: d.update(name="Sertifikat Lain"), "altered"),
        (lambda d: d["credentialSubject"]["result"][0].update(value="60"), "altered"),
        (lambda d: d["proof"][0].update(created="2027-01-01T00:00:00Z"), "altered"),
        (lambda d: d["issuer"].update(name="BKPSDM Kota Mamuju"), "altered"),
        (lambda d: d.update(extra="tak bertanda"), "not defined"),
        (lambda d: d.pop("proof"), "no Data Integrity proof"),
        (lambda d: d["proof"][0].update(cryptosuite="ecdsa-rdfc-2019"), "is not DataIntegrity"),
        (lambda d: d["proof"][0].update(proofValue="uAAAA"), "multibase"),
        (lambda d: d["proof"][0].update(proofValue="z0OIl"), "base58"),
        (lambda d: d["proof"][0].update(proofPurpose="authentication"), "purpose"),
        (lambda d: d.update({"@context": [*d["@context"], "https://evil.example/c"]}), "never"),
    ],
)
def test_any_change_fails_with_a_reason(change: Any, reason: str, no_network: list[object]):
    valid, why = verify_data_integrity(edited(signed(), change))
    assert valid is False and reason in why
    assert no_network == []  # an unknown context is refused, not fetched


def test_another_key_fails() -> None:
    other = Ed25519PrivateKey.generate()
    document = signed()
    # A well-formed proof by another key on a credential that names our issuer.
    assert verify_data_integrity(signed_as_our_issuer(edited(document, rename), other)) == (
        False,
        "the proof's key does not belong to the credential's issuer",
    )
    # The helper itself makes proofs that hold: with our key, it verifies.
    assert verify_data_integrity(signed_as_our_issuer(document, KEY))[0] is True
    # Our issuer, another key's signature.
    forged = edited(document, lambda d: d["proof"][0].update(signed(key=other)["proof"][0]))
    assert verify_data_integrity(forged) == (
        False,
        "the proof's key does not belong to the credential's issuer",
    )
    # Another key's signature under our issuer's key id: the signature is wrong.
    ours = document["proof"][0]["verificationMethod"]
    swapped = edited(forged, lambda d: d["proof"][0].update(verificationMethod=ours))
    assert verify_data_integrity(swapped)[1].endswith("it was altered")
    # A self-consistent credential of another issuer holds cryptographically; it is refused
    # by a verifier that trusts only our issuer.
    theirs = signed(key=other)
    assert verify_data_integrity(theirs)[0] is True
    trusted = frozenset({did_key(KEY.public_key())})
    assert verify_data_integrity(theirs, trusted_issuers=trusted) == (
        False,
        f"the issuer {did_key(other.public_key())} is not one this verifier trusts",
    )
    assert verify_data_integrity(document, trusted_issuers=trusted)[0] is True


def test_a_status_entry_added_to_the_credential_is_signed_too() -> None:
    credential = make_credential()
    credential["credentialStatus"] = {
        "id": "https://elearn.palukota.go.id/certificates/status/1#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": "https://elearn.palukota.go.id/certificates/status/1",
    }
    document = signed(credential)
    assert verify_data_integrity(document)[0] is True
    moved = edited(document, lambda d: d["credentialStatus"].update(statusListIndex="43"))
    assert verify_data_integrity(moved)[1].endswith("it was altered")


def test_not_yet_valid_and_expired_credentials_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    early = datetime(2026, 2, 5, 3, 0, tzinfo=UTC)  # before validFrom (03:12:45), beyond skew
    monkeypatch.setattr(clock, "now", lambda: early)
    assert verify_data_integrity(signed()) == (False, "not valid before 2026-02-05T03:12:45Z")
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 1, 1, tzinfo=UTC))
    expiring = make_credential()
    expiring["validUntil"] = "2026-12-31T00:00:00Z"
    assert verify_data_integrity(signed(expiring)) == (False, "expired on 2026-12-31T00:00:00Z")
    assert verify_data_integrity(signed())[0] is True


@pytest.mark.parametrize("garbage", [None, "text", [], {"proof": [{}, {}]}, {"proof": 3}])
def test_garbage_is_invalid_not_a_crash(garbage: Any) -> None:
    assert verify_data_integrity(garbage)[0] is False


def test_only_the_stored_contexts_are_known(no_network: list[object]) -> None:
    assert set(CONTEXT_FILES) == set(make_credential()["@context"])
    assert "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential>" in (
        canonical_nquads(make_credential())
    )


# --- the download -----------------------------------------------------------------------------


def test_owner_downloads_the_json_ld_form(app: Flask, tmp_path: Path, no_network: list[object]):
    learner, certificate = complete_course(app, tmp_path)
    page = learner.client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    url = f"/certificates/{certificate.code}/credential.jsonld"
    assert f'href="{url}"' in page

    response = learner.client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/vc+ld+json"
    assert response.headers["Content-Disposition"].endswith('.jsonld"')
    document = response.get_json()
    ours = did_key(signing_key().public_key())
    assert verify_data_integrity(document, trusted_issuers=frozenset({ours})) == (True, ours)
    assert document["proof"][0]["created"] == certificate.issued_at.replace(tzinfo=UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    # The same facts as the VC-JWT; the issuer id differs (a DID instead of a URL), and the
    # status entry points at the list secured the same way (JSON-LD with a proof).
    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(True)
    jwt_credential = decode_vc_jwt(token, {current_key_id(): signing_key().public_key()})
    different = ("proof", "issuer", "credentialStatus")
    assert {k: v for k, v in document.items() if k not in different} == {
        k: v for k, v in jwt_credential.items() if k not in different
    }
    jsonld_status, jwt_status = document["credentialStatus"], jwt_credential["credentialStatus"]
    assert jsonld_status["statusListCredential"] == jwt_status["statusListCredential"] + ".jsonld"
    assert jsonld_status["statusListIndex"] == jwt_status["statusListIndex"]
    assert learner.client.get(url).data == response.data  # deterministic
    assert no_network == []

    other = sign_in(app, name="Lain")
    assert other.client.get(url).status_code == 404
    assert f'href="{url}"' not in other.client.get(f"/certificates/{certificate.code}").get_data(
        as_text=True
    )
    assert app.test_client().get(url).status_code in (302, 401)


def test_did_web_document_describes_the_signing_key(app: Flask) -> None:
    response = app.test_client().get("/.well-known/did.json", base_url="https://elearn.example")
    assert response.status_code == 200
    document = response.get_json()
    multibase = public_key_multibase(signing_key().public_key())
    # The host of PUBLIC_BASE_URL when it is set (as in the tests), else of the request.
    did = did_web(public_base_url(current_settings(), "https://elearn.example/"))
    assert document["id"] == did and did.startswith("did:web:")
    assert document["verificationMethod"] == [
        {
            "id": f"{did}#{multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multibase,
        }
    ]
    assert document["assertionMethod"] == [f"{did}#{multibase}"]
    assert document["alsoKnownAs"] == [did_key(signing_key().public_key())]


def test_did_web_document_keeps_every_platform_key_after_rotation(app: Flask, runner) -> None:
    first = signing_key().public_key()
    rotated = runner.invoke(args=["certificates", "rotate-key", "--instansi", "platform"])
    assert rotated.exit_code == 0, rotated.output
    document = app.test_client().get("/.well-known/did.json").get_json()
    keys = [method["publicKeyMultibase"] for method in document["verificationMethod"]]
    assert len(keys) == 2 and keys[1] == public_key_multibase(first)  # the newest first
    assert document["assertionMethod"] == [f"{document['id']}#{key}" for key in keys]
    assert did_key(first) in document["alsoKnownAs"]


# --- the 1EdTech OB 3.0 JSON schema ---------------------------------------------------------


def test_both_forms_pass_the_ob_schema(app: Flask, tmp_path: Path) -> None:
    learner, certificate = complete_course(app, tmp_path)
    document = learner.client.get(f"/certificates/{certificate.code}/credential.jsonld").json
    assert schema_errors(document) == []
    token = learner.client.get(f"/certificates/{certificate.code}/credential").get_data(True)
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert schema_errors(claims) == []
    # The check can fail: a single proof object (not the array the schema asks for).
    single = edited(document, lambda d: d.update(proof=d["proof"][0]))
    assert any("proof" in e for e in schema_errors(single))


# --- from outside: the Digital Credentials Consortium's verifier-core (npm), offline ---------


@pytest.fixture(scope="module")
def node() -> str:
    return node_with_verifier()


def test_dcc_verifier_core_verifies_ours_and_refuses_forgeries(node: str, tmp_path: Path):
    def dcc(document: dict[str, Any]) -> dict[str, Any]:
        path = tmp_path / "credential.jsonld"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        answer = dcc_verify(node, path)
        assert answer["networkAttempts"] == []
        return answer

    document = signed()
    fresh = dcc(document)
    assert fresh["verified"] is True, fresh
    steps = {step["id"]: step["valid"] for step in fresh["log"]}
    assert steps["valid_signature"] is True
    assert [entry["valid"] for entry in fresh["schema"]] == [True], fresh["schema"]

    tampered = dcc(edited(document, rename))
    assert tampered["verified"] is False
    assert [e["name"] for e in tampered["errors"]] == ["invalid_signature"], tampered

    # Another key's valid proof on a credential naming our issuer (and a changed name).
    other = Ed25519PrivateKey.generate()
    forged = dcc(signed_as_our_issuer(edited(document, rename), other))
    assert forged["verified"] is False
    assert [e["name"] for e in forged["errors"]] == ["invalid_signature"], forged
    # The same forgery made with our key verifies there too: the check can pass.
    assert dcc(signed_as_our_issuer(edited(document, rename), KEY))["verified"] is True


STATUS_LIST_URL = "https://elearn.palukota.go.id/certificates/status/1"


def status_list_credential(revoked: set[int], key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    """A W3C Bitstring Status List credential (16 KiB list, bit 0 the leftmost), secured
    like our credentials: what verifier-core needs to see a revocation."""
    bits = bytearray(16 * 1024)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:key:replaced-by-add-proof",
        "validFrom": "2026-02-05T00:00:00Z",
        "credentialSubject": {
            "id": f"{STATUS_LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded,
        },
    }
    return add_proof(credential, key, created=ISSUED)


def test_dcc_verifier_core_reads_revocation_from_a_signed_status_list(node: str, tmp_path: Path):
    credential = make_credential()
    credential["credentialStatus"] = {
        "id": f"{STATUS_LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": STATUS_LIST_URL,
    }
    document_file = tmp_path / "credential.jsonld"
    document_file.write_text(json.dumps(signed(credential)), encoding="utf-8")

    def dcc(revoked: set[int]) -> dict[str, Any]:
        listed = tmp_path / "status.json"
        listed.write_text(json.dumps(status_list_credential(revoked)), encoding="utf-8")
        answer = dcc_verify(node, document_file, {STATUS_LIST_URL: listed})
        assert answer["networkAttempts"] == []
        return answer

    valid = dcc({41, 43})
    assert valid["verified"] is True and steps(valid)["revocation_status"] is True, valid
    revoked = dcc({42})
    assert revoked["verified"] is False, revoked
    assert steps(revoked)["valid_signature"] is True
    assert steps(revoked)["revocation_status"] is False
    # verifier-core 1.0.0-beta.11 checks the list's own proof but not that its issuer is the
    # credential's (it passes verifyMatchingIssuers: false): the list's URL, on our host, is
    # what ties it to us (docs/credentials.md). A list whose proof fails is refused, though.
    broken = status_list_credential({41})
    broken["credentialSubject"]["encodedList"] = status_list_credential(set())["credentialSubject"][
        "encodedList"
    ]
    listed = tmp_path / "broken.json"
    listed.write_text(json.dumps(broken), encoding="utf-8")
    tampered = dcc_verify(node, document_file, {STATUS_LIST_URL: listed})
    assert tampered["verified"] is False, tampered
    assert steps(tampered)["revocation_status"]["name"] == "status_list_signature_error"


def test_dcc_verifier_core_verifies_a_freshly_issued_download(
    node: str, app: Flask, tmp_path: Path
) -> None:
    learner, certificate = complete_course(app, tmp_path)
    url = f"/certificates/{certificate.code}/credential.jsonld"
    path = tmp_path / "download.jsonld"
    path.write_bytes(learner.client.get(url).data)
    status_url = json.loads(path.read_text())["credentialStatus"]["statusListCredential"]
    listed = tmp_path / "status.jsonld"

    def verified_now() -> dict[str, Any]:
        # The app's own JSON-LD status list, handed to the verifier for its URL.
        listed.write_bytes(app.test_client().get(status_url).data)
        return dcc_verify(node, path, {status_url: listed})

    answer = verified_now()
    assert answer["verified"] is True, answer
    assert answer["networkAttempts"] == [] and answer["schema"][0]["valid"] is True
    revoke(certificate, make_user(Role.ADMIN, name="Admin"), "Nilai keliru")
    db.session.commit()
    revoked = verified_now()
    assert revoked["verified"] is False
    assert steps(revoked)["revocation_status"] is False, revoked
    # The same download with the learner's name changed in the file.
    document = json.loads(path.read_text(encoding="utf-8"))
    rename(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert dcc_verify(node, path)["verified"] is False
