"""COPY … FREEZE for benchmarks/seed_scale.py: the loaded rows written already frozen.

Rows copied with FREEZE into a table emptied (TRUNCATE) in the same transaction are visible
to every snapshot at once, and PostgreSQL 14+ marks their pages all-visible and all-frozen as
it fills them. Loaded the ordinary way, every page is written a second time when the first
index build sets the rows' hint bits, and a third time when VACUUM sets the visibility map
(which the benchmarks need: see Loader.settle); frozen, VACUUM skips them.

TRUNCATE needs every table that references a truncated one in the same statement, so the
enrolments and everything hanging off them (attempts, certificates, evaluations, external
trainings, and the empty tables that reference those) are truncated and copied on one
connection, one COPY at a time, fed by a thread while the next rows are generated.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from typing import Any

# The loaded tables that reference each other; user_account is referenced by the catalogue
# (course_version…), which cannot be truncated, so it is loaded the ordinary way.
FAMILY = ("enrollment", "quiz_attempt", "certificate", "course_evaluation", "external_training")


def referencing_closure(conn: Any, tables: Iterable[str]) -> list[str]:
    """``tables`` and every table referencing one of them, transitively (what TRUNCATE needs)."""
    rows = conn.execute(
        """WITH RECURSIVE r(rel) AS (
             SELECT unnest(%s::regclass[])
             UNION
             SELECT c.conrelid FROM pg_constraint c JOIN r ON c.confrelid = r.rel
             WHERE c.contype = 'f')
           SELECT rel::regclass::text FROM r ORDER BY 1""",
        [list(tables)],
    ).fetchall()
    return [row[0] for row in rows]


def all_empty(conn: Any, tables: Iterable[str]) -> bool:
    return not any(
        conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]  # noqa: S608
        for table in tables
    )


class FrozenCopies:
    """One connection: TRUNCATE the tables, then COPY … FREEZE each batch, in a thread.

    ``write`` queues a batch (a few at most, so memory stays bounded) and returns; ``finish``
    waits for the last COPY and commits.
    """

    def __init__(self, conn: Any, truncate: list[str]) -> None:
        self.conn = conn
        conn.execute(f"TRUNCATE {', '.join(truncate)}")
        self.pending: queue.Queue[tuple[str, str, str] | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-freeze", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        cursor = self.conn.cursor()
        try:
            while (item := self.pending.get()) is not None:
                table, columns, data = item
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FREEZE)") as copy:
                    copy.write(data)
            self.conn.commit()
        except BaseException as exc:  # handed to the generating thread
            self.error = exc
            while self.pending.get() is not None:
                pass  # unblock the producer until it sees the error

    def write(self, table: str, columns: str, data: str) -> None:
        if self.error is not None:
            raise self.error
        self.pending.put((table, columns, data))

    def finish(self) -> None:
        self.pending.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
