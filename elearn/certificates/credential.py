"""The certificate as an Open Badges 3.0 credential, secured as a VC-JWT signed with Ed25519.

See docs/credentials.md for what the credential holds and how integrators verify it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from elearn import clock
from elearn.certificates.document import BadgeDocument, CertificateDocument
from elearn.certificates.signing import key_id

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER_PATH = "/certificates/issuer"
KEYS_PATH = "/certificates/keys/"
CRITERIA = "Menyelesaikan semua modul dan lulus kuis wajib."
BADGE_PATH = "/badges/"
JP_RESULT_TYPE = "ext:JamPelajaran"
# OB 3.0 "Create the JOSE Header" wants typ "JWT"; VC-JOSE-COSE suggests "vc+jwt". Accept both.
JOSE_TYP = "JWT"
ACCEPTED_TYP = frozenset({"jwt", "vc+jwt", "application/jwt", "application/vc+jwt"})
JWT_CLAIMS = frozenset({"iss", "sub", "jti", "nbf", "exp", "iat", "aud"})
CLOCK_SKEW = timedelta(minutes=5)
BADGE_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
STATUS_LIST_TYPES = frozenset({"BitstringStatusListCredential"})


@dataclass(frozen=True)
class Achievement:
    """What a credential attests when it is not one course: e.g. a program (learning path)."""

    id: str
    achievement_type: str  # an OB 3.0 AchievementType, e.g. "LearningProgram"
    description: str
    criteria: str


class InvalidCredential(ValueError):
    """A VC-JWT that is malformed, altered, signed by an unknown key, or not valid now."""


def build_credential(
    doc: CertificateDocument,
    *,
    base_url: str,
    issuer_name: str,
    issuer_url: str,
    subject_salt: str,
    course_slug: str | None = None,
    issued_at: datetime | None = None,
    status: Mapping[str, str] | None = None,
    issuer_id: str | None = None,
    credential_id: str | None = None,
    achievement: Achievement | None = None,
) -> dict[str, Any]:
    """Describe the certificate as an OB 3.0 OpenBadgeCredential (unsigned JSON).

    ``status`` is its BitstringStatusListEntry (``status_list.status_entry``); ``issuer_id``
    the issuing instansi's profile URL (``elearn.issuers.urls.issuer_id``), by default the
    platform's. A program certificate gives its own ``credential_id`` and ``achievement``
    (``elearn.programs.credential``); by default both are the course's.
    """
    if not subject_salt:
        raise ValueError("subject_salt must not be empty")
    base = base_url.rstrip("/")
    credential_id = credential_id or f"{base}/certificates/{doc.code}/credential"
    achievement = achievement or Achievement(
        id=_achievement_id(base, doc, course_slug),
        achievement_type="Course",
        description=(
            f"Pelatihan e-learning mandiri {doc.jp} JP untuk pengembangan "
            f"kompetensi {doc.competency} aparatur sipil negara."
        ),
        criteria=CRITERIA,
    )
    achievement_id = achievement.id
    jp_result_id = f"{achievement_id}#jp"
    completed = doc.completed_on.strftime("%d/%m/%Y")
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Sertifikat {doc.course_title}",
        "description": (
            f"Sertifikat nomor {doc.number} dari {issuer_name}: pelatihan e-learning "
            f"{doc.course_title} ({doc.jp} JP), diselesaikan {completed}."
        ),
        "issuer": {
            "id": issuer_id or f"{base}{ISSUER_PATH}",
            "type": ["Profile"],
            "name": issuer_name,
            "url": issuer_url,
        },
        "validFrom": _valid_from(doc.issued_on, issued_at),
        "credentialSubject": {
            # Opaque and per credential: gives the JWT its `sub` without linking credentials.
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_id + '#subject')}",
            "type": ["AchievementSubject"],
            "identifier": _identifiers(doc, subject_salt),
            "activityStartDate": _start_of_day(doc.enrolled_on),
            "activityEndDate": _start_of_day(doc.completed_on),
            "result": [
                {"type": ["Result"], "resultDescription": jp_result_id, "value": str(doc.jp)}
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": achievement.achievement_type,
                "name": doc.course_title,
                "description": achievement.description,
                "criteria": {"narrative": achievement.criteria},
                "version": doc.course_version,
                "inLanguage": "id",
                "tag": [f"Kompetensi {doc.competency}", "E-learning"],
                "resultDescription": [
                    {
                        "id": jp_result_id,
                        "type": ["ResultDescription"],
                        "name": "Jam Pelajaran (JP)",
                        "resultType": JP_RESULT_TYPE,
                        "valueMin": "0",
                    }
                ],
            },
        },
        "evidence": [
            {
                "id": doc.verify_url,
                "type": ["Evidence"],
                "name": f"Sertifikat nomor {doc.number}",
                "description": "Halaman verifikasi publik; menyatakan juga bila dicabut.",
                "narrative": doc.score_summary,
            }
        ],
    }
    if status is not None:
        credential["credentialStatus"] = dict(status)
    return credential


def build_badge_credential(
    doc: BadgeDocument,
    *,
    base_url: str,
    issuer_url: str,
    issued_at: datetime,
    status: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Describe a Pembelajar ASN badge as an OB 3.0 OpenBadgeCredential (unsigned JSON).

    The achievement is the same for every learner of a year; the result and the evidence
    carry the learner's own JP of that year.
    """
    base = base_url.rstrip("/")
    credential_id = f"{base}{BADGE_PATH}{doc.code}/credential"
    achievement_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/badges#{doc.year}')}"
    jp_result_id = f"{achievement_id}#jp"
    title = f"Pembelajar ASN {doc.year}"
    criteria = (
        f"Mengumpulkan paling sedikit {doc.target} JP pengembangan kompetensi dalam tahun "
        f"kalender {doc.year}: pelatihan eLearn ASN yang sertifikatnya tidak dicabut dan "
        "kegiatan eksternal yang telah diverifikasi koordinator."
    )
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": (
            f"{doc.learner_name} mencapai {doc.jp} JP pengembangan kompetensi pada tahun "
            f"{doc.year} (target {doc.target} JP)."
        ),
        "issuer": {
            "id": f"{base}{ISSUER_PATH}",
            "type": ["Profile"],
            "name": doc.issuer_name,
            "url": issuer_url,
        },
        "validFrom": _valid_from(doc.issued_on, issued_at),
        "credentialSubject": {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_id + '#subject')}",
            "type": ["AchievementSubject"],
            "identifier": _identifiers_of(doc.learner_name, doc.nip, doc.code),
            "result": [
                {"type": ["Result"], "resultDescription": jp_result_id, "value": str(doc.jp)}
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": title,
                "description": (
                    f"Pengakuan bagi aparatur sipil negara yang memenuhi {doc.target} JP "
                    f"pengembangan kompetensi pada tahun {doc.year}."
                ),
                "criteria": {"narrative": criteria},
                "inLanguage": "id",
                "tag": ["Pembelajar ASN", "Jam Pelajaran"],
                "resultDescription": [
                    {
                        "id": jp_result_id,
                        "type": ["ResultDescription"],
                        "name": "Jam Pelajaran (JP)",
                        "resultType": JP_RESULT_TYPE,
                        "valueMin": str(doc.target),
                    }
                ],
            },
        },
        "evidence": [
            {
                "id": doc.verify_url,
                "type": ["Evidence"],
                "name": f"Rekap JP tahun {doc.year}",
                "description": "Halaman verifikasi publik lencana ini.",
                "narrative": (
                    f"{doc.jp} JP tercatat dalam riwayat pengembangan kompetensi tahun {doc.year}."
                ),
            }
        ],
    }
    if status is not None:
        credential["credentialStatus"] = dict(status)
    return credential


