"""eLearn ASN: the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import CONFIGS, Config


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the app; the config class defaults to ELEARN_ENV (production)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or CONFIGS[os.environ.get("ELEARN_ENV", "production")])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_secret_key(app)
    configure_settings(app)
    configure_proxies(app)
    register_monitoring(app)
    register_request_guards(app)
    register_extensions(app)
    register_mail(app)
    register_jobs(app)
    register_blueprints(app)
    register_cli(app)
    register_templating(app)
    register_http(app)
    return app


def configure_secret_key(app: Flask) -> None:
    """Refuse to run in production without SECRET_KEY from the environment."""
    from elearn.security import load_secret_key

    load_secret_key(app)


def configure_settings(app: Flask) -> None:
    """Build the frozen Settings once, set up logging, and warn about what production lacks."""
    from elearn.monitoring.request_log import configure_logging
    from elearn.settings import init_settings, warn_if_incomplete

    settings = init_settings(app)
    configure_logging(app, settings)
    warn_if_incomplete(app, settings)


def register_monitoring(app: Flask) -> None:
    """Time and log every request (these hooks run before the request guards); probes, metrics."""
    from elearn.monitoring.health import bp as health_bp
    from elearn.monitoring.metrics import bp as metrics_bp
    from elearn.monitoring.metrics import init_metrics
    from elearn.monitoring.request_log import init_request_log

    init_metrics(app)
    init_request_log(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(metrics_bp)


def register_request_guards(app: Flask) -> None:
    """Request ids first, then the input checks (whose id converter must precede any route)."""
    from elearn.main.input_guard import init_input_guard
    from elearn.main.request_id import init_request_id

    init_request_id(app)
    init_input_guard(app)


def configure_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For only when our own proxy sent it."""
    from elearn.proxies import TrustedProxies, parse_networks

    trusted = parse_networks(app.config["TRUSTED_PROXIES"])
    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from elearn.auth.session import init_login
    from elearn.auth.throttle import init_throttle
    from elearn.database import init_database
    from elearn.extensions import babel, csrf, db, limiter, migrate
    from elearn.i18n import select_locale, select_timezone

    init_database(app)
    migrations = Path(app.root_path).parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    init_login(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    init_throttle(app, limiter.storage if limiter.enabled else None)


def register_mail(app: Flask) -> None:
    """The mailer: SMTP with MAIL_SERVER, else one that only logs."""
    from elearn.mail.binding import init_mail
    from elearn.settings import current_settings

    with app.app_context():
        init_mail(app, current_settings())


def register_jobs(app: Flask) -> None:
    """Job kinds and the queue: Dramatiq on Redis with a broker URL, else inline."""
    from elearn.jobs.binding import current_jobs, init_jobs
    from elearn.settings import current_settings
    from elearn.siasn.job import siasn_push_kind

    with app.app_context():
        init_jobs(app, current_settings())
        current_jobs(app).registry.add(siasn_push_kind(app))


def register_blueprints(app: Flask) -> None:
    from elearn.admin.views import bp as admin_bp
    from elearn.api.token_views import bp as api_tokens_bp
    from elearn.api.views import bp as api_bp
    from elearn.assignments.views import bp as assignments_bp
    from elearn.auth.sso_views import bp as sso_bp
    from elearn.auth.views import bp as auth_bp
    from elearn.badges.views import bp as badges_bp
    from elearn.catalog.views import bp as catalog_bp
    from elearn.certificates.views import bp as certificates_bp
    from elearn.competencies.views import bp as competencies_bp
    from elearn.coordinator.views import bp as coordinator_bp
    from elearn.development_plans.views import bp as development_plans_bp
    from elearn.evaluation.views import bp as evaluation_bp
    from elearn.issuers.admin import bp as issuer_admin_bp
    from elearn.issuers.views import bp as issuers_bp
    from elearn.jobs.views import bp as jobs_bp
    from elearn.learning.views import bp as learning_bp
    from elearn.main.errors import register_error_handlers
    from elearn.main.views import bp as main_bp
    from elearn.mentoring.views import bp as mentoring_bp
    from elearn.offline.views import bp as offline_bp
    from elearn.pdf_signing.views import bp as pdf_signing_bp
    from elearn.privacy.views import bp as privacy_bp
    from elearn.programs.views import bp as programs_bp
    from elearn.records.views import bp as records_bp
    from elearn.reminders.views import bp as reminders_bp
    from elearn.reports.akpk_views import bp as akpk_bp
    from elearn.reports.export_job_views import bp as export_jobs_bp
    from elearn.reports.export_views import bp as exports_bp
    from elearn.reports.views import bp as reports_bp
    from elearn.siasn.views import bp as siasn_bp
    from elearn.xapi.views import bp as xapi_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sso_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(assignments_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(programs_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(offline_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(issuers_bp)
    app.register_blueprint(issuer_admin_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(competencies_bp)
    app.register_blueprint(development_plans_bp)
    app.register_blueprint(mentoring_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(export_jobs_bp)
    app.register_blueprint(akpk_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(pdf_signing_bp)
    app.register_blueprint(siasn_bp)
    register_error_handlers(app)


def register_http(app: Flask) -> None:
    from elearn.database import retry_page_views
    from elearn.delivery import init_delivery

    init_delivery(app)
    retry_page_views(app)


def register_cli(app: Flask) -> None:
    from elearn.accounts.cli import units_cli, users_cli
    from elearn.api.cli import tokens_cli
    from elearn.backup.cli import backup_cli
    from elearn.badges.cli import badges_cli
    from elearn.certificates.cli import certificates_cli
    from elearn.competencies.cli import competencies_cli
    from elearn.content.cli import courses_cli
    from elearn.demo.cli import demo_command
    from elearn.jobs.cli import jobs_cli
    from elearn.mail.cli import mail_cli
    from elearn.programs.cli import programs_cli
    from elearn.reminders.cli import reminders_cli
    from elearn.siasn.cli import siasn_cli
    from elearn.xapi.cli import xapi_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(badges_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(siasn_cli)
    app.cli.add_command(competencies_cli)
    app.cli.add_command(programs_cli)


def register_templating(app: Flask) -> None:
    from elearn.i18n import register_template_helpers
    from elearn.main.addresses import init_addresses
    from elearn.main.navigation import init_navigation
    from elearn.security import csrf_field, register_security_headers

    app.jinja_env.globals["csrf_field"] = csrf_field
    register_template_helpers(app)
    init_navigation(app)
    init_addresses(app)
    register_security_headers(app)
