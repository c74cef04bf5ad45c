"""The one registry of indicator types, and the entry points that pick a type for raw input."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from .bank_account import BankAccountType
from .base import IndicatorType, InvalidIndicator, has_space, refang
from .crypto_wallet import CryptoWalletType
from .domain import DomainType, parse_ip
from .email import EmailType
from .phone import PhoneType
from .social_account import SocialAccountType
from .url import UrlType


class UnknownIndicatorType(ValueError):
    """Raised for a type key that is not in the registry."""


class UnrecognisedValue(InvalidIndicator):
    """Raised by guessing when no type even has the shape of the text (as opposed to a type
    that has it and refuses the value, with its reason)."""


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
# A link written with a scheme ("https://", "hxxp[:]//", "ftp://"). Such text, and text of a
# link's shape without one, is a profile, a link or the site of a link refused as such (a port
# of other digits), and nothing else: the digits of its host or path are no phone number or
# bank account ("http://192.168.100.200/" and "example.notatld/0912345678" were read as
# accounts at any bank).
_LINK_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*(?::|\[:\])//", re.IGNORECASE)
# What an IPv4 address looks like, checked before the (slower) parse of one.
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _candidates(raw: str) -> list[str]:
    """Types ``raw`` may be, most specific first.

    A social-platform URL is an account before it is a URL; digits are a phone before they are
    an account at an unnamed bank; a bare host is a domain only when nothing else fits.
    """
    return list(_iter_candidates(raw))


def _iter_candidates(raw: str) -> Iterator[str]:
    """:func:`_candidates` one at a time, each shape check run only when the type is asked for.

    canonicalize stops at the first type that accepts the value, and most values are accepted
    by their first candidate: the checks of the types after it (a third of the cost of guessing
    a link) need not run. The checks are pure, so the order and the answers are the same.
    """
    text = raw.strip()
    if _DIGITISH.fullmatch(text):
        yield from _digit_candidates(text)
        return
    url, social = REGISTRY["url"], REGISTRY["social_account"]
    # Whitespace inside the text (it is stripped) fits no link, wallet or e-mail shape: their
    # patterns have none, and refanging keeps it. Only "chain: address" and "mailto:" may.
    spaced = has_space(text)
    if _LINK_SCHEME.match(text) or (not spaced and url.looks_like(text)):
        if social.looks_like(text):
            yield "social_account"
        yield "url"
        if REGISTRY["domain"].looks_like(text):
            yield "domain"
        return
    if social.looks_like(text):
        yield "social_account"
    if (not spaced or ":" in text) and REGISTRY["crypto_wallet"].looks_like(text):
        yield "crypto_wallet"
    if (not spaced or text.lower().startswith("mailto:")) and REGISTRY["email"].looks_like(text):
        yield "email"
        return  # an address refused as one ("user@192.168.1.1") is not the digits in it
    iban = _BANK.looks_like_iban(text)
    if iban:
        yield "bank_account"
    if REGISTRY["phone"].looks_like(text):
        yield "phone"
    if not iban and _BANK.names_an_account(text):
        yield "bank_account"
    if REGISTRY["domain"].looks_like(text):
        yield "domain"


def _digit_candidates(text: str) -> Iterator[str]:
    """:func:`_iter_candidates` for text of digits and number punctuation only (see _DIGITISH).

    The same answer in the same order, with the checks that cannot succeed left out: a link
    needs a "/" here (digits.digits/...), a wallet 25 to 35 characters (base58 of digits alone),
    a host a "."; social accounts, e-mail addresses and IBANs need letters, "@" or ":".
    """
    if "/" in text and REGISTRY["url"].looks_like(text):
        yield "url"
    if _DOTTED_QUAD.fullmatch(text) and parse_ip(text) is not None:
        return  # an IP address ("192.168.100.200") is no phone number or bank account
    if 25 <= len(text) <= 35 and REGISTRY["crypto_wallet"].looks_like(text):
        yield "crypto_wallet"
    if REGISTRY["phone"].looks_like(text):
        yield "phone"
    if _BANK.looks_like_account(text):  # no IBAN here: it would need letters or ":"
        yield "bank_account"
    if "." in text and REGISTRY["domain"].looks_like(text):
        yield "domain"


def _guess_may_raise(raw: str) -> bool:
    """False when no shape check of type guessing can raise for ``raw``: an exact pre-check.

    Only the domain check raises (InvalidIndicator from split_url: urlsplit refuses a netloc
    with unbalanced brackets or with non-ASCII characters that NFKC turns into URL syntax).
    It reaches urlsplit only for refanged text with "//"; refanging adds neither brackets nor
    non-ASCII characters (it takes "[.]" and the like away), so text without a "/" or without
    any of those, before or after refanging, cannot raise.
    """
    return _may_split_badly(raw) and _may_split_badly(refang(raw))


def _may_split_badly(text: str) -> bool:
    return "/" in text and ("[" in text or "]" in text or not text.isascii())


# Quotes and brackets people put around a value they cite ("<https://…>" from an e-mail
# client, «…», “…”); a value that starts with one and ends with its pair is the value inside.
_ENCLOSING = {"<": ">", '"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“", "(": ")",
              "[": "]", "{": "}", "「": "」"}


def unwrapped(raw: str) -> str:
    """``raw`` without the quotes or brackets around the whole of it, at most two pairs.

    Only a pair that encloses the whole: "(028) 3823 4567 (Zalo)" starts and ends with
    brackets that are not one pair, and stays as it is.
    """
    text = raw.strip()
    for _ in range(2):
        opening, closing = text[:1], _ENCLOSING.get(text[:1])
        if closing is None or len(text) < 3 or text[-1] != closing:
            break
        inner = text[1:-1]
        if opening in inner or closing in inner:
            break
        text = inner.strip()
    return text


def canonicalize(raw: str, type_key: str | None = None) -> tuple[str, str]:
    """``(type_key, canonical)`` for ``raw``; the type is guessed when not given.

    Raises InvalidIndicator when no type accepts the value, and UnknownIndicatorType for a bad key.
    """
    if raw.lstrip()[:1] in _ENCLOSING:
        raw = unwrapped(raw)
    if type_key is not None:
        return type_key, get_type(type_key).normalize(raw)
    first_error: InvalidIndicator | None = None
    candidates = _iter_candidates(raw)
    for key in candidates:
        try:
            canonical = REGISTRY[key].normalize(raw)
        except InvalidIndicator as exc:
            first_error = first_error or exc
            continue
        if _guess_may_raise(raw):
            # Guessing raises when a shape check does, whatever type would have accepted the
            # value: run the checks that were not needed to find this type, for that.
            for _ in candidates:
                pass
        return key, canonical
    raise first_error or UnrecognisedValue(
        gettext_lazy("not a recognised phone, account, link, e-mail or wallet"))


def guess_type(raw: str) -> str | None:
    """The type :func:`canonicalize` would choose for ``raw``, or None when none accepts it."""
    try:
        return canonicalize(raw)[0]
    except InvalidIndicator:
        return None
