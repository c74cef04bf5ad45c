from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fraudhub.core.roles import Perm, key_added_permissions, permissions_for_role


def fraudhub(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    perms = permissions_for_role(role)
    return {
        "demo_banner": settings.FRAUDHUB_DEMO_BANNER,
        "require_2fa": settings.FRAUDHUB_REQUIRE_2FA,
        "can_review": Perm.CASE_LIST in perms,
        "can_agency_portal": Perm.AGENCY_REQUEST_VIEW in perms,
        "can_manage_flaggers": Perm.TRUSTED_FLAGGER_MANAGE in perms,
        "can_read_transparency": Perm.TRANSPARENCY_READ in perms,
        "can_hold_api_keys": bool(key_added_permissions(role)),
    }
