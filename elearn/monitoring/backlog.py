"""Backlog gauges for ``/metrics``: jobs by state and kind, the oldest waiting job, the xAPI outbox.

They are read from the database when Prometheus scrapes, in the process that answers, and
never go through PROMETHEUS_MULTIPROC_DIR: every worker would see the same rows, and summing
them over workers would count each job once per worker. Each query is small and indexed
(``ix_job_state_run_after``, ``ix_statement_outbox_pending``); finished jobs are not counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from elearn.extensions import db
from elearn.models import Job, StatementOutbox
from elearn.models.job import JobState
from elearn.xapi.outbox import is_pending, is_rejected

log = logging.getLogger(__name__)

# Done jobs are history (purged by housekeeping), not backlog.
COUNTED_STATES = (JobState.QUEUED, JobState.RUNNING, JobState.FAILED, JobState.DEAD)
WAITING_STATES = (JobState.QUEUED, JobState.FAILED)  # a worker takes these once run_after passes


@dataclass(frozen=True)
class Backlog:
    jobs: dict[tuple[str, str], int]  # (state, kind) -> how many
    oldest_due_job: datetime | None  # run_after of the longest-waiting due job
    outbox_pending: int
    outbox_rejected: int
    oldest_pending_statement: datetime | None  # its created_at


def read_backlog(now: datetime) -> Backlog:
    """Count the unfinished jobs and the undelivered statements, in four small queries."""
    jobs = db.session.execute(
        select(Job.state, Job.kind, func.count(Job.id))
        .where(Job.state.in_(COUNTED_STATES))
        .group_by(Job.state, Job.kind)
    ).all()
    oldest_due_job = db.session.scalar(
        select(func.min(Job.run_after)).where(Job.state.in_(WAITING_STATES), Job.run_after <= now)
    )
    pending, oldest = db.session.execute(
        select(func.count(StatementOutbox.id), func.min(StatementOutbox.created_at)).where(
            is_pending()
        )
    ).one()
    rejected = db.session.scalar(select(func.count(StatementOutbox.id)).where(is_rejected()))
    return Backlog(
        jobs={(str(state), kind): count for state, kind, count in jobs},
        oldest_due_job=oldest_due_job,
        outbox_pending=pending,
        outbox_rejected=rejected or 0,
        oldest_pending_statement=oldest,
    )


class BacklogCollector(Collector):
    """Yield the backlog gauges, or none of them when the database does not answer.

    One per app: it remembers whether the last scrape failed, so a database that stays
    down is logged once, not at every scrape.
    """

    def __init__(self, kinds: Callable[[], list[str]], now: Callable[[], datetime]) -> None:
        self._kinds = kinds
        self._now = now
        self.failing = False

    def collect(self) -> Iterator[Metric]:
        now = self._now()
        try:
            backlog = read_backlog(now)
        except SQLAlchemyError as exc:
            db.session.rollback()
            if not self.failing:
                log.warning("backlog metrics left out: the database did not answer: %s", exc)
            self.failing = True
            return
        if self.failing:
            log.info("backlog metrics are back: the database answers again")
        self.failing = False
        yield from backlog_metrics(backlog, self._kinds(), now)


def _age(now: datetime, since: datetime | None) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


def backlog_metrics(backlog: Backlog, kinds: list[str], now: datetime) -> Iterator[Metric]:
    """The gauges for ``backlog``; every known kind shows every state, 0 included."""
    jobs = GaugeMetricFamily(
        "elearn_jobs", "Background jobs not yet done, by kind and state.", labels=("kind", "state")
    )
    counts = {(str(state), kind): 0 for state in COUNTED_STATES for kind in kinds}
    counts.update(backlog.jobs)
    for (state, kind), count in sorted(counts.items()):
        jobs.add_metric((kind, state), count)
    yield jobs
    yield GaugeMetricFamily(
        "elearn_jobs_oldest_queued_age_seconds",
        "Seconds the longest-waiting due job (queued, or failed and due for a retry) has waited.",
        value=_age(now, backlog.oldest_due_job),
    )
    yield GaugeMetricFamily(
        "elearn_xapi_outbox_pending",
        "xAPI statements waiting for delivery to the LRS, failing ones included.",
        value=backlog.outbox_pending,
    )
    yield GaugeMetricFamily(
        "elearn_xapi_outbox_rejected",
        "xAPI statements the LRS refused for good, parked until `flask xapi requeue`.",
        value=backlog.outbox_rejected,
    )
    yield GaugeMetricFamily(
        "elearn_xapi_outbox_lag_seconds",
        "Age of the oldest xAPI statement waiting for delivery (0 when none waits).",
        value=_age(now, backlog.oldest_pending_statement),
    )
