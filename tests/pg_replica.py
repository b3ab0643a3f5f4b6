"""A throw-away PostgreSQL 15 primary and its streaming replica, for the replica tests.

The primary is a fresh ``initdb`` cluster on a free port; the replica is a
``pg_basebackup -R`` copy of it started on another port. Both run as the
``postgres`` user when the tests run as root (PostgreSQL refuses to run as root).
Waiting is by WAL position, never by time: ``wait_for_replay`` compares the
primary's current LSN, read after the write committed, with the replica's replay LSN.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DEADLINE_SECONDS = 60.0
POLL_SECONDS = 0.05


class ClusterUnavailable(RuntimeError):
    """The binaries or the postgres account this machine would need are missing."""


@dataclass
class ReplicatedPair:
    """A running primary and replica, with a superuser engine on each."""

    base: Path
    primary_url: str
    replica_url: str
    primary: Engine
    replica: Engine

    def primary_lsn(self) -> str:
        """The primary's current WAL position (read it after the write has committed)."""
        with self.primary.connect() as connection:
            return str(connection.scalar(text("SELECT pg_current_wal_lsn()")))

    def wait_for_replay(self, lsn: str | None = None) -> None:
        """Poll until the replica has replayed the primary's WAL up to ``lsn`` (default: now)."""
        target = lsn or self.primary_lsn()
        # Compared as pg_lsn by the server: as text "0/9000000" sorts after "0/10000000".
        query = text("SELECT pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)")
        poll_until(
            lambda: bool(self._on_replica(query, target=target)),
            f"replica replay to reach {target}",
        )

    def pause_replay(self) -> None:
        """Stop applying WAL on the replica; return once it has really stopped."""
        self._on_replica(text("SELECT pg_wal_replay_pause()"))
        # pg_wal_replay_pause() only asks; replay may apply more until the state is 'paused'.
        state = text("SELECT pg_get_wal_replay_pause_state()")
        poll_until(lambda: self._on_replica(state) == "paused", "replica replay to pause")

    def resume_replay(self) -> None:
        """Apply WAL on the replica again."""
        self._on_replica(text("SELECT pg_wal_replay_resume()"))

    def _on_replica(self, query: object, **params: object) -> object:
        with self.replica.connect() as connection:
            return connection.scalar(query, params)  # type: ignore[call-overload]


def poll_until(condition: Callable[[], bool], what: str) -> None:
    """Call ``condition`` until it holds; fail after the deadline (a minute)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {DEADLINE_SECONDS:.0f} s for {what}")
        time.sleep(POLL_SECONDS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a server binary as a non-root user."""
    if os.geteuid() != 0:
        return [], None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterUnavailable("running as root and there is no postgres user") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root and runuser is missing")
    return [runuser, "-u", "postgres", "--"], account


def _run(prefix: list[str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed binaries, arguments built here
        [*prefix, *args], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _start(prefix: list[str], data: Path, base: Path) -> int:
    """Start the cluster in ``data`` on a free port and return the port."""
    log = base / f"{data.name}.log"
    tries = 0
    while True:
        port, tries = free_port(), tries + 1
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        try:
            _run(prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                 "-t", "60", "-o", options, "start")  # fmt: skip
            return port
        except RuntimeError:
            # Another process may have taken the port between our probe and the server's bind.
            if tries == 3:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{data.name} did not start:\n{tail}") from None


@contextmanager
def replicated_pair() -> Iterator[ReplicatedPair]:
    """Start a primary and a streaming replica; stop both and delete their files afterwards."""
    for binary in ("initdb", "pg_ctl", "pg_basebackup"):
        if not (PG_BIN / binary).exists():
            raise ClusterUnavailable(f"{PG_BIN / binary} is missing")
    prefix, account = _as_postgres()
    base = Path(tempfile.mkdtemp(prefix="elearn-replica-"))
    if account is not None:
        os.chown(base, account.pw_uid, account.pw_gid)
    primary_dir, replica_dir = base / "primary", base / "replica"
    started: list[Path] = []
    engines: list[Engine] = []
    try:
        _run(prefix, str(PG_BIN / "initdb"), "-D", str(primary_dir), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        primary_port = _start(prefix, primary_dir, base)
        started.append(primary_dir)
        # initdb's pg_hba.conf lets local replication connections in with --auth=trust.
        _run(prefix, str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port),
             "-U", "postgres", "-D", str(replica_dir), "-R", "-X", "stream",
             "--checkpoint=fast", "--no-sync")  # fmt: skip
        replica_port = _start(prefix, replica_dir, base)
        started.append(replica_dir)
        primary_url = f"postgresql+psycopg://postgres@127.0.0.1:{primary_port}/postgres"
        replica_url = f"postgresql+psycopg://postgres@127.0.0.1:{replica_port}/postgres"
        primary, replica = create_engine(primary_url), create_engine(replica_url)
        engines += [primary, replica]
        pair = ReplicatedPair(base, primary_url, replica_url, primary, replica)
        with replica.connect() as connection:
            assert connection.scalar(text("SELECT pg_is_in_recovery()")), "not a standby"
        pair.wait_for_replay()
        yield pair
    finally:
        for engine in engines:
            engine.dispose()
        for data in reversed(started):
            subprocess.run(  # noqa: S603 - fixed binary
                [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=120,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)
