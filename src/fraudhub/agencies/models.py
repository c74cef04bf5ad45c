"""Requests of authorities to the platform, their targets and the clock events of each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    REMOVE_CONTENT = "remove_content", _("Remove content")
    SUSPEND_ACCOUNT = "suspend_account", _("Suspend an account, page or group")
    PROVIDE_INFORMATION = "provide_information", _("Provide information")
    LIST_INDICATORS = "list_indicators", _("List indicators in the anti-fraud database")


class RequestChannel(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic (portal or API)")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received, targets being registered")
    IN_PROGRESS = "in_progress", _("In progress")
    NEEDS_INFORMATION = "needs_information", _("Waiting for more information")
    ACTIONED = "actioned", _("Actioned")
    PARTIALLY_ACTIONED = "partially_actioned", _("Partially actioned")
    REFUSED = "refused", _("Refused")


OPEN_REQUEST_STATUSES = (
    RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS, RequestStatus.NEEDS_INFORMATION,
)


class TargetOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    NEEDS_INFORMATION = "needs_information", _("Needs more information")
    ACTIONED = "actioned", _("Actioned")
    PARTIALLY_ACTIONED = "partially_actioned", _("Partially actioned")
    REFUSED = "refused", _("Refused")


# Outcomes that stop a target's clock for good.
FINAL_OUTCOMES = (TargetOutcome.ACTIONED, TargetOutcome.PARTIALLY_ACTIONED, TargetOutcome.REFUSED)


class RefusalReason(models.TextChoices):
    INSUFFICIENT_LEGAL_BASIS = "insufficient_legal_basis", _("Insufficient legal basis")
    TARGET_NOT_FOUND = "target_not_found", _("Target not found")
    CONTENT_LAWFUL = "content_lawful", _("Content is lawful")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the platform's control")
    OTHER = "other", _("Other reason")


class AgencyRequest(models.Model):
    number = models.CharField(max_length=32, unique=True)
    agency = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="agency_requests"
    )
    kind = models.CharField(max_length=24, choices=RequestKind.choices)
    channel = models.CharField(max_length=12, choices=RequestChannel.choices)
    # Set when platform staff recorded a letter or a call on the agency's behalf.
    recorded_on_behalf = models.BooleanField(default=False)
    filed_by = models.CharField(max_length=64)
    filed_by_label = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    reason = models.TextField()
    fraud_type = models.CharField(max_length=64)
    legal_document_number = models.CharField(max_length=100)
    legal_document_date = models.DateField()
    legal_issuing_body = models.CharField(max_length=200)
    legal_signer = models.CharField(max_length=200)
    legal_document = models.FileField(upload_to="agency-documents/", blank=True)
    legal_document_sha256 = models.CharField(max_length=64, blank=True)
    legal_document_received_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    received_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField()
    target_count = models.IntegerField(default=0)
    # Rows of the submitted target list that could not be accepted: [{line, value, error}].
    rejected_rows = models.JSONField(default=list, blank=True)
    cases_ready_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "-received_at"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.number


class RequestTarget(models.Model):
    request = models.ForeignKey(AgencyRequest, on_delete=models.PROTECT, related_name="targets")
    line = models.IntegerField()
    raw = models.CharField(max_length=1024)
    target_kind = models.CharField(max_length=20)
    indicator_type = models.CharField(max_length=20)
    canonical = models.CharField(max_length=512)
    display = models.CharField(max_length=512)
    platform = models.CharField(max_length=40, blank=True)
    target = models.ForeignKey(
        "cases.Target", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT,
        related_name="request_targets",
    )
    outcome = models.CharField(
        max_length=20, choices=TargetOutcome.choices, default=TargetOutcome.PENDING
    )
    refusal_reason = models.CharField(max_length=32, choices=RefusalReason.choices, blank=True)
    note = models.TextField(blank=True)
    decision = models.ForeignKey(
        "cases.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.CharField(max_length=64, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    # The clock: the deadline moves out by the time spent waiting for the agency.
    deadline = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.IntegerField(default=0)
    information_question = models.TextField(blank=True)
    information_answer = models.TextField(blank=True)
    warned_50_at = models.DateTimeField(null=True, blank=True)
    warned_80_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "indicator_type", "canonical"],
                name="request_target_unique_canonical",
            )
        ]
        indexes = [models.Index(fields=["outcome", "deadline"])]
        ordering = ["request", "line"]

    def __str__(self) -> str:
        return f"{self.request.number} #{self.line}: {self.display}"

    @property
    def seconds_to_action(self) -> int | None:
        """Time from receipt to the outcome, not counting time spent waiting for the agency."""
        if self.handled_at is None:
            return None
        elapsed = (self.handled_at - self.request.received_at).total_seconds()
        return max(0, int(elapsed) - self.paused_seconds)

    @property
    def within_deadline(self) -> bool | None:
        if self.handled_at is None:
            return None
        return self.handled_at <= self.deadline


class ClockEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    WARNING_50 = "warning_50", _("Half of the time used")
    WARNING_80 = "warning_80", _("80 percent of the time used")
    ESCALATED = "escalated", _("Deadline passed, escalated")
    PAUSED = "paused", _("Clock paused: information asked")
    RESUMED = "resumed", _("Clock resumed: information received")
    HANDLED = "handled", _("Outcome recorded")
    DOCUMENT = "document", _("Signed document received")


class ClockEvent(models.Model):
    request = models.ForeignKey(AgencyRequest, on_delete=models.PROTECT, related_name="events")
    target = models.ForeignKey(
        RequestTarget, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=ClockEventKind.choices)
    at = models.DateTimeField()
    # What the event says, as keys and numbers (outcome, refusal_reason, share_used,
    # waited_hours, reversed_decision, channel, number, sha256): worded in the reader's language
    # when shown (agencies/timeline.py). `detail` is text as a person wrote it (a question).
    facts = models.JSONField(default=dict, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        # A request's newest events (its timeline) without sorting all of them: a request of
        # 10,000 targets gathers 30,000 warnings.
        indexes = [models.Index(fields=["request", "at", "id"], name="agencies_clock_req_at")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"
