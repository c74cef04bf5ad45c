"""Jobs of the cases app: each takes an id, reloads, and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from fraudhub.cases.services.enforcement import enforcement_attempt
from fraudhub.core.jobs import retried


@task()
def deliver_enforcement(*, enforcement_id: int) -> str:
    enforcement = enforcement_attempt(enforcement_id=enforcement_id)
    return enforcement.status if enforcement else "missing"


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_appeal_outcome(*, appeal_id: int) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from fraudhub.cases.models import Appeal, AppealStatus
    from fraudhub.cases.targets import target_in_mail

    appeal = Appeal.objects.select_related("case__target", "new_decision", "report").filter(
        pk=appeal_id
    ).first()
    if appeal is None or appeal.status == AppealStatus.OPEN or not appeal.contact_email:
        return
    with translation.override(appeal.language):
        target = appeal.case.target
        context = {"appeal": appeal,
                   **target_in_mail(kind=target.kind, display=target.display)}
        subject = render_to_string("cases/email/appeal_subject.txt", context).strip()
        body = render_to_string("cases/email/appeal.txt", context)
    send_mail(subject, body, None, [appeal.contact_email])
