from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from fraudhub.core.roles import Role


class OrganizationKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    AGENCY = "agency", _("Government agency")
    PARTNER = "partner", _("Partner (bank, telco, platform)")
    NGO = "ngo", _("Civil-society organization")


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    # Trusted flagger (EU DSA Art. 22 style): its reports enter the priority lane while active.
    is_trusted_flagger = models.BooleanField(default=False)
    trusted_flagger_since = models.DateTimeField(null=True, blank=True)
    trusted_flagger_suspended_at = models.DateTimeField(null=True, blank=True)
    trusted_flagger_suspension_reason = models.TextField(blank=True)
    # Where acknowledgements and answers to an agency's requests go besides the officer.
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class FraudHubUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None,
        **extra_fields: object,
    ) -> User:
        """What `fraudhub createsuperuser` makes: an administrator by role too, and audited.

        Django's own made a superuser whose role stayed `citizen` (the admin let them in, the
        console refused them) and wrote no audit entry.
        """
        from fraudhub.core.actors import Actor
        from fraudhub.core.services import user_create

        unexpected = set(extra_fields) - {"is_staff", "is_superuser"}
        if unexpected:
            raise TypeError(f"unexpected fields for a superuser: {sorted(unexpected)}")
        return user_create(actor=Actor.system("createsuperuser"), username=username,
                           password=password, role=Role.ADMIN, email=email or "")


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CITIZEN)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    language = models.CharField(max_length=8, default="vi")

    objects = FraudHubUserManager()  # type: ignore[misc]


class ApiKey(models.Model):
    name = models.CharField(max_length=100)
    # The first characters of the key, kept in clear to find the row without scanning hashes.
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=20, choices=Role.choices)
    scopes = models.JSONField(default=list, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person the key acts for. Deciding cases and appeals names a person (an appeal goes to
    # a different senior reviewer), so a key that may decide is issued to one, acts as that
    # person, and never does more than that person's role allows.
    holder = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEntry(models.Model):
    """One state change. Rows are only ever inserted; each carries the hash of the previous."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row locked by every append, so the chain stays linear under concurrency."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class RateLimitCounter(models.Model):
    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]


    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"


class WorkerHeartbeat(models.Model):
    """A running `fraudhub worker`, as last heard from: how lost workers' jobs are found."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} ({self.pid})"
