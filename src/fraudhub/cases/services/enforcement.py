"""Scheduling and delivering enforcement orders through the configured PlatformAdapter."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fraudhub.cases.adapters import DeliveryResult, get_adapter
from fraudhub.cases.machines import ENFORCEMENT_MACHINE
from fraudhub.cases.models import (
    Decision,
    Enforcement,
    EnforcementAction,
    EnforcementStatus,
    Outcome,
    PlatformStatus,
    Target,
)
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied
from fraudhub.core.jobs import enqueue
from fraudhub.core.roles import Perm

logger = logging.getLogger(__name__)
APPEAL_SIGNING_SALT = "fraudhub.appeal.owner"

OUTCOME_STATUS = {
    Outcome.LABEL: PlatformStatus.LABELLED,
    Outcome.RESTRICT: PlatformStatus.RESTRICTED,
    Outcome.REMOVE_CONTENT: PlatformStatus.CONTENT_REMOVED,
    Outcome.SUSPEND: PlatformStatus.SUSPENDED,
    Outcome.TERMINATE: PlatformStatus.TERMINATED,
}


def owner_appeal_token(decision: Decision) -> str:
    return signing.dumps({"decision": decision.pk}, salt=APPEAL_SIGNING_SALT)


def owner_appeal_url(decision: Decision) -> str:
    return f"{settings.FRAUDHUB_BASE_URL}/appeal/{owner_appeal_token(decision)}"


def _order(decision: Decision, action: str, explanation: str) -> dict[str, Any]:
    target = decision.case.target
    order: dict[str, Any] = {
        "action": action,
        "decision_id": decision.pk,
        "case_id": decision.case_id,
        "outcome": decision.outcome,
        "ends_at": decision.ends_at.isoformat() if decision.ends_at else None,
        "target": {
            "kind": target.kind,
            "type": target.indicator_type,
            "value": target.canonical,
            "platform": target.platform,
            "display": target.display,
        },
        "statement_of_reasons": decision.statement,
        "explanation": explanation,
    }
    if action == EnforcementAction.APPLY:
        order["appeal_url"] = owner_appeal_url(decision)
    return order


def enforcement_schedule(
    *, actor: Actor, decision: Decision, action: str, explanation: str = ""
) -> Enforcement:
    """Record an order and queue its delivery. Runs inside the caller's transaction."""
    adapter_name = settings.FRAUDHUB_PLATFORM_ADAPTER
    enforcement = Enforcement.objects.create(
        decision=decision,
        action=action,
        adapter=adapter_name,
        idempotency_key=uuid.uuid4().hex,
        payload=_order(decision, action, explanation),
    )
    audit_record(
        actor=actor, action=f"enforcement.schedule_{action}", object_type="enforcement",
        object_id=enforcement.pk,
        new={"decision": decision.pk, "adapter": adapter_name, "status": enforcement.status},
    )
    from fraudhub.cases.tasks import deliver_enforcement

    enqueue(deliver_enforcement, enforcement_id=enforcement.pk)
    return enforcement


def _refresh_target_status(target: Target) -> None:
    """The target's status is that of its newest current decision delivered to the platform."""
    latest = (
        Enforcement.objects.filter(
            decision__case__target=target, decision__is_current=True,
            action=EnforcementAction.APPLY, status=EnforcementStatus.DELIVERED,
        )
        .select_related("decision")
        .order_by("-delivered_at", "-pk")
        .first()
    )
    if latest is None:
        target.platform_status = PlatformStatus.ACTIVE
        target.status_until = None
    else:
        target.platform_status = OUTCOME_STATUS[Outcome(latest.decision.outcome)]
        target.status_until = latest.decision.ends_at
    target.save(update_fields=["platform_status", "status_until"])


def _backoff(attempts: int) -> timedelta:
    base = settings.FRAUDHUB_WEBHOOK_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** (attempts - 1)), 6 * 3600))


_FINAL_STATUSES = (EnforcementStatus.DELIVERED, EnforcementStatus.GIVEN_UP,
                   EnforcementStatus.CANCELLED)


def _replaced(enforcement: Enforcement) -> bool:
    """An apply whose decision no longer stands (reversed on appeal): never to be sent."""
    return enforcement.action == EnforcementAction.APPLY and not Decision.objects.filter(
        pk=enforcement.decision_id, is_current=True).exists()


