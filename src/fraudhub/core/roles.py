"""Roles and the named permissions (`scope:resource:action`) each role holds.

Every API endpoint and staff page names the permission it needs; the permission matrix test
(tests/api/test_permission_matrix.py) walks every role against every endpoint.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    REVIEWER = "reviewer", _("Reviewer")
    SENIOR_REVIEWER = "senior_reviewer", _("Senior reviewer")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    PARTNER = "partner", _("Partner (API client)")
    ADMIN = "admin", _("Administrator")


class Perm(StrEnum):
    REPORT_CREATE = "public:report:create"
    TAXONOMY_READ = "public:taxonomy:read"
    CASE_LIST = "desk:case:list"
    CASE_VIEW = "desk:case:view"
    CASE_CLAIM = "desk:case:claim"
    CASE_DECIDE = "desk:case:decide"
    EVIDENCE_VIEW = "desk:evidence:view"
    REPORTER_MARK_BAD_FAITH = "desk:reporter:mark_bad_faith"
    APPEAL_DECIDE = "desk:appeal:decide"
    APPEAL_FILE_FOR_OWNER = "platform:appeal:create"
    TARGET_STATUS_READ = "platform:target:read"
    APIKEY_MANAGE = "admin:apikey:manage"
    AUDIT_READ = "admin:audit:read"


_PUBLIC = {Perm.REPORT_CREATE, Perm.TAXONOMY_READ}
_REVIEW = {
    Perm.CASE_LIST,
    Perm.CASE_VIEW,
    Perm.CASE_CLAIM,
    Perm.CASE_DECIDE,
    Perm.EVIDENCE_VIEW,
    Perm.REPORTER_MARK_BAD_FAITH,
    Perm.TARGET_STATUS_READ,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CITIZEN: frozenset(_PUBLIC),
    Role.REVIEWER: frozenset(_PUBLIC | _REVIEW),
    Role.SENIOR_REVIEWER: frozenset(_PUBLIC | _REVIEW | {Perm.APPEAL_DECIDE}),
    Role.AGENCY_OFFICER: frozenset(_PUBLIC),
    Role.PARTNER: frozenset(_PUBLIC | {Perm.APPEAL_FILE_FOR_OWNER, Perm.TARGET_STATUS_READ}),
    Role.ADMIN: frozenset(Perm),
}

# Staff roles whose web sessions must be verified with a second factor (FRAUDHUB_REQUIRE_2FA).
SECOND_FACTOR_ROLES = frozenset(
    {Role.REVIEWER, Role.SENIOR_REVIEWER, Role.AGENCY_OFFICER, Role.ADMIN}
)


def permissions_for_role(role: str) -> frozenset[Perm]:
    return ROLE_PERMISSIONS.get(role, frozenset())