def identity_hash(identity: str, salt: str) -> str:
    """Return the OB IdentityHash "sha256$<hex>" of identity followed by salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def key_url(base_url: str, public_key: Ed25519PublicKey) -> str:
    """Return the absolute URL that serves the public JWK: the `kid` of every VC-JWT."""
    return f"{base_url.rstrip('/')}{KEYS_PATH}{key_id(public_key)}"


def encode_vc_jwt(
    credential: Mapping[str, Any], key: Ed25519PrivateKey, *, kid: str | None = None
) -> str:
    """Sign the credential as a compact JWS whose claims set is the credential itself.

    ``kid`` is the URL of the key's JWK (``elearn.issuers.urls.key_url``); without it the
    issuer must be the platform's /certificates/issuer, whose keys are /certificates/keys/.
    """
    claims = _registered_claims(credential)
    clash = sorted(claims.keys() & credential.keys())
    if clash:
        raise ValueError(f"the credential already has JWT claim names: {', '.join(clash)}")
    issuer_id = claims["iss"]
    if kid is None:
        if not issuer_id.endswith(ISSUER_PATH):
            raise ValueError(f"issuer.id must end with {ISSUER_PATH} to locate the key URL")
        kid = key_url(issuer_id.removesuffix(ISSUER_PATH), key.public_key())
    elif not kid.endswith("/" + key_id(key.public_key())):
        raise ValueError("kid must be the URL of the signing key (ending with its thumbprint)")
    headers = {"kid": kid, "typ": JOSE_TYP}
    return jwt.encode({**credential, **claims}, key, algorithm="EdDSA", headers=headers)


def decode_vc_jwt(
    token: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    kinds: frozenset[str] = BADGE_TYPES,
) -> dict[str, Any]:
    """Verify a VC-JWT with the key its kid names; return the credential without JWT claims.

    `keys` maps a key's thumbprint (key_id) or its full key URL to the public key; `kinds`
    are the credential types accepted (one must be present): badges by default, or
    STATUS_LIST_TYPES for a status list.
    """
    header = _checked_header(token)
    public_key = _key_for(header["kid"], keys)
    try:
        claims = jwt.decode(
            token.strip(),
            public_key,
            algorithms=["EdDSA"],
            # Validity dates are checked below against elearn.clock, like every rule.
            options={
                "require": ["iss", "jti", "nbf", "sub"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_aud": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise InvalidCredential(
            "the signature does not match: the credential was altered or signed by another key"
        ) from None
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidCredential(f"the JWT lacks the required claim {exc.claim!r}") from None
    except jwt.PyJWTError as exc:
        raise InvalidCredential(f"unreadable VC-JWT: {exc}") from None
    credential = {name: value for name, value in claims.items() if name not in JWT_CLAIMS}
    _check_shape(credential, kinds)
    _check_claims(claims, credential)
    _check_validity(credential)
    return credential


def _achievement_id(base: str, doc: CertificateDocument, course_slug: str | None) -> str:
    if course_slug:
        return f"{base}/courses/{course_slug}"
    # Without a slug there is no page to point at: a stable name-based UUID will do (the
    # OB 3.0 implementation guide accepts UUID achievement ids).
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/courses#{doc.course_title}')}"


def _identifiers(doc: CertificateDocument, salt: str) -> list[dict[str, Any]]:
    return _identifiers_of(doc.learner_name, doc.nip, salt)


def _identifiers_of(name: str, nip_text: str, salt: str) -> list[dict[str, Any]]:
    """The learner's name in clear and a salted hash of the NIP; never the NIP itself."""
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": name,
        }
    ]
    nip = re.sub(r"\s+", "", nip_text)
    if nip:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "identifier",
                "hashed": True,
                "identityHash": identity_hash(nip, salt),
                "salt": salt,
            }
        )
    return identifiers


