"""Jobs of the agencies app: each takes ids, reloads, and is safe to run twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from fraudhub.agencies.models import AgencyRequest, RequestTarget
from fraudhub.core.jobs import retried
from fraudhub.core.roles import Role

LEAD_ROLES = (Role.SENIOR_REVIEWER, Role.ADMIN)
TEAM_ROLES = (Role.REVIEWER, Role.SENIOR_REVIEWER)


@task()
@retried(max_attempts=6, backoff_seconds=30)
def create_request_cases(*, request_id: int) -> int:
    from fraudhub.agencies.services.requests import request_cases_create

    return request_cases_create(request_id=request_id)


def _request_url(request: AgencyRequest) -> str:
    return f"{settings.FRAUDHUB_BASE_URL}/agency/requests/{request.pk}/"


def agency_recipients(request: AgencyRequest) -> tuple[list[str], str]:
    """Who at the agency hears about its request, and in which language."""
    emails: list[str] = []
    language = "vi"
    if request.filed_by.startswith("user:"):
        user = get_user_model().objects.filter(pk=request.filed_by.split(":", 1)[1]).first()
        if user is not None:
            language = getattr(user, "language", "vi") or "vi"
            if user.email:
                emails.append(user.email)
    for email in (request.contact_email, request.agency.contact_email):
        if email and email not in emails:
            emails.append(email)
    return emails, language


def desk_recipients(*, lead: bool) -> list[str]:
    """The authority team (warnings) or its leads (escalations): configured, else by role."""
    configured = (settings.FRAUDHUB_AUTHORITY_LEAD_EMAILS if lead
                  else settings.FRAUDHUB_AUTHORITY_TEAM_EMAILS)
    if configured:
        return list(configured)
    users = get_user_model().objects.filter(is_active=True, role__in=LEAD_ROLES if lead
                                            else TEAM_ROLES).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _send(template: str, context: dict[str, Any], recipients: list[str], language: str) -> None:
    if not recipients:
        return
    with translation.override(language):
        text = render_to_string(f"agencies/email/{template}.txt", context)
    subject, _blank, body = text.partition("\n")
    send_mail(subject.strip(), body.lstrip("\n"), None, recipients)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_acknowledgement(*, request_id: int) -> None:
    request = AgencyRequest.objects.select_related("agency").filter(pk=request_id).first()
    if request is None:
        return
    recipients, language = agency_recipients(request)
    _send("acknowledgement", {"request": request, "url": _request_url(request)}, recipients,
          language)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_information_request(*, target_id: int) -> None:
    item = RequestTarget.objects.select_related("request__agency").filter(pk=target_id).first()
    if item is None or not item.information_question:
        return
    recipients, language = agency_recipients(item.request)
    _send("information_request",
          {"request": item.request, "item": item, "url": _request_url(item.request)},
          recipients, language)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_request_update(*, request_id: int) -> None:
    request = AgencyRequest.objects.select_related("agency").filter(pk=request_id).first()
    if request is None:
        return
    recipients, language = agency_recipients(request)
    _send("request_update", {"request": request, "url": _request_url(request)}, recipients,
          language)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_clock_notice(*, request_id: int, kind: str, target_ids: list[int]) -> None:
    request = AgencyRequest.objects.select_related("agency").filter(pk=request_id).first()
    if request is None:
        return
    items = list(RequestTarget.objects.filter(pk__in=target_ids).order_by("line"))
    recipients = desk_recipients(lead=kind == "escalated")
    _send("clock_notice",
          {"request": request, "items": items, "kind": kind,
           "url": f"{settings.FRAUDHUB_BASE_URL}/console/?queue=authority"},
          recipients, settings.LANGUAGE_CODE)
