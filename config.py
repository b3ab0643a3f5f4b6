"""Settings, every one read from the environment.

``Config`` is production-safe: it refuses to start without SECRET_KEY.
``DevelopmentConfig`` (``make run``) and ``TestConfig`` fill in local defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    """Production settings."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_url(
        INSTANCE_DIR / "elearn.sqlite"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    # A streaming replica for dashboards, exports and API pulls (elearn/replica.py); empty:
    # everything reads from the primary.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    REDIS_URL = os.environ.get("REDIS_URL")
    COURSES_DIR = os.environ.get("COURSES_DIR") or str(BASE_DIR / "courses")

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12  # a working day
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 12

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("id", "en")
    # Shown when a user's unit names no zone (Palu and Mamuju are WITA).
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Asia/Makassar")

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in throttling (elearn/auth/throttle.py, docs/security.md); only failures count.
    # LOGIN_RATE_LIMIT: per client address; LOGIN_ACCOUNT_LIMIT: per account, across addresses.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;100 per hour")
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "50 per hour")
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "3"))
    LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", "15"))
    LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", "900"))
    # Sign-in with SSO ASN (BKN's OpenID Connect provider; elearn/auth/sso.py, docs/deploy.md):
    # on only when issuer, client id and client secret are all set. The NIP is read from
    # the ID token claim SSO_ASN_NIP_CLAIM.
    SSO_ASN_ISSUER = os.environ.get("SSO_ASN_ISSUER", "")
    SSO_ASN_CLIENT_ID = os.environ.get("SSO_ASN_CLIENT_ID", "")
    SSO_ASN_CLIENT_SECRET = os.environ.get("SSO_ASN_CLIENT_SECRET", "")
    SSO_ASN_NIP_CLAIM = os.environ.get("SSO_ASN_NIP_CLAIM", "preferred_username")
    SSO_ASN_SCOPE = os.environ.get("SSO_ASN_SCOPE", "openid profile")
    SSO_ASN_TIMEOUT_SECONDS = int(os.environ.get("SSO_ASN_TIMEOUT_SECONDS", "10"))
    SSO_ASN_METADATA_MAX_AGE_SECONDS = int(
        os.environ.get("SSO_ASN_METADATA_MAX_AGE_SECONDS", "86400")
    )
    # Reverse proxies whose X-Forwarded-For we believe (comma list of IPs/CIDRs).
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")

    # Course uploads are processed by a job (docs/jobs.md); the parsing and rendering
    # run in a child process under these limits.
    CONTENT_SANDBOX = _env_bool("CONTENT_SANDBOX", True)
    RENDER_CPU_SECONDS = int(os.environ.get("RENDER_CPU_SECONDS", "60"))
    RENDER_MEMORY_MB = int(os.environ.get("RENDER_MEMORY_MB", "1536"))
    RENDER_WALL_SECONDS = int(os.environ.get("RENDER_WALL_SECONDS", "120"))

    # Study time: one page view counts at most this long, so an idle tab adds no hours.
    VISIT_TIME_CAP_MINUTES = int(os.environ.get("VISIT_TIME_CAP_MINUTES", "30"))
    # Answers arriving this long after a quiz deadline still count (slow connections).
    QUIZ_GRACE_SECONDS = int(os.environ.get("QUIZ_GRACE_SECONDS", "30"))
    # The yearly development duty of every PNS, in JP (PP 17/2020).
    JP_TARGET_PER_YEAR = int(os.environ.get("JP_TARGET_PER_YEAR", "20"))
    # Days after completing a course that learner and supervisor get the follow-up survey.
    FOLLOW_UP_DAYS = int(os.environ.get("FOLLOW_UP_DAYS", "60"))
    # Confirmed coaching/mentoring: 1 JP per this many minutes of a session, rounded down
    # (1 JP = 45 minutes, LAN).
    MENTORING_MINUTES_PER_JP = int(os.environ.get("MENTORING_MINUTES_PER_JP", "45"))

    # Certificates. The number pattern may use {prefix}, {year} and {sequence}.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")  # for QR codes; else the request's
    CERTIFICATE_NUMBER_PATTERN = os.environ.get(
        "CERTIFICATE_NUMBER_PATTERN", "{prefix}/{year}/{sequence:05d}"
    )
    CERTIFICATE_NUMBER_PREFIX = os.environ.get("CERTIFICATE_NUMBER_PREFIX", "800/BKPSDM")
    CERTIFICATE_ISSUER_NAME = os.environ.get(
        "CERTIFICATE_ISSUER_NAME", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    )
    CERTIFICATE_SIGNATORY_NAME = os.environ.get("CERTIFICATE_SIGNATORY_NAME", "Kepala BKPSDM")
    CERTIFICATE_SIGNATORY_POSITION = os.environ.get(
        "CERTIFICATE_SIGNATORY_POSITION", "Kepala Badan Kepegawaian dan Pengembangan SDM"
    )
    CERTIFICATE_SIGNATORY_NIP = os.environ.get("CERTIFICATE_SIGNATORY_NIP", "")
    # PKCS#8 PEM or base64 raw Ed25519 key; empty: instance/certificate-signing-key.pem.
    CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
    # The platform's PAdES signer (PDFs of no instansi): a PEM private key (RSA or ECDSA) and
    # its PEM certificate chain, signer first (e.g. issued under BSrE). Both empty: a key
    # certified by the local CA in instance/pdf-signers/ (instansi always have their own).
    PDF_SIGNING_KEY = os.environ.get("PDF_SIGNING_KEY", "")
    PDF_SIGNING_CERT = os.environ.get("PDF_SIGNING_CERT", "")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")  # per token
    EVIDENCE_MAX_BYTES = 2 * 1024 * 1024

    # xAPI: actor/activity ids use XAPI_HOME_PAGE (else PUBLIC_BASE_URL); with
    # XAPI_LRS_URL set, every learning event is queued for the LRS (flask xapi deliver).
    XAPI_HOME_PAGE = os.environ.get("XAPI_HOME_PAGE", "")
    XAPI_LRS_URL = os.environ.get("XAPI_LRS_URL", "")
    XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME", "")
    XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD", "")
    XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", "50"))
    XAPI_TIMEOUT_SECONDS = int(os.environ.get("XAPI_TIMEOUT_SECONDS", "10"))
    XAPI_RETRY_BASE_SECONDS = int(os.environ.get("XAPI_RETRY_BASE_SECONDS", "60"))
    XAPI_RETRY_MAX_SECONDS = int(os.environ.get("XAPI_RETRY_MAX_SECONDS", "3600"))

    # Background jobs (docs/jobs.md): Dramatiq on Redis when a broker URL is set, else
    # each job runs in the process that submits it. Failures are retried after
    # JOB_BACKOFF_BASE_SECONDS, doubling, up to each kind's attempts, then dead-lettered.
    JOB_BROKER_URL = os.environ.get("JOB_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    JOB_BACKOFF_BASE_SECONDS = int(os.environ.get("JOB_BACKOFF_BASE_SECONDS", "30"))
    JOB_BACKOFF_MAX_SECONDS = int(os.environ.get("JOB_BACKOFF_MAX_SECONDS", "3600"))
    JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "0"))  # 0: each kind's own
    JOB_SWEEP_SECONDS = int(os.environ.get("JOB_SWEEP_SECONDS", "5"))
    # A queued job still unclaimed after this (its message lost with Redis) is sent again.
    JOB_RESEND_AFTER_SECONDS = int(os.environ.get("JOB_RESEND_AFTER_SECONDS", "300"))
    JOB_WORKER_THREADS = int(os.environ.get("JOB_WORKER_THREADS", "4"))
    XAPI_DELIVER_SECONDS = int(os.environ.get("XAPI_DELIVER_SECONDS", "60"))  # by the workers
    # Workers issue the certificates completions are still owed this often (docs/jobs.md).
    CERTIFICATES_OWED_EVERY_SECONDS = int(os.environ.get("CERTIFICATES_OWED_EVERY_SECONDS", "300"))
    # Export files live 24 h in the database ("database") or in this instance sub-folder.
    BLOB_STORE = os.environ.get("BLOB_STORE", "database")
    # Larger exports are built by a job and downloaded from a progress page.
    EXPORT_DIRECT_MAX_ROWS = int(os.environ.get("EXPORT_DIRECT_MAX_ROWS", "20000"))

    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    CSV_IMPORT_MAX_ROWS = int(os.environ.get("CSV_IMPORT_MAX_ROWS", "20000"))

    # Outgoing mail (elearn/mail/, docs/deploy.md). Without MAIL_SERVER mail is only logged
    # (recipient and subject). MAIL_USE_SSL: TLS from the start (port 465); else STARTTLS.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "eLearn ASN <noreply@localhost>")
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30"))

    # Reminders of assignment deadlines and inactivity nudges (docs/reminders.md): days
    # before the due day, weeks of overdue reminders, idle days before a nudge, and the
    # local hours (from, until) they may arrive in; the coordinators' weekly digest (from
    # which ISO weekday, how many learners listed) and the monthly JP-pace line (on/off).
    REMINDER_DAYS_BEFORE = os.environ.get("REMINDER_DAYS_BEFORE", "14,3")
    REMINDER_OVERDUE_MAX_WEEKS = int(os.environ.get("REMINDER_OVERDUE_MAX_WEEKS", "12"))
    REMINDER_IDLE_DAYS = int(os.environ.get("REMINDER_IDLE_DAYS", "14"))
    REMINDER_DAY_STARTS_HOUR = int(os.environ.get("REMINDER_DAY_STARTS_HOUR", "7"))
    REMINDER_DAY_ENDS_HOUR = int(os.environ.get("REMINDER_DAY_ENDS_HOUR", "20"))
    REMINDER_DIGEST_WEEKDAY = int(os.environ.get("REMINDER_DIGEST_WEEKDAY", "1"))
    REMINDER_DIGEST_SIZE = int(os.environ.get("REMINDER_DIGEST_SIZE", "20"))
    REMINDER_JP_PACE = _env_bool("REMINDER_JP_PACE", True)

    # Operations (docs/deploy.md): LOG_FORMAT=json writes one JSON object per line;
    # /metrics answers local clients, or others that send "Authorization: Bearer METRICS_TOKEN".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")


class DevelopmentConfig(Config):
    """Local settings for ``make run``: plain HTTP on 127.0.0.1."""

    ENV_NAME = "development"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")  # make run
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    """Settings for the test suite; TEST_DATABASE_URL selects PostgreSQL."""

    ENV_NAME = "testing"
    TESTING = True
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    JOB_BROKER_URL = ""  # jobs run inline; tests/jobs start real workers on their own
    MAIL_SERVER = ""  # mail is logged; tests bind a MemoryMailer or start their own server
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SSO_ASN_ISSUER = ""  # tests/auth/test_sso*.py start their own provider
    PASSWORD_HASH_PROFILE = "fast-tests"  # noqa: S105 - a profile name, not a password


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}
