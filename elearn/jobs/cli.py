"""``flask jobs ...``: run the worker, run due jobs without one, show the queue."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.jobs.binding import current_jobs
from elearn.models.job import Job

jobs_cli = click.Group("jobs", help="Background jobs: worker, due jobs, status.")


@jobs_cli.command("worker")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Worker threads.")
def worker_command(threads: int | None) -> None:
    """Run jobs from Redis (JOB_BROKER_URL or REDIS_URL) until stopped with SIGTERM."""
    from elearn.jobs.dramatiq_queue import DramatiqQueue
    from elearn.jobs.worker import run_worker

    jobs = current_jobs()
    if not isinstance(jobs.queue, DramatiqQueue):
        raise click.ClickException("JOB_BROKER_URL and REDIS_URL are empty: jobs run inline")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_worker(app, jobs, jobs.queue, threads or jobs.settings.worker_threads)


@jobs_cli.command("run-due")
def run_due_command() -> None:
    """Send (inline: run) due retries, jobs of dead workers and this period's recurring jobs."""
    jobs = current_jobs()
    sent = jobs.sweep(grace=timedelta(0))
    click.echo(f"Sent {sent} jobs to the {jobs.queue.name} queue.")


@jobs_cli.command("status")
def status_command() -> None:
    """Count jobs by kind and state."""
    rows = db.session.execute(
        select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state).order_by(Job.kind)
    )
    for kind, state, count in rows:
        click.echo(f"{kind}\t{state}\t{count}")
