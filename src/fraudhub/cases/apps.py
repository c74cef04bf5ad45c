from django.apps import AppConfig
from django.core import checks


class CasesConfig(AppConfig):
    name = "fraudhub.cases"
    label = "cases"
    verbose_name = "Cases, decisions and appeals"

    def ready(self) -> None:
        from fraudhub.cases.checks import platform_adapter_check, recording_adapter_check

        checks.register(platform_adapter_check)
        checks.register(recording_adapter_check, deploy=True)
