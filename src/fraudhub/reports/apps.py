from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fraudhub.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from fraudhub.core.uploads import upload_names_register
        from fraudhub.reports.inbox import pending_evidence_names

        upload_names_register(pending_evidence_names)
