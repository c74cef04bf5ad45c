from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "fraudhub.indicators"
    label = "indicators"
    verbose_name = "Indicators"