def _cancel(enforcement_id: int) -> Enforcement:
    with transaction.atomic():
        enforcement = Enforcement.objects.select_for_update().get(pk=enforcement_id)
        if enforcement.status in _FINAL_STATUSES:
            return enforcement
        old = {"status": enforcement.status, "attempts": enforcement.attempts}
        ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.CANCELLED)
        enforcement.status = EnforcementStatus.CANCELLED
        enforcement.flagged = False
        enforcement.next_attempt_at = None
        enforcement.attempt_token = ""
        enforcement.in_flight_until = None
        enforcement.save(update_fields=["status", "flagged", "next_attempt_at", "attempt_token",
                                        "in_flight_until"])
        audit_record(
            actor=Actor.system(f"enforcement:{enforcement.adapter}"),
            action="enforcement.cancel", object_type="enforcement", object_id=enforcement.pk,
            old=old, new={"status": enforcement.status,
                          "detail": "its decision was replaced before it was delivered"},
        )
    return enforcement


# How late a job may find its order's attempt due and still make it (clocks of two hosts).
_DUE_TOLERANCE = timedelta(seconds=2)


def _lease() -> timedelta:
    """How long an attempt holds its order: the whole exchange (the adapter cuts it off at
    the timeout) and the recording of its answer."""
    return timedelta(seconds=settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS + 30)


def _claim(enforcement_id: int) -> tuple[Enforcement | None, str]:
    """Take the order's next attempt: (the order, this attempt's token), or an empty token when
    this job has nothing to send (the order is done, not due yet because another job holds
    its retry, or an attempt of another job is under way).

    Two jobs for one order (a reclaimed job and its original still running, an operator's
    retry beside a scheduled one) each sent it and counted an attempt, and each queued a retry:
    two chains, the order given up twice as early.
    """
    now = timezone.now()
    with transaction.atomic():
        enforcement = Enforcement.objects.select_for_update().filter(pk=enforcement_id).first()
        if enforcement is None or enforcement.status in _FINAL_STATUSES:
            return enforcement, ""
        if enforcement.in_flight_until is not None and enforcement.in_flight_until > now:
            return enforcement, ""
        if (enforcement.next_attempt_at is not None
                and enforcement.next_attempt_at > now + _DUE_TOLERANCE):
            return enforcement, ""
        # The decision's row, which a reversal writes: an apply is claimed either before the
        # reversal commits (and its revert then waits for it below) or after (and is cancelled).
        decision = Decision.objects.select_for_update().get(pk=enforcement.decision_id)
        if enforcement.action == EnforcementAction.APPLY and not decision.is_current:
            return _cancel(enforcement_id), ""
        if enforcement.action == EnforcementAction.REVERT:
            under_way = (Enforcement.objects.filter(
                decision=decision, action=EnforcementAction.APPLY, in_flight_until__gt=now)
                .order_by("-in_flight_until").values_list("in_flight_until", flat=True).first())
            if under_way is not None:
                _postpone(enforcement, until=under_way)
                return enforcement, ""
        enforcement.attempt_token = uuid.uuid4().hex
        enforcement.in_flight_until = now + _lease()
        enforcement.save(update_fields=["attempt_token", "in_flight_until"])
    return enforcement, enforcement.attempt_token


def _postpone(enforcement: Enforcement, *, until: datetime) -> None:
    """A revert whose decision's apply is on its way to the platform: sent once that attempt
    is over (its hold ends), so that the platform cannot receive the apply after it."""
    old = {"next_attempt_at": enforcement.next_attempt_at.isoformat()
           if enforcement.next_attempt_at else None}
    enforcement.next_attempt_at = until
    enforcement.save(update_fields=["next_attempt_at"])
    audit_record(actor=Actor.system(f"enforcement:{enforcement.adapter}"),
                 action="enforcement.postpone", object_type="enforcement",
                 object_id=enforcement.pk, old=old,
                 new={"next_attempt_at": until.isoformat(),
                      "detail": "an apply of its decision is on its way to the platform"})
    from fraudhub.cases.tasks import deliver_enforcement

    enqueue(deliver_enforcement, enforcement_id=enforcement.pk, run_after=until)


