from __future__ import annotations

from django.contrib import admin

from fraudhub.core.admin import ReadOnlyAdmin
from fraudhub.reports.models import Evidence, Report, Reporter


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
