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


REPORTER_KIND_LABELS: dict[str, str | Promise] = {
    "user": _("account"),
    "org": _("organization"),
    "apikey": _("API key"),
    "email": _("confirmed e-mail address"),
    # Anonymous reports, and reports whose address is not confirmed, are told apart by their
    # connection only: a mobile network's shared address may stand for many people.
    "ip": _("connection (no confirmed address)"),
}


@register.filter
def reporter_kind_label(identity: str) -> str:
    """What tells a reporter apart, from its identity ("ip:…", "email:…"), for reviewers who
    are about to weigh or suspend it."""
    return str(REPORTER_KIND_LABELS.get(identity.split(":", 1)[0], ""))