def _valid_from(issued_on: date, issued_at: datetime | None) -> str:
    if issued_at is not None:
        moment = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        return _timestamp_text(moment)
    # Only the date is known. Midnight UTC keeps the date right in every Indonesian zone, but
    # lies in the future for a few hours after local midnight: never claim a future start.
    midnight = datetime.combine(issued_on, time(0), tzinfo=UTC)
    return _timestamp_text(min(midnight, clock.now()))


def _start_of_day(day: date) -> str:
    return _timestamp_text(datetime.combine(day, time(0), tzinfo=UTC))


def _timestamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_timestamp(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidCredential(f"{name} is not a date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidCredential(f"{name} {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise InvalidCredential(f"{name} {value!r} has no time zone")
    return moment


def _registered_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """iss, jti, nbf and sub (and exp) as OB 3.0 "JWT Payload Format" derives them."""
    issuer_id = _object_id(credential.get("issuer"))
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, Mapping) else None
    credential_id = credential.get("id")
    if not (issuer_id and isinstance(credential_id, str) and isinstance(subject_id, str)):
        raise ValueError("the credential needs id, issuer.id and credentialSubject.id")
    valid_from = _parse_timestamp(credential.get("validFrom"), "validFrom")
    claims: dict[str, Any] = {
        "iss": issuer_id,
        "jti": credential_id,
        "nbf": int(valid_from.timestamp()),
        "sub": subject_id,
    }
    if "validUntil" in credential:
        claims["exp"] = int(_parse_timestamp(credential["validUntil"], "validUntil").timestamp())
    return claims


def _object_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _checked_header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or token.strip().count(".") != 2:
        raise InvalidCredential("not a compact JWS: expected three base64url parts")
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError as exc:
        raise InvalidCredential(f"unreadable JOSE header: {exc}") from None
    alg = header.get("alg")
    if alg != "EdDSA":
        # Refuses "none" and HS256 (an attacker's HMAC keyed with our public key) outright.
        raise InvalidCredential(f"algorithm {alg!r} is refused; only EdDSA (Ed25519) is accepted")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYP:
        raise InvalidCredential(f"typ {typ!r} is not a VC-JWT type (JWT or vc+jwt)")
    if "crit" in header or "b64" in header:
        raise InvalidCredential("crit and b64 (unencoded payload) JOSE headers are not supported")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise InvalidCredential("the JOSE header names no key (kid)")
    return header


def _key_for(kid: str, keys: Mapping[str, Ed25519PublicKey]) -> Ed25519PublicKey:
    thumbprint = re.split(r"[/#]", kid)[-1]
    public_key = keys.get(kid) or keys.get(thumbprint)
    if public_key is None:
        raise InvalidCredential(f"unknown signing key {kid!r}")
    return public_key


def _check_shape(credential: Mapping[str, Any], kinds: frozenset[str]) -> None:
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_CONTEXT:
        raise InvalidCredential(f"@context must start with {VC_CONTEXT}")
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise InvalidCredential("type must include VerifiableCredential")
    if not kinds & set(types):
        raise InvalidCredential(f"type must include {' or '.join(sorted(kinds))}")
    if not isinstance(credential.get("credentialSubject"), Mapping):
        raise InvalidCredential("credentialSubject must be one object")


def _check_claims(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> None:
    """Each registered claim must equal its credential property (OB 3.0 VC-JWT verification)."""
    try:
        expected = _registered_claims(credential)
    except ValueError as exc:
        raise InvalidCredential(str(exc)) from None
    for name in ("iss", "jti", "sub", "nbf", "exp"):
        if claims.get(name) != expected.get(name):
            raise InvalidCredential(f"the JWT claim {name!r} does not match the credential")


def _check_validity(credential: Mapping[str, Any]) -> None:
    now = clock.now()
    valid_from = _parse_timestamp(credential["validFrom"], "validFrom")
    if valid_from > now + CLOCK_SKEW:
        raise InvalidCredential(f"not valid before {credential['validFrom']}")
    if "validUntil" in credential:
        if _parse_timestamp(credential["validUntil"], "validUntil") < now - CLOCK_SKEW:
            raise InvalidCredential(f"expired on {credential['validUntil']}")
