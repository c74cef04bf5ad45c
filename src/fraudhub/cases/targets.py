"""Turning what a reporter typed into a canonical target, so reports about one thing group."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from fraudhub.cases.models import TargetKind
from fraudhub.core.errors import ValidationFailed
from fraudhub.core.text import ascii_digits
from fraudhub.indicators.types import InvalidIndicator, canonicalize, get_type

# The indicator type that identifies each kind of target.
KIND_TO_INDICATOR_TYPE: dict[str, str] = {
    TargetKind.ACCOUNT: "social_account",
    TargetKind.PAGE: "social_account",
    TargetKind.GROUP: "social_account",
    TargetKind.POST: "url",
    TargetKind.URL: "url",
    TargetKind.PHONE: "phone",
    TargetKind.BANK_ACCOUNT: "bank_account",
    TargetKind.CRYPTO_WALLET: "crypto_wallet",
    TargetKind.EMAIL: "email",
}

PLATFORMS = ("facebook", "telegram", "tiktok", "zalo", "youtube", "instagram", "x", "other")
_BARE_HANDLE = re.compile(r"^@?[\w.\-]{1,100}$", re.UNICODE)
_SPACES = re.compile(r"\s+")
CANONICAL_MAX = 512  # Target.canonical


@dataclass(frozen=True)
class CanonicalTarget:
    kind: str
    indicator_type: str
    canonical: str
    display: str
    platform: str


def _social_from_bare(raw: str, kind: str, platform: str) -> str:
    """A bare id or handle is only meaningful together with the platform it lives on."""
    handle = raw.strip().lstrip("@")
    if kind == TargetKind.GROUP:
        return f"{platform}:group/{handle}"
    if kind == TargetKind.PAGE and not ascii_digits(handle):
        return f"{platform}:page/{handle}"
    return f"{platform}:{handle}"


def canonicalize_target(*, kind: str, raw: str, platform: str = "") -> CanonicalTarget:
    value = raw.strip()
    platform = platform.strip().lower()
    if not value:
        raise ValidationFailed(_("Say what you are reporting."),
                               field_errors={"target": [_("This field is required.")]})
    if kind == TargetKind.OTHER:
        canonical = _SPACES.sub(" ", value).lower()[:512]
        return CanonicalTarget(kind, "other", canonical, value[:512], platform)
    type_key = KIND_TO_INDICATOR_TYPE[kind]
    try:
        if type_key == "social_account" and _BARE_HANDLE.match(value) and ":" not in value:
            if not platform or platform == "other":
                raise InvalidIndicator(_("give the profile link, or the platform with the handle"))
            value = _social_from_bare(value, kind, platform)
        found_type, canonical = canonicalize(value, type_key)
    except InvalidIndicator as exc:
        raise ValidationFailed(
            _("The reported target is not valid."),
            field_errors={"target": [_("Not a valid %(kind)s: %(reason)s")
                                     % {"kind": TargetKind(kind).label, "reason": str(exc)}]},
        ) from exc
    if len(canonical) > CANONICAL_MAX:
        raise ValidationFailed(
            _("The reported target is not valid."),
            field_errors={"target": [_("Too long once normalized (at most %(n)d characters).")
                                     % {"n": CANONICAL_MAX}]},
        )
    if found_type == "social_account":
        platform = canonical.split(":", 1)[0]
    return CanonicalTarget(kind, found_type, canonical, stored_display(found_type, canonical),
                           platform)


def stored_display(type_key: str, canonical: str) -> str:
    """The display kept with a target, in English whatever the language of the request that
    made it: one target, one stored name (pages name it in the reader's language from its
    canonical form: see display_in_language)."""
    with translation.override("en"):
        return get_type(type_key).display(canonical)[:512]


def display_in_language(target: Any) -> str:
    """The name of a target (a Target, an agency request's target) in the active language.

    Its stored display is in English ("Facebook group kiemtien247"); a social platform's group
    or page is named again from its canonical form, in the reader's words.
    """
    if target.indicator_type == "social_account":
        return get_type("social_account").display(target.canonical)
    return str(target.display)


# Mail goes to addresses nobody verified (a reporter's, an appellant's), as often as anybody files
# reports: it names a target only where the kind's canonical form can hold no words and no link.
# Otherwise anybody could have FraudHub mail their own text, or a phishing link, to anyone.
_NAMED_IN_MAIL = frozenset({TargetKind.PHONE, TargetKind.BANK_ACCOUNT, TargetKind.CRYPTO_WALLET})


def target_in_mail(*, kind: str, display: str) -> dict[str, str]:
    """What an e-mail may say of a target: ``target``, its display for phones, accounts and
    wallets (else empty), and ``kind``, the name of its kind ("Link", "Other")."""
    return {"target": display if kind in _NAMED_IN_MAIL else "",
            "kind": str(TargetKind(kind).label)}

