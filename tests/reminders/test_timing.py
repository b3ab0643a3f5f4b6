"""Hourly passes create each deadline reminder once, on the right local day and hour."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Flask

from elearn.reminders.kinds import Family, Kind
from elearn.reminders.service import run_reminders
from elearn.reminders.windows import deadline_windows
from elearn.settings import ReminderSettings, current_settings
from tests.conftest import FrozenClock
from tests.reminders.helpers import (
    WIB,
    WITA,
    RecordingChannel,
    hours,
    local,
    make_world,
    reminders_of,
    utc,
)

# The first local day each reminder is due (the due day is 20 March), at 07:00 local.
EXPECTED_DAYS = {
    "due_in_14": date(2026, 3, 6),
    "due_in_3": date(2026, 3, 17),
    "due_today": date(2026, 3, 20),
    "overdue_week_1": date(2026, 3, 21),
    "overdue_week_2": date(2026, 3, 28),
    "overdue_week_3": date(2026, 4, 4),
}


def test_each_reminder_arrives_once_at_seven_local_in_each_zone(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    settings = current_settings()
    channel = RecordingChannel()
    # Every hour of each due day, the day before and the day after (in both zones), and every
    # third hour in between: a month of hourly passes cost 90 s on PostgreSQL, and nothing can
    # fall due between those days.
    near = {day + timedelta(days=shift) for day in EXPECTED_DAYS.values() for shift in (-1, 0, 1)}
    passes = [
        now
        for now in hours(utc(2026, 3, 4, 0), utc(2026, 4, 6, 0))
        if now.hour % 3 == 0 or now.date() in near or (now + timedelta(hours=8)).date() in near
    ]
    for now in passes:
        clock.current = now
        run_reminders(now, settings, [channel])

    for learner, zone in ((world.palu, WITA), (world.palangka, WIB)):
        found = reminders_of(learner)
        assert set(found) == set(EXPECTED_DAYS), learner.full_name
        for kind, day in EXPECTED_DAYS.items():
            created = local(found[kind].created_at, zone)
            assert (created.date(), created.hour, created.minute) == (day, 7, 0), (kind, zone)
            assert found[kind].delivered_at == found[kind].created_at
    # Handed to the channel once each, in the learner's zone.
    delivered = [n.reminder_id for n in channel.notices]
    assert len(delivered) == len(set(delivered)) == 2 * len(EXPECTED_DAYS)
    zones = {n.user_id: n.zone for n in channel.notices}
    assert zones == {world.palu.id: WITA, world.palangka.id: WIB}


def test_the_same_instant_is_day_in_one_zone_and_night_in_the_other(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    world = make_world(tmp_path, clock.current)
    settings = current_settings()
    # 12:30 UTC on the due day: 20:30 in Palu (too late), 19:30 in Palangka Raya.
    evening = utc(2026, 3, 20, 12, 30)
    summary = run_reminders(evening, settings, [RecordingChannel()])
    assert dict(summary.created) == {"due_today": 1}
    assert set(reminders_of(world.palangka)) == {"due_today"}
    assert reminders_of(world.palu) == {}
    # 22:30 UTC: 06:30 in Palu, still night. 23:00 UTC: 07:00 there, the next day.
    assert run_reminders(utc(2026, 3, 20, 22, 30), settings).total_created == 0
    assert dict(run_reminders(utc(2026, 3, 20, 23, 0), settings).created) == {"overdue_week_1": 1}
    assert set(reminders_of(world.palu)) == {"overdue_week_1"}


def test_nothing_is_created_between_eight_in_the_evening_and_seven_in_the_morning(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    make_world(tmp_path, clock.current)
    settings = current_settings()
    # Every quarter hour of a night in both zones: 20:00 WITA (12:00 UTC) to 07:00 WIB.
    start = utc(2026, 3, 17, 13, 0)  # 21:00 WITA, 20:00 WIB
    night = [start + timedelta(minutes=15 * i) for i in range(4 * 10)]  # until 06:45 WIB
    for now in night:
        assert run_reminders(now, settings).total_created == 0, now
    # 23:00 UTC is 07:00 in Palu (06:00 in Palangka Raya): Palu's reminder comes now.
    assert dict(run_reminders(utc(2026, 3, 17, 23, 0), settings).created) == {"due_in_3": 1}


def test_a_late_assignment_gets_the_window_it_is_in_not_the_ones_it_missed(
    app: Flask, tmp_path: Path, clock: FrozenClock
):
    # Assigned ten days before the due day: the 14-day reminder (10 days left), no other.
    world = make_world(tmp_path, clock.current)
    summary = run_reminders(utc(2026, 3, 10, 2), current_settings())
    assert dict(summary.created) == {"due_in_14": 2}
    assert set(reminders_of(world.palu)) == {"due_in_14"}


def test_windows_follow_the_configured_days():
    settings = ReminderSettings(
        before_days=(7, 2), overdue_max_weeks=2, idle_days=14, day_starts_hour=7,
        day_ends_hour=20,
    )  # fmt: skip
    today = date(2026, 3, 1)
    windows = {w.kind.name: (w.first, w.last) for w in deadline_windows(today, settings)}
    assert windows == {
        "due_in_2": (date(2026, 3, 2), date(2026, 3, 3)),
        "due_in_7": (date(2026, 3, 4), date(2026, 3, 8)),
        "due_today": (today, today),
        "overdue_week_1": (date(2026, 2, 22), date(2026, 2, 28)),
        "overdue_week_2": (date(2026, 2, 15), date(2026, 2, 21)),
    }
    assert Kind.parse("overdue_week_2") == Kind(Family.OVERDUE, 2)
    assert Kind.parse("due_today").name == "due_today"


def test_days_before_come_from_the_config(tmp_path: Path):
    from tests.conftest import sqlite_app

    for app in sqlite_app(tmp_path / "days.sqlite", REMINDER_DAYS_BEFORE=" 3, 14,7 "):
        assert current_settings().reminders.before_days == (14, 7, 3)
        assert isinstance(app, Flask)
