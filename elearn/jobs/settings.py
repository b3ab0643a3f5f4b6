"""How jobs are run, read once from the app's config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class JobSettings:
    broker_url: str  # "" runs jobs inline, in the process that submits them
    backoff_base_seconds: int = 30
    backoff_max_seconds: int = 3600
    lease_seconds: int = 0  # 0: each kind's own lease
    sweep_seconds: int = 5
    # A queued job whose message seems lost (Redis restarted) is sent again after this.
    resend_after_seconds: int = 300
    worker_threads: int = 4

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> JobSettings:
        return cls(
            broker_url=config.get("JOB_BROKER_URL") or "",
            backoff_base_seconds=int(config.get("JOB_BACKOFF_BASE_SECONDS", 30)),
            backoff_max_seconds=int(config.get("JOB_BACKOFF_MAX_SECONDS", 3600)),
            lease_seconds=int(config.get("JOB_LEASE_SECONDS", 0)),
            sweep_seconds=int(config.get("JOB_SWEEP_SECONDS", 5)),
            resend_after_seconds=int(config.get("JOB_RESEND_AFTER_SECONDS", 300)),
            worker_threads=int(config.get("JOB_WORKER_THREADS", 4)),
        )

    def backoff(self, attempt: int) -> timedelta:
        """The wait before attempt ``attempt + 1``: doubling from the base, capped."""
        seconds = self.backoff_base_seconds * 2 ** max(attempt - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))
