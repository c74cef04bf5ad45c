"""Template filters for text that people outside the staff wrote (reports, targets, requests)."""

from __future__ import annotations

import re

from django import template

register = template.Library()

# Characters that change how the text around them is shown without being seen themselves:
# direction overrides, embeddings and isolates, direction marks, and zero-width characters.
# "abc\u202egnp.exe" is shown as "abcexe.png"; a reviewer must see what was written.
_INVISIBLE_CONTROLS = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _marker(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


@register.filter
def reveal(value: object) -> str:
    """``value`` with every invisible direction or width control written out as [U+XXXX].

    The result is plain text: autoescaping still applies where it is shown.
    """
    return _INVISIBLE_CONTROLS.sub(_marker, str(value))
