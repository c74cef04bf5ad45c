"""Checks every free-text field goes through before it is stored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from django.utils.translation import gettext as _


def nul_field_errors(fields: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Fields containing NUL: PostgreSQL cannot store it and no honest text carries it."""
    return {
        name: [_("Contains a NUL character, which is not allowed.")]
        for name, value in fields.items()
        if value and "\x00" in value
    }


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9: ``str.isdigit`` also accepts "²", "①" or "٣", which ``int``
    refuses or reads as another number, and no identifier we parse is written in them."""
    return text.isascii() and text.isdigit()


# A decimal digit other than 0-9 ("０" full-width, "٣" Arabic-Indic, "৭" Bengali…): regular
# expressions' \d matches them all, so a number written in them was kept as written, and an
# account in full-width digits was another account than the same in 0-9.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def to_ascii_digits(text: str) -> str:
    """``text`` with every decimal digit written as 0-9 (other characters unchanged)."""
    if text.isascii() or _OTHER_DIGIT.search(text) is None:
        return text
    return _OTHER_DIGIT.sub(_ascii_digit, text)


# In a str, a code point of the surrogate range is always half of a pair: JSON's "\ud83d\ude00"
# decodes to one character, "\ud800" alone to this. No UTF-8 text carries one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_unpaired_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None
