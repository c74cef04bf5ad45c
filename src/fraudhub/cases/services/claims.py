"""Exclusive, expiring claims of a case by one reviewer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fraudhub.cases.machines import CASE_MACHINE
from fraudhub.cases.models import Case, CaseStatus
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied
from fraudhub.core.roles import Perm
from fraudhub.indicators.feeds import case_review_started
from fraudhub.reports.models import Report, ReportStatus

CLAIMABLE = (CaseStatus.OPEN, CaseStatus.IN_REVIEW, CaseStatus.APPEALED)


def _locked_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().select_related("target").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


def claim_is_held(case: Case, actor: Actor) -> bool:
    return (
        case.claimed_by == actor.identity
        and case.claim_expires_at is not None
        and case.claim_expires_at > timezone.now()
    )


def case_claim(*, actor: Actor, case_id: int) -> Case:
    if not actor.has_perm(Perm.CASE_CLAIM):
        raise PermissionDenied(_("You may not claim cases."))
    now = timezone.now()
    with transaction.atomic():
        case = _locked_case(case_id)
        if case.status not in CLAIMABLE:
            raise Conflict(_("This case is %(status)s and cannot be claimed.")
                           % {"status": case.get_status_display()})
        held_by_other = (
            case.claimed_by
            and case.claimed_by != actor.identity
            and case.claim_expires_at is not None
            and case.claim_expires_at > now
        )
        if held_by_other:
            until = date_format(timezone.localtime(case.claim_expires_at), "H:i")
            raise Conflict(_("Already claimed by %(who)s until %(until)s.")
                           % {"who": case.claimed_by_label, "until": until})
        old = {"status": case.status, "claimed_by": case.claimed_by}
        if case.status == CaseStatus.OPEN:
            CASE_MACHINE.check(case.status, CaseStatus.IN_REVIEW)
            case.status = CaseStatus.IN_REVIEW
            Report.objects.filter(case=case, status=ReportStatus.RECEIVED).update(
                status=ReportStatus.IN_REVIEW
            )
            case_review_started(actor=actor, case=case, started=True)
        case.claimed_by = actor.identity
        case.claimed_by_label = actor.label[:200]
        case.claim_expires_at = now + timedelta(minutes=settings.FRAUDHUB_CLAIM_MINUTES)
        case.save(update_fields=["status", "claimed_by", "claimed_by_label", "claim_expires_at"])
        audit_record(
            actor=actor, action="case.claim", object_type="case", object_id=case.pk, old=old,
            new={"status": case.status, "claimed_by": case.claimed_by,
                 "claim_expires_at": case.claim_expires_at},
        )
    return case


def _release(case: Case, actor: Actor) -> None:
    if case.status == CaseStatus.IN_REVIEW:
        CASE_MACHINE.check(case.status, CaseStatus.OPEN)
        case.status = CaseStatus.OPEN
        Report.objects.filter(case=case, status=ReportStatus.IN_REVIEW).update(
            status=ReportStatus.RECEIVED
        )
        case_review_started(actor=actor, case=case, started=False)
    case.claimed_by = ""
    case.claimed_by_label = ""
    case.claim_expires_at = None
    case.save(update_fields=["status", "claimed_by", "claimed_by_label", "claim_expires_at"])


def case_release(*, actor: Actor, case_id: int) -> Case:
    if not actor.has_perm(Perm.CASE_CLAIM):
        raise PermissionDenied(_("You may not release cases."))
    with transaction.atomic():
        case = _locked_case(case_id)
        if not claim_is_held(case, actor):
            raise Conflict(_("You do not hold the claim on this case."))
        old = {"status": case.status, "claimed_by": case.claimed_by}
        _release(case, actor)
        audit_record(actor=actor, action="case.release", object_type="case", object_id=case.pk,
                     old=old, new={"status": case.status, "claimed_by": ""})
    return case


def claims_expire(*, actor: Actor) -> int:
    """Return expired claims to the queue (run periodically by the worker)."""
    now = timezone.now()
    expired_ids = list(
        Case.objects.filter(claim_expires_at__lte=now).exclude(claimed_by="")
        .values_list("pk", flat=True)
    )
    count = 0
    for case_id in expired_ids:
        with transaction.atomic():
            case = _locked_case(case_id)
            if case.claim_expires_at is None or case.claim_expires_at > now:
                continue
            old = {"status": case.status, "claimed_by": case.claimed_by}
            _release(case, actor)
            audit_record(actor=actor, action="case.claim_expired", object_type="case",
                         object_id=case.pk, old=old, new={"status": case.status})
            count += 1
    return count
