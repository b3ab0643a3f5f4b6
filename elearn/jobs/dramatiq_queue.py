"""Jobs on Dramatiq with its Redis broker: the web sends job ids, ``flask jobs worker`` runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)
from flask import Flask

from elearn.jobs.runner import RunResult

log = logging.getLogger(__name__)
QUEUE_NAME = "elearn-jobs"
ACTOR_NAME = "run_job"
# Background kinds (JobKind.background) go to a queue of their own whose actor has a lower
# priority (a higher number): a worker with messages of both at hand takes the others first,
# so a rush of certificates is not issued behind the PDF renders of the certificates before.
BACKGROUND_QUEUE_NAME = "elearn-jobs-background"
BACKGROUND_ACTOR_NAME = "run_background_job"
BACKGROUND_PRIORITY = 100
# The job's own failures are retried from the job table (with its backoff);
# Dramatiq's retries cover the rest, e.g. the database being down during a claim.
INFRASTRUCTURE_RETRIES = 5
TIME_LIMIT_MS = 2 * 60 * 60 * 1000  # an export of millions of rows takes minutes, not hours


class DramatiqQueue:
    """Send job ids to a Dramatiq actor on Redis; the actor runs them in the app's context."""

    name = "dramatiq"

    def __init__(self, app: Flask, broker_url: str, run: Callable[[int], RunResult]) -> None:
        # Prometheus is left out of the middleware: it would open a port in every worker.
        middleware = [AgeLimit(), TimeLimit(), ShutdownNotifications(), Callbacks(), Pipelines()]
        middleware.append(Retries(max_retries=INFRASTRUCTURE_RETRIES))
        self.broker = RedisBroker(url=broker_url, namespace="elearn", middleware=middleware)
        self._app = app
        self._run = run
        self.actor: dramatiq.Actor = self._actor(self._perform, ACTOR_NAME, QUEUE_NAME, 0)
        self.background_actor: dramatiq.Actor = self._actor(
            self._perform_background,
            BACKGROUND_ACTOR_NAME,
            BACKGROUND_QUEUE_NAME,
            BACKGROUND_PRIORITY,
        )

    def _actor(
        self, perform: Callable[[int], None], name: str, queue: str, priority: int
    ) -> dramatiq.Actor:
        return dramatiq.Actor(
            perform,
            broker=self.broker,
            actor_name=name,
            queue_name=queue,
            priority=priority,
            options={"time_limit": TIME_LIMIT_MS},
        )

    def send(
        self, job_id: int, delay: timedelta | None = None, *, background: bool = False
    ) -> None:
        """Send the job's id; with Redis down the job stays queued and a sweep sends it later."""
        milliseconds = int(delay.total_seconds() * 1000) if delay else None
        actor = self.background_actor if background else self.actor
        try:
            actor.send_with_options(args=(job_id,), delay=milliseconds)
        except (redis.RedisError, dramatiq.errors.BrokerError) as exc:
            # The row is committed: a worker's sweep sends it again once Redis is back.
            log.warning("job %s not sent to Redis (%s); the sweep will resend it", job_id, exc)

    def close(self) -> None:
        """Drop the broker's Redis connections."""
        self.broker.close()
        self.broker.client.connection_pool.disconnect()

    def _perform(self, job_id: int) -> None:
        self._perform_on(job_id, background=False)

    def _perform_background(self, job_id: int) -> None:
        self._perform_on(job_id, background=True)

    def _perform_on(self, job_id: int, *, background: bool) -> None:
        with self._app.app_context():
            result = self._run(job_id)
        if result.retry_in is not None:
            self.send(job_id, result.retry_in, background=background)
