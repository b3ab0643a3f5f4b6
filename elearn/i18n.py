"""Language and time-zone choice, and date formatting for templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import parse_pattern
from babel.support import NullTranslations
from flask import Flask, current_app, g, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from elearn.problem_text import translated

DATE_PATTERN = "d MMMM y"  # one date style on every page, never 03/12/2026
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def N_(message: str) -> str:  # gettext's name for a marker that does not translate
    """Mark ``message`` for the catalogue where it is stored; translate it where shown.

    For Indonesian terms kept as data (the career record's PDF and the SIASN export use
    them as they are) that a page shows with ``_(value)`` in the reader's language.
    """
    return message


def select_locale() -> str:
    """Use the language the user picked, else Indonesian (the platform's first language)."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    """Show times in the zone of the user's unit (WIB/WITA/WIT)."""
    if current_user and current_user.is_authenticated:
        return zone_of(current_user).key
    return str(current_app.config["DEFAULT_TIMEZONE"])


def zone_of(user: object) -> ZoneInfo:
    """The time zone a user's dates are shown (and their JP year counted) in."""
    return zone_for(user, current_app.config["DEFAULT_TIMEZONE"])


def zone_for(user: object, default_zone: str) -> ZoneInfo:
    """``zone_of`` for services given their settings: the user's unit's zone, else the default."""
    return ZoneInfo(getattr(user, "timezone", None) or default_zone)


def zone_abbreviation() -> str:
    zone = str(get_timezone())
    return ZONE_NAMES.get(zone, zone)


# Parsed once. Flask-Babel's format_datetime and format_date find the locale, the zone
# and the parsed pattern again for every value (~30 µs a datetime); a page of dates
# applies these to the request's locale instead (~5 µs), Babel writing the text as ever.
_DATE = parse_pattern(DATE_PATTERN)
_DATETIME = parse_pattern(DATE_PATTERN + " HH.mm")


def _in_zone(value: datetime, zone: tzinfo) -> datetime:
    """``value`` in ``zone``, a naive one read as UTC (as Flask-Babel and Babel read it)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def local_datetime(value: datetime | None) -> str:
    """Format a UTC datetime in the viewer's zone: ``5 Februari 2026 14.30 WITA``."""
    if value is None:
        return "—"
    locale, zone = get_locale(), get_timezone()
    if locale is None or zone is None:  # outside a request or app context
        return f"{format_datetime(value, DATE_PATTERN + ' HH.mm')} {zone_abbreviation()}"
    name = str(zone)
    return f"{_DATETIME.apply(_in_zone(value, zone), locale)} {ZONE_NAMES.get(name, name)}"


def local_date(value: date | datetime | None) -> str:
    """Format a date the one way the UI shows dates: ``5 Februari 2026`` (``5 February 2026``).

    A datetime's date is the one in the viewer's zone; a date needs no zone (nor its look-up).
    """
    if value is None:
        return "—"
    locale = get_locale()
    if locale is None:
        return format_date(value, DATE_PATTERN)
    if isinstance(value, datetime):
        zone = get_timezone()
        if zone is None:
            return format_date(value, DATE_PATTERN)
        value = _in_zone(value, zone)
    return _DATE.apply(value, locale)


def decimal(value: float | None, digits: int | None = 1) -> str:
    """A number in the page's language: ``72,5`` (``72.5`` in English).

    ``digits`` decimals exactly, or with ``None`` as many as the value has (up to six).
    """
    if value is None:
        return "—"
    if digits is None:
        return format_decimal(value, "#,##0.######")
    return format_decimal(value, "#,##0." + "0" * digits if digits else "#,##0")


def percent(fraction: float | None) -> str:
    """A fraction as a percentage with at most one decimal: ``33,3%``."""
    if fraction is None:
        return "—"
    return format_percent(fraction, "#,##0.#%")


def _request_translations() -> NullTranslations:
    """This request's catalogue, looked up once per locale: a page translates ~30 strings."""
    # Flask-Babel's own template gettext finds the domain, the locale and the catalogue
    # again for every string (about a tenth of a page's time). Keyed by the locale object
    # Flask-Babel holds for the request, so force_locale() and refresh() still apply.
    # ``g`` resolved once: each look-up through the proxy costs about as much as the rest.
    request_globals = g._get_current_object()
    locale = getattr(getattr(request_globals, "_flask_babel", None), "babel_locale", None)
    cached: tuple[object, NullTranslations] | None = getattr(
        request_globals, "_elearn_translations", None
    )
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    request_globals._elearn_translations = (get_locale(), translations)
    return translations


def translate(message: str) -> str:
    """``message`` in the page's language, from the catalogue this request looked up."""
    return _request_translations().ugettext(message)


# The evaluation context, not the whole context, is all it reads: Jinja hands a function
# marked pass_context a copy of the context with the loop's or block's variables merged in
# (a new Context and a copy of every variable, each call inside a {% for %} or after a
# {% set %} in a block: 17 copies a /me page).
@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: object) -> str:
    """Jinja's newstyle ``gettext``: translated, marked safe under autoescape, formatted."""
    translated_ = translate(string)
    text = Markup(translated_) if eval_ctx.autoescape else translated_  # noqa: S704 - our catalogue, as Jinja's i18n does
    # Newstyle strings are always format strings ("%%" reads "%"); without variables or a
    # "%" the formatting would change nothing.
    return text % variables if variables or "%" in text else text


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters["percent"] = percent
    # Messages shared with the CLI (content checks, CSV import) in the page's language.
    app.jinja_env.filters["translated"] = lambda text: translated(
        text, _request_translations().ugettext
    )
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # A page translates ~20 strings; Jinja's ``_`` reached them through three calls (the
    # alias, a context look-up of ``gettext``, the newstyle wrapper) and formatted each one.
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _template_gettext

    @app.context_processor
    def _language() -> dict[str, object]:
        return {
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": app.config["LANGUAGES"],
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
