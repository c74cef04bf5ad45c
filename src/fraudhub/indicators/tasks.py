"""Jobs of the indicators app: each takes an id, reloads, and is safe to run twice."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from fraudhub.core.jobs import retried


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_delisting_outcome(*, request_id: int) -> None:
    from fraudhub.indicators.models import DelistingRequest, DelistingStatus

    request = DelistingRequest.objects.select_related("indicator").filter(pk=request_id).first()
    # An erased address (its retention ended: fraudhub.core.retention) is nobody to write to.
    if request is None or request.status == DelistingStatus.OPEN or not request.requester_email:
        return
    with translation.override(request.language):
        context = {"request": request}
        subject = render_to_string("indicators/email/delisting_subject.txt", context).strip()
        body = render_to_string("indicators/email/delisting.txt", context)
    send_mail(subject, body, None, [request.requester_email])
