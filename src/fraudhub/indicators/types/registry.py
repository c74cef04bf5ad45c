"""The one registry of indicator types, and the entry points that pick a type for raw input."""

from __future__ import annotations

import re

from .bank_account import BankAccountType
from .base import IndicatorType, InvalidIndicator
from .crypto_wallet import CryptoWalletType
from .domain import DomainType
from .email import EmailType
from .phone import PhoneType
from .social_account import SocialAccountType
from .url import UrlType


class UnknownIndicatorType(ValueError):
    """Raised for a type key that is not in the registry."""


_BANK = BankAccountType()

REGISTRY: dict[str, IndicatorType] = {
    t.key: t
    for t in (
        PhoneType(),
        _BANK,
        UrlType(),
        DomainType(),
        EmailType(),
        SocialAccountType(),
        CryptoWalletType(),
    )
}

TYPE_KEYS: tuple[str, ...] = tuple(REGISTRY)


def get_type(key: str) -> IndicatorType:
    try:
        return REGISTRY[key]
    except KeyError:
        raise UnknownIndicatorType(f"unknown indicator type: {key!r}") from None


def normalize(type_key: str, raw: str) -> str:
    return get_type(type_key).normalize(raw)


# Only ASCII digits and the punctuation people write numbers with: phone numbers and account
# numbers, most of what bulk callers send. Such text cannot have the letters, "@" or ":" that
# social accounts, e-mail addresses and IBANs need, so those checks are skipped for it.
_DIGITISH = re.compile(r"[0-9\s().+\-/]*")


def _candidates(raw: str) -> list[str]:
    """Types ``raw`` may be, most specific first.

    A social-platform URL is an account before it is a URL; digits are a phone before they are
    an account at an unnamed bank; a bare host is a domain only when nothing else fits.
    """
    text = raw.strip()
    if _DIGITISH.fullmatch(text):
        return _digit_candidates(text)
    url, social = REGISTRY["url"], REGISTRY["social_account"]
    found: list[str] = []
    if url.looks_like(text):
        if social.looks_like(text):
            found.append("social_account")
        found.append("url")
    elif social.looks_like(text):
        found.append("social_account")
    if REGISTRY["crypto_wallet"].looks_like(text):
        found.append("crypto_wallet")
    if REGISTRY["email"].looks_like(text):
        found.append("email")
    if _BANK.looks_like_iban(text):
        found.append("bank_account")
    if REGISTRY["phone"].looks_like(text):
        found.append("phone")
    if "bank_account" not in found and _BANK.looks_like(text):
        found.append("bank_account")
    if REGISTRY["domain"].looks_like(text):
        found.append("domain")
    return found


def _digit_candidates(text: str) -> list[str]:
    """:func:`_candidates` for text of digits and number punctuation only (see _DIGITISH).

    The same answer in the same order, with the checks that cannot succeed left out: a link
    needs a "/" here (digits.digits/...), a wallet 25 to 35 characters (base58 of digits alone),
    a host a "."; social accounts, e-mail addresses and IBANs need letters, "@" or ":".
    """
    found: list[str] = []
    if "/" in text and REGISTRY["url"].looks_like(text):
        found.append("url")
    if 25 <= len(text) <= 35 and REGISTRY["crypto_wallet"].looks_like(text):
        found.append("crypto_wallet")
    if REGISTRY["phone"].looks_like(text):
        found.append("phone")
    if _BANK.looks_like(text):
        found.append("bank_account")
    if "." in text and REGISTRY["domain"].looks_like(text):
        found.append("domain")
    return found


def canonicalize(raw: str, type_key: str | None = None) -> tuple[str, str]:
    """``(type_key, canonical)`` for ``raw``; the type is guessed when not given.

    Raises InvalidIndicator when no type accepts the value, and UnknownIndicatorType for a bad key.
    """
    if type_key is not None:
        return type_key, get_type(type_key).normalize(raw)
    first_error: InvalidIndicator | None = None
    for key in _candidates(raw):
        try:
            return key, REGISTRY[key].normalize(raw)
        except InvalidIndicator as exc:
            first_error = first_error or exc
    raise first_error or InvalidIndicator("not a recognised phone, account, link, e-mail or wallet")


def guess_type(raw: str) -> str | None:
    """The type :func:`canonicalize` would choose for ``raw``, or None when none accepts it."""
    try:
        return canonicalize(raw)[0]
    except InvalidIndicator:
        return None
