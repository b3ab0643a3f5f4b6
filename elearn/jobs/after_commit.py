"""Jobs recorded in a transaction, handed to their queue only once that transaction commits.

A job the work of a transaction causes (a completion owes its certificate) is best written
in that transaction: one commit instead of two, and no job left behind if the work rolls
back. A worker must not be told of it before the row is there to claim, so the id waits in
the session until the commit, and is dropped with a rollback.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from elearn.jobs.queue import JobQueue

_WAITING = "elearn.jobs.waiting_for_commit"
_COMMITTED = "elearn.jobs.committed"


def send_after_commit(
    session: Session, queue: JobQueue, job_id: int, *, background: bool = False
) -> None:
    """Send ``job_id`` to ``queue`` once ``session``'s transaction commits (never if not)."""
    session.info.setdefault(_WAITING, []).append((queue, job_id, background))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # The COMMIT has returned: the rows are visible to a worker. Sent once the transaction
    # has ended, not here: an inline queue runs the job, with SQL of its own.
    waiting = session.info.pop(_WAITING, None)
    if waiting:
        session.info[_COMMITTED] = waiting


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Ids still waiting here did not commit (a rollback, or a session closed): their rows
    # are gone with the transaction.
    session.info.pop(_WAITING, None)
    for queue, job_id, background in session.info.pop(_COMMITTED, ()):
        queue.send(job_id, background=background)
