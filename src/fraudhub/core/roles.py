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
    # Forwarding many reports in one call: API clients that collect reports themselves.
    REPORT_BATCH_CREATE = "partner:report:batch_create"
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
    INDICATOR_MANAGE = "desk:indicator:manage"
    DELISTING_CREATE = "public:delisting:create"
    ALLOWLIST_MANAGE = "admin:allowlist:manage"
    APIKEY_MANAGE = "admin:apikey:manage"
    AUDIT_READ = "admin:audit:read"
    INDICATOR_LOOKUP = "public:indicator:lookup"
    INDICATOR_BULK_LOOKUP = "partner:indicator:bulk_lookup"
    INDICATOR_SCAN = "partner:indicator:scan"
    # What a lookup may see besides `public` indicators (their `distribution` level).
    INDICATOR_VIEW_PARTNERS = "partner:indicator:view_partners"
    INDICATOR_VIEW_INTERNAL = "desk:indicator:view_internal"
    # The authorities' priority channel. An officer sees the requests of the own agency only;
    # the desk permissions see every agency's.
    AGENCY_REQUEST_CREATE = "agency:request:create"
    AGENCY_REQUEST_VIEW = "agency:request:view"
    AGENCY_DASHBOARD_READ = "agency:dashboard:read"
    AGENCY_REQUEST_VIEW_ALL = "desk:agency_request:view"
    AGENCY_REQUEST_RESPOND = "desk:agency_request:respond"
    AGENCY_REQUEST_RECORD = "desk:agency_request:record"
    TRANSPARENCY_READ = "desk:transparency:read"
    TRUSTED_FLAGGER_MANAGE = "admin:trusted_flagger:manage"
    AGENCY_MANAGE = "admin:agency:manage"


_PUBLIC = {Perm.REPORT_CREATE, Perm.TAXONOMY_READ, Perm.INDICATOR_LOOKUP, Perm.DELISTING_CREATE}
# Machine-to-machine use of the indicator database, for partners and staff alike.
_INDICATOR_PARTNER = {
    Perm.INDICATOR_BULK_LOOKUP,
    Perm.INDICATOR_SCAN,
    Perm.INDICATOR_VIEW_PARTNERS,
}
_INDICATOR_STAFF = _INDICATOR_PARTNER | {Perm.INDICATOR_VIEW_INTERNAL}
_FORWARDING = {Perm.REPORT_BATCH_CREATE}
_REVIEW = {
    Perm.CASE_LIST,
    Perm.CASE_VIEW,
    Perm.CASE_CLAIM,
    Perm.CASE_DECIDE,
    Perm.EVIDENCE_VIEW,
    Perm.REPORTER_MARK_BAD_FAITH,
    Perm.TARGET_STATUS_READ,
    Perm.INDICATOR_MANAGE,
}

_AGENCY_OFFICER = {
    Perm.AGENCY_REQUEST_CREATE,
    Perm.AGENCY_REQUEST_VIEW,
    Perm.AGENCY_DASHBOARD_READ,
}
_AGENCY_DESK = {
    Perm.AGENCY_REQUEST_VIEW,
    Perm.AGENCY_REQUEST_VIEW_ALL,
    Perm.AGENCY_REQUEST_RESPOND,
    Perm.AGENCY_REQUEST_RECORD,
    Perm.AGENCY_DASHBOARD_READ,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CITIZEN: frozenset(_PUBLIC),
    Role.REVIEWER: frozenset(_PUBLIC | _REVIEW | _INDICATOR_STAFF | _AGENCY_DESK),
    Role.SENIOR_REVIEWER: frozenset(
        _PUBLIC | _REVIEW | _INDICATOR_STAFF | _AGENCY_DESK
        | {Perm.APPEAL_DECIDE, Perm.TRANSPARENCY_READ}
    ),
    Role.AGENCY_OFFICER: frozenset(_PUBLIC | _INDICATOR_STAFF | _AGENCY_OFFICER | _FORWARDING),
    Role.PARTNER: frozenset(
        _PUBLIC | _INDICATOR_PARTNER | _FORWARDING
        | {Perm.APPEAL_FILE_FOR_OWNER, Perm.TARGET_STATUS_READ}
    ),
    # Filing as an agency is the officers' alone; staff record letters and calls on its behalf.
    Role.ADMIN: frozenset(Perm) - {Perm.AGENCY_REQUEST_CREATE},
}

# Permissions whose use names a person: the four-eyes rule compares who decided a case with
# who decides its appeal. An API key holding one of them is issued to a person (its holder).
PERSONAL_PERMS = frozenset({Perm.CASE_DECIDE, Perm.APPEAL_DECIDE})

# Staff roles whose web sessions must be verified with a second factor (FRAUDHUB_REQUIRE_2FA).
SECOND_FACTOR_ROLES = frozenset(
    {Role.REVIEWER, Role.SENIOR_REVIEWER, Role.AGENCY_OFFICER, Role.ADMIN}
)


def permissions_for_role(role: str) -> frozenset[Perm]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def key_added_permissions(role: str) -> frozenset[Perm]:
    """What a key of ``role`` may do that a call without a key may not (anonymous callers act
    as citizens): nothing for a citizen, whom the "My API keys" page is not for."""
    return permissions_for_role(role) - permissions_for_role(Role.CITIZEN)