def enforcement_attempt(*, enforcement_id: int) -> Enforcement | None:
    """Try one delivery. The network call happens outside any transaction or lock; only one
    attempt of an order is under way at a time, and only it records its answer."""
    enforcement = Enforcement.objects.filter(pk=enforcement_id).first()
    if enforcement is None or enforcement.status in _FINAL_STATUSES:
        return enforcement
    if _replaced(enforcement):
        return _cancel(enforcement_id)
    enforcement, token = _claim(enforcement_id)
    if enforcement is None or not token:
        return enforcement
    result = _deliver(enforcement)
    system = Actor.system(f"enforcement:{enforcement.adapter}")
    now = timezone.now()
    with transaction.atomic():
        enforcement = Enforcement.objects.select_for_update().get(pk=enforcement_id)
        if enforcement.attempt_token != token:
            return enforcement  # held too long: another attempt took the order over
        enforcement.attempt_token = ""
        enforcement.in_flight_until = None
        if enforcement.status in _FINAL_STATUSES:
            enforcement.save(update_fields=["attempt_token", "in_flight_until"])
            return enforcement
        old = {"status": enforcement.status, "attempts": enforcement.attempts}
        enforcement.attempts += 1
        if result.ok:
            ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.DELIVERED)
            enforcement.status = EnforcementStatus.DELIVERED
            enforcement.delivered_at = now
            enforcement.last_error = ""
            enforcement.next_attempt_at = None
            enforcement.flagged = False
        elif result.retryable and enforcement.attempts < settings.FRAUDHUB_WEBHOOK_MAX_ATTEMPTS:
            ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.RETRYING)
            enforcement.status = EnforcementStatus.RETRYING
            enforcement.last_error = result.detail[:2000]
            wait = _backoff(enforcement.attempts)
            if result.retry_after_seconds:
                wait = max(wait, timedelta(seconds=result.retry_after_seconds))
            enforcement.next_attempt_at = now + wait
        else:
            ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.GIVEN_UP)
            enforcement.status = EnforcementStatus.GIVEN_UP
            enforcement.flagged = True
            enforcement.last_error = result.detail[:2000]
            enforcement.next_attempt_at = None
        enforcement.save()
        audit_record(
            actor=system, action="enforcement.attempt", object_type="enforcement",
            object_id=enforcement.pk, old=old,
            new={"status": enforcement.status, "attempts": enforcement.attempts,
                 "detail": result.detail[:500]},
        )
        if enforcement.status == EnforcementStatus.DELIVERED:
            target = Target.objects.select_for_update().get(pk=enforcement.decision.case.target_id)
            _refresh_target_status(target)
        elif enforcement.status == EnforcementStatus.RETRYING:
            from fraudhub.cases.tasks import deliver_enforcement

            enqueue(deliver_enforcement, enforcement_id=enforcement.pk,
                    run_after=enforcement.next_attempt_at)
    return enforcement


def _deliver(enforcement: Enforcement) -> DeliveryResult:
    """The adapter's answer; a missing configuration or an adapter's own error is a failed
    delivery, recorded (the job failed instead, and the order stayed pending for ever)."""
    try:
        adapter = get_adapter(enforcement.adapter)
    except ImproperlyConfigured as exc:
        # Nothing will change until an operator fixes the settings and sends it again.
        return DeliveryResult(ok=False, retryable=False, detail=f"not configured: {exc}")
    try:
        return adapter.deliver(order=enforcement.payload,
                               idempotency_key=enforcement.idempotency_key)
    except Exception as exc:  # an adapter's bug: retried, then given up and flagged
        logger.exception("enforcement %s: the %s adapter failed", enforcement.pk,
                         enforcement.adapter)
        return DeliveryResult(ok=False, retryable=True,
                              detail=f"{type(exc).__name__}: {exc}"[:500])


