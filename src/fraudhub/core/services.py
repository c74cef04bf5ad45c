"""Writes of the core domain: organizations, users and API keys. Each owns its transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.core import apikey_cache
from fraudhub.core.actors import Actor, key_permissions
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.models import ApiKey, Organization, OrganizationKind, User
from fraudhub.core.roles import (
    PERSONAL_PERMS,
    Perm,
    Role,
    key_added_permissions,
    permissions_for_role,
)

API_KEY_PREFIX = "fh_"
API_KEY_NAME_MAX = 100  # ApiKey.name's length


def hash_api_key(raw_key: str) -> str:
    # Keys are 256-bit random strings, so a fast unsalted hash is enough to make a leaked table
    # useless while keeping per-request authentication cheap.
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    raw_key: str


def _require(actor: Actor, perm: Perm) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(f"requires {perm.value}")


def organization_create(
    *, actor: Actor, name: str, kind: str, is_trusted_flagger: bool = False
) -> Organization:
    _require(actor, Perm.APIKEY_MANAGE)
    if kind not in OrganizationKind.values:
        raise ValidationFailed("unknown organization kind", field_errors={"kind": [kind]})
    with transaction.atomic():
        org = Organization.objects.create(
            name=name.strip()[:200], kind=kind, is_trusted_flagger=is_trusted_flagger
        )
        audit_record(
            actor=actor, action="organization.create", object_type="organization",
            object_id=org.pk,
            new={"name": org.name, "kind": kind, "is_trusted_flagger": is_trusted_flagger},
        )
    return org


def role_organization_error(*, role: str, organization: Organization | None) -> str | None:
    """Why a user or key of ``role`` cannot belong to ``organization``, or None.

    An agency officer acts for one agency: it sees that agency's requests, and its reports go
    to the authority queue. Without an agency the role would be all of that for nobody.
    """
    if role == Role.AGENCY_OFFICER and (
            organization is None or organization.kind != OrganizationKind.AGENCY):
        return "an agency officer belongs to an agency"
    return None


# Why a deciding key is refused to anyone but its holder: whoever issues it sees it once and
# could then decide as the holder (an appeal decided "by a different senior reviewer" would be
# decided by the administrator who issued both keys).
HOLDER_ISSUES_KEY = ("a key that decides acts as its holder; the holder creates it under "
                     "My API keys, or an operator with `fraudhub apikey create --user`")


def apikey_holder_error(*, actor: Actor, role: str, scopes: list[str] | None,
                        organization: Organization | None, holder: User | None) -> str | None:
    """Why ``actor`` cannot issue a key of ``role`` (narrowed to ``scopes``) to ``holder``, or
    None.

    A key that may decide cases or appeals acts for a person, so that the four-eyes rule (an
    appeal decided by a different senior reviewer) holds across the console and the API; only
    that person makes it, or the operator from the shell (a system actor: `fraudhub apikey`),
    never an administrator for someone else. A key acts as its holder: it may not do more than
    the holder's role, nor for another organization.
    """
    perms = key_permissions(role=role, scopes=scopes)
    if holder is None:
        if perms & PERSONAL_PERMS:
            return ("a key that may decide cases or appeals acts for a person: name its holder "
                    "(--user USERNAME)")
        return None
    if (perms & PERSONAL_PERMS and actor.kind != "system"
            and actor.identity != f"user:{holder.pk}"):
        return HOLDER_ISSUES_KEY
    if not holder.is_active:
        return f"{holder.get_username()} is deactivated"
    missing = perms - permissions_for_role(holder.role)
    if missing:
        return (f"{holder.get_username()} is a {holder.role} and may not "
                f"{', '.join(sorted(p.value for p in missing))}")
    if organization != holder.organization:
        # A key acts for its holder's organization only: one a person of no organization (or
        # of another) held would speak for an organization they are no part of.
        return (f"{holder.get_username()} belongs to another organization" if holder.organization
                else f"{holder.get_username()} belongs to no organization")
    return None


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    role: str,
    email: str = "",
    organization: Organization | None = None,
) -> User:
    _require(actor, Perm.APIKEY_MANAGE)
    if role not in Role.values:
        raise ValidationFailed("unknown role", field_errors={"role": [role]})
    if problem := role_organization_error(role=role, organization=organization):
        raise ValidationFailed("invalid user", field_errors={"organization": [problem]})
    with transaction.atomic():
        user = User(username=username, email=email, role=role, organization=organization)
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            actor=actor, action="user.create", object_type="user", object_id=user.pk,
            new={"username": username, "role": role,
                 "organization": organization.pk if organization else None},
        )
    return user


# What the admin's user pages can change that decides what a person may do or who they are.
USER_AUDITED_FIELDS = ("username", "email", "first_name", "last_name", "role",
                       "organization_id", "language", "is_active", "is_staff", "is_superuser")


def user_audited_values(user: User) -> dict[str, object]:
    return {name: getattr(user, name) for name in USER_AUDITED_FIELDS}


def user_save_audited(*, actor: Actor, user: User, before: dict[str, object] | None) -> User:
    """Save a user edited outside the services (the admin's pages), auditing the creation or
    each changed field with its old and new value; ``before`` is None for a new user.

    The role decides who may enter Django's admin, as it decides everything else: the staff
    and superuser flags follow it (a demoted administrator kept them, and with them the admin).
    """
    _require(actor, Perm.APIKEY_MANAGE)
    if problem := role_organization_error(role=user.role, organization=user.organization):
        raise ValidationFailed("invalid user", field_errors={"organization": [problem]})
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    with transaction.atomic():
        user.save()
        after = user_audited_values(user)
        if before is None:
            audit_record(actor=actor, action="user.create", object_type="user",
                         object_id=user.pk, new=after)
        else:
            changed = [name for name in USER_AUDITED_FIELDS if before.get(name) != after[name]]
            if changed:
                audit_record(actor=actor, action="user.update", object_type="user",
                             object_id=user.pk, old={n: before.get(n) for n in changed},
                             new={n: after[n] for n in changed})
        # Keys remembered by this process carry their holder as they were: a deactivated or
        # demoted person's keys change at once here, as a revoked key does.
        transaction.on_commit(apikey_cache.clear)
    apikey_cache.clear()
    return user


def user_access_audit(*, actor: Actor, user: User, action: str,
                      old: dict[str, object] | None = None,
                      new: dict[str, object] | None = None) -> None:
    """Audit a change the admin's pages made to a user's password, groups or permissions
    (never the password itself). Runs inside the transaction of that change."""
    _require(actor, Perm.APIKEY_MANAGE)
    audit_record(actor=actor, action=action, object_type="user", object_id=user.pk,
                 old=old, new=new)


def apikey_create(
    *,
    actor: Actor,
    name: str,
    role: str,
    organization: Organization | None = None,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    holder: User | None = None,
) -> IssuedApiKey:
    """Issue a key; ``holder`` is the person it acts for (required for keys that decide, and
    then the actor themselves unless the operator issues it: see apikey_holder_error)."""
    _require(actor, Perm.APIKEY_MANAGE)
    if holder is not None and organization is None:
        organization = holder.organization
    return _apikey_issue(actor=actor, name=name, role=role, organization=organization,
                         scopes=scopes or [], expires_at=expires_at, holder=holder)


# The longest a key made on the "My API keys" page may live (the operator's and the admin's may
# live longer, or for ever).
OWN_APIKEY_MAX_DAYS = 365


def apikey_create_own(*, actor: Actor, name: str, expires_days: int | None) -> IssuedApiKey:
    """A person issues a key to themselves: it carries their role's permissions, for their
    organization, acts as them, and expires after ``expires_days`` (None: never).

    The caller has made sure the person is present (the console asks for the password again).
    """
    person = _person(actor)
    if not key_added_permissions(person.role):
        raise PermissionDenied(_("A key would let your role do nothing it may not do without "
                                 "one."))
    expires_at = None
    if expires_days is not None:
        if not 1 <= expires_days <= OWN_APIKEY_MAX_DAYS:
            message = _("From 1 to %(max)d days, or none for a key that does not expire.") % {
                "max": OWN_APIKEY_MAX_DAYS}
            raise ValidationFailed(message, field_errors={"expires_days": [message]})
        expires_at = timezone.now() + timedelta(days=expires_days)
    return _apikey_issue(actor=actor, name=name, role=person.role,
                         organization=person.organization, scopes=[], expires_at=expires_at,
                         holder=person)


def _person(actor: Actor) -> User:
    """The person acting in their own session: the only one who manages the keys held by them
    (never a key, which could otherwise make more keys)."""
    if actor.kind != "user" or actor.user is None or not actor.user.is_active:
        raise PermissionDenied(_("Only a person logged in manages their own API keys."))
    return actor.user


def _apikey_issue(*, actor: Actor, name: str, role: str, organization: Organization | None,
                  scopes: list[str], expires_at: datetime | None, holder: User | None
                  ) -> IssuedApiKey:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"unknown role {role!r}; one of {', '.join(Role.values)}"]
    if not name.strip():
        errors["name"] = ["a name is required"]
    elif len(name.strip()) > API_KEY_NAME_MAX:
        errors["name"] = [f"at most {API_KEY_NAME_MAX} characters"]
    allowed = {p.value for p in permissions_for_role(role)}
    unknown_scopes = sorted(set(scopes) - allowed)
    if unknown_scopes:
        errors["scopes"] = [f"not held by role {role}: {', '.join(unknown_scopes)}"]
    if role_organization_error(role=role, organization=organization):
        errors["organization"] = ["an agency_officer key belongs to an agency (--org NAME)"]
    if not unknown_scopes and (holder_error := apikey_holder_error(
            actor=actor, role=role, scopes=scopes, organization=organization, holder=holder)):
        errors["holder"] = [holder_error]
    if errors:
        raise ValidationFailed("invalid API key request", field_errors=errors)
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name.strip(),
            prefix=prefix,
            key_hash=hash_api_key(raw_key),
            role=role,
            scopes=sorted(scopes),
            organization=organization,
            created_by=actor.user,
            holder=holder,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor, action="apikey.create", object_type="apikey", object_id=api_key.pk,
            new={"name": api_key.name, "role": role, "prefix": prefix,
                 "organization": organization.pk if organization else None,
                 "holder": holder.pk if holder else None,
                 "scopes": api_key.scopes, "expires_at": expires_at},
        )
    return IssuedApiKey(api_key=api_key, raw_key=raw_key)


def apikey_revoke(*, actor: Actor, api_key_id: int) -> ApiKey:
    _require(actor, Perm.APIKEY_MANAGE)
    return _apikey_revoke(actor=actor, api_key_id=api_key_id, holder=None)


def apikey_revoke_own(*, actor: Actor, api_key_id: int) -> ApiKey:
    """A person revokes a key held by them; anyone else's is not found."""
    return _apikey_revoke(actor=actor, api_key_id=api_key_id, holder=_person(actor))


def _apikey_revoke(*, actor: Actor, api_key_id: int, holder: User | None) -> ApiKey:
    """Revoke the key ``api_key_id``, when ``holder`` is given only one held by them."""
    with transaction.atomic():
        found = ApiKey.objects.select_for_update().filter(pk=api_key_id)
        if holder is not None:
            found = found.filter(holder=holder)
        api_key = found.first()
        if api_key is None:
            raise NotFound("no such API key")
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
            apikey_cache.forget(api_key.key_hash)
            audit_record(
                actor=actor, action="apikey.revoke", object_type="apikey", object_id=api_key.pk,
                old={"revoked_at": None}, new={"revoked_at": api_key.revoked_at},
            )
    return api_key


def apikey_update(
    *, actor: Actor, api_key_id: int, name: str, expires_at: datetime | None
) -> ApiKey:
    """Rename a key or change its expiry; role, scopes and owner stay as issued."""
    _require(actor, Perm.APIKEY_MANAGE)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Name the key."), field_errors={"name": [_("Required.")]})
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(pk=api_key_id).first()
        if api_key is None:
            raise NotFound("no such API key")
        old = {"name": api_key.name, "expires_at": api_key.expires_at}
        new = {"name": name[:200], "expires_at": expires_at}
        if new == old:
            return api_key
        api_key.name, api_key.expires_at = name[:200], expires_at
        api_key.save(update_fields=["name", "expires_at"])
        apikey_cache.forget(api_key.key_hash)
        audit_record(actor=actor, action="apikey.update", object_type="apikey",
                     object_id=api_key.pk, old=old, new=new)
    return api_key


def organization_update(*, actor: Actor, organization_id: int, contact_email: str
                        ) -> Organization:
    """Change where an organization is written to; its name and kind stay as created."""
    _require(actor, Perm.APIKEY_MANAGE)
    with transaction.atomic():
        org = Organization.objects.select_for_update().filter(pk=organization_id).first()
        if org is None:
            raise NotFound("no such organization")
        if org.contact_email == contact_email:
            return org
        old = {"contact_email": org.contact_email}
        org.contact_email = contact_email
        org.save(update_fields=["contact_email"])
        audit_record(actor=actor, action="organization.update", object_type="organization",
                     object_id=org.pk, old=old, new={"contact_email": contact_email})
    return org


def otp_device_pending(*, actor: Actor, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, made on first call.

    Kept across page reloads so the secret the user may already have scanned stays valid.
    """
    if actor.user is None or (actor.user.pk != user.pk and not actor.has_perm(Perm.APIKEY_MANAGE)):
        raise PermissionDenied("only the user or an admin sets up a second factor")
    with transaction.atomic():
        existing = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if existing is not None:
            return existing
        device = TOTPDevice.objects.create(user=user, name="FraudHub", confirmed=False)
        audit_record(actor=actor, action="otp.device_create", object_type="user",
                     object_id=user.pk, new={"device": device.pk, "confirmed": False})
    return device


def otp_device_confirm(*, actor: Actor, device_id: int, token: str) -> TOTPDevice:
    """Confirm a device with a code from the authenticator; a wrong code is refused."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id).first()
        if device is None or actor.user is None or device.user_id != actor.user.pk:
            raise NotFound("no such device")
        allowed, _info = device.verify_is_allowed()
        if not device.verify_token(token.strip()):
            message = (_("The code is not correct. Check the time on your phone and try again.")
                       if allowed else
                       _("Too many wrong codes. Wait a little before trying again."))
            raise ValidationFailed(message, field_errors={"code": [message]})
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="otp.device_confirm", object_type="user",
                     object_id=device.user_id, old={"confirmed": False},
                     new={"device": device.pk, "confirmed": True})
    return device


def otp_devices_reset(*, actor: Actor, user: User) -> int:
    """Remove every TOTP device of `user` (a lost phone): their next login sets up a new one.

    The admin's device pages could edit devices (and showed their keys) without an audit row;
    this is the one way to change them there.
    """
    _require(actor, Perm.APIKEY_MANAGE)
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user)
                       .order_by("pk").values_list("pk", "confirmed"))
        if not devices:
            return 0
        TOTPDevice.objects.filter(pk__in=[pk for pk, _confirmed in devices]).delete()
        audit_record(actor=actor, action="otp.devices_reset", object_type="user",
                     object_id=user.pk,
                     old={"devices": [{"id": pk, "confirmed": c} for pk, c in devices]},
                     new={"devices": []})
    return len(devices)

