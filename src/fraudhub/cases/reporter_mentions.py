"""Whether a text names one of a case's reporters: by e-mail address, phone number or full name.

A decision's facts and an appeal's reasons go word for word to the reported account's owner;
these tell the reviewer, before they are sent, that a reporter would be named in them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from fraudhub.indicators.extract import extract
from fraudhub.indicators.types.base import InvalidIndicator
from fraudhub.indicators.types.registry import REGISTRY

# The fewest and most digits phone-number reading considers (PhoneType.looks_like): a
# reporter "phone" that does not normalize and has fewer digits is not checked, since such
# a short number turns up in texts (amounts, counts, hotlines) without naming anyone.
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 17
# A name of one short word ("Lan", "Minh", "An") is not checked: it is a word of everyday
# text or part of half the names in a case, and refusing on it would block honest facts.
NAME_MIN_LETTERS = 6

_NON_DIGIT = re.compile(r"\D")
# A number as written: digit groups (one may start with "+") joined by spaces, dots, dashes,
# slashes or brackets.
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-/]*\d")
_DIGIT_GROUP = re.compile(r"\+?\d+")
# Letters and digits; anything else (spaces, punctuation, "_") separates words.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class ReporterContacts:
    """The contacts of a case's reporters, read for matching."""

    emails: frozenset[str] = frozenset()
    # Canonical E.164 numbers, and the digits of phones that are not valid numbers.
    phones: frozenset[str] = frozenset()
    phone_digits: frozenset[str] = frozenset()
    # Each checked name as its folded words.
    names: frozenset[tuple[str, ...]] = frozenset()
    name_lengths: frozenset[int] = field(default=frozenset())

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str]]) -> ReporterContacts:
        """From (e-mail, phone, name) rows, blanks allowed."""
        emails: set[str] = set()
        phones: set[str] = set()
        phone_digits: set[str] = set()
        names: set[tuple[str, ...]] = set()
        for email, phone, name in rows:
            if email.strip():
                emails.add(email.strip().casefold())
            if phone.strip():
                canonical = canonical_phone(phone)
                if canonical is not None:
                    phones.add(canonical)
                elif len(digits := _NON_DIGIT.sub("", phone)) >= PHONE_MIN_DIGITS:
                    phone_digits.add(digits)
            words = name_words(name)
            if words:
                names.add(words)
        return cls(emails=frozenset(emails), phones=frozenset(phones),
                   phone_digits=frozenset(phone_digits), names=frozenset(names),
                   name_lengths=frozenset(len(words) for words in names))


def canonical_phone(raw: str) -> str | None:
    """E.164 for ``raw`` (default region from the settings), or None when it is no number."""
    try:
        return REGISTRY["phone"].normalize(raw)
    except InvalidIndicator:
        return None


def fold(text: str) -> str:
    """Lower case without diacritics: "Nguyễn Đức" -> "nguyen duc".

    Not indicators' fold_words: that keeps only a-z and 0-9, so a name in another script would
    fold to nothing and never be found.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(name: str) -> tuple[str, ...]:
    """A reporter's name as folded words, or () when it is too short to check (see
    NAME_MIN_LETTERS)."""
    words = tuple(_WORD.findall(fold(name.strip())))
    if len(words) >= 2 or sum(len(word) for word in words) >= NAME_MIN_LETTERS:
        return words
    return ()


def names_a_phone(text: str, contacts: ReporterContacts) -> bool:
    if not contacts.phones and not contacts.phone_digits:
        return False
    if any(item.type == "phone" and item.value in contacts.phones for item in extract(text)):
        return True
    # Extraction takes a number after "STK" for a bank account, and one without its trunk
    # prefix ("912 345 678") for no indicator at all; a reporter is named by it all the same.
    # So every stretch of consecutive digit groups of a phone's length is read as well.
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_DIGIT_GROUP.finditer(run.group()))
        for first, group in enumerate(groups):
            digits = ""
            for last in groups[first:]:
                digits += last.group().lstrip("+")
                if len(digits) > PHONE_MAX_DIGITS:
                    break
                if len(digits) < PHONE_MIN_DIGITS:
                    continue
                if digits in contacts.phone_digits:
                    return True
                written = run.group()[group.start():last.end()]
                if contacts.phones and canonical_phone(written) in contacts.phones:
                    return True
    return False


def names_a_name(text: str, contacts: ReporterContacts) -> bool:
    """Whether a checked name appears as whole words, with any separators between them."""
    if not contacts.names:
        return False
    words = _WORD.findall(fold(text))
    for size in contacts.name_lengths:
        for start in range(len(words) - size + 1):
            if tuple(words[start:start + size]) in contacts.names:
                return True
    return False


def names_an_email(text: str, contacts: ReporterContacts) -> bool:
    folded = text.casefold()
    return any(address in folded for address in contacts.emails)
