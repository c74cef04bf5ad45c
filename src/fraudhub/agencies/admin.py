from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fraudhub.agencies.models import AgencyRequest, ClockEvent, RequestTarget
from fraudhub.core.admin import ReadOnlyAdmin


class RequestTargetInline(admin.TabularInline):
    model = RequestTarget
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
