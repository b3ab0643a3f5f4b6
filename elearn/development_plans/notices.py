"""E-mails about a plan: to the supervisor when it is submitted, to the learner on a decision.

They go through the ``mail.send`` job, keyed by the submission or the decision, so a
repeated request never sends a second copy. Someone without an e-mail address gets none.
"""

from __future__ import annotations

from elearn.jobs.service import Jobs
from elearn.mail.job import queue_mail
from elearn.mail.message import Message
from elearn.models import DevelopmentPlan, PlanDecision, PlanDecisionKind, User
from elearn.reminders.texts import translations_for

SUBJECT_PREFIX = "[eLearn ASN] "


def notify_submitted(
    jobs: Jobs, plan: DevelopmentPlan, learner: User, supervisor: User, base_url: str
) -> bool:
    """Tell the supervisor a plan waits for them; False if they have no e-mail address."""
    if not supervisor.email or plan.submitted_at is None:
        return False
    tr = translations_for(supervisor.locale or "id")
    values = {"name": learner.full_name, "year": plan.year}
    text = "\n".join(
        [
            tr.gettext("Yth. %(name)s,") % {"name": supervisor.full_name},
            "",
            tr.gettext("%(name)s mengajukan rencana pengembangan kompetensi tahun %(year)d.")
            % values,
            tr.gettext("Setujui atau minta perubahan: %(url)s")
            % {"url": f"{base_url}/me/team/plans/{plan.id}"},
            "",
        ]
    )
    subject = tr.gettext("Rencana pengembangan %(name)s menunggu persetujuan Anda") % values
    message = Message(to=supervisor.email, subject=SUBJECT_PREFIX + subject, text=text)
    stamp = plan.submitted_at.isoformat()
    queue_mail(jobs, message, key=f"plan:{plan.id}:submitted:{stamp}", owner_id=supervisor.id)
    return True


def notify_decided(
    jobs: Jobs, plan: DevelopmentPlan, decision: PlanDecision, learner: User, base_url: str
) -> bool:
    """Tell the learner what their supervisor decided, with the comment."""
    if not learner.email:
        return False
    tr = translations_for(learner.locale or "id")
    values = {"year": plan.year}
    if decision.decision == PlanDecisionKind.APPROVED:
        subject = tr.gettext("Rencana pengembangan tahun %(year)d disetujui") % values
    else:
        subject = tr.gettext("Rencana pengembangan tahun %(year)d perlu diperbaiki") % values
    lines = [tr.gettext("Yth. %(name)s,") % {"name": learner.full_name}, "", subject + "."]
    if decision.comment:
        lines += ["", tr.gettext("Catatan atasan:"), decision.comment]
    lines += [
        "",
        tr.gettext("Lihat rencana: %(url)s") % {"url": f"{base_url}/me/plans/{plan.year}"},
        "",
    ]
    message = Message(to=learner.email, subject=SUBJECT_PREFIX + subject, text="\n".join(lines))
    queue_mail(jobs, message, key=f"plan-decision:{decision.id}", owner_id=learner.id)
    return True
