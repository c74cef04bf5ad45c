"""Domains, reduced to their registrable domain, and the host handling URLs and e-mails share."""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

import idna
import tldextract
from django.utils.translation import gettext_lazy

from .base import IndicatorType, InvalidIndicator, has_space, refang

# Only the suffix list bundled with tldextract: a lookup must never wait on, or fail because of,
# a download. Private suffixes (github.io, blogspot.com, vercel.app…) are honoured so that one
# phishing page on a hosting service does not flag the whole service.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)

_IDEOGRAPHIC_DOTS = str.maketrans({"。": ".", "．": ".", "｡": "."})
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_HOST_SHAPE = re.compile(r"^(?:[^\s./@:]+\.)+[^\s./@:0-9][^\s./@:]*\.?$")


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = host.strip("[]")
    # An IPv6 address has a ":", an IPv4 one only ASCII digits and dots: any other host name
    # is answered here, without the two exceptions ipaddress raises to say no.
    if ":" not in text and not (text.isascii() and text.replace(".", "").isdigit()):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def to_ascii_host(host: str) -> str:
    """Lower-case, IDNA-encoded host name; raises InvalidIndicator when it cannot be a host."""
    host = host.translate(_IDEOGRAPHIC_DOTS).strip().rstrip(".").lower()
    if not host or len(host) > 253:
        raise InvalidIndicator(gettext_lazy("not a valid host name"))
    labels = []
    for label in host.split("."):
        if not label.isascii():
            try:
                label = idna.encode(label, uts46=True).decode("ascii")
            except idna.IDNAError as exc:
                raise InvalidIndicator(gettext_lazy("not a valid international host name")) from exc
        if not _ASCII_LABEL.match(label):
            raise InvalidIndicator(gettext_lazy("not a valid host name"))
        labels.append(label)
    ascii_host = ".".join(labels)
    if len(ascii_host) > 253:  # the limit is on the encoded name, which IDNA makes longer
        raise InvalidIndicator(gettext_lazy("not a valid host name"))
    return ascii_host


def host_to_unicode(ascii_host: str) -> str:
    try:
        return idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError):
        return ascii_host


@functools.lru_cache(maxsize=8192)
def registrable_domain(ascii_host: str) -> str | None:
    """The registrable domain of an ASCII host, or None when it has no known public suffix.

    Cached: a pure function of the host and the bundled suffix list, asked several times for one
    host (a link, then the site it is on) and for the same few hosts again and again in scans.
    """
    parts = _EXTRACT(ascii_host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if parts.is_private:
        # The host is itself a private suffix (e.g. "github.io"): fall back to the ICANN view.
        icann = _EXTRACT(ascii_host, include_psl_private_domains=False)
        if icann.suffix and icann.domain:
            return f"{icann.domain}.{icann.suffix}"
    return None


def has_public_suffix(ascii_host: str) -> bool:
    return bool(_EXTRACT(ascii_host).suffix)


def split_url(text: str) -> SplitResult:
    """urlsplit, with its ValueError for malformed brackets and ports made an InvalidIndicator."""
    try:
        return urlsplit(text)
    except ValueError as exc:
        raise InvalidIndicator(gettext_lazy("not a valid web address")) from exc


def split_host(raw: str) -> str:
    """The host part of a URL, an e-mail address or a bare host, refanged but not validated."""
    text = refang(raw).strip().strip("<>\"'")
    if "://" in text or text.startswith("//"):
        netloc = split_url(text if "://" in text else "http:" + text).netloc
        host = netloc.rpartition("@")[2]
    else:
        if text.lower().startswith("mailto:"):
            text = text[7:]
        host = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class DomainType(IndicatorType):
    key = "domain"
    label = "Domain"

    def normalize(self, raw: str) -> str:
        host = split_host(raw)
        if parse_ip(host) is not None:
            raise InvalidIndicator(gettext_lazy("an IP address is not a domain"))
        domain = registrable_domain(to_ascii_host(host))
        if domain is None:
            raise InvalidIndicator(gettext_lazy("not a domain under a known public suffix"))
        return domain

    def display(self, canonical: str) -> str:
        shown = host_to_unicode(canonical)
        # Punycode stays visible next to the Unicode form: look-alike letters are the trick.
        return shown if shown == canonical else f"{shown} ({canonical})"

    def looks_like(self, raw: str) -> bool:
        text = refang(raw).strip()
        if not text or has_space(text) or "@" in text:
            return False
        return bool(_HOST_SHAPE.match(split_host(text)))
