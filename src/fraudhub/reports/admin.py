from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fraudhub.reports.models import Evidence, Report, Reporter


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the console and its services, which audit them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("tracking_code", "target", "fraud_type", "source", "status", "created_at")
    list_filter = ("status", "source", "fraud_type")
    search_fields = ("tracking_code",)
    exclude = ("secret_hash",)


@admin.register(Reporter)
class ReporterAdmin(ReadOnlyAdmin):
    list_display = ("identity", "reputation", "upheld_count", "rejected_count", "bad_faith_until")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("report", "original_name", "content_type", "size", "sha256")
