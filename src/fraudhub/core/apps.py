from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fraudhub.core"
    label = "core"
    verbose_name = "FraudHub core"
