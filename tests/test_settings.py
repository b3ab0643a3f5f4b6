"""The frozen Settings: built once at start, warned about in production, used by services."""

from __future__ import annotations

import logging
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from config import Config
from elearn import create_app
from elearn.accounts.passwords import hash_password
from elearn.settings import Settings, current_settings, with_changes
from tests.certificates.helpers import complete_course
from tests.conftest import FrozenClock
from tests.factories import make_unit


def test_settings_are_frozen_and_built_once(app: Flask):
    settings = current_settings()
    with pytest.raises(FrozenInstanceError):
        settings.public_base_url = "https://lain.example"  # type: ignore[misc]
    # Editing the config after start changes nothing the app hands out.
    app.config["PUBLIC_BASE_URL"] = "https://lain.example"
    assert current_settings() is settings
    assert current_settings().public_base_url == "http://localhost"


def production(public_base_url: str, **more: str) -> type[Config]:
    return type(
        "Prod",
        (Config,),
        {
            "SECRET_KEY": "a-production-secret-for-this-test",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PUBLIC_BASE_URL": public_base_url,
            **more,
        },
    )


def _warnings(caplog: pytest.LogCaptureFixture, config: type[Config]) -> str:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="elearn"):
        create_app(config)
    return "\n".join(r.getMessage() for r in caplog.records)


def test_production_warns_of_mail_from_localhost_and_an_unconfigured_pdf_signer(
    caplog: pytest.LogCaptureFixture,
):
    site = "https://elearn.palukota.go.id"
    said = _warnings(caplog, production(site, MAIL_SERVER="smtp.palukota.go.id"))
    assert "MAIL_FROM is 'eLearn ASN <noreply@localhost>'" in said
    assert "PDF_SIGNING_KEY and PDF_SIGNING_CERT are not set" in said
    said = _warnings(
        caplog,
        production(
            site,
            MAIL_SERVER="smtp.palukota.go.id",
            MAIL_FROM="eLearn ASN <elearn@palukota.go.id>",
            PDF_SIGNING_KEY="(a PEM key)",
            PDF_SIGNING_CERT="(its chain)",
        ),
    )
    assert "MAIL_FROM" not in said and "PDF_SIGNING" not in said
    # Without an SMTP server mail is only logged: the sender does not matter yet.
    assert "MAIL_FROM" not in _warnings(caplog, production(site))


def test_production_warns_at_start_without_its_public_address(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="elearn"):
        create_app(production(""))
    assert any("PUBLIC_BASE_URL is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="elearn"):
        app = create_app(production("https://elearn.palukota.go.id/"))
    assert not any("PUBLIC_BASE_URL" in r.getMessage() for r in caplog.records)
    with app.app_context():
        assert current_settings().public_base_url == "https://elearn.palukota.go.id"


def test_issuance_counts_the_year_in_the_configured_default_zone(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    # 23:30 on New Year's Eve in Makassar (the config's zone) is already 00:30 in Jayapura.
    clock.current = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    with_changes(app, default_timezone="Asia/Jayapura")
    no_zone = make_unit("Pemerintah Kabupaten Tanpa Zona", timezone=None)
    _, certificate = complete_course(app, tmp_path, unit=no_zone)
    assert certificate.year == 2027 and certificate.number.endswith("/2027/00001")
    assert certificate.payload["issued_on"] == "2027-01-01"


def test_xapi_settings_fall_back_to_the_public_address_and_refuse_a_zero_batch():
    base = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    base["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    xapi = Settings.from_config(
        {
            **base,
            "XAPI_HOME_PAGE": "",
            "PUBLIC_BASE_URL": "https://elearn.palukota.go.id/",
            "XAPI_LRS_URL": " https://lrs.example/xapi/ ",
            "XAPI_LRS_PASSWORD": "lrs-secret",
        }
    ).xapi
    assert xapi.home_page == "https://elearn.palukota.go.id"
    assert xapi.lrs_url == "https://lrs.example/xapi"
    assert "lrs-secret" not in repr(xapi)
    with pytest.raises(ValueError, match="XAPI_BATCH_SIZE must be at least 1, not 0"):
        Settings.from_config({**base, "XAPI_BATCH_SIZE": 0})


def test_the_password_profile_comes_from_the_settings(app: Flask):
    assert hash_password("rahasia").startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # TestConfig
    with_changes(app, password_hash_profile="")
    assert hash_password("rahasia").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
