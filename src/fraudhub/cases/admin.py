from __future__ import annotations

from django.contrib import admin

from fraudhub.cases.models import Appeal, Case, Decision, Enforcement, Target
from fraudhub.core.admin import ReadOnlyAdmin


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("display", "kind", "indicator_type", "platform", "platform_status")
    search_fields = ("canonical",)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "target", "queue", "status", "priority", "report_count", "due_at")
    list_filter = ("queue", "status")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    # Newest first, by the primary key's index: the model's order (decided_at, unindexed)
    # sorted every decision on each view.
    ordering = ("-pk",)
    list_display = ("pk", "case", "outcome", "ground", "decided_by_label", "decided_at",
                    "is_current")


@admin.register(Enforcement)
class EnforcementAdmin(ReadOnlyAdmin):
    list_display = ("pk", "decision", "action", "adapter", "status", "attempts", "flagged")
    list_filter = ("status", "flagged", "adapter")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "appellant_kind", "status", "filed_at", "decided_at")
