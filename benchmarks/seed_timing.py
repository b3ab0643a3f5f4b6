"""Where benchmarks/seed_scale.py spends its time: wall, Python CPU and server CPU per phase.

The server's CPU is read from /proc for the backends of the loader's own connections, so it
is only known when PostgreSQL runs on this machine (otherwise it prints as "-"); parallel
workers of an index build are not counted in it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def backend_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system) a server process has used so far, if it can be read."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name (field 2) is in parentheses and may hold spaces.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    cpu: float = 0.0  # this process, every thread
    server: float | None = None


@dataclass
class Clock:
    """Phases in the order they ran; ``phase`` times one, ``add`` records one measured elsewhere."""

    phases: list[Phase] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    started_cpu: float = field(default_factory=time.process_time)

    @contextmanager
    def phase(self, name: str, backends: Iterable[int | None] = ()) -> Iterator[Phase]:
        pids = list(backends)
        before = [backend_cpu(pid) for pid in pids]
        wall, cpu = time.perf_counter(), time.process_time()
        record = Phase(name)
        self.phases.append(record)  # before the phases nested in it
        try:
            yield record
        finally:
            record.wall = time.perf_counter() - wall
            record.cpu = time.process_time() - cpu
            if pids and record.server is None:
                after = [backend_cpu(pid) for pid in pids]
                if None not in before and None not in after:
                    record.server = sum(a - b for a, b in zip(after, before, strict=True))  # type: ignore[operator]

    def add(self, name: str, wall: float, cpu: float, server: float | None = None) -> None:
        self.phases.append(Phase(name, wall, cpu, server))

    def report(self) -> str:
        """One line per phase (indented: part of the phase above), then the totals."""
        lines = [f"{'phase':44} {'wall s':>9} {'Python CPU s':>13} {'server CPU s':>13}"]
        total_server, outer = 0.0, None
        for p in self.phases:
            server = "-" if p.server is None else f"{p.server:,.1f}"
            lines.append(f"{p.name:44} {p.wall:>9,.1f} {p.cpu:>13,.1f} {server:>13}")
            nested = p.name.startswith(" ")
            if not nested:
                outer = p
            # A nested phase's server time is already in its outer phase's, if that has one.
            if p.server is not None and (not nested or outer is None or outer.server is None):
                total_server += p.server
        lines.append(
            f"{'total':44} {time.perf_counter() - self.started:>9,.1f} "
            f"{time.process_time() - self.started_cpu:>13,.1f} {total_server:>13,.1f}"
        )
        return "\n".join(lines)
