"""Backups carry the signing key and SECRET_KEY, sealed with a passphrase, and restore them.

The restore side is a fresh app: another instance folder with no key, and an empty
database (a new SQLite file; on PostgreSQL the test database with every table dropped).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from config import TestConfig
from elearn import create_app
from elearn.backup.keys import Key, plan_placements
from elearn.backup.snapshots import BackupError
from elearn.certificates.issuance import signature_valid
from elearn.certificates.signing import KEY_FILENAME, load_signing_key
from elearn.extensions import db
from elearn.issuers.keystore import FOLDER as ISSUER_KEYS
from elearn.models import Certificate
from elearn.pdf_signing.identity import LEGACY_FILENAME
from elearn.pdf_signing.store import FOLDER as PDF_SIGNERS
from elearn.settings import with_changes
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock
from tests.factories import make_unit
from tests.learning.helpers import sign_in

PASSPHRASE = "kata sandi cadangan 2026"


@pytest.fixture
def source(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app being backed up, with its own instance folder (its key is made on first use)."""
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    app.instance_path = str(tmp_path / "old-instance")
    app.extensions.pop("certificate_signing_key", None)
    return app


def issue_certificates(app: Flask, tmp_path: Path, count: int = 3) -> list[str]:
    unit = make_unit(code="palu")
    for number in range(count):
        complete_course(app, tmp_path, learner=sign_in(app, unit=unit, name=f"Peserta {number}"))
    db.session.commit()
    return list(db.session.scalars(select(Certificate.code)))


def passphrase_file(tmp_path: Path, text: str = PASSPHRASE) -> Path:
    path = tmp_path / "passphrase.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


def back_up(app: Flask, tmp_path: Path, *extra: str) -> Path:
    target = tmp_path / "backups" / "elearn.bin"
    args = ["backup", "create", "--output", str(target), *extra]
    if "--without-keys" not in extra and "--passphrase-file" not in extra:
        args += ["--passphrase-file", str(passphrase_file(tmp_path))]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return target


@contextmanager
def fresh_app(app: Flask, tmp_path: Path, **settings: object) -> Iterator[Flask]:
    """Another deployment: a new instance folder and an empty database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    config = type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})
    fresh = create_app(config)
    fresh.instance_path = str(tmp_path / "new-instance")
    db.session.commit()
    with fresh.app_context():
        db.drop_all()  # PostgreSQL: the source's tables; SQLite: a new, empty file
        db.session.remove()
        yield fresh
        db.session.remove()
        db.engine.dispose()


def signer_files(app: Flask, folder_name: str = PDF_SIGNERS) -> dict[str, str]:
    """A key folder of ``app``'s instance/ (pdf-signers/): file (relative) -> content."""
    folder = Path(app.instance_path) / folder_name
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*.pem")}


