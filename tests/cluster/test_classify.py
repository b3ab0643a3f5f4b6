"""How the cluster proof sorts failed requests and repeated statements (no cluster needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from benchmarks import cluster

EVENTS = {"app killed": 36.0, "database stopped": 99.0, "database started": 114.0}


def sorted_failures(*records: cluster.Record) -> tuple[dict[str, int], list[cluster.Record]]:
    fake: Any = SimpleNamespace(events=EVENTS)
    load = cluster.Load(records=list(records))
    kinds, unexpected = cluster.classify_5xx(fake, load)
    return dict(kinds), unexpected


def test_an_export_cut_by_the_database_stop_is_expected_only_then():
    cut = "IncompleteRead: IncompleteRead(178591 bytes read)"
    during = cluster.Record(98.8, 100.2, "GET", "/reports/export/enrollments.csv", 0, cut)
    kinds, unexpected = sorted_failures(during)
    assert kinds == {"export stream cut by the database stop, seen as incomplete": 1}
    assert unexpected == []
    # The same cut long after the database was back is a failure of the proof.
    later = cluster.Record(150.0, 151.0, "GET", "/reports/export/enrollments.csv", 0, cut)
    assert sorted_failures(later)[1] == [later]


def test_a_traceback_or_a_bare_500_is_never_expected():
    bare = cluster.Record(100.0, 100.1, "GET", "/me", 500, "Internal Server Error")
    traced = cluster.Record(100.0, 100.1, "GET", "/me", 503, "Traceback (most recent call)")
    assert sorted_failures(bare, traced)[1] == [bare, traced]


def sorted_repeats(*arrivals: tuple[float, str]) -> tuple[list[str], list[str]]:
    events = {**EVENTS, "worker killed": 50.0}
    fake: Any = SimpleNamespace(events=events, lrs=SimpleNamespace(received=list(arrivals)))
    _, cut, uncut = cluster.sort_repeats(fake)
    return cut, uncut


def test_a_statement_is_expected_twice_only_when_a_failure_cut_its_first_commit():
    # Sent just before the worker's SIGKILL or the database stop, then again after.
    assert sorted_repeats((49.7, "a"), (60.0, "a"), (98.5, "b"), (120.0, "b")) == (["a", "b"], [])
    # Sent long before any failure: its commit was not cut, so a repeat is a fault.
    assert sorted_repeats((20.0, "c"), (20.5, "c"), (49.7, "d")) == ([], ["c"])
    # A repeat counts against the first arrival, not the later one inside a window.
    assert sorted_repeats((45.0, "e"), (50.0, "e")) == ([], ["e"])
