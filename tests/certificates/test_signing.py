"""Ed25519 signing key, JWK thumbprint, canonical JSON and payload signatures."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elearn import private_files
from elearn.certificates.signing import (
    KEY_FILENAME,
    canonical_json,
    key_id,
    load_signing_key,
    public_jwk,
    sign_payload,
    verify_payload,
)

# RFC 8037 Appendix A.1–A.3: an Ed25519 key, its public x and its RFC 7638 thumbprint.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def raw_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def pem_text(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def same_key(a: Ed25519PrivateKey, b: Ed25519PrivateKey) -> bool:
    return raw_bytes(a) == raw_bytes(b)


def payload() -> dict[str, object]:
    return {
        "code": "abcdefghijklmnopqrstuv",
        "learner_name": "Siti Aminah, S.Kom.",
        "nip": "198609262015051001",
        "jp": 6,
        "completed_on": "2026-02-05",
        "signatory_nip": None,
    }


# --- loading the key ---------------------------------------------------------------------------


def test_pem_with_real_newlines_loads(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    assert same_key(load_signing_key(str(tmp_path), pem_text(key)), key)
    assert not (tmp_path / KEY_FILENAME).exists()  # configured keys never touch instance/


def test_pem_with_escaped_newlines_and_quotes_loads(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    one_line = '"' + pem_text(key).replace("\n", "\\n") + '"'
    assert "\n" not in one_line
    assert same_key(load_signing_key(str(tmp_path), one_line), key)


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_raw_key_in_base64_or_base64url_loads(
    tmp_path: Path, encode: Callable[[bytes], bytes]
) -> None:
    key = Ed25519PrivateKey.generate()
    text = encode(raw_bytes(key)).decode()
    assert same_key(load_signing_key(str(tmp_path), text), key)
    assert same_key(load_signing_key(str(tmp_path), text.rstrip("=")), key)


def test_rfc8037_key_gives_its_published_x_and_thumbprint(tmp_path: Path) -> None:
    key = load_signing_key(str(tmp_path), RFC8037_D)
    jwk = public_jwk(key.public_key())
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": RFC8037_X,
        "kid": RFC8037_THUMBPRINT,
        "alg": "EdDSA",
        "use": "sig",
    }
    assert key_id(key.public_key()) == RFC8037_THUMBPRINT
    assert "d" not in jwk


def test_seed_followed_by_public_key_loads_and_a_wrong_half_is_refused(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    good = base64.b64encode(raw_bytes(key) + public).decode()
    assert same_key(load_signing_key(str(tmp_path), good), key)
    bad = base64.b64encode(raw_bytes(key) + bytes(32)).decode()
    with pytest.raises(ValueError, match="CERTIFICATE_SIGNING_KEY"):
        load_signing_key(str(tmp_path), bad)


def test_missing_key_is_generated_private_and_stable(tmp_path: Path) -> None:
    instance = tmp_path / "instance" / "nested"  # does not exist yet
    first = load_signing_key(str(instance), None)
    path = instance / KEY_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8
    assert same_key(load_signing_key(str(instance), ""), first)
    assert same_key(load_signing_key(str(instance), "   "), first)
    assert [p.name for p in instance.iterdir()] == [KEY_FILENAME]  # no temporary left


def test_existing_key_file_is_never_replaced(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / KEY_FILENAME
    path.write_text(pem_text(key))
    path.chmod(0o600)
    assert same_key(load_signing_key(str(tmp_path), None), key)
    assert path.read_text() == pem_text(key)


def test_concurrent_creation_keeps_the_first_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = Ed25519PrivateKey.generate()
    path = tmp_path / KEY_FILENAME
    real_link = os.link

    def link_after_another_worker(source: str, target: Path) -> None:
        path.write_text(pem_text(winner))  # another worker linked its key just before us
        path.chmod(0o600)
        real_link(source, target)

    monkeypatch.setattr(private_files.os, "link", link_after_another_worker)
    assert same_key(load_signing_key(str(tmp_path), None), winner)
    assert path.read_text() == pem_text(winner)
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILENAME]


def test_malformed_key_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / KEY_FILENAME).write_text("-----BEGIN PRIVATE KEY-----\nnope\n")
    with pytest.raises(ValueError, match=KEY_FILENAME):
        load_signing_key(str(tmp_path), None)


def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def encrypted_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"rahasia"),
        )
        .decode()
    )


def public_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not a key at all!", "neither"),
        (base64.b64encode(b"sixteen byte key").decode(), "16 bytes"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "PEM"),
        (rsa_pem(), "Ed25519"),
        (encrypted_pem(), "encrypted"),
        (public_pem(), "PEM private key"),
    ],
)
def test_malformed_environment_value_is_a_clear_error(
    tmp_path: Path, value: str, reason: str
) -> None:
    with pytest.raises(ValueError, match="CERTIFICATE_SIGNING_KEY") as error:
        load_signing_key(str(tmp_path), value)
    assert reason in str(error.value)
    assert value not in str(error.value)  # a secret is never echoed into logs
    assert not (tmp_path / KEY_FILENAME).exists()  # and no fallback key is made


# --- canonical JSON ----------------------------------------------------------------------------


def test_canonical_json_is_independent_of_key_order() -> None:
    a = {"b": {"y": 1, "x": [True, None]}, "a": "é", "c": -3}
    b = {"c": -3, "a": "é", "b": {"x": [True, None], "y": 1}}
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == '{"a":"é","b":{"x":[true,null],"y":1},"c":-3}'.encode()


def test_canonical_json_escapes_like_rfc8785() -> None:
    assert canonical_json(['\n\t"\\', "\x01", "\u2028", "€"]) == (
        '["\\n\\t\\"\\\\","\\u0001","\u2028","€"]'.encode()
    )


def test_canonical_json_sorts_keys_by_utf16_code_units() -> None:
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB01 in UTF-16.
    assert canonical_json({"\ufb01": 1, "\U0001f600": 2}) == '{"😀":2,"ﬁ":1}'.encode()


@pytest.mark.parametrize(
    "bad",
    [
        {"jp": 6.0},
        {"nested": [{"score": 86.5}]},
        {"nan": float("nan")},
        {1: "int key"},
        {"big": 2**53},
        {"when": object()},
        {"lone": "\ud800"},
    ],
)
def test_canonical_json_rejects_values_outside_the_subset(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        canonical_json(bad)


# --- signatures --------------------------------------------------------------------------------


def test_sign_then_verify() -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign_payload(key, payload())
    assert verify_payload(key.public_key(), payload(), signature)
    assert len(signature) == 86 and "=" not in signature  # 64 bytes, base64url unpadded
    assert sign_payload(key, payload()) == signature  # Ed25519 is deterministic


def test_verification_ignores_key_order() -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign_payload(key, payload())
    assert verify_payload(key.public_key(), dict(reversed(payload().items())), signature)


@pytest.mark.parametrize(
    "change",
    [
        {"jp": 60},
        {"learner_name": "Siti Aminah, S.Kom"},
        {"completed_on": "2026-02-06"},
        {"signatory_nip": ""},
        {"extra": 1},
    ],
)
def test_tampered_payload_fails(change: dict[str, object]) -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign_payload(key, payload())
    assert not verify_payload(key.public_key(), {**payload(), **change}, signature)


def test_wrong_key_fails() -> None:
    signature = sign_payload(Ed25519PrivateKey.generate(), payload())
    assert not verify_payload(Ed25519PrivateKey.generate().public_key(), payload(), signature)


@pytest.mark.parametrize("signature", ["", "!!!!", "AAAA", "A" * 86 + "==", "A" * 87, None, 7])
def test_malformed_signature_is_false_not_an_error(signature: Any) -> None:
    key = Ed25519PrivateKey.generate()
    assert verify_payload(key.public_key(), payload(), signature) is False


def test_payload_outside_the_subset_verifies_false() -> None:
    key = Ed25519PrivateKey.generate()
    signature = sign_payload(key, payload())
    assert verify_payload(key.public_key(), {**payload(), "jp": 6.0}, signature) is False
