"""Intake: a report from the web form or the API becomes part of its target's case."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.cases.models import ReportSource, TargetKind
from fraudhub.cases.services.intake import (
    case_attach_report,
    case_open_audit,
    target_get_or_create,
)
from fraudhub.cases.targets import PLATFORMS, canonicalize_target
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.errors import PermissionDenied, RateLimited, ValidationFailed
from fraudhub.core.jobs import enqueue
from fraudhub.core.ratelimit import get_rate_limiter
from fraudhub.core.roles import Perm, Role
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators.extract import extract
from fraudhub.reports.evidence import EvidenceUpload, check_evidence
from fraudhub.reports.models import Evidence, Report, Reporter, ReportIndicator, ReportStatus
from fraudhub.taxonomy.selectors import fraud_type_get

DESCRIPTION_MAX = 10_000
INDICATOR_VALUE_MAX = 512
TARGET_MAX = 2_048
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud


@dataclass(frozen=True)
class ReportInput:
    target_kind: str
    target: str
    fraud_type: str
    description: str
    good_faith: bool
    platform: str = ""
    language: str = "vi"
    reporter_email: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    evidence: list[EvidenceUpload] = field(default_factory=list)


@dataclass(frozen=True)
class FiledReport:
    report: Report
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _tracking_code() -> str:
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"FH-{body[:5]}-{body[5:]}"


def _validate(data: ReportInput) -> None:
    errors: dict[str, list[str]] = nul_field_errors({
        "target": data.target, "platform": data.platform, "fraud_type": data.fraud_type,
        "description": data.description, "reporter_email": data.reporter_email,
        "reporter_name": data.reporter_name, "reporter_phone": data.reporter_phone,
        "language": data.language,
    })
    if errors:
        raise ValidationFailed(_("The report is not valid."), field_errors=errors)
    if data.target_kind not in TargetKind.values:
        errors["target_kind"] = [_("Unknown kind; one of: %(kinds)s")
                                 % {"kinds": ", ".join(TargetKind.values)}]
    if len(data.target) > TARGET_MAX:
        errors["target"] = [_("At most %(n)d characters.") % {"n": TARGET_MAX}]
    if data.platform and data.platform.lower() not in PLATFORMS:
        errors["platform"] = [_("Unknown platform; one of: %(p)s") % {"p": ", ".join(PLATFORMS)}]
    if fraud_type_get(key=data.fraud_type) is None:
        errors["fraud_type"] = [_("Unknown fraud type %(key)s; see /api/v1/taxonomy.")
                                % {"key": data.fraud_type[:64]}]
    if not data.description.strip():
        errors["description"] = [_("Describe what happened.")]
    elif len(data.description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}]
    if data.good_faith is not True:
        errors["good_faith"] = [_(
            "You must confirm that you believe the information in this report is accurate "
            "and complete (good-faith statement)."
        )]
    if data.reporter_email:
        try:
            EmailValidator()(data.reporter_email)
        except DjangoValidationError:
            errors["reporter_email"] = [_("Enter a valid e-mail address.")]
    if data.language not in {"vi", "en"}:
        errors["language"] = [_("Language must be vi or en.")]
    if errors:
        raise ValidationFailed(_("The report is not valid."), field_errors=errors)


def _source_for(actor: Actor) -> str:
    org = actor.organization
    if actor.role == Role.AGENCY_OFFICER:
        return ReportSource.AUTHORITY
    if org is not None and org.is_trusted_flagger:
        return ReportSource.TRUSTED_FLAGGER
    if actor.role == Role.PARTNER:
        return ReportSource.PARTNER
    return ReportSource.CITIZEN


def _reporter_identity(actor: Actor, email: str) -> str:
    if actor.user is not None:
        return f"user:{actor.user.pk}"
    if actor.organization is not None:
        return f"org:{actor.organization.pk}"
    if actor.api_key is not None:
        return f"apikey:{actor.api_key.pk}"
    if email:
        return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    # Anonymous and without contact: the address, keyed so the table holds no raw IPs.
    keyed = hashlib.sha256(f"{settings.SECRET_KEY}:{actor.ip or '-'}".encode()).hexdigest()
    return "ip:" + keyed[:40]


def _reporter_get_or_create(actor: Actor, email: str) -> Reporter:
    identity = _reporter_identity(actor, email)
    reporter = Reporter.objects.filter(identity=identity).first()
    if reporter is not None:
        return reporter
    try:
        with transaction.atomic():
            return Reporter.objects.create(
                identity=identity, user=actor.user, organization=actor.organization
            )
    except IntegrityError:
        return Reporter.objects.get(identity=identity)


def _check_rate(actor: Actor) -> None:
    if actor.is_authenticated:
        return  # API clients are held to their own quotas, staff are not limited here
    decision = get_rate_limiter().hit(
        f"intake:{actor.ip or '-'}",
        limit=settings.FRAUDHUB_INTAKE_RATE_LIMIT,
        window_seconds=settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS,
    )
    if not decision.allowed:
        raise RateLimited(
            _("Too many reports from your address; try again in %(s)d seconds.")
            % {"s": decision.retry_after},
            retry_after=decision.retry_after,
        )


def report_create(*, actor: Actor, data: ReportInput) -> FiledReport:
    if not actor.has_perm(Perm.REPORT_CREATE):
        raise PermissionDenied(_("You may not file reports."))
    _validate(data)
    canonical = canonicalize_target(kind=data.target_kind, raw=data.target,
                                    platform=data.platform)
    checked = check_evidence(data.evidence)
    _check_rate(actor)
    fraud_type = fraud_type_get(key=data.fraud_type)
    assert fraud_type is not None  # validated above
    # Extraction is pure CPU work: do it before taking any lock.
    found = extract(data.description)
    secret = secrets.token_urlsafe(18)
    now = timezone.now()
    source = _source_for(actor)
    stored_files = [
        (item, ContentFile(item.content)) for item in checked
    ]

    with transaction.atomic():
        target = target_get_or_create(canonical=canonical)
        reporter = _reporter_get_or_create(actor, data.reporter_email)
        suspended = reporter.bad_faith_until is not None and reporter.bad_faith_until > now
        case_created = False
        report = Report(
            secret_hash=hash_secret(secret), target=target, target_kind=data.target_kind,
            target_raw=data.target, platform=canonical.platform, fraud_type=data.fraud_type,
            description=data.description, language=data.language, source=source,
            reporter=reporter, reporter_email=data.reporter_email.strip()[:254],
            reporter_name=data.reporter_name.strip()[:200],
            reporter_phone=data.reporter_phone.strip()[:40], good_faith=True,
            status=ReportStatus.SUSPENDED if suspended else ReportStatus.RECEIVED,
            created_at=now,
        )
        if not suspended:
            new_reporter = not Report.objects.filter(
                reporter=reporter, target=target, case__status__in=("open", "in_review")
            ).exists()
            case, case_created = case_attach_report(
                actor=actor, target=target, source=source, fraud_type=data.fraud_type,
                severity=fraud_type.severity, new_reporter=new_reporter,
                reporter_reputation=reporter.reputation, now=now,
            )
            report.case = case
        for _attempt in range(5):
            report.tracking_code = _tracking_code()
            try:
                with transaction.atomic():
                    report.save()
                break
            except IntegrityError:
                continue
        ReportIndicator.objects.bulk_create(
            [ReportIndicator(report=report, type=canonical.indicator_type,
                             value=canonical.canonical, raw=data.target[:512], from_target=True)]
            + [ReportIndicator(report=report, type=f.type, value=f.value[:512], raw=f.raw[:512])
               for f in found
               if (f.type, f.value) != (canonical.indicator_type, canonical.canonical)
               # a longer value cannot be stored whole, and a cut one would be a wrong value
               and len(f.value) <= INDICATOR_VALUE_MAX]
        )
        for item, content in stored_files:
            evidence = Evidence(
                report=report, original_name=item.name, content_type=item.content_type,
                extension=item.extension, size=len(item.content), sha256=item.sha256,
            )
            evidence.file.save(item.name, content, save=False)
            evidence.save()
        audit = [AuditSpec(
            action="report.create", object_type="report", object_id=report.pk,
            new={"tracking_code": report.tracking_code, "target": target.canonical,
                 "case": report.case_id, "status": report.status, "source": source,
                 "fraud_type": data.fraud_type, "evidence": [c.sha256 for c in checked]},
        )]
        if case_created and report.case is not None:
            audit.insert(0, case_open_audit(report.case))
        from fraudhub.reports.tasks import record_report_indicators, send_report_receipt

        # The indicator database is fed by a job: the reporter's answer need not wait for it.
        enqueue(record_report_indicators, report_id=report.pk)
        if report.reporter_email:
            enqueue(send_report_receipt, report_id=report.pk)
        # Last statement before the commit: the chain-head lock is held only for that long.
        audit_record_many(actor=actor, specs=audit)
    return FiledReport(report=report, secret=secret)
