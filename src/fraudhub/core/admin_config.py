"""The admin app's configuration, named in INSTALLED_APPS instead of django.contrib.admin.

A module of its own: INSTALLED_APPS imports it before any model may be, and an apps.py holding
two configurations would leave Django unable to pick fraudhub.core's default one.
"""

from django.contrib.admin.apps import AdminConfig


class FraudHubAdminConfig(AdminConfig):
    """django.contrib.admin with its site asking for the TOTP code as the console does."""

    default_site = "fraudhub.core.admin_site.SecondFactorAdminSite"
