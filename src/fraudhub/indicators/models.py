from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorStatus(models.TextChoices):
    SCAM = "scam", _("Scam (confirmed)")
    SUSPICIOUS = "suspicious", _("Suspicious (reported, not confirmed)")
    VERIFYING = "verifying", _("Being verified")
    SAFE = "safe", _("Safe (on an allowlist)")
    NO_DATA = "no_data", _("No data")


class Distribution(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PARTNERS = "partners", _("Partners")
    PUBLIC = "public", _("Public")


class SourceKind(models.TextChoices):
    REPORT = "report", _("Report")
    DECISION = "decision", _("Reviewer decision")
    AUTHORITY = "authority", _("Authority")
    PARTNER = "partner", _("Partner")
    IMPORT = "import", _("Import")
    ALLOWLIST = "allowlist", _("Allowlist")


class SightingKind(models.TextChoices):
    SEEN = "seen", _("Seen")
    FALSE_POSITIVE = "false_positive", _("False positive")
    EXPIRED = "expired", _("Expired")


class Indicator(models.Model):
    """One value in the national database, by its canonical form. Never deleted."""

    type = models.CharField(max_length=20)
    value = models.CharField(max_length=512)
    # What a lookup by the bare value matches: the digits of a bank account (so digits alone
    # find the number at every bank), the value itself for every other type.
    match_key = models.CharField(max_length=512)
    status = models.CharField(
        max_length=12, choices=IndicatorStatus.choices, default=IndicatorStatus.SUSPICIOUS
    )
    confidence = models.PositiveSmallIntegerField(default=0)
    # Confidence at the last change; the stored `confidence` decays from it over the type's
    # lifetime (recomputed by the decay job, never at query time).
    base_confidence = models.PositiveSmallIntegerField(default=0)
    confidence_changed_at = models.DateTimeField()
    # When the decay job next recomputes `confidence` (None: nothing left to decay).
    decay_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    fraud_types = models.JSONField(default=list, blank=True)
    reporter_count = models.IntegerField(default=0)
    distribution = models.CharField(
        max_length=10, choices=Distribution.choices, default=Distribution.PUBLIC
    )
    allowlisted = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.CharField(max_length=200, blank=True)
    removed_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "value"], name="indicator_unique_value")
        ]
        indexes = [
            models.Index(fields=["match_key"], name="indicator_match_key"),
            models.Index(fields=["status", "type"], name="indicator_status_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type}:{self.value} ({self.status})"


class IndicatorSource(models.Model):
    """Where a value came from, with provenance."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="sources")
    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    reference = models.CharField(max_length=200)
    organization = models.ForeignKey(
        "core.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "kind", "reference"], name="indicator_source_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.reference}"


class Sighting(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="sightings")
    kind = models.CharField(max_length=16, choices=SightingKind.choices)
    source = models.ForeignKey(
        IndicatorSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_identity = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["indicator", "kind"], name="sighting_indicator_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.indicator_id} {self.created_at:%Y-%m-%d}"


class AllowlistEntry(models.Model):
    """A value that is known to be legitimate: official hotlines, bank and government domains."""

    type = models.CharField(max_length=20)
    value = models.CharField(max_length=512)
    list_name = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    shipped = models.BooleanField(default=False)  # from indicators/data/allowlists, not typed in
    active = models.BooleanField(default=True)
    added_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "value"], name="allowlist_unique_value")
        ]

    def __str__(self) -> str:
        return f"{self.list_name}: {self.type}:{self.value}"


class DelistingStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted: removed from the database")
    REJECTED = "rejected", _("Rejected: the listing stands")


def delisting_evidence_path(instance: DelistingEvidence, filename: str) -> str:
    return f"delisting/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class DelistingRequest(models.Model):
    """The owner of a listed number, account or site asks for review."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="delistings")
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField()
    # When the requester's name and address were emptied because their retention ran out
    # (fraudhub.core.retention).
    contacts_erased_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField()
    language = models.CharField(max_length=8, default="vi")
    status = models.CharField(
        max_length=10, choices=DelistingStatus.choices, default=DelistingStatus.OPEN
    )
    created_at = models.DateTimeField()
    decided_by = models.CharField(max_length=64, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reasons = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "requester_email"], condition=models.Q(status="open"),
                name="delisting_one_open_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"Delisting {self.pk} ({self.status})"


class DelistingEvidence(models.Model):
    request = models.ForeignKey(
        DelistingRequest, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to=delisting_evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    extension = models.CharField(max_length=8)
    size = models.IntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"
