"""What the passes of indicator extraction share: the state of one reading, and keyword patterns.

See :mod:`fraudhub.indicators.extract` for the passes themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types.base import fold


@dataclass(frozen=True)
class FoundIndicator:
    """One indicator found in a text; ``text[start:end] == raw`` for the text given."""

    type: str
    value: str  # canonical
    raw: str  # as written in the text
    start: int
    end: int


class Reader:
    """State of one extraction: the text, its folded twin, claimed spans and findings."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        # One byte per character, 1 where a finding or a date, time or amount claimed it: a
        # list of spans made each check walk every claim (quadratic in a long message).
        self.claimed = bytearray(len(text))
        self.found: list[FoundIndicator] = []
        # Readings of runs of digit groups as phone numbers, beyond one per run: enough for
        # any message people write (each costs 20-90 µs), not for a wall of digit groups
        # ("001 001 001 …" cost 1 s per 10,000 characters before this bound).
        self.split_readings_left = 64 + len(text) // 40

    def free(self, start: int, end: int) -> bool:
        return self.claimed.find(1, start, end) == -1

    def claim(self, start: int, end: int) -> None:
        self.claimed[start:end] = b"\x01" * (end - start)

    def add(self, type_key: str, value: str, start: int, end: int) -> None:
        self.found.append(FoundIndicator(type_key, value, self.text[start:end], start, end))
        self.claim(start, end)


def keywords(*alternatives: str) -> str:
    """``(?<![a-z])(?:a|b|...)`` for keywords that each open with a lower-case letter.

    The keywords are grouped by first letter, each group opening with its letter and looking
    behind it, so that the pattern opens with a set of letters (see extract._WALLET). Keywords with
    different first letters never match at the same place, and within a group the order is
    kept, so the keyword that wins where several match is the same as in a plain alternation.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        if not "a" <= alternative[0] <= "z":
            raise ValueError(f"keyword must open with a lower-case letter: {alternative!r}")
        groups.setdefault(alternative[0], []).append(alternative[1:])
    branches = [f"{first}(?<![a-z]{first})(?:{'|'.join(rests)})" for first, rests in groups.items()]
    return "(?:" + "|".join(branches) + ")"
