"""The Bitstring Status List: every credential names a bit, revocation sets it, an admin's
unrevocation clears it, and the list is a signed, cacheable credential anyone can read."""

from __future__ import annotations

import base64
import gzip
import random
import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from elearn.certificates import status_list
from elearn.certificates.credential import STATUS_LIST_TYPES, decode_vc_jwt
from elearn.certificates.keys import current_key_id, signing_key
from elearn.extensions import db
from elearn.models import AuditEntry, Certificate, JpBadge, Role, StatusListEntry
from tests.badges.helpers import training
from tests.certificates.helpers import NO_QUIZZES, complete_course
from tests.conftest import AuthActions, csrf_token, run_in_parallel
from tests.factories import make_unit, make_user
from tests.learning.helpers import publish_course, sign_in


def keys() -> dict[str, object]:
    return {current_key_id(): signing_key().public_key()}


def fetch_list(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200, response.status_code
    credential = decode_vc_jwt(response.get_data(as_text=True), keys(), kinds=STATUS_LIST_TYPES)  # type: ignore[arg-type]
    return response, credential


def downloaded_status(learner) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return credential_of(learner)["credentialStatus"]


def credential_of(learner) -> dict:  # type: ignore[no-untyped-def, type-arg]
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.user_id == learner.user.id)
    )
    token = learner.client.get(f"/certificates/{certificate.code}/credential")
    return decode_vc_jwt(token.get_data(as_text=True), keys())  # type: ignore[arg-type]


def test_encoded_list_is_gzip_base64url_multibase_of_131072_bits_msb_first():
    encoded = status_list.encode_bits([0, 9, 131_071])
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == 131_072
    # Bit 0 is the left-most bit of the first byte (the spec's order).
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01
    assert sum(bin(b).count("1") for b in raw) == 3
    assert status_list.decode_bits(encoded) == raw
    assert status_list.encode_bits([5]) == status_list.encode_bits([5])  # stable bytes
    with pytest.raises(ValueError):
        status_list.encode_bits([131_072])
    with pytest.raises(ValueError):
        status_list.decode_bits("not-multibase")


