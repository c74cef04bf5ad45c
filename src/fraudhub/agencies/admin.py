from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fraudhub.agencies.models import AgencyRequest, ClockEvent, RequestTarget
from fraudhub.core.admin import ReadOnlyAdmin

# Targets shown on a request's page; a request names up to 10,000 (2.4 s for 2,000 inline).
# The rest are in the targets' own list, filtered to the request, which pages.
INLINE_TARGETS = 50


class RequestTargetInline(admin.TabularInline):
    model = RequestTarget
    verbose_name_plural = _("Targets (the first 50 by line)")  # INLINE_TARGETS
    fields = ("line", "display", "target_kind", "outcome", "refusal_reason", "deadline",
              "handled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RequestTarget]:
        # Each row is named by its request's number (RequestTarget.__str__): a query a row,
        # 2,000 for a request of 2,000 targets, without the request read along.
        return super().get_queryset(request).select_related("request")


@admin.register(AgencyRequest)
class AgencyRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "agency", "kind", "channel", "status", "received_at", "deadline",
                    "target_count")
    list_filter = ("status", "kind", "channel", "agency")
    search_fields = ("number", "legal_document_number")
    inlines = [RequestTargetInline]
    readonly_fields = ("all_targets",)

    @admin.display(description=_("All targets"))
    def all_targets(self, obj: AgencyRequest) -> str:
        url = reverse("admin:agencies_requesttarget_changelist")
        count = obj.targets.count()
        return format_html('<a href="{}?request__id__exact={}">{}</a>', url, obj.pk,
                           ngettext("%(count)d target", "%(count)d targets", count)
                           % {"count": count})

    def get_formset_kwargs(self, request: HttpRequest, obj: Any, inline: Any, prefix: str
                           ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RequestTargetInline) and obj is not None:
            first = (RequestTarget.objects.filter(request=obj).order_by("line")
                     .values("pk")[:INLINE_TARGETS])
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=first)
        return kwargs


@admin.register(RequestTarget)
class RequestTargetAdmin(ReadOnlyAdmin):
    list_display = ("request", "line", "display", "outcome", "deadline", "handled_at")
    list_filter = ("outcome",)
    search_fields = ("canonical", "request__number")


@admin.register(ClockEvent)
class ClockEventAdmin(ReadOnlyAdmin):
    list_display = ("request", "target", "kind", "at")
    list_filter = ("kind",)
    # A target is optional (Django's own select_related follows required keys only) and shows
    # its request's number: without these, two queries a row.
    list_select_related = ("request", "target__request")
    # Newest first, by the primary key's index: the model's order (at, unindexed) sorted every
    # event on each view.
    ordering = ("-pk",)
