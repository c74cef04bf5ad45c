from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "fraudhub.agencies"
    label = "agencies"
    verbose_name = "Authority requests and trusted flaggers"
