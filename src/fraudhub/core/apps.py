from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "fraudhub.core"
    label = "core"
    verbose_name = "FraudHub core"

    def ready(self) -> None:
        from fraudhub.core.checks import DEPLOY_CHECKS

        for check in DEPLOY_CHECKS:
            checks.register(check, deploy=True)
