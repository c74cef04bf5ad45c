"""Bank accounts: Vietnamese accounts keyed by the bank's NAPAS BIN, foreign ones by IBAN.

Canonical forms:
- ``970436:0071000123456`` — account 0071000123456 at the bank whose NAPAS BIN is 970436;
- ``*:0071000123456`` — the number alone, bank unknown: it matches that number at every bank;
- ``iban:DE89370400440532013000`` — an IBAN, validated (checksum and country format).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from schwifty.registry import get_iban_spec

from fraudhub.core.text import to_ascii_digits

from .base import IndicatorType, InvalidIndicator, fold, fold_words

ANY_BANK = "*"
_MIN_DIGITS, _MAX_DIGITS = 6, 20


@dataclass(frozen=True)
class Bank:
    bin: str
    code: str
    short_name: str
    name: str
    aliases: tuple[str, ...]


def _compact(text: str) -> str:
    return fold_words(text).replace(" ", "")


@cache
def all_banks() -> tuple[Bank, ...]:
    raw = resources.files("fraudhub.indicators").joinpath("data/vn_banks.json").read_text("utf-8")
    return tuple(
        Bank(
            bin=entry["bin"],
            code=entry["code"],
            short_name=entry["short_name"],
            name=entry["name"],
            aliases=tuple(entry["aliases"]),
        )
        for entry in json.loads(raw)["banks"]
    )


@cache
def _index() -> tuple[dict[str, Bank], dict[str, Bank]]:
    by_bin = {bank.bin: bank for bank in all_banks()}
    by_name: dict[str, Bank] = {}
    for bank in all_banks():
        for name in (bank.short_name, bank.code, bank.name, *bank.aliases):
            by_name.setdefault(_compact(name), bank)
    return by_bin, by_name


def bank_by_bin(bin: str) -> Bank | None:
    return _index()[0].get(bin.strip())


# Words people put around a bank's name that do not tell banks apart.
_FILLER_PREFIXES = (
    "ngan hang thuong mai co phan ",
    "ngan hang tmcp ",
    "ngan hang ",
    "nh ",
    "tmcp ",
    "bank ",
)


def bank_lookup(name_or_alias: str) -> Bank | None:
    """The bank called ``name_or_alias`` (official name, short name, code or a common alias)."""
    by_name = _index()[1]
    words = fold_words(name_or_alias)
    candidates = [words]
    for prefix in _FILLER_PREFIXES:
        if words.startswith(prefix):
            candidates.append(words[len(prefix) :])
    for candidate in candidates:
        key = candidate.replace(" ", "")
        for variant in (key, key.removesuffix("bank"), key + "bank"):
            if variant and variant in by_name:
                return by_name[variant]
    return None


_NAME_SEPARATOR = r"[\s.\-]*"
_NAME_END_REFUSES = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # (?![a-z0-9])


def _exclusive(head_a: str, head_b: str) -> bool:
    """Whether names going on with these next characters can never both match at one place.

    A name's character ("" where it ends, " " between its words) is what it needs next: "" needs
    a character the closing lookahead lets through, " " any run of separators, even none.
    """
    if head_a == head_b or " " in (head_a, head_b):
        return False
    if head_a and head_b:
        return True
    return (head_a or head_b) in _NAME_END_REFUSES


def _alternation(rests: list[str]) -> str:
    """Regex for the ends of names that share what came before, first-listed name winning.

    A flat alternation of ~300 names costs a try of every name at every word start; sharing
    prefixes cuts that to a walk down the letters. Names are merged under a shared next
    character only where no name between them in the list could match at the same place, so
    that the name chosen where several match is the one the list order picks, as before.
    """
    segments: list[tuple[str, list[str]]] = []
    for rest in rests:
        head = rest[:1]
        for seg_head, members in reversed(segments):
            if seg_head == head:
                members.append(rest[1:])
                break
            if not _exclusive(seg_head, head):
                segments.append((head, [rest[1:]]))
                break
        else:
            segments.append((head, [rest[1:]]))
    branches = []
    for head, members in segments:
        step = _NAME_SEPARATOR if head == " " else re.escape(head)
        tail = _NAME_SEPARATOR.join(map(re.escape, members[0].split(" ")))
        branches.append(step + (tail if len(members) == 1 else _alternation(members)))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


@cache
def _alias_pattern() -> re.Pattern[str]:
    names: set[str] = set()
    for bank in all_banks():
        for name in (bank.short_name, bank.code, bank.name, *bank.aliases):
            words = fold_words(name)
            if words:
                names.add(words)
    # Longest first so that "sai gon cong thuong" wins over "sai gon".
    ordered = sorted(names, key=len, reverse=True)
    firsts: dict[str, list[str]] = {}
    for name in ordered:
        firsts.setdefault(name[0], []).append(name[1:])
    # Each branch starts with its letter and only then looks behind it (at the letter before
    # that one), so that the pattern opens with a plain character set: the regex engine then
    # skips to candidate letters in C instead of trying the whole pattern at every position.
    branches = [
        f"{re.escape(first)}(?<![a-z0-9]{re.escape(first)})" + _alternation(rests)
        for first, rests in firsts.items()
    ]
    return re.compile("(?:" + "|".join(branches) + r")(?![a-z0-9])")


@lru_cache(maxsize=4096)
def _bank_named(matched: str) -> Bank | None:
    # Only a few spellings of each name turn up, and looking one up folds and re-splits it.
    return bank_lookup(matched)


def find_banks(folded: str) -> list[tuple[int, int, Bank]]:
    """Bank names in text already passed through :func:`fold` (so offsets are the text's)."""
    found = []
    for match in _alias_pattern().finditer(folded):
        bank = _bank_named(match.group())
        if bank is not None:
            found.append((match.start(), match.end(), bank))
    return found


def iban_or_none(text: str) -> str | None:
    """The compact IBAN when ``text`` is a valid one (spaces allowed), else None."""
    try:
        return str(IBAN(text).compact)
    except (SchwiftyException, ValueError):
        return None


def iban_shaped(compact: str) -> bool:
    """Whether upper-case ``compact`` has an IBAN's shape, in a country that uses IBANs.

    The country matters: "TK 19036768978011 Techcombank" (TK for tài khoản, account) has the
    shape too, and was refused as a bad IBAN instead of read as a Techcombank account.
    """
    return bool(_IBAN_SHAPE.match(compact)) and _iban_country(compact[:2])


@cache
def _iban_country(code: str) -> bool:
    try:
        get_iban_spec(code)
    except SchwiftyException:
        return False
    return True


def nrb_to_iban(digits: str) -> str | None:
    """Polish account numbers (NRB) are IBANs written without "PL"; 26 digits with a checksum."""
    return iban_or_none("PL" + digits) if len(digits) == 26 else None


# Words that say a number is a bank account, folded (see base.fold), as regular expressions:
# "STK 0071000123456", "số tài khoản", "account no.", "Kontonummer", "nr rachunku"...
ACCOUNT_KEYWORDS: tuple[str, ...] = (
    "so tai khoan", "so tk", "stk", "tai khoan", "tk", "account(?: number| no)?", "acct",
    "acc", "a/c", "konto(?:nummer)?", "kontonr", "nr konta", "numer konta", "rachunek",
    "rachunku", "nr rachunku", "iban", "chuyen khoan", "chuyen tien", "ck",
)
_ACCOUNT_WORD = re.compile(r"(?<![a-z])(?:" + "|".join(ACCOUNT_KEYWORDS) + r"|ngan hang|bank)"
                           r"(?![a-z])")
_CANONICAL = re.compile(r"^(\d{6}|\*):(\d{6,20})$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_ACCOUNT_RUN = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){5,29}(?!\d)")
_NON_DIGIT = re.compile(r"\D")
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_SPACES = re.compile(r"[\s\-]")


class BankAccountType(IndicatorType):
    key = "bank_account"
    label = "Bank account"

    def normalize(self, raw: str, *, bank: str | None = None) -> str:
        """Canonical account; the bank may be named inside ``raw`` or given as ``bank``."""
        text = to_ascii_digits(unicodedata.normalize("NFC", raw).strip())
        if text.lower().startswith("iban:"):
            return "iban:" + self._iban(text[5:])
        canonical = _CANONICAL.match(text)
        if canonical:
            bin_, digits = canonical.groups()
            if bin_ != ANY_BANK and bank_by_bin(bin_) is None:
                raise InvalidIndicator(gettext_lazy("unknown bank code"))
            return f"{self._bank_bin(bank, text) if bank else bin_}:{digits}"
        compact = _SPACES.sub("", text).upper()
        if iban_shaped(compact):
            return "iban:" + self._iban(compact)
        runs = _ACCOUNT_RUN.findall(text)
        if not runs:
            raise InvalidIndicator(gettext_lazy("no account number found"))
        if len(runs) > 1:
            raise InvalidIndicator(gettext_lazy("more than one number found"))
        if "://" in text or _DOTTED_QUAD.fullmatch(runs[0]):
            # "http://127.0.0.1/" read as account 127001.
            raise InvalidIndicator(gettext_lazy("a link or an IP address is not an account"))
        digits = _NON_DIGIT.sub("", runs[0])
        iban = nrb_to_iban(digits)
        if iban is not None:
            return "iban:" + iban
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            raise InvalidIndicator(gettext_lazy("an account number has 6 to 20 digits"))
        return f"{self._bank_bin(bank, text)}:{digits}"

    @staticmethod
    def _iban(text: str) -> str:
        iban = iban_or_none(text)
        if iban is None:
            raise InvalidIndicator(gettext_lazy("not a valid IBAN"))
        return iban

    @staticmethod
    def _bank_bin(bank: str | None, text: str) -> str:
        if bank is not None and bank.strip():
            found = bank_by_bin(bank) or bank_lookup(bank)
            if found is None:
                raise InvalidIndicator(format_lazy(gettext_lazy("unknown bank: {bank}"),
                                                   bank=bank.strip()))
            return found.bin
        named = {b.bin for _, _, b in find_banks(fold(text))}
        if len(named) > 1:
            raise InvalidIndicator(gettext_lazy("more than one bank named"))
        return named.pop() if named else ANY_BANK

    def display(self, canonical: str) -> str:
        prefix, _, number = canonical.partition(":")
        if prefix == "iban":
            try:
                return str(IBAN(number).formatted)
            except (SchwiftyException, ValueError):
                return number
        if prefix == ANY_BANK:
            return f"{number} (any bank)"
        found = bank_by_bin(prefix)
        return f"{found.short_name} {number}" if found else canonical

    def looks_like_iban(self, raw: str) -> bool:
        text = raw.strip()
        if text.lower().startswith("iban:"):
            return True
        return iban_shaped(_SPACES.sub("", text).upper())

    def looks_like(self, raw: str) -> bool:
        return self.looks_like_iban(raw) or self.looks_like_account(raw)

    def looks_like_account(self, raw: str) -> bool:
        """:meth:`looks_like` without its IBAN check, for type guessing that has made it."""
        text = raw.strip()
        return bool(_CANONICAL.match(text)) or len(_ACCOUNT_RUN.findall(text)) == 1

    def names_an_account(self, raw: str) -> bool:
        """:meth:`looks_like_account` for text with words: they must name a bank or say
        "account" (STK, số tài khoản...). Type guessing asks this of such text, so that the one
        number in "SĐT: 0912345678", "Đơn hàng #123456789" or "1.500.000đ" is not taken for an
        account at any bank."""
        if not self.looks_like_account(raw):
            return False
        text = raw.strip()
        if _CANONICAL.match(text):
            return True
        folded = fold(unicodedata.normalize("NFC", text))
        return bool(_ACCOUNT_WORD.search(folded) or find_banks(folded))

    def same(self, a: str, b: str) -> bool:
        try:
            first, second = self.normalize(a), self.normalize(b)
        except InvalidIndicator:
            return False
        if first == second:
            return True
        bin_a, _, digits_a = first.partition(":")
        bin_b, _, digits_b = second.partition(":")
        # A number searched without its bank matches that number at every bank.
        wildcard = ANY_BANK in (bin_a, bin_b) and "iban" not in (bin_a, bin_b)
        return wildcard and digits_a == digits_b