def test_revocation_sets_the_bit_and_only_an_admin_clears_it(app: Flask, runner, tmp_path: Path):
    unit = make_unit(code="palu")
    learner, certificate = complete_course(app, tmp_path, unit=unit)
    code = certificate.code
    status = downloaded_status(learner)
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    url = status["statusListCredential"]
    assert url == "http://localhost/certificates/status/1"
    assert status["id"] == f"{url}#{status['statusListIndex']}"
    index = int(status["statusListIndex"])

    public = app.test_client()  # any verifier, signed in or not
    response, listed = fetch_list(public, url)
    assert response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    assert public.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"]["id"] == "http://localhost/certificates/issuer"
    assert status_list.is_revoked_in(listed, status) is False

    admin = make_user(Role.ADMIN, name="Admin Satu")
    result = runner.invoke(
        args=["certificates", "revoke", code, "--reason", "Data keliru", "--by", admin.nip]
    )
    assert result.exit_code == 0, result.output
    stale = public.get(url, headers={"If-None-Match": etag})
    assert stale.status_code == 200 and stale.headers["ETag"] != etag
    _, listed = fetch_list(public, url)
    assert status_list.is_revoked_in(listed, status) is True
    bits = status_list.decode_bits(listed["credentialSubject"]["encodedList"])
    assert sum(bin(b).count("1") for b in bits) == 1 and status_list.bit_is_set(bits, index)
    # The credential downloaded after revocation names the very same bit.
    assert downloaded_status(learner) == status

    coordinator = make_user(Role.COORDINATOR, scope=[unit], name="Koordinator Palu")
    evaluator = make_user(Role.EVALUATOR, scope=[unit], name="Evaluator Palu")
    for who in (coordinator, evaluator, learner.user):
        result = runner.invoke(
            args=["certificates", "unrevoke", code, "--reason", "Keliru", "--by", who.nip]
        )
        assert result.exit_code == 1 and "only an admin may unrevoke" in result.output
        client = app.test_client()
        AuthActions(client).login(who.nip)
        page = client.get(f"/certificates/{code}").get_data(as_text=True)
        assert "Batalkan pencabutan" not in page
        refused = client.post(
            f"/certificates/{code}/unrevoke",
            data={"csrf_token": csrf_token(client, "/"), "reason": "Keliru"},
        )
        assert refused.status_code == 403
    db.session.expire_all()
    refusals = db.session.scalars(
        select(AuditEntry.user_id).where(AuditEntry.action == "certificates.unrevoke.refused")
    ).all()
    # Each refused on the page and in the CLI, and the refusal recorded.
    assert sorted(refusals) == sorted(2 * [coordinator.id, evaluator.id, learner.user.id])
    assert certificate.revoked_at is not None
    _, listed = fetch_list(public, url)
    assert status_list.is_revoked_in(listed, status) is True

    other_admin = make_user(Role.ADMIN, name="Admin Dua")
    client = app.test_client()
    AuthActions(client).login(other_admin.nip)
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Batalkan pencabutan" in page
    empty = client.post(
        f"/certificates/{code}/unrevoke",
        data={"csrf_token": csrf_token(client, f"/certificates/{code}"), "reason": " "},
    )
    assert empty.status_code == 302
    db.session.expire_all()
    assert certificate.revoked_at is not None  # no reason, no unrevocation
    done = client.post(
        f"/certificates/{code}/unrevoke",
        data={
            "csrf_token": csrf_token(client, f"/certificates/{code}"),
            "reason": "Keputusan banding BKPSDM",
        },
        follow_redirects=True,
    )
    assert "Pencabutan dibatalkan" in done.get_data(as_text=True)
    db.session.expire_all()
    assert certificate.revoked_at is None and certificate.revoked_reason is None
    _, listed = fetch_list(public, url)
    assert status_list.is_revoked_in(listed, status) is False
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certificates.unrevoke")
    )
    assert entry is not None and entry.user_id == other_admin.id and entry.created_at
    assert entry.filters["reason"] == "Keputusan banding BKPSDM"
    assert entry.filters["revoked_reason"] == "Data keliru"
    assert entry.filters["revoked_by_id"] == admin.id

    # And the CLI path for an admin, after revoking again.
    runner.invoke(args=["certificates", "revoke", code, "--reason", "Lagi", "--by", admin.nip])
    result = runner.invoke(
        args=["certificates", "unrevoke", code, "--reason", "Banding", "--by", other_admin.nip]
    )
    assert result.exit_code == 0 and "unrevoked" in result.output
    _, listed = fetch_list(public, url)
    assert status_list.is_revoked_in(listed, status) is False


def test_unknown_lists_are_404_and_list_one_always_answers(app: Flask):
    client = app.test_client()
    assert client.get("/certificates/status/2").status_code == 404
    response, listed = fetch_list(client, "/certificates/status/1")
    assert status_list.decode_bits(listed["credentialSubject"]["encodedList"]) == bytes(16384)


def test_a_credential_without_a_bit_gets_one_when_downloaded(app: Flask, tmp_path: Path):
    learner, certificate = complete_course(app, tmp_path)
    db.session.query(StatusListEntry).delete()  # as a row restored from before 0015
    db.session.commit()
    status = downloaded_status(learner)
    entry = db.session.scalar(select(StatusListEntry))
    assert entry is not None and entry.certificate_id == certificate.id
    assert status["statusListIndex"] == str(entry.status_index)
    assert downloaded_status(learner) == status  # once, not per download


