"""Template filters naming stored keys (an indicator's type, a target's kind) in the language of
the page: the keys themselves ("social_account", "bank_account") are not for people."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fraudhub.cases.models import TargetKind
from fraudhub.cases.targets import display_in_language

register = template.Library()

INDICATOR_TYPE_LABELS: dict[str, str | Promise] = {
    "phone": _("Phone number"),
    "bank_account": _("Bank account"),
    "url": _("Link"),
    "domain": _("Domain"),
    "email": _("E-mail address"),
    "social_account": _("Social media account"),
    "crypto_wallet": _("Crypto wallet"),
}


@register.filter
def indicator_type_label(key: str) -> str:
    """The name of indicator type ``key``; the key itself for one this list does not know."""
    return str(INDICATOR_TYPE_LABELS.get(key, key))


@register.filter
def target_kind_label(key: str) -> str:
    """The name of target kind ``key``; the key itself for one that is not a TargetKind."""
    return str(TargetKind(key).label) if key in TargetKind.values else key


@register.filter
def target_display(target: Any) -> str:
    """A target's name in the language of the page (see cases.targets.display_in_language)."""
    return display_in_language(target)
