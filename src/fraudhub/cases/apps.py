from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fraudhub.cases"
    label = "cases"
    verbose_name = "Cases, decisions and appeals"
