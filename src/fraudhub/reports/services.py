"""Intake: reports from the web form or the API become part of their targets' cases.

`report_create` files one report (anyone may, anonymous callers within a rate limit);
`report_create_many` files up to REPORT_BATCH_MAX for an API client that forwards the reports it
received (a bank, a platform, an authority), answering each one on its own. A report whose
evidence the storage cannot take is refused with StorageUnavailable (503), nothing of it kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fraudhub.cases.models import TargetKind
from fraudhub.cases.targets import PLATFORMS, canonicalize_target
from fraudhub.core.actors import Actor
from fraudhub.core.errors import DomainError, PermissionDenied, StorageUnavailable, ValidationFailed
from fraudhub.core.ratelimit import anonymous_rate_limit
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.core.uploads import STORAGE_RETRY_AFTER_SECONDS
from fraudhub.reports.combined import submission_file
from fraudhub.reports.evidence import EvidenceUpload, check_evidence
from fraudhub.reports.filing import (
    REPORT_BATCH_MAX,
    EvidenceNotStored,
    FiledReport,
    PreparedReport,
    Submission,
    hash_secret,
    reports_file,
)
from fraudhub.reports.inbox import AcceptedReport, intake_deferred, report_accept
from fraudhub.taxonomy.selectors import fraud_type_get

__all__ = ["REPORT_BATCH_MAX", "AcceptedReport", "FiledReport", "ReportInput", "hash_secret",
           "report_create", "report_create_many", "report_prepare"]

DESCRIPTION_MAX = 10_000
TARGET_MAX = 2_048


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


def _check_rate(actor: Actor) -> None:
    anonymous_rate_limit(
        actor=actor, scope="intake", limit=settings.FRAUDHUB_INTAKE_RATE_LIMIT,
        window_seconds=settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS,
        message=gettext_lazy("Too many reports from your address; try again in %(s)d "
                             "seconds."),
    )


def report_prepare(*, data: ReportInput) -> PreparedReport:
    """Check a report and put its target in canonical form; raises ValidationFailed."""
    _validate(data)
    canonical = canonicalize_target(kind=data.target_kind, raw=data.target,
                                    platform=data.platform)
    checked = check_evidence(data.evidence)
    fraud_type = fraud_type_get(key=data.fraud_type)
    assert fraud_type is not None  # validated above
    return PreparedReport(
        target_kind=data.target_kind, target_raw=data.target, canonical=canonical,
        fraud_type=data.fraud_type, severity=fraud_type.severity, description=data.description,
        language=data.language, reporter_email=data.reporter_email,
        reporter_name=data.reporter_name, reporter_phone=data.reporter_phone, evidence=checked,
    )


def _storage_unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        _("Evidence files cannot be stored at the moment, so the report was not filed. Try "
          "again in a few minutes."),
        retry_after=STORAGE_RETRY_AFTER_SECONDS,
    )


def report_create(*, actor: Actor, data: ReportInput) -> FiledReport | AcceptedReport:
    """File one report, or accept it for the worker to file (reports/inbox.py says when)."""
    if not actor.has_perm(Perm.REPORT_CREATE):
        raise PermissionDenied(_("You may not file reports."))
    prepared = report_prepare(data=data)
    _check_rate(actor)
    submission = Submission(actor=actor, item=prepared)
    try:
        if intake_deferred(actor):
            return report_accept(submission=submission, platform=data.platform)
        return submission_file(submission=submission)
    except EvidenceNotStored as exc:
        raise _storage_unavailable() from exc


def report_create_many(
    *, actor: Actor, items: Sequence[ReportInput]
) -> list[FiledReport | DomainError]:
    """File every valid item in one transaction; each invalid one is answered with its errors.

    The answer has one entry per item, in order. An item whose evidence the storage cannot
    take is answered with StorageUnavailable, as an invalid one is: the others are filed. Only
    API clients may file batches: an anonymous caller files one report at a time, within the
    address's rate limit.
    """
    if not actor.is_authenticated or not actor.has_perm(Perm.REPORT_BATCH_CREATE):
        raise PermissionDenied(_("You may not file reports in batches."))
    if not 1 <= len(items) <= REPORT_BATCH_MAX:
        raise ValidationFailed(
            _("Send between 1 and %(n)d reports.") % {"n": REPORT_BATCH_MAX},
            field_errors={"reports": [_("Between 1 and %(n)d items.") % {"n": REPORT_BATCH_MAX}]},
        )
    answers: list[FiledReport | DomainError | None] = []
    accepted: list[tuple[int, PreparedReport]] = []
    for index, data in enumerate(items):
        try:
            accepted.append((index, report_prepare(data=data)))
            answers.append(None)
        except ValidationFailed as exc:
            answers.append(exc)
    if accepted:
        filed = reports_file(actor=actor, items=[prepared for _i, prepared in accepted])
        for (index, _prepared), one in zip(accepted, filed, strict=True):
            answers[index] = _storage_unavailable() if isinstance(one, EvidenceNotStored) else one
    return [answer for answer in answers if answer is not None]
