"""Agencies and trusted flaggers: making them, and granting, suspending and restoring the status."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.core import apikey_cache
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.models import Organization, OrganizationKind
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors

NAME_MAX = 200
REASON_MAX = 2_000


def agency_create(*, actor: Actor, name: str, contact_email: str = "") -> Organization:
    """A government agency. Ministries merge and rename, so agencies are data, not code."""
    if not actor.has_perm(Perm.AGENCY_MANAGE):
        raise PermissionDenied(_("You may not create agencies."))
    name = name.strip()
    errors = nul_field_errors({"name": name, "contact_email": contact_email})
    if not errors and not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    if errors:
        raise ValidationFailed(_("The agency is not valid."), field_errors=errors)
    with transaction.atomic():
        if Organization.objects.filter(name=name).exists():
            raise Conflict(_("An organization named %(n)s exists already.") % {"n": name})
        agency = Organization.objects.create(name=name, kind=OrganizationKind.AGENCY,
                                             contact_email=contact_email)
        audit_record(actor=actor, action="agency.create", object_type="organization",
                     object_id=agency.pk, new={"name": name, "kind": agency.kind})
    return agency


def _locked_org(organization_id: int) -> Organization:
    org = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if org is None:
        raise NotFound(_("No such organization."))
    return org


def trusted_flagger_grant(*, actor: Actor, organization_id: int) -> Organization:
    """Award the status (again): the organization's reports enter the priority lane."""
    if not actor.has_perm(Perm.TRUSTED_FLAGGER_MANAGE):
        raise PermissionDenied(_("You may not manage trusted flaggers."))
    with transaction.atomic():
        org = _locked_org(organization_id)
        if org.is_trusted_flagger:
            raise Conflict(_("%(n)s is a trusted flagger already.") % {"n": org.name})
        old = {"is_trusted_flagger": False, "suspended_at": org.trusted_flagger_suspended_at}
        org.is_trusted_flagger = True
        org.trusted_flagger_since = org.trusted_flagger_since or timezone.now()
        org.trusted_flagger_suspended_at = None
        org.trusted_flagger_suspension_reason = ""
        org.save()
        audit_record(actor=actor, action="trusted_flagger.grant", object_type="organization",
                     object_id=org.pk, old=old, new={"is_trusted_flagger": True})
    apikey_cache.clear()  # keys carry their organization's standing
    return org


def trusted_flagger_suspend(*, actor: Actor, organization_id: int, reason: str) -> Organization:
    """Suspend the status, with the reason (e.g. too many reports not upheld)."""
    if not actor.has_perm(Perm.TRUSTED_FLAGGER_MANAGE):
        raise PermissionDenied(_("You may not manage trusted flaggers."))
    errors = nul_field_errors({"reason": reason})
    if not errors and not reason.strip():
        errors["reason"] = [_("Give the reason for the suspension.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": REASON_MAX}]
    if errors:
        raise ValidationFailed(_("The suspension is not valid."), field_errors=errors)
    with transaction.atomic():
        org = _locked_org(organization_id)
        if not org.is_trusted_flagger:
            raise Conflict(_("%(n)s is not an active trusted flagger.") % {"n": org.name})
        org.is_trusted_flagger = False
        org.trusted_flagger_suspended_at = timezone.now()
        org.trusted_flagger_suspension_reason = reason.strip()
        org.save()
        audit_record(actor=actor, action="trusted_flagger.suspend", object_type="organization",
                     object_id=org.pk, old={"is_trusted_flagger": True},
                     new={"is_trusted_flagger": False, "reason": reason.strip()[:500]})
    apikey_cache.clear()  # keys carry their organization's standing
    return org
