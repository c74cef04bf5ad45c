"""Deployment checks (`fraudhub check --deploy`): settings that are fine on a developer's
machine and leak personal data or break the service in production.

Warnings, not errors, and only with --deploy: `make run` and the tests run with such settings
on purpose. Each is passed over in DEBUG, where Django's own deployment check already says
that DEBUG must be off (security.W018). docs/configuration.md lists them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning

# Django's e-mail backends other than SMTP: none of them delivers a message.
_DJANGO_MAIL_BACKENDS = "django.core.mail.backends."
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_DATABASE_TASKS_BACKEND = "django_tasks_db."
_NULL_RATE_LIMITER = "fraudhub.core.ratelimit.NullRateLimiter"


def email_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    backend = str(settings.EMAIL_BACKEND)
    if settings.DEBUG or not backend.startswith(_DJANGO_MAIL_BACKENDS) or backend == _SMTP_BACKEND:
        return []
    # The console backend is the default: a deployment that forgot the setting printed every
    # receipt and decision notice whole, reporters' addresses and decisions' texts, into the
    # server's log, and nobody received any.
    return [Warning(
        f"EMAIL_BACKEND is {backend}: no e-mail is delivered (receipts, decision notices, "
        "appeal links, deadline warnings), and the console backend writes each one whole, "
        "with reporters' addresses and decisions' texts, into the server's log.",
        hint="Set FRAUDHUB_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
             "FRAUDHUB_EMAIL_HOST (docs/configuration.md).",
        id="fraudhub.core.W001",
    )]


def base_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = str(settings.FRAUDHUB_BASE_URL)
    if settings.DEBUG or (urlsplit(url).scheme == "https" and urlsplit(url).hostname):
        return []
    # The links in e-mails carry secrets: an owner's appeal link holds the appeal token.
    return [Warning(
        f"FRAUDHUB_BASE_URL is {url!r}, not an https:// address: the links in e-mails and "
        "API answers (report status, appeal links with their token, authority requests) "
        "point there, in clear text or to a machine nobody else reaches.",
        hint="Set FRAUDHUB_BASE_URL to the service's public address, e.g. "
             "https://fraudhub.example.org.",
        id="fraudhub.core.W002",
    )]


def second_factor_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or settings.FRAUDHUB_REQUIRE_2FA:
        return []
    return [Warning(
        "FRAUDHUB_REQUIRE_2FA is off: reviewers, agency officers and administrators sign in "
        "with a password alone, and their accounts read every report and reporter.",
        hint="Unset FRAUDHUB_REQUIRE_2FA (or set it to 1); `make run` turns it off for the "
             "demonstration only.",
        id="fraudhub.core.W003",
    )]


def rate_limiter_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or settings.FRAUDHUB_RATE_LIMITER != _NULL_RATE_LIMITER:
        return []
    return [Warning(
        "FRAUDHUB_RATE_LIMITER is the null limiter: no rate limit holds (login attempts per "
        "account from all addresses together, anonymous reports and lookups, API keys' "
        "quotas).",
        hint="Unset FRAUDHUB_RATE_LIMITER: the database limiter, or the Redis one with "
             "FRAUDHUB_REDIS_URL, is chosen.",
        id="fraudhub.core.W004",
    )]


def tasks_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if settings.DEBUG or backend.startswith(_DATABASE_TASKS_BACKEND):
        return []
    return [Warning(
        f"FRAUDHUB_TASKS_BACKEND is {backend}: `fraudhub worker` runs only jobs of the "
        "database backend, so jobs are never run (dummy backend) or run inside the request "
        "that asked for them with no later retry (immediate backend), and no worker runs "
        "housekeeping.",
        hint="Unset FRAUDHUB_TASKS_BACKEND (django_tasks_db.DatabaseBackend) and run "
             "`fraudhub worker`.",
        id="fraudhub.core.W005",
    )]


DEPLOY_CHECKS = (email_backend_check, base_url_check, second_factor_check,
                 rate_limiter_check, tasks_backend_check)