def restore(fresh: Flask, backup: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["backup", "restore", str(backup), "--yes", *extra]
    return fresh.test_cli_runner().invoke(args=args)


def verified(fresh: Flask) -> list[bool]:
    with fresh.app_context():
        fresh.extensions.pop("certificate_signing_key", None)
        return [signature_valid(c) for c in db.session.scalars(select(Certificate))]


def test_restore_elsewhere_and_every_certificate_verifies(
    source: Flask, tmp_path: Path, clock: FrozenClock
):
    codes = issue_certificates(source, tmp_path)
    learner = sign_in(source, name="Pemegang Badge")
    learner, certificate = complete_course(source, tmp_path, learner=learner)
    badge = tmp_path / "badge.jwt"
    badge.write_text(learner.client.get(f"/certificates/{certificate.code}/credential").text)
    number = certificate.number
    # Makes the deployment's PDF signing CA and the platform's signer.
    pdf = tmp_path / "sertifikat.pdf"
    pdf.write_bytes(learner.client.get(f"/certificates/{certificate.code}/pdf").data)
    pdf_signers = signer_files(source)
    assert set(pdf_signers) == {"ca.pem", "platform.pem"}
    backup = back_up(source, tmp_path)
    sealed = backup.with_name("elearn.bin.keys.age")
    assert sealed.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert sealed.stat().st_mode & 0o077 == 0
    assert b"PRIVATE KEY" not in sealed.read_bytes()

    with fresh_app(source, tmp_path) as fresh:
        result = restore(fresh, backup, "--passphrase-file", str(passphrase_file(tmp_path)))
        assert result.exit_code == 0, result.output
        assert (Path(fresh.instance_path) / KEY_FILENAME).is_file()
        # The same CA and signers: new PDFs chain to the root verifiers already trust, and
        # the PDFs signed before verify here.
        assert signer_files(fresh) == pdf_signers
        signed = fresh.test_cli_runner().invoke(args=["certificates", "verify", str(pdf)])
        assert signed.exit_code == 0 and f"VALID — {number}" in signed.output, signed.output
        assert verified(fresh) == [True] * (len(codes) + 1)
        check = fresh.test_cli_runner().invoke(args=["certificates", "verify", str(badge)])
        assert check.exit_code == 0, check.output
        assert f"VALID — {number}" in check.output


def test_without_the_keys_no_certificate_verifies_elsewhere(
    source: Flask, tmp_path: Path, clock: FrozenClock
):
    issue_certificates(source, tmp_path, count=2)
    backup = back_up(source, tmp_path, "--without-keys")
    assert not backup.with_name("elearn.bin.keys.age").exists()
    with fresh_app(source, tmp_path) as fresh:
        refused = restore(fresh, backup)
        assert refused.exit_code == 1 and "--without-keys" in refused.output
        result = restore(fresh, backup, "--without-keys")
        assert result.exit_code == 0, result.output
        assert verified(fresh) == [False, False]


def test_create_refuses_without_a_passphrase(source: Flask, tmp_path: Path):
    target = tmp_path / "backups" / "elearn.bin"
    runner = source.test_cli_runner()
    result = runner.invoke(args=["backup", "create", "--output", str(target)])
    assert result.exit_code == 1
    assert "no passphrase" in result.output and "--without-keys" in result.output
    assert not target.exists()
    short = passphrase_file(tmp_path, "pendek")
    result = runner.invoke(
        args=["backup", "create", "--output", str(target), "--passphrase-file", str(short)]
    )
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert not target.exists()
    result = runner.invoke(args=["backup", "create", "--output", str(target), "--without-keys"])
    assert result.exit_code == 0
    assert "NOT in this backup" in result.output


def test_wrong_passphrase_changes_nothing(source: Flask, tmp_path: Path, clock: FrozenClock):
    issue_certificates(source, tmp_path, count=1)
    backup = back_up(source, tmp_path)
    with fresh_app(source, tmp_path) as fresh:
        wrong = passphrase_file(tmp_path / "other", "bukan kata sandinya")
        result = restore(fresh, backup, "--passphrase-file", str(wrong))
        assert result.exit_code == 1
        assert "wrong passphrase" in result.output and "nothing was changed" in result.output
        assert not (Path(fresh.instance_path) / KEY_FILENAME).exists()
        assert inspect(db.engine).get_table_names() == []


def test_a_different_key_here_is_replaced_only_when_asked(
    source: Flask, tmp_path: Path, clock: FrozenClock
):
    issue_certificates(source, tmp_path, count=2)
    backup = back_up(source, tmp_path)
    with fresh_app(source, tmp_path) as fresh:
        existing = Path(fresh.instance_path) / KEY_FILENAME
        load_signing_key(fresh.instance_path, None)  # this deployment already made its own key
        own_key = existing.read_bytes()
        args = ("--passphrase-file", str(passphrase_file(tmp_path)))
        result = restore(fresh, backup, *args)
        assert result.exit_code == 1 and "--replace-keys" in result.output
        assert existing.read_bytes() == own_key
        assert inspect(db.engine).get_table_names() == []

        result = restore(fresh, backup, *args, "--replace-keys")
        assert result.exit_code == 0, result.output
        kept = list(existing.parent.glob(f"{KEY_FILENAME}.replaced-*"))
        assert [path.read_bytes() for path in kept] == [own_key]
        assert verified(fresh) == [True, True]


def test_keys_from_the_environment_are_handed_back_to_the_operator(
    app: Flask, tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
):
    pem = load_signing_key(str(tmp_path / "elsewhere"), None)
    pem_text = (tmp_path / "elsewhere" / KEY_FILENAME).read_text()
    app.instance_path = str(tmp_path / "old-instance")
    one_line = pem_text.replace("\n", "\\n")
    app.config["CERTIFICATE_SIGNING_KEY"] = one_line  # what the backup hands back
    with_changes(app, certificate_signing_key=one_line)  # what signs
    app.extensions.pop("certificate_signing_key", None)
    issue_certificates(app, tmp_path, count=2)
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    backup = back_up(app, tmp_path, "--passphrase-file", str(passphrase_file(tmp_path)))

    with fresh_app(app, tmp_path, SECRET_KEY="another-secret-key-here") as fresh:
        result = restore(fresh, backup)  # the passphrase comes from BACKUP_PASSPHRASE
        assert result.exit_code == 0, result.output
        handed = Path(fresh.instance_path) / "restored-keys"
        assert f"put CERTIFICATE_SIGNING_KEY back into the environment from {handed}" in (
            result.output
        )
        assert "put SECRET_KEY back into the environment" in result.output
        assert (handed / "SECRET_KEY").read_text().strip() == TestConfig.SECRET_KEY
        assert not (Path(fresh.instance_path) / KEY_FILENAME).exists()
        handed_key = (handed / "CERTIFICATE_SIGNING_KEY").read_text()
        with_changes(fresh, certificate_signing_key=handed_key)
        assert verified(fresh) == [True, True]
        assert pem is not None


def test_instansi_issuer_keys_are_sealed_and_sign_again_after_a_restore(
    source: Flask, tmp_path: Path, clock: FrozenClock
):
    from elearn import clock as app_clock
    from elearn.certificates.credential import STATUS_LIST_TYPES, decode_vc_jwt
    from elearn.issuers.keystore import FOLDER, current_keystore
    from elearn.issuers.registry import issuer_of_unit, key_history
    from elearn.settings import current_settings

    palu = make_unit("Pemerintah Kota Palu", code="palu")
    issuer = issuer_of_unit(palu, current_settings(), current_keystore(), app_clock.now())
    db.session.commit()
    (kid,) = [row.kid for row in issuer.keys]
    key_file = Path(source.instance_path) / FOLDER / f"{kid}.pem"
    assert key_file.is_file()
    backup = back_up(source, tmp_path)
    assert b"PRIVATE KEY" not in backup.with_name("elearn.bin.keys.age").read_bytes()

    with fresh_app(source, tmp_path) as fresh:
        result = restore(fresh, backup, "--passphrase-file", str(passphrase_file(tmp_path)))
        assert result.exit_code == 0, result.output
        restored = Path(fresh.instance_path) / FOLDER / f"{kid}.pem"
        assert restored.read_bytes() == key_file.read_bytes()
        assert restored.stat().st_mode & 0o077 == 0
        with fresh.app_context():
            response = fresh.test_client().get("/issuers/palu/status/1")
            assert response.status_code == 200
            public = {k: key for k, (key, _) in key_history().items()}
            listed = decode_vc_jwt(response.text, public, kinds=STATUS_LIST_TYPES)
            assert listed["issuer"]["id"] == "http://localhost/issuers/palu"


def test_pdf_signers_and_issuer_keys_are_sealed_and_nothing_lands_outside(
    source: Flask, tmp_path: Path, clock: FrozenClock
):
    issue_certificates(source, tmp_path, count=1)
    runner = source.test_cli_runner()
    assert (
        runner.invoke(args=["certificates", "pdf-signer", "--instansi", "platform"]).exit_code == 0
    )
    renewed = runner.invoke(
        args=["certificates", "pdf-signer", "--instansi", "platform", "--renew"]
    )
    assert renewed.exit_code == 0, renewed.output
    # A deployment upgraded from the single self-signed signer keeps that file too.
    legacy = signer_files(source)["ca.pem"]
    (Path(source.instance_path) / LEGACY_FILENAME).write_text(legacy)
    made = signer_files(source)
    assert any(name.startswith("retired/") for name in made)
    # Palu's Ed25519 issuer keys (its first and, rotated, its current one).
    assert runner.invoke(args=["certificates", "rotate-key", "--instansi", "palu"]).exit_code == 0
    issuer_keys = signer_files(source, ISSUER_KEYS)
    assert len(issuer_keys) == 2
    backup = back_up(source, tmp_path)
    with fresh_app(source, tmp_path) as fresh:
        result = restore(fresh, backup, "--passphrase-file", str(passphrase_file(tmp_path)))
        assert result.exit_code == 0, result.output
        assert signer_files(fresh) == made
        assert signer_files(fresh, ISSUER_KEYS) == issuer_keys
        assert (Path(fresh.instance_path) / LEGACY_FILENAME).read_text() == legacy
        # A keys file naming a path outside pdf-signers/ is refused, not written.
        for name in (
            "PDF_SIGNERS/../secret_key",
            "PDF_SIGNERS//etc/x.pem",
            "ISSUER_KEYS/../../x.pem",
            "OTHER",
        ):
            with pytest.raises(BackupError):
                plan_placements([Key(name, "instance", "x")], fresh.instance_path, {})
