"""The contract every indicator type implements, and the text helpers they share.

An indicator type turns what a person typed or pasted into one canonical string, so that two
reports of the same phone number, account or URL land on the same row however they were written.
"""

from __future__ import annotations

import abc
import re
import unicodedata
from typing import ClassVar


class InvalidIndicator(ValueError):
    """Raised when a value cannot be read as an indicator of the requested type.

    The message is a short explanation meant to be shown to a person, given as a lazy
    translation (``gettext_lazy``/``format_lazy``): ``str(exc)`` reads it in the language active
    where it is shown (the request's), and raising one costs no catalogue lookup, which matters
    in extraction and guessing, where types refuse candidates all the time.
    """


class IndicatorType(abc.ABC):
    key: ClassVar[str]
    label: ClassVar[str]

    @abc.abstractmethod
    def normalize(self, raw: str) -> str:
        """Return the canonical form of ``raw`` or raise :class:`InvalidIndicator`."""

    def display(self, canonical: str) -> str:
        """Human rendering of a canonical value."""
        return canonical

    @abc.abstractmethod
    def looks_like(self, raw: str) -> bool:
        """Cheap guess, no validation beyond shape, used to pick a type for untyped input."""

    def same(self, a: str, b: str) -> bool:
        """Whether two raw or canonical values denote the same indicator."""
        try:
            return self.normalize(a) == self.normalize(b)
        except InvalidIndicator:
            return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"


# --- text helpers shared by several types -------------------------------------------------


_WHITESPACE = re.compile(r"\s")  # the same characters as str.isspace(), found in C


def has_space(text: str) -> bool:
    """Whether ``text`` contains any whitespace (``any(c.isspace() ...)`` without a Python loop)."""
    return _WHITESPACE.search(text) is not None


# Vietnamese text is matched against bank names and keywords without diacritics because people
# type both "số tài khoản" and "so tai khoan". The table maps each precomposed letter to exactly
# one ASCII letter so that positions in the folded text are positions in the original.
def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            decomposed = unicodedata.normalize("NFD", chr(cp))
            base = decomposed[0]
            if base.isascii() and base.isalpha() and len(decomposed) > 1:
                table[cp] = base
    table.update(
        {
            ord("đ"): "d",
            ord("Đ"): "D",
            ord("ł"): "l",
            ord("Ł"): "L",
            ord("ø"): "o",
            ord("Ø"): "O",
            ord("İ"): "I",
            ord("ı"): "i",
        }
    )
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Latin diacritics, keeping its length (for NFC input)."""
    if text.isascii():  # the table maps no ASCII character: translating would copy the text
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_words(text: str) -> str:
    """Folded text with every run of non-alphanumerics collapsed to one space."""
    return _NON_ALNUM.sub(" ", fold(unicodedata.normalize("NFC", text))).strip()


# Defanged indicators are how analysts and warning posts quote dangerous links so that nobody
# clicks them; they must read back as the real thing.
_DEFANG_DOT = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}", re.IGNORECASE)
_DEFANG_COLON = re.compile(r"\[:\]|\(:\)")
_DEFANG_SCHEME_SEP = re.compile(r"\[://\]|\[:/\]/")
_DEFANG_AT = re.compile(r"\[@\]|\(@\)|\[at\]|\(at\)|\{at\}", re.IGNORECASE)
_DEFANG_SCHEME = re.compile(r"^(?:hxxp|h\*\*p|h__p|hxp)(s?)(?=:|\[:)", re.IGNORECASE)


def _may_be_defanged(text: str) -> bool:
    """False when no defanging pattern can match ``text`` (stripped): a cheap exact pre-check.

    Every pattern above contains a bracket, except the scheme ones, which start with "h" and
    then "x", "*" or "_". Type guessing calls refang several times per value and almost no value
    is defanged; this spares it five regular-expression passes each time.
    """
    return ("[" in text or "(" in text or "{" in text
            or (text[:1] in ("h", "H") and text[1:2] in ("x", "X", "*", "_")))


_REFANG_PASSES = 4


def refang(text: str) -> str:
    """Undo the usual defanging of URLs, hosts and e-mail addresses.

    Again while a pass leaves a defanged form behind ("a((.))b" is "a(.)b", then "a.b"), up to
    four passes: a canonical value must read back as itself, so it may hold none.
    """
    text = text.strip()
    for _ in range(_REFANG_PASSES):
        if not _may_be_defanged(text):
            return text
        before = text
        text = _DEFANG_SCHEME.sub(r"http\1", text)
        text = _DEFANG_SCHEME_SEP.sub("://", text)
        text = _DEFANG_COLON.sub(":", text)
        text = _DEFANG_DOT.sub(".", text)
        text = _DEFANG_AT.sub("@", text)
        if text == before:
            return text
    return text


def is_defanged(text: str) -> bool:
    if not _may_be_defanged(text.strip()):
        return False
    return bool(
        _DEFANG_SCHEME.search(text.strip())
        or _DEFANG_DOT.search(text)
        or _DEFANG_COLON.search(text)
        or _DEFANG_AT.search(text)
    )
