"""Dates and times on pages read exactly as Babel writes ``DATE_PATTERN`` in the viewer's
language and zone, Babel's parsed pattern applied to the request's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import babel.dates
import pytest
import pytz
from babel import Locale
from flask import Flask
from flask_babel import force_locale

from elearn import i18n
from elearn.i18n import DATE_PATTERN, ZONE_NAMES, local_date, local_datetime

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Pontianak", "UTC", "Europe/Paris"]


def _values() -> list[datetime]:
    """Every month's edges and hours around midnight, DST changes, aware in several zones,
    naive (read as UTC), and dates long before the zones' present offsets."""
    start = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
    hours = [start + timedelta(hours=h) for h in range(0, 24 * 400, 7)]
    changes = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 59, tzinfo=UTC)]
    odd = [
        datetime(2026, 2, 5, 6, 30),  # naive
        datetime(2026, 2, 5, 23, 59, tzinfo=ZoneInfo("Asia/Jayapura")),
        datetime(2026, 2, 5, 1, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(1901, 1, 1, 0, 0, tzinfo=UTC),
        datetime(1945, 8, 17, 3, 0, tzinfo=UTC),
        datetime(9, 1, 9, 9, 9, tzinfo=UTC),
        datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    return hours + changes + odd


@pytest.mark.parametrize("zone", ZONES)
def test_local_dates_read_as_babel_writes_them(app: Flask, zone: str):
    app.config["DEFAULT_TIMEZONE"] = zone  # an anonymous viewer's zone
    values = _values()
    for language in ("id", "en"):
        locale, tz = Locale.parse(language), pytz.timezone(zone)
        with app.test_request_context("/"), force_locale(language):
            for value in values:
                expected = babel.dates.format_datetime(
                    value, DATE_PATTERN + " HH.mm", tzinfo=tz, locale=locale
                )
                assert local_datetime(value) == f"{expected} {ZONE_NAMES.get(zone, zone)}"
                local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz)
                day = babel.dates.format_date(local, DATE_PATTERN, locale=locale)
                assert local_date(value) == day
                plain = value.date()
                assert local_date(plain) == babel.dates.format_date(
                    plain, DATE_PATTERN, locale=locale
                )
            assert local_datetime(None) == local_date(None) == "—"


def test_a_page_of_dates_applies_the_parsed_pattern_not_flask_babels_formatters(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """Flask-Babel's formatters found the locale, zone and pattern again for every value
    (134 Python calls a datetime); in a request the parsed pattern is applied instead."""
    calls: list[str] = []
    for name in ("format_datetime", "format_date"):
        formatter = getattr(i18n, name)
        monkeypatch.setattr(
            i18n, name, lambda *a, _f=formatter, _n=name, **k: calls.append(_n) or _f(*a, **k)
        )
    app.config["DEFAULT_TIMEZONE"] = "Asia/Kolkata"  # no abbreviation of ours: its name shows
    value = datetime(2026, 2, 5, 6, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        shown = [local_datetime(value + timedelta(days=d)) for d in range(50)]
        shown += [local_date(date(2026, 1, 1) + timedelta(days=d)) for d in range(50)]
    assert shown[0] == "5 Februari 2026 12.00 Asia/Kolkata" and shown[50] == "1 Januari 2026"
    assert calls == []


def test_a_date_is_written_without_looking_up_the_viewers_zone(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """Only a datetime needs the viewer's zone: finding a signed-in viewer's costs ~90 calls."""
    looked_up: list[object] = []
    get_timezone = i18n.get_timezone
    monkeypatch.setattr(i18n, "get_timezone", lambda: looked_up.append(1) or get_timezone())
    with app.test_request_context("/"):
        assert local_date(date(2026, 2, 5)) == "5 Februari 2026"
        assert looked_up == []
        assert local_date(datetime(2026, 2, 5, 23, 0, tzinfo=UTC)) == "6 Februari 2026"
    assert looked_up
