from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fraudhub.cases.models import ReportSource, TargetKind


class Reporter(models.Model):
    """Whoever files reports, as far as we can tell them apart; carries their reputation."""

    identity = models.CharField(max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reporter",
    )
    organization = models.ForeignKey(
        "core.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reputation = models.IntegerField(default=50)
    upheld_count = models.IntegerField(default=0)
    rejected_count = models.IntegerField(default=0)
    bad_faith_until = models.DateTimeField(null=True, blank=True)
    bad_faith_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.identity


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting for review")
    IN_REVIEW = "in_review", _("In review")
    ACTIONED = "actioned", _("Action taken")
    NO_VIOLATION = "no_violation", _("No violation found")
    CLOSED_BAD_FAITH = "closed_bad_faith", _("Closed: reporter acting in bad faith")
    SUSPENDED = "suspended", _("Not processed: reporter suspended")


PENDING_REPORT_STATUSES = (ReportStatus.RECEIVED, ReportStatus.IN_REVIEW)


class Report(models.Model):
    tracking_code = models.CharField(max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    target = models.ForeignKey("cases.Target", on_delete=models.PROTECT, related_name="reports")
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_raw = models.TextField()
    platform = models.CharField(max_length=40, blank=True)
    fraud_type = models.CharField(max_length=64)
    description = models.TextField()
    language = models.CharField(max_length=8, default="vi")
    source = models.CharField(max_length=20, choices=ReportSource.choices)
    reporter = models.ForeignKey(
        Reporter, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    reporter_email = models.EmailField(blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)
    # When the reporter followed the confirmation link mailed to reporter_email: from then on
    # the report counts as that address's (its reporter is the address, not the connection).
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the contact fields above were emptied because their retention ran out (see
    # fraudhub.core.retention): an empty field then reads "erased", not "never given".
    contacts_erased_at = models.DateTimeField(null=True, blank=True)
    good_faith = models.BooleanField()
    # The report names a value on an allowlist (an official hotline, a bank's own site): most
    # likely the scammer spoofed it, so reviewers see a warning.
    possibly_spoofed = models.BooleanField(default=False)
    # Set once the report's values are recorded as sightings in the indicator database.
    indicators_recorded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    created_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Intake asks, for every report, whether its reporter counts in the case already.
        indexes = [models.Index(fields=["case", "reporter"], name="report_case_reporter")]

    def __str__(self) -> str:
        return self.tracking_code


def evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under its hash with a fixed extension: the uploaded name never reaches the disk.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Evidence(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    extension = models.CharField(max_length=8)
    size = models.IntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class ReportIndicator(models.Model):
    """An indicator found in a report (its target or its text), kept for the database."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    type = models.CharField(max_length=20)
    value = models.CharField(max_length=512)
    raw = models.CharField(max_length=512)
    from_target = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["type", "value"])]


    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


class PendingReport(models.Model):
    """A report accepted and answered, waiting for the worker to file it into its case.

    A busy server answers a reporter once the report is safely stored here: filing it (its
    case, its reporter's standing, the audit chain) is done by the worker in batches, one
    transaction for many reports (reports/inbox.py). The row is deleted in the transaction
    that files the report under the same tracking code; one that fails stays, with its error.
    """

    tracking_code = models.CharField(max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64)
    # Who sent it, as reports/inbox.py writes it down: the kind, the user or key, the address.
    actor = models.JSONField()
    # The report as the reporter sent it (ReportInput's fields) and its evidence files,
    # already stored: their rows are made when it is filed.
    submission = models.JSONField()
    accepted_at = models.DateTimeField()
    attempts = models.IntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A report that failed to be filed is tried again from then on.
    retry_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.tracking_code