def _delivery_jobs_waiting(enforcement_ids: list[int]) -> set[int]:
    """Those of `enforcement_ids` that a delivery job is queued or running for."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from fraudhub.cases.tasks import deliver_enforcement

    jobs = DBTaskResult.objects.filter(
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
        task_path=deliver_enforcement.module_path,
        args_kwargs__kwargs__enforcement_id__in=enforcement_ids,
    ).values_list("args_kwargs", flat=True)
    return {job["kwargs"]["enforcement_id"] for job in jobs}


def _overdue(now: datetime) -> Q:
    before = now - timedelta(seconds=settings.FRAUDHUB_ENFORCEMENT_OVERDUE_SECONDS)
    return (Q(status__in=(EnforcementStatus.PENDING, EnforcementStatus.RETRYING))
            & (Q(next_attempt_at__lt=before)
               | Q(next_attempt_at__isnull=True, created_at__lt=before))
            & (Q(in_flight_until__isnull=True) | Q(in_flight_until__lt=now)))


def enforcements_requeue_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Orders left pending or retrying with nothing to deliver them: queued again, flagged.

    Their job failed (the database gone after the platform answered, or at the job's start)
    or was lost. Each counts as an attempt: one that keeps failing is given up and flagged
    after FRAUDHUB_WEBHOOK_MAX_ATTEMPTS, not queued again every round. Returns how many.
    """
    now = now or timezone.now()
    candidates = list(Enforcement.objects.filter(_overdue(now)).order_by("pk")
                      .values_list("pk", flat=True)[:limit])
    if not candidates:
        return 0
    waiting = _delivery_jobs_waiting(candidates)
    handled = 0
    system = Actor.system("housekeeping")
    for enforcement_id in candidates:
        if enforcement_id in waiting:
            continue
        with transaction.atomic():
            enforcement = (Enforcement.objects.select_for_update(skip_locked=True)
                           .filter(_overdue(now), pk=enforcement_id).first())
            if enforcement is None or _delivery_jobs_waiting([enforcement_id]):
                continue  # delivered, or picked up, meanwhile
            old = {"status": enforcement.status, "attempts": enforcement.attempts}
            enforcement.attempts += 1
            enforcement.flagged = True
            if enforcement.attempts < settings.FRAUDHUB_WEBHOOK_MAX_ATTEMPTS:
                ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.RETRYING)
                enforcement.status = EnforcementStatus.RETRYING
                enforcement.next_attempt_at = now
                enforcement.last_error = ("its delivery job ended without recording an "
                                          "attempt (failed or lost); queued again")
                action = "enforcement.requeue"
            else:
                ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.GIVEN_UP)
                enforcement.status = EnforcementStatus.GIVEN_UP
                enforcement.next_attempt_at = None
                enforcement.last_error = ("its delivery jobs kept ending without recording an "
                                          "attempt (failed or lost); given up")
                action = "enforcement.give_up"
            enforcement.attempt_token = ""  # an attempt still recording loses the order
            enforcement.in_flight_until = None
            enforcement.save(update_fields=["attempts", "flagged", "status", "next_attempt_at",
                                            "last_error", "attempt_token", "in_flight_until"])
            audit_record(actor=system, action=action, object_type="enforcement",
                         object_id=enforcement.pk, old=old,
                         new={"status": enforcement.status, "attempts": enforcement.attempts,
                              "detail": enforcement.last_error})
            if enforcement.status == EnforcementStatus.RETRYING:
                from fraudhub.cases.tasks import deliver_enforcement

                enqueue(deliver_enforcement, enforcement_id=enforcement.pk)
            handled += 1
    return handled


def enforcement_retry(*, actor: Actor, enforcement_id: int) -> Enforcement:
    """An operator sends a given-up order again."""
    if not actor.has_perm(Perm.CASE_DECIDE):
        raise PermissionDenied("requires desk:case:decide")
    with transaction.atomic():
        enforcement = Enforcement.objects.select_for_update().filter(pk=enforcement_id).first()
        if enforcement is None:
            raise NotFound("no such enforcement")
        if enforcement.status != EnforcementStatus.GIVEN_UP:
            raise Conflict("only given-up deliveries can be retried")
        ENFORCEMENT_MACHINE.check(enforcement.status, EnforcementStatus.PENDING)
        enforcement.status = EnforcementStatus.PENDING
        enforcement.attempts = 0
        enforcement.flagged = False
        enforcement.save()
        audit_record(actor=actor, action="enforcement.retry", object_type="enforcement",
                     object_id=enforcement.pk, old={"status": EnforcementStatus.GIVEN_UP},
                     new={"status": EnforcementStatus.PENDING})
        from fraudhub.cases.tasks import deliver_enforcement

        enqueue(deliver_enforcement, enforcement_id=enforcement.pk)
    return enforcement
