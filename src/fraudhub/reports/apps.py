from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fraudhub.reports"
    label = "reports"
    verbose_name = "Reports"
