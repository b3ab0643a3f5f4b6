"""Background jobs: a ``job`` table as the source of truth, Dramatiq on Redis or inline to run them.

See docs/jobs.md. ``submit`` records a job (idempotent on its key) and hands it to
the ``JobQueue``; ``run_job`` claims it with a lease, runs its kind's function and
records the outcome, retrying with backoff until it is dead-lettered.
"""
