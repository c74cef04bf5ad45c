from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.core.actors import ACTOR_KINDS, Actor
from fraudhub.core.http import client_ip
from fraudhub.core.models import ApiKey, AuditEntry, Organization, OrganizationKind, User
from fraudhub.core.roles import permissions_for_role
from fraudhub.core.services import (
    apikey_create,
    apikey_holder_error,
    apikey_revoke,
    apikey_update,
    organization_create,
    organization_update,
    otp_devices_reset,
    role_organization_error,
    user_access_audit,
    user_audited_values,
    user_save_audited,
)


def _actor(request: HttpRequest) -> Actor:
    # The client's address as everywhere else (behind a proxy, REMOTE_ADDR is the proxy's).
    return Actor.for_user(request.user, ip=client_ip(request))  # type: ignore[arg-type]


def _access(user: User) -> dict[str, object]:
    return {"groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(user.user_permissions.values_list("codename", flat=True))}


class FraudHubUserChangeForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = role_organization_error(role=str(data.get("role", "")),
                                          organization=data.get("organization"))
        if problem:
            self.add_error("organization", problem[:1].upper() + problem[1:] + ".")
        return data


@admin.register(User)
class FraudHubUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "organization", "is_active")
    list_filter = ("role", "organization", "is_active")
    actions = ["reset_second_factor"]

    @admin.action(description="Reset the second factor (lost phone): set up again at next login")
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        actor = _actor(request)
        reset = [user.username for user in queryset if otp_devices_reset(actor=actor, user=user)]
        if reset:
            self.message_user(request, "Second factor reset for: " + ", ".join(reset) + ".",
                              messages.SUCCESS)
        else:
            self.message_user(request, "None of them had a second factor set up.",
                              messages.WARNING)
    form = FraudHubUserChangeForm
    # Django's staff and superuser flags are not offered: they follow the role (see
    # user_save_audited), which is what decides here as everywhere else.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("FraudHub", {"fields": ("role", "organization", "language", "is_active")}),
        ("Django permissions", {"fields": ("groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    # Every change here is audited in its transaction (the admin wraps each form in one), as
    # the services audit theirs: who became an administrator, when and by whom.
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = (user_audited_values(User.objects.get(pk=obj.pk))
                  if change and obj.pk else None)
        user_save_audited(actor=_actor(request), user=obj, before=before)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool
                     ) -> None:
        user = form.instance
        before = _access(user)
        super().save_related(request, form, formsets, change)
        after = _access(user)
        if after != before:
            user_access_audit(actor=_actor(request), user=user, action="user.access",
                              old=before, new=after)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""
                             ) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and isinstance(response, HttpResponseRedirect):
                user = User.objects.get(pk=id)
                user_access_audit(actor=_actor(request), user=user, action="user.password_set",
                                  new={"usable": user.has_usable_password()})
        return response

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with transaction.atomic():
            user_access_audit(actor=_actor(request), user=obj, action="user.delete",
                              old=user_audited_values(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for user in queryset:
                self.delete_model(request, user)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_trusted_flagger", "trusted_flagger_suspended_at",
                    "created_at")
    list_filter = ("kind", "is_trusted_flagger")
    # The trusted-flagger status is granted and suspended in the console (audited, with reasons).
    fields = ("name", "kind", "contact_email")

    def get_readonly_fields(self, request: HttpRequest, obj: Organization | None = None
                            ) -> tuple[str, ...]:
        # organization_update changes the contact address only: a name or kind typed over
        # was dropped while the admin said "changed successfully" under the new name.
        return () if obj is None else ("name", "kind")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no audited way: keys, members and reporters name the organization

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool
                   ) -> None:
        actor = _actor(request)
        if change:
            organization_update(actor=actor, organization_id=obj.pk,
                                contact_email=obj.contact_email)
            return
        if obj.kind == OrganizationKind.AGENCY:
            from fraudhub.agencies.services.organizations import agency_create

            created = agency_create(actor=actor, name=obj.name, contact_email=obj.contact_email)
        else:
            created = organization_create(actor=actor, name=obj.name, kind=obj.kind)
        obj.pk = created.pk


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "role", "scopes", "organization", "holder", "expires_at")
        help_texts = {"holder": "The person the key acts for: required for a key that may "
                                "decide cases or appeals, which only you may hold when made "
                                "here (others make theirs under My API keys in the console); "
                                "the key does no more than the person's role allows."}

    # Who fills the form in (set by ApiKeyAdmin.get_form): a deciding key is theirs alone.
    actor: Actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "role" not in self.fields:
            return data  # a key already issued: only its name and expiry change
        role = str(data.get("role", ""))
        holder = data.get("holder")
        organization = data.get("organization") or (holder.organization if holder else None)
        if role_organization_error(role=role, organization=organization):
            self.add_error("organization", "An agency officer's key belongs to an agency.")
        scopes = data.get("scopes")
        scopes_ok = True
        if scopes not in (None, ""):
            held = {p.value for p in permissions_for_role(role)}
            if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
                self.add_error("scopes", 'A list of permissions, e.g. ["indicator:lookup"].')
                scopes_ok = False
            elif unknown := sorted(set(scopes) - held):
                self.add_error("scopes", f"Not held by this role: {', '.join(unknown)}")
                scopes_ok = False
        if scopes_ok and (error := apikey_holder_error(
                actor=self.actor, role=role, scopes=list(scopes or []), organization=organization,
                holder=holder)):
            self.add_error("holder", error[:1].upper() + error[1:] + ".")
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyAdminForm
    list_display = ("name", "prefix", "role", "organization", "holder", "created_at",
                    "expires_at", "revoked_at", "last_used_at")
    list_filter = ("role", "organization")
    list_select_related = ("organization", "holder")
    raw_id_fields = ("holder",)  # a select of every user would not do with thousands of them
    readonly_fields = ("prefix", "key_hash", "created_by", "created_at", "revoked_at",
                       "last_used_at")
    fields = ("name", "role", "scopes", "organization", "holder", "expires_at",
              *readonly_fields)
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a key is ended by revoking it (audited), not by removing its row

    def get_form(self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # A class of this request's own (modelform_factory makes one for every call).
        form.actor = _actor(request)  # type: ignore[attr-defined]
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None
                            ) -> tuple[str, ...]:
        if obj is None:
            return self.readonly_fields
        return ("role", "scopes", "organization", "holder", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        actor = _actor(request)
        if change:
            # Only the descriptive fields are editable (see get_readonly_fields): a key with
            # other powers is a new key, issued and shown once.
            apikey_update(actor=actor, api_key_id=obj.pk, name=obj.name,
                          expires_at=obj.expires_at)
            return
        issued = apikey_create(actor=actor, name=obj.name, role=obj.role,
                               organization=obj.organization, scopes=list(obj.scopes or []),
                               expires_at=obj.expires_at, holder=obj.holder)
        obj.pk = issued.api_key.pk
        messages.warning(request, f"New API key (shown once, copy it now): {issued.raw_key}")

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        actor = _actor(request)
        for key in queryset:
            apikey_revoke(actor=actor, api_key_id=key.pk)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the console and its services, which audit them.

    The big tables (reports, audit entries, cases) are read here: a filtered list counts its
    own rows only, not the whole table a second time for "N total".
    """

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Distinct values of an indexed column, one index probe per value: the smallest value, then
# the smallest one above it, and so on (a "loose index scan", on PostgreSQL and SQLite alike).
_INDEXED_DISTINCT = (
    "WITH RECURSIVE walk(v) AS (SELECT MIN({col}) FROM {table} UNION ALL "
    "SELECT (SELECT MIN({col}) FROM {table} WHERE {col} > walk.v) FROM walk "
    "WHERE walk.v IS NOT NULL) SELECT v FROM walk WHERE v IS NOT NULL LIMIT {limit}"
)
INDEXED_DISTINCT_LIMIT = 500


def indexed_distinct_values(*, model: type[Model], column: str) -> list[str]:
    """The distinct values of `column` (which must lead an index) in order, at most 500."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_INDEXED_DISTINCT.format(col=quote(column),
                                                table=quote(model._meta.db_table),
                                                limit=INDEXED_DISTINCT_LIMIT))
        return [row[0] for row in cursor.fetchall()]


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter of every value in a column, its values read through the column's index:
    SELECT DISTINCT read the whole table (0.4 s a filter at a million audit entries) on
    every view of the list."""

    def __init__(self, field: Any, request: HttpRequest, params: Any, model: Any,
                 model_admin: Any, field_path: str) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        # A list where Django keeps a queryset: only iterated (django-stubs types it narrower).
        self.lookup_choices = indexed_distinct_values(  # type: ignore[assignment]
            model=model, column=field.column)


class ActorKindFilter(admin.SimpleListFilter):
    """Who acted, from the kinds of actors there are (the column has no index to walk)."""

    title = "actor kind"
    parameter_name = "actor_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(kind, kind) for kind in ACTOR_KINDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(actor_kind=value) if value else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = (("action", IndexedValuesFilter), ("object_type", IndexedValuesFilter),
                   ActorKindFilter)
    search_fields = ("object_id", "actor_label")


# django-otp's own device admin could add and edit devices (and showed their keys) with no
# audit row: it is replaced by a list to look at; a reset is the users' action above.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    fields = ("user", "name", "confirmed")

