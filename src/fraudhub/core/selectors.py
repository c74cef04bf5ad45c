"""Reads of the core domain."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from fraudhub.core import apikey_cache
from fraudhub.core.models import ApiKey, User
from fraudhub.core.services import API_KEY_PREFIX, hash_api_key

# last_used_at is only refreshed this often, so authentication does not write on every call.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def apikey_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None (unknown, revoked or expired)."""
    if not raw_key.startswith(API_KEY_PREFIX):
        return None
    key_hash = hash_api_key(raw_key)
    api_key = apikey_cache.get(key_hash)
    if api_key is None:
        prefix = raw_key[len(API_KEY_PREFIX):].split("_", 1)[0]
        api_key = (ApiKey.objects.select_related("organization", "holder")
                   .filter(prefix=prefix).first())
        if api_key is None or not hmac.compare_digest(api_key.key_hash, key_hash):
            return None
        apikey_cache.put(key_hash, api_key)
    now = timezone.now()
    if api_key.revoked_at is not None:
        return None
    if api_key.expires_at is not None and api_key.expires_at <= now:
        return None
    if api_key.holder is not None and not api_key.holder.is_active:
        return None  # a person who left takes the keys issued to them along
    if api_key.holder is not None and api_key.holder.organization_id != api_key.organization_id:
        return None  # issued for the organization its holder has since left
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def apikeys_held_by(*, user: User) -> QuerySet[ApiKey]:
    """The keys that act as ``user`` (revoked and expired ones too), newest first."""
    return (ApiKey.objects.filter(holder=user).select_related("organization", "holder")
            .order_by("-created_at", "-pk"))