def test_a_rush_of_learners_gets_distinct_bits_even_when_draws_collide(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Thirty learners complete at once; each gets a certificate and a badge (18 + 2 JP).

    Draws are forced into 0..95 so that parallel issuers hit the same bits: the unique
    constraint and the redraw must still give every credential exactly one bit of its own.
    """
    learners_count = 30
    narrow = random.Random(7)
    lock = threading.Lock()

    def colliding_draw() -> int:
        with lock:
            return narrow.randrange(96)

    monkeypatch.setattr(status_list, "_draw", colliding_draw)
    publish_course(tmp_path, **NO_QUIZZES)  # 2 JP
    learners = [sign_in(app, name=f"Peserta {i:02d}") for i in range(learners_count)]
    for learner in learners:
        training(learner.user, 18)
        learner.enroll()
    waiting = list(learners)
    statuses: list[int] = []

    def complete() -> None:
        with lock:
            learner = waiting.pop()
        statuses.append(learner.post("/learn/dasar-proyek/siklus/complete").status_code)

    errors = run_in_parallel(app, learners_count, complete)
    assert errors == [] and statuses == [302] * learners_count
    db.session.expire_all()
    certificates = db.session.scalar(select(func.count()).select_from(Certificate))
    badges = db.session.scalar(select(func.count()).select_from(JpBadge))
    assert certificates == badges == learners_count
    entries = db.session.scalars(select(StatusListEntry)).all()
    assert len(entries) == 2 * learners_count
    assert len({(e.list_no, e.status_index) for e in entries}) == len(entries)
    assert {e.certificate_id for e in entries if e.certificate_id} == set(
        db.session.scalars(select(Certificate.id))
    )
    assert {e.badge_id for e in entries if e.badge_id} == set(
        db.session.scalars(select(JpBadge.id))
    )


def test_migration_0015_gives_every_existing_credential_one_random_bit(
    app: Flask, runner, tmp_path: Path
):
    import importlib.util

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from elearn import clock
    from elearn.badges.issuance import issue_due_badges
    from elearn.settings import current_settings

    first, kept = complete_course(app, tmp_path)
    training(first.user, 18)
    issue_due_badges(clock.now(), current_settings())
    _, revoked = complete_course(app, tmp_path)
    admin = make_user(Role.ADMIN, name="Admin Satu")
    result = runner.invoke(
        args=["certificates", "revoke", revoked.code, "--reason", "Ganda", "--by", admin.nip]
    )
    assert result.exit_code == 0, result.output
    kept_id, revoked_id = kept.id, revoked.id
    # The database as it was before 0015: no status list entries at all.
    db.session.commit()
    db.session.close()
    StatusListEntry.__table__.drop(db.engine)  # type: ignore[attr-defined]

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0015_status_list.py"
    spec = importlib.util.spec_from_file_location("migration_0015", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with (
        db.engine.begin() as connection,
        Operations.context(MigrationContext.configure(connection)),
    ):
        migration.upgrade()
        # 0029p's column, so the model reads the table (0029p is tested in test_migrations).
        connection.exec_driver_sql(
            "ALTER TABLE status_list_entry ADD COLUMN program_certificate_id INTEGER"
        )

    db.session.expire_all()
    entries = db.session.scalars(select(StatusListEntry)).all()
    badge = db.session.scalar(select(JpBadge))
    assert badge is not None
    assert sorted((e.certificate_id or 0, e.badge_id or 0) for e in entries) == sorted(
        [(kept_id, 0), (revoked_id, 0), (0, badge.id)]
    )
    assert len({e.status_index for e in entries}) == 3 and {e.list_no for e in entries} == {1}
    assert {e.certificate_id: e.revoked for e in entries if e.certificate_id} == {
        kept_id: False,
        revoked_id: True,
    }
    # The list published right after the migration already says which one is revoked.
    _, listed = fetch_list(app.test_client(), "/certificates/status/1")
    bits = status_list.decode_bits(listed["credentialSubject"]["encodedList"])
    by_id = {e.certificate_id: e.status_index for e in entries if e.certificate_id}
    assert status_list.bit_is_set(bits, by_id[revoked_id])
    assert not status_list.bit_is_set(bits, by_id[kept_id])
