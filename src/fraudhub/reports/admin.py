from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fraudhub.core.admin import ReadOnlyAdmin
from fraudhub.reports.models import Evidence, PendingReport, Report, Reporter
from fraudhub.taxonomy.selectors import fraud_type_choices


class FraudTypeFilter(admin.SimpleListFilter):
    """The kinds of fraud of the taxonomy: Django's filter of a plain text field read every
    distinct value of the table (a scan of every report) on each view of the list."""

    title = "fraud type"
    parameter_name = "fraud_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return fraud_type_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(fraud_type=value) if value else queryset


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("tracking_code", "target", "fraud_type", "source", "status", "created_at")
    list_filter = ("status", "source", FraudTypeFilter)
    search_fields = ("tracking_code",)
    exclude = ("secret_hash",)


@admin.register(Reporter)
class ReporterAdmin(ReadOnlyAdmin):
    list_display = ("identity", "reputation", "upheld_count", "rejected_count", "bad_faith_until")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("report", "original_name", "content_type", "size", "sha256")


@admin.register(PendingReport)
class PendingReportAdmin(ReadOnlyAdmin):
    """Reports accepted and not filed yet: the worker's backlog, and any it failed to file."""

    list_display = ("tracking_code", "accepted_at", "attempts", "retry_at", "last_error")
    search_fields = ("tracking_code",)
    exclude = ("secret_hash",)
