"""E-mail addresses, lower-cased whole.

The local part is case-sensitive in theory, but no mail provider in use treats it so, and
reports of "Support@X.com" and "support@x.com" must meet.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

from .base import IndicatorType, InvalidIndicator, refang
from .domain import host_to_unicode, registrable_domain, to_ascii_host

# Dot-atom local part (RFC 5322) widened to Unicode letters (RFC 6531); quoted local parts are
# legal but never seen in scam traffic, and accepting them would let garbage through.
_LOCAL = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
_SHAPE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


class EmailType(IndicatorType):
    key = "email"
    label = "E-mail address"

    def normalize(self, raw: str) -> str:
        text = refang(raw).strip().strip("<>\"'")
        if text.lower().startswith("mailto:"):
            text = text[7:].split("?", 1)[0]
        local, at, host = text.rpartition("@")
        if not at or not local or not host:
            raise InvalidIndicator(gettext_lazy("not a valid e-mail address"))
        local = local.lower()
        if len(local) > 64 or not _LOCAL.match(local):
            raise InvalidIndicator(gettext_lazy("not a valid e-mail address"))
        ascii_host = to_ascii_host(host)
        if registrable_domain(ascii_host) is None:
            raise InvalidIndicator(gettext_lazy("the e-mail domain has no known public suffix"))
        return f"{local}@{ascii_host}"

    def display(self, canonical: str) -> str:
        local, _, host = canonical.rpartition("@")
        return f"{local}@{host_to_unicode(host)}"

    def looks_like(self, raw: str) -> bool:
        text = raw.strip()
        if text.lower().startswith("mailto:"):
            return True
        if _SHAPE.match(text):
            return True
        refanged = refang(text)  # most text is not defanged: then it is the same text again
        return refanged != text and bool(_SHAPE.match(refanged))
