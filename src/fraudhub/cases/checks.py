"""System checks of the cases app: run by every `fraudhub` command, `serve` and `worker` too."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error
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
