from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    ACCOUNT = "account", _("Account")
    PAGE = "page", _("Page")
    GROUP = "group", _("Group")
    POST = "post", _("Post")
    URL = "url", _("Link")
    PHONE = "phone", _("Phone number")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    CRYPTO_WALLET = "crypto_wallet", _("Crypto wallet")
    EMAIL = "email", _("E-mail address")
    OTHER = "other", _("Other")


# Kinds that are accounts on a platform: they collect strikes and can be locked.
ACCOUNT_KINDS = frozenset({TargetKind.ACCOUNT, TargetKind.PAGE, TargetKind.GROUP})


class PlatformStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LABELLED = "labelled", _("Labelled with a warning")
    RESTRICTED = "restricted", _("Reach or interaction restricted")
    CONTENT_REMOVED = "content_removed", _("Content removed")
    SUSPENDED = "suspended", _("Temporarily suspended")
    TERMINATED = "terminated", _("Permanently terminated")


class Target(models.Model):
    """The thing reported, identified by its canonical form so reports about it group."""

    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    indicator_type = models.CharField(max_length=20)
    canonical = models.CharField(max_length=512)
    display = models.CharField(max_length=512)
    platform = models.CharField(max_length=40, blank=True)
    platform_status = models.CharField(
        max_length=20, choices=PlatformStatus.choices, default=PlatformStatus.ACTIVE
    )
    status_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_type", "canonical"], name="target_unique_canonical"
            )
        ]

    def __str__(self) -> str:
        return self.display


class Queue(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PRIORITY = "priority", _("Priority")
    AUTHORITY = "authority", _("Authority")
    APPEALS = "appeals", _("Appeals")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Under appeal")
    CLOSED = "closed", _("Closed without decision")


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_REVIEW)


class ReportSource(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    PARTNER = "partner", _("Partner")
    TRUSTED_FLAGGER = "trusted_flagger", _("Trusted flagger")
    AUTHORITY = "authority", _("Authority")


class Case(models.Model):
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    queue = models.CharField(max_length=20, choices=Queue.choices, default=Queue.STANDARD)
    priority = models.IntegerField(default=0, db_index=True)
    fraud_type = models.CharField(max_length=64)
    max_severity = models.IntegerField(default=1)
    top_source = models.CharField(
        max_length=20, choices=ReportSource.choices, default=ReportSource.CITIZEN
    )
    report_count = models.IntegerField(default=0)
    reporter_count = models.IntegerField(default=0)
    reputation_total = models.IntegerField(default=0)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    # Claims, decisions and appeals name the actor by identity ("user:7", "apikey:3"): reviewers
    # work through the console and through API keys alike.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_by_label = models.CharField(max_length=200, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status__in=["open", "in_review"]),
                name="case_one_open_per_target",
            )
        ]
        indexes = [models.Index(fields=["queue", "status", "-priority", "due_at"])]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.target})"


class Outcome(models.TextChoices):
    NO_VIOLATION = "no_violation", _("No violation")
    LABEL = "label", _("Label / warn")
    RESTRICT = "restrict", _("Restrict reach or interaction")
    REMOVE_CONTENT = "remove_content", _("Remove content")
    SUSPEND = "suspend", _("Temporary suspension")
    TERMINATE = "terminate", _("Permanent termination")


# The outcome ladder, mildest first.
OUTCOME_LADDER = [
    Outcome.NO_VIOLATION, Outcome.LABEL, Outcome.RESTRICT, Outcome.REMOVE_CONTENT,
    Outcome.SUSPEND, Outcome.TERMINATE,
]


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    ground = models.CharField(max_length=64)
    facts = models.TextField()
    days = models.IntegerField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.BooleanField(default=False)
    decided_by = models.CharField(max_length=64)
    decided_by_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    # The statement of reasons with the fields of EU DSA Art. 17 (see cases/statements.py).
    statement = models.JSONField()

    class Meta:
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"Decision {self.pk}: {self.outcome}"


class EnforcementAction(models.TextChoices):
    APPLY = "apply", _("Apply")
    REVERT = "revert", _("Revert")


class EnforcementStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    DELIVERED = "delivered", _("Delivered")
    GIVEN_UP = "given_up", _("Given up (needs attention)")
    # An apply not yet delivered when its decision was replaced (reversed on appeal): sent
    # after the revert, it would enforce a decision that no longer stands.
    CANCELLED = "cancelled", _("Cancelled (its decision was replaced)")


class Enforcement(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="enforcements")
    action = models.CharField(max_length=10, choices=EnforcementAction.choices)
    adapter = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=EnforcementStatus.choices, default=EnforcementStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    flagged = models.BooleanField(default=False)
    # The attempt under way (its job's token) and until when it holds the order: another job
    # for the same order sends nothing meanwhile, and only that attempt records its answer.
    attempt_token = models.CharField(max_length=32, blank=True, default="")
    in_flight_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Enforcement {self.pk} ({self.action}, {self.status})"


class Strike(models.Model):
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="strikes")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="strike")
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Strike on {self.target_id} ({self.created_at:%Y-%m-%d})"


class AppellantKind(models.TextChoices):
    OWNER = "owner", _("Account owner")
    REPORTER = "reporter", _("Reporter")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Decision upheld")
    REVERSED = "reversed", _("Decision reversed")


class Appeal(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    appellant_kind = models.CharField(max_length=10, choices=AppellantKind.choices)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    statement = models.TextField()
    contact_email = models.EmailField(blank=True)
    # When contact_email was emptied because its retention ran out (fraudhub.core.retention).
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="vi")
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    filed_at = models.DateTimeField()
    decided_by = models.CharField(max_length=64, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    new_decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="from_appeal"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "appellant_kind"],
                condition=Q(status="open"),
                name="appeal_one_open_per_side",
            )
        ]


    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"
