"""The number passes of indicator extraction: bank accounts, then phone numbers.

Accounts are numbers in an account context (a keyword such as "STK" or a bank's name near
them); phone numbers are what is left of the digit groups once accounts, dates, times and
amounts have claimed theirs. See :mod:`fraudhub.indicators.extract`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

import phonenumbers
from phonenumbers import PhoneNumberFormat

from fraudhub.core.text import to_ascii_digits

from .extract_reader import Reader, keywords
from .types.bank_account import ACCOUNT_KEYWORDS, find_banks
from .types.phone import default_region, parse_phone, plausible_local_digits

_ACCOUNT_KEYWORD = re.compile(keywords(*ACCOUNT_KEYWORDS) + r"(?![a-z])")
# Words between a keyword and a number that mean the number is something else.
_OTHER_ROLE = re.compile(
    keywords(
        "goi", "lien he", "hotline", "sdt", "so dien thoai", "dien thoai", "dt", "zalo", "call",
        "phone", "tel", "whatsapp", "anruf", "anrufen", "telefon", "rufen", "zadzwon", "dzwon",
        "sms", "nhan tin", "mat khau", "mk", "password", "pass", "passwort", "kennwort", "haslo",
    )
    + r"(?![a-z])"
)
_SENTENCE_BREAK = re.compile(r"[.!?;]\s|\n|[.!?]$")
_CLAUSE_BREAK = re.compile(r"[,;\n]|[.!?]\s")
# Account numbers are written as one block or in groups split by spaces; dashes and dots make
# order numbers ("112-3456789-1234567") and amounts, not accounts.
_DIGIT_RUN = re.compile(r"\d(?<![\w.,+/#@$€£-]\d)(?: ?\d){5,29}(?![\w/@#-]|[.,]\d)")
# Stands for (?<![\w+#@$€£¥.,-])(?:\(\+\d{1,3}\)\s?|\+\s?)?GROUP(?:[ .\-\u00a0]{1,2}GROUP){0,7}
# opening with the set of possible first characters (see extract._MONEY): "(" opens "(+84)" or
# a group "(028)", "+" a country code, a digit the first group.
_PHONE_GROUP = r"(?:\(\d{1,4}\)|\d{1,13})"
_PHONE = re.compile(
    r"[(+\d](?<![\w+#@$€£¥.,-][(+\d])"
    rf"(?:(?<=\()(?:\+\d{{1,3}}\)\s?{_PHONE_GROUP}|\d{{1,4}}\))|(?<=\+)\s?{_PHONE_GROUP}"
    r"|(?<=\d)\d{0,12})"
    rf"(?:[ .\-\u00a0]{{1,2}}{_PHONE_GROUP}){{0,7}}(?![\w@#%€$]|[.,]\d)"
)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3}){2,}$")
_PHONE_CHUNK = re.compile(r"\+?[\d(][\d().\-]*[\d)]|\d")
_NON_DIGIT = re.compile(r"\D")
_ACCOUNT_WINDOW, _BANK_WINDOW = 45, 60
_LONGEST_NAME = 120  # characters of the longest bank name people write, and then some


def _gap_is_plain(gap: str) -> bool:
    """Whether the text between a keyword (or bank name) and a number ties them together."""
    if _SENTENCE_BREAK.search(gap) or _OTHER_ROLE.search(gap):
        return False
    return not any(map(str.isdigit, gap))


def _bank_bin(reader: Reader, start: int, end: int, banks: list[tuple[int, int, str]]) -> str:
    """The BIN of the bank named nearest to the number at ``start:end``, or "*"."""
    best: tuple[int, str] | None = None
    for b_start, b_end, bin_ in banks:
        # The distance first: slicing the gap to every name in a long message cost most.
        if b_end <= start:
            if start - b_end > _BANK_WINDOW:
                continue
            gap, after = reader.folded[b_end:start], False
        elif b_start >= end:
            if b_start - end > _BANK_WINDOW:
                continue
            gap, after = reader.folded[end:b_start], True
        else:
            continue
        # Another number in between owns the name; a clause break loosens the tie.
        score = len(gap) + (200 if any(map(str.isdigit, gap)) else 0)
        score += 60 if _CLAUSE_BREAK.search(gap) else 0
        score += 1 if after else 0
        if best is None or score < best[0]:
            best = (score, bin_)
    return best[1] if best and best[0] < 200 else "*"


def read_accounts(reader: Reader) -> None:
    keywords = [m.end() for m in _ACCOUNT_KEYWORD.finditer(reader.folded)]
    # A bank name inside a link or address ("hotro@bidv-khachhang.com") names no account.
    banks = [(s, e, b.bin) for s, e, b in find_banks(reader.folded) if reader.free(s, e)]
    if not keywords and not banks:
        return
    banks.sort()
    bank_starts = [s for s, _, _ in banks]
    for match in _DIGIT_RUN.finditer(reader.text):
        for start, end in _account_spans(match):
            if not reader.free(start, end):
                continue
            # Only the keywords and names near the number, found by position: a message of
            # many accounts made every number look at every keyword and name (quadratic).
            near_keywords = keywords[bisect_left(keywords, start - _ACCOUNT_WINDOW):
                                     bisect_right(keywords, start)]
            near_banks = banks[bisect_left(bank_starts, start - _BANK_WINDOW - _LONGEST_NAME):
                               bisect_right(bank_starts, end + _BANK_WINDOW)]
            context = any(
                _gap_is_plain(reader.folded[k:start])
                and not any(f.start < start and f.end > k for f in reader.found)
                for k in near_keywords
            ) or any(
                (0 <= start - e <= 25 and _gap_is_plain(reader.folded[e:start]))
                or (0 <= s - end <= 25 and _gap_is_plain(reader.folded[end:s]))
                for s, e, _ in near_banks
            )
            digits = to_ascii_digits(_NON_DIGIT.sub("", reader.text[start:end]))
            # "chuyển khoản 50000000" is an amount with its currency left out.
            if context and not _amount_like(digits):
                bin_ = _bank_bin(reader, start, end, near_banks)
                reader.add("bank_account", f"{bin_}:{digits}", start, end)


def _amount_like(digits: str) -> bool:
    return digits.endswith("00000") or (digits.endswith("000") and len(digits) <= 9)


def _account_spans(match: re.Match[str]) -> list[tuple[int, int]]:
    """Spans of account-number candidates in a digit run, split at spaces when too long."""
    digits = sum(map(str.isdigit, match.group()))
    if 6 <= digits <= 20:
        return [match.span()]
    spans, offset = [], match.start()
    for chunk in match.group().split(" "):
        if 6 <= sum(map(str.isdigit, chunk)) <= 20:
            spans.append((offset, offset + len(chunk)))
        offset += len(chunk) + 1
    return spans


def _phone_value(candidate: str, region: str) -> str | None:
    digits = _NON_DIGIT.sub("", candidate)
    if not 8 <= len(digits) <= 15:
        return None
    international = candidate.startswith("+") or digits.startswith("00")
    if not international:
        if not plausible_local_digits(digits, region):
            return None
        # "19.000.000" and "18000000" are amounts whose currency was left out, not hotlines.
        if digits.endswith("0000") or _THOUSANDS.match(candidate):
            return None
    number = parse_phone(candidate, region)
    return None if number is None else phonenumbers.format_number(number, PhoneNumberFormat.E164)


def read_phones(reader: Reader) -> None:
    region = default_region()
    for match in _PHONE.finditer(reader.text):
        if sum(map(str.isdigit, match.group())) < 8:
            continue
        if not reader.free(match.start(), match.end()):
            continue
        value = _phone_value(match.group(), region)
        if value is not None:
            reader.add("phone", value, match.start(), match.end())
            continue
        _split_phones(reader, match, region)


def _split_phones(reader: Reader, match: re.Match[str], region: str) -> None:
    """Several numbers written one after the other: take the longest valid runs of groups."""
    found = list(_PHONE_CHUNK.finditer(match.group()))[:10]
    chunks = [m.span() for m in found]
    # A run is read only with as many digits as a phone number in text has (8, as in _phones)
    # and no more than one can have (17, with a trunk prefix).
    digits_before = [0]
    for chunk in found:
        digits_before.append(digits_before[-1] + sum(map(str.isdigit, chunk.group())))
    i = 0
    while i < len(chunks):
        for j in range(len(chunks), i, -1):
            digits = digits_before[j] - digits_before[i]
            if j - i == len(chunks) or not 8 <= digits <= 17:
                continue
            start, end = match.start() + chunks[i][0], match.start() + chunks[j - 1][1]
            if reader.split_readings_left <= 0:
                return
            reader.split_readings_left -= 1
            value = _phone_value(reader.text[start:end], region)
            if value is not None:
                reader.add("phone", value, start, end)
                i = j
                break
        else:
            i += 1
