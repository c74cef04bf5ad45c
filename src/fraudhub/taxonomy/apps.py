from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "fraudhub.taxonomy"
    label = "taxonomy"
    verbose_name = "Fraud taxonomy"
