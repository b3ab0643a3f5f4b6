"""The ``xapi.deliver`` job: post due outbox statements to the LRS (``deliver_pending``).

``deliver_pending`` claims its outbox rows itself, so several workers running
this job at once never send a statement twice.
"""

from __future__ import annotations

from elearn.jobs.registry import JobContext, JobKind, Outcome, PermanentFailure
from elearn.xapi.delivery import deliver_pending
from elearn.xapi.settings import XapiNotConfigured

DELIVERY_KIND = "xapi.deliver"
DEFAULT_LIMIT = 1000


def _run(context: JobContext) -> Outcome:
    try:
        report = deliver_pending(int(context.args.get("limit", DEFAULT_LIMIT)))
    except XapiNotConfigured as exc:
        raise PermanentFailure(str(exc)) from exc
    # An LRS outage is not this job's failure: the outbox keeps its own backoff per statement.
    return Outcome(
        info={
            "delivered": report.delivered,
            "retrying": report.retrying,
            "rejected": len(report.rejected),
            "error": report.error,
        }
    )


def xapi_delivery_kind() -> JobKind:
    return JobKind(DELIVERY_KIND, _run, max_attempts=3)
