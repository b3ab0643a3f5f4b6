"""The application's settings as one frozen value, built once in ``create_app``.

Services take a ``Settings`` (or the few fields they need) as an argument instead of
reading ``current_app.config``; views get it from ``current_settings()``. Tests bind
another value with ``bind_settings`` rather than editing the config after start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from elearn.content.limits import RenderBudget
from elearn.siasn.settings import SiasnSettings

_EXTENSION_KEY = "elearn.settings"


@dataclass(frozen=True)
class CertificateSettings:
    """What every issued certificate says about its issuer and how it is numbered."""

    number_pattern: str  # may use {prefix}, {year} and {sequence}
    number_prefix: str
    issuer_name: str  # for courses that belong to no unit
    signatory_name: str
    signatory_position: str
    signatory_nip: str
    # How often the workers issue the certificates completions are still owed
    # (certificates.issue-missing, elearn/certificates/owed_job.py).
    owed_every_seconds: int

    def number(self, year: int, sequence: int) -> str:
        """The certificate number of ``sequence`` in ``year``."""
        return self.number_pattern.format(prefix=self.number_prefix, year=year, sequence=sequence)


@dataclass(frozen=True)
class MailSettings:
    """How outgoing mail is sent; an empty ``server`` means it is only logged."""

    server: str
    port: int
    use_tls: bool  # STARTTLS after connecting
    use_ssl: bool  # TLS from the first byte (usually port 465)
    username: str
    password: str = dataclasses.field(repr=False)
    sender: str
    timeout_seconds: int


@dataclass(frozen=True)
class XapiSettings:
    """Where learning events go as xAPI statements (names and defaults in docs/xapi.md)."""

    # The platform's IRI in statement, actor and activity ids: XAPI_HOME_PAGE, else
    # PUBLIC_BASE_URL; "" falls back to the request's address (development only).
    home_page: str
    lrs_url: str  # "" when statements are not forwarded to an LRS
    lrs_username: str
    lrs_password: str = dataclasses.field(repr=False)
    batch_size: int
    timeout_seconds: float
    retry_base_seconds: int
    retry_max_seconds: int
    deliver_every_seconds: int  # how often the workers send what is due


@dataclass(frozen=True)
class LearningSettings:
    """How study time and quiz deadlines are counted."""

    visit_time_cap: timedelta  # the most one page view adds to an item's study time
    quiz_grace: timedelta  # answers still count this long after a quiz's deadline


@dataclass(frozen=True)
class ReminderSettings:
    """When assignment reminders and inactivity nudges are due (docs/reminders.md)."""

    before_days: tuple[int, ...]  # reminders this many days before the due day, e.g. (14, 3)
    overdue_max_weeks: int  # one reminder per week overdue, for at most this many weeks
    idle_days: int  # a nudge after this many days without activity on a course in progress
    # Local hours a reminder may arrive in: from day_starts (inclusive) to day_ends.
    day_starts_hour: int
    day_ends_hour: int
    # Coordinators' weekly digest: made from this ISO weekday on (1 Monday … 7 Sunday),
    # listing at most digest_size overdue learners (the count covers them all).
    digest_weekday: int = 1
    digest_size: int = 20
    # The monthly line to PNS behind the pace to the year's JP target (an agency may
    # prefer not to send it).
    jp_pace: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything the application core reads from its configuration."""

    env_name: str
    # The site's public address, without a trailing slash (QR codes, credentials).
    # Empty only in a misconfigured production, which warns at start.
    public_base_url: str
    database_url: str
    redis_url: str  # "" without Redis
    job_broker_url: str  # the job queue's Redis; "" when jobs run inline
    courses_dir: Path
    languages: tuple[str, ...]
    default_timezone: str
    jp_target_per_year: int
    learning: LearningSettings
    evidence_max_bytes: int
    csv_import_max_rows: int
    export_direct_max_rows: int  # larger report exports are built by a job
    verify_rate_limit: str
    api_rate_limit: str  # per API token
    certificates: CertificateSettings
    # The Ed25519 key from the environment; "" loads (or makes) the key file in instance/.
    certificate_signing_key: str = dataclasses.field(repr=False)
    # The platform PDF signer's key and certificate chain (PEM); both "": a key certified
    # by the deployment's local CA in instance/pdf-signers/ (elearn/pdf_signing/store.py).
    pdf_signing_key: str = dataclasses.field(repr=False)
    pdf_signing_cert: str
    content_sandbox: bool
    render_budget: RenderBudget
    log_format: str  # "json" or "plain"
    metrics_token: str  # "" lets /metrics answer only local clients
    mail: MailSettings
    xapi: XapiSettings
    siasn: SiasnSettings
    reminders: ReminderSettings
    # "" for the production argon2id parameters; "fast-tests" for test suites that
    # create hundreds of accounts (elearn/accounts/passwords.py).
    password_hash_profile: str
    # Confirmed coaching/mentoring minutes per JP, rounded down per session (docs/jp-duty.md).
    mentoring_minutes_per_jp: int = 45
    # Days after a completion that the level-3 follow-up survey is sent (docs/evaluation.md).
    follow_up_days: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read the settings from a Flask config."""
        return cls(
            env_name=str(config.get("ENV_NAME", "production")),
            public_base_url=str(config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/"),
            database_url=str(config["SQLALCHEMY_DATABASE_URI"]),
            redis_url=str(config.get("REDIS_URL") or ""),
            job_broker_url=str(config.get("JOB_BROKER_URL") or ""),
            courses_dir=Path(config["COURSES_DIR"]),
            languages=tuple(config["LANGUAGES"]),
            default_timezone=str(config["DEFAULT_TIMEZONE"]),
            jp_target_per_year=int(config["JP_TARGET_PER_YEAR"]),
            mentoring_minutes_per_jp=int(config.get("MENTORING_MINUTES_PER_JP", 45)),
            follow_up_days=_at_least_one(config, "FOLLOW_UP_DAYS", 60),
            learning=LearningSettings(
                visit_time_cap=timedelta(minutes=int(config["VISIT_TIME_CAP_MINUTES"])),
                quiz_grace=timedelta(seconds=int(config["QUIZ_GRACE_SECONDS"])),
            ),
            evidence_max_bytes=int(config["EVIDENCE_MAX_BYTES"]),
            csv_import_max_rows=int(config["CSV_IMPORT_MAX_ROWS"]),
            export_direct_max_rows=int(config["EXPORT_DIRECT_MAX_ROWS"]),
            verify_rate_limit=str(config["VERIFY_RATE_LIMIT"]),
            api_rate_limit=str(config.get("API_RATE_LIMIT", "120 per minute")),
            certificates=CertificateSettings(
                number_pattern=str(config["CERTIFICATE_NUMBER_PATTERN"]),
                number_prefix=str(config["CERTIFICATE_NUMBER_PREFIX"]),
                issuer_name=str(config["CERTIFICATE_ISSUER_NAME"]),
                signatory_name=str(config["CERTIFICATE_SIGNATORY_NAME"]),
                signatory_position=str(config["CERTIFICATE_SIGNATORY_POSITION"]),
                signatory_nip=str(config.get("CERTIFICATE_SIGNATORY_NIP") or ""),
                owed_every_seconds=_at_least_one(config, "CERTIFICATES_OWED_EVERY_SECONDS", 300),
            ),
            certificate_signing_key=str(config.get("CERTIFICATE_SIGNING_KEY") or ""),
            pdf_signing_key=str(config.get("PDF_SIGNING_KEY") or ""),
            pdf_signing_cert=str(config.get("PDF_SIGNING_CERT") or ""),
            content_sandbox=bool(config["CONTENT_SANDBOX"]),
            render_budget=RenderBudget(
                cpu_seconds=int(config["RENDER_CPU_SECONDS"]),
                memory_bytes=int(config["RENDER_MEMORY_MB"]) * 2**20,
                wall_seconds=int(config["RENDER_WALL_SECONDS"]),
            ),
            log_format="json" if str(config.get("LOG_FORMAT", "")).lower() == "json" else "plain",
            metrics_token=str(config.get("METRICS_TOKEN") or ""),
            mail=MailSettings(
                server=str(config.get("MAIL_SERVER") or ""),
                port=int(config.get("MAIL_PORT") or 587),
                use_tls=bool(config.get("MAIL_USE_TLS", True)),
                use_ssl=bool(config.get("MAIL_USE_SSL", False)),
                username=str(config.get("MAIL_USERNAME") or ""),
                password=str(config.get("MAIL_PASSWORD") or ""),
                sender=str(config.get("MAIL_FROM") or ""),
                timeout_seconds=int(config.get("MAIL_TIMEOUT_SECONDS") or 30),
            ),
            siasn=SiasnSettings.from_config(config),
            xapi=XapiSettings(
                home_page=str(config.get("XAPI_HOME_PAGE") or config.get("PUBLIC_BASE_URL") or "")
                .strip()
                .rstrip("/"),
                lrs_url=str(config.get("XAPI_LRS_URL") or "").strip().rstrip("/"),
                lrs_username=str(config.get("XAPI_LRS_USERNAME") or ""),
                lrs_password=str(config.get("XAPI_LRS_PASSWORD") or ""),
                batch_size=_at_least_one(config, "XAPI_BATCH_SIZE", 50),
                timeout_seconds=float(config.get("XAPI_TIMEOUT_SECONDS", 10)),
                retry_base_seconds=_at_least_one(config, "XAPI_RETRY_BASE_SECONDS", 60),
                retry_max_seconds=_at_least_one(config, "XAPI_RETRY_MAX_SECONDS", 3600),
                deliver_every_seconds=_at_least_one(config, "XAPI_DELIVER_SECONDS", 60),
            ),
            reminders=ReminderSettings(
                before_days=_days_list(config.get("REMINDER_DAYS_BEFORE", "14,3")),
                overdue_max_weeks=int(config.get("REMINDER_OVERDUE_MAX_WEEKS", 12)),
                idle_days=_at_least_one(config, "REMINDER_IDLE_DAYS", 14),
                day_starts_hour=int(config.get("REMINDER_DAY_STARTS_HOUR", 7)),
                day_ends_hour=int(config.get("REMINDER_DAY_ENDS_HOUR", 20)),
                digest_weekday=_weekday(config.get("REMINDER_DIGEST_WEEKDAY", 1)),
                digest_size=_at_least_one(config, "REMINDER_DIGEST_SIZE", 20),
                jp_pace=bool(config.get("REMINDER_JP_PACE", True)),
            ),
            password_hash_profile=str(config.get("PASSWORD_HASH_PROFILE") or ""),
        )


def _at_least_one(config: Mapping[str, Any], key: str, default: int) -> int:
    """A count or a period in seconds; 0 or less would make a recurring job's key divide
    by zero, or a delivery batch send nothing for ever."""
    value = int(config.get(key, default))
    if value < 1:
        raise ValueError(f"{key} must be at least 1, not {value}")
    return value


def _weekday(value: object) -> int:
    """An ISO weekday, 1 (Monday) to 7 (Sunday)."""
    day = int(str(value))
    if not 1 <= day <= 7:
        raise ValueError(f"REMINDER_DIGEST_WEEKDAY must be 1 (Monday) to 7 (Sunday), not {day}")
    return day


def _days_list(value: object) -> tuple[int, ...]:
    """``"14,3"`` (or a sequence) as distinct positive days, largest first; "" for none."""
    parts = [str(v) for v in value] if isinstance(value, list | tuple) else str(value).split(",")
    days = {int(part) for part in parts if part.strip()}
    if any(day < 1 for day in days):
        raise ValueError(f"REMINDER_DAYS_BEFORE must list days of at least 1, not {value!r}")
    return tuple(sorted(days, reverse=True))


def init_settings(app: Flask) -> Settings:
    """Build the settings from ``app.config`` once and bind them to ``app``."""
    settings = Settings.from_config(app.config)
    bind_settings(app, settings)
    return settings


def warn_if_incomplete(app: Flask, settings: Settings) -> None:
    """Say loudly at start what a production site should not run without."""
    if settings.env_name == "production" and not settings.public_base_url:
        app.logger.warning(
            "PUBLIC_BASE_URL is not set: certificate QR codes, verification links and "
            "credentials will carry whatever host each request named. Set it to the site's "
            "public https address (e.g. https://elearn.example.go.id)."
        )
    if (
        settings.env_name == "production"
        and settings.mail.server
        and parseaddr(settings.mail.sender)[1].endswith("@localhost")
    ):
        app.logger.warning(
            "MAIL_FROM is %r: mail servers refuse or bin mail from @localhost. Set it to an "
            "address of the instansi's domain (e.g. eLearn ASN <elearn@palukota.go.id>).",
            settings.mail.sender,
        )
    if settings.env_name == "production" and not settings.pdf_signing_key:
        app.logger.warning(
            "PDF_SIGNING_KEY and PDF_SIGNING_CERT are not set: PDFs are signed with keys "
            "certified by a CA made in this server's instance/pdf-signers/ folder, which PDF "
            "readers show as an unknown signer (and each app server would make its own). Set "
            "both to a key and certificate chain issued for the instansi (e.g. under BSrE), or "
            "install one per instansi with `flask certificates pdf-signer --key --cert`."
        )


def bind_settings(app: Flask, settings: Settings) -> None:
    """Make ``settings`` the ones ``app`` hands to its views (tests bind their own)."""
    app.extensions[_EXTENSION_KEY] = settings


def with_changes(app: Flask, **changes: Any) -> Settings:
    """Bind and return ``app``'s settings with some fields replaced."""
    settings = dataclasses.replace(app.extensions[_EXTENSION_KEY], **changes)
    bind_settings(app, settings)
    return settings


def current_settings() -> Settings:
    """The settings of the app handling this request or command (for views and the CLI)."""
    settings: Settings = current_app.extensions[_EXTENSION_KEY]
    return settings
