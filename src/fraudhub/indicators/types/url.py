"""Web addresses (http and https only), normalized so that trivially different spellings match."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from fraudhub.core.text import ascii_digits

from .base import IndicatorType, InvalidIndicator, has_space, is_defanged, refang
from .domain import host_to_unicode, parse_ip, registrable_domain, split_url, to_ascii_host

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_WEB_SCHEMES = {"http": 80, "https": 443}
# Schemes a scam link can carry that are never a web page we could look up or take down.
_OTHER_SCHEMES = {
    "javascript",
    "data",
    "vbscript",
    "file",
    "about",
    "blob",
    "mailto",
    "tel",
    "sms",
    "ftp",
    "ftps",
    "ws",
    "wss",
    "chrome",
    "intent",
    "market",
    "itms-apps",
    "zalo",
    "tg",
    "fb",
}
_URL_SHAPE = re.compile(
    r"^(?:(?:https?|hxxps?)(?::|\[:\])//\S+|www\d?\.\S+|[^\s/@:]+\.[^\s/@:.]+(?::\d+)?/\S*)$",
    re.IGNORECASE,
)
# RFC 3986 reserved and unreserved characters plus '%': existing escapes are kept as they are,
# anything else (spaces, Unicode) is percent-encoded so two spellings of one path compare equal.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def _with_scheme(text: str) -> str:
    match = _SCHEME.match(text)
    if match:
        scheme = match.group(1).lower()
        if scheme in _WEB_SCHEMES or text[match.end() :].startswith("//"):
            return text
        if scheme in _OTHER_SCHEMES:
            raise InvalidIndicator(format_lazy(
                gettext_lazy("{scheme}: links are not web addresses"), scheme=scheme))
        # "example.com:8080/x" reads as a scheme to split_url; it is a host with a port.
    if text.startswith("//"):
        return "https:" + text
    # Links in SMS and posts usually come without a scheme; today's sites and browsers default
    # to https, so that is the scheme we assume.
    return "https://" + text


_TRAILING_PUNCT = ".,;:!?'\"»…"
_OPENING = {")": "(", "]": "[", "}": "{"}


def trim_link_end(text: str) -> str:
    """Drop the sentence punctuation and unbalanced closing brackets that follow a link in text
    ("xem https://x.top/a." "(https://x.top/a)"): no link people pass on ends with them."""
    while text:
        last = text[-1]
        if last in _TRAILING_PUNCT:
            text = text[:-1]
        elif last in _OPENING and text.count(last) > text.count(_OPENING[last]):
            text = text[:-1]
        else:
            break
    return text


class UrlType(IndicatorType):
    key = "url"
    label = "Web address (URL)"

    def normalize(self, raw: str) -> str:
        # The fragment goes before the trailing punctuation: "x.top/a.#b" is x.top/a, as the
        # canonical form (which has no fragment) must read back as itself.
        text = trim_link_end(refang(raw).strip().strip("<>\"'").partition("#")[0])
        if not text or has_space(text):
            raise InvalidIndicator(gettext_lazy("not a valid web address"))
        parts = split_url(_with_scheme(text))
        scheme = parts.scheme.lower()
        if scheme not in _WEB_SCHEMES:
            raise InvalidIndicator(gettext_lazy("only http and https addresses are accepted"))
        userinfo, _, hostport = parts.netloc.rpartition("@")
        host, port = _split_port(hostport)
        ip = parse_ip(host)
        if ip is not None:
            if not ip.is_global:
                raise InvalidIndicator(
                    gettext_lazy("a private or local IP address is not a public web address"))
            ascii_host = f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
        else:
            ascii_host = to_ascii_host(host)
            if registrable_domain(ascii_host) is None:
                raise InvalidIndicator(gettext_lazy("the host has no known public suffix"))
        netloc = ascii_host
        if port is not None and port != _WEB_SCHEMES[scheme]:
            netloc = f"{ascii_host}:{port}"
        if userinfo:
            netloc = f"{userinfo}@{netloc}"
        try:
            path = quote(parts.path or "/", safe=_SAFE_PATH)
            query = quote(parts.query, safe=_SAFE_QUERY)
        except UnicodeEncodeError as exc:  # half of a UTF-16 surrogate pair: not text
            raise InvalidIndicator(gettext_lazy("not a valid web address")) from exc
        return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")

    def display(self, canonical: str) -> str:
        parts = split_url(canonical)
        shown = host_to_unicode(parts.hostname or "")
        if shown == parts.hostname:
            return canonical
        return f"{canonical} ({shown})"

    def looks_like(self, raw: str) -> bool:
        text = raw.strip()
        if _URL_SHAPE.match(text):
            return True
        return is_defanged(text) and bool(_URL_SHAPE.match(refang(text)))


def _split_port(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
    else:
        host, port_text = hostport, ""
    if not port_text:
        return host, None
    # A port has at most five digits: a longer run is refused before int() reads it.
    if not (ascii_digits(port_text) and len(port_text) <= 5 and 0 < int(port_text) < 65536):
        raise InvalidIndicator(gettext_lazy("not a valid port number"))
    return host, int(port_text)
