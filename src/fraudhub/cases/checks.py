"""System checks of the cases app: run by every `fraudhub` command, `serve` and `worker` too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured


def platform_adapter_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The enforcement adapter can be built from the settings.

    A wrong address or a missing secret would otherwise show only when the first decision's
    delivery job fails, hours after the deployment.
    """
    from fraudhub.cases.adapters import get_adapter

    try:
        get_adapter()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See FRAUDHUB_PLATFORM_ADAPTER in docs/configuration.md.",
                      id="fraudhub.cases.E001")]
    return []


def recording_adapter_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With --deploy: the tests' adapter, which reports every order delivered and keeps it in
    the worker's memory only, so no decision would reach the platform."""
    if settings.DEBUG or settings.FRAUDHUB_PLATFORM_ADAPTER != "recording":
        return []
    return [Warning(
        "FRAUDHUB_PLATFORM_ADAPTER is 'recording', the tests' adapter: every enforcement "
        "order is marked delivered and kept in the worker's memory only; the platform never "
        "gets it.",
        hint="Use 'local' or 'webhook' (docs/configuration.md).",
        id="fraudhub.cases.W001",
    )]
