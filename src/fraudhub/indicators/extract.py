"""Find indicators (phones, accounts, links, e-mails, social accounts, wallets) in free text.

The text is read in passes, most distinctive first: links and addresses, wallets and IBANs,
then spans that are known not to be indicators (dates, times, amounts, order and ID numbers),
then bank accounts (numbers in an account context), and last phone numbers among the digits
left over. Each pass claims its spans so that later, looser passes cannot reuse them.

Keywords and bank names are matched on a folded copy of the text (lower-case, no diacritics,
same length) so that "số tài khoản" and "so tai khoan" read alike.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat

from fraudhub.core.text import to_ascii_digits

from .types.bank_account import ACCOUNT_KEYWORDS, find_banks, iban_or_none, nrb_to_iban
from .types.base import InvalidIndicator, fold
from .types.phone import default_region, parse_phone, plausible_local_digits
from .types.registry import REGISTRY
from .types.social_account import SocialAccountType, account_from_url
from .types.url import trim_link_end


@dataclass(frozen=True)
class FoundIndicator:
    """One indicator found in a text; ``text[start:end] == raw`` for the text given."""

    type: str
    value: str  # canonical
    raw: str  # as written in the text
    start: int
    end: int


# --- patterns -------------------------------------------------------------------------------
_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_LABEL = r"[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?"
_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})"
_HOSTNAME = rf"(?:{_LABEL}{_DOT})+{_TLD}"

_URL = re.compile(
    r"(?:(?<![\w])(?:https?|hxxps?|h\*\*ps?)(?::|\[:\])//|(?<![\w.@/-])www\d?" + _DOT + r")"
    r"[^\s<>\"'`]+",
    re.IGNORECASE,
)
_AT = r"(?:@|\[@\]|\(@\)|\[at\]|\(at\))"
_EMAIL = re.compile(rf"(?<![\w.%+-])[a-z0-9._%+-]+{_AT}{_HOSTNAME}(?![\w-])", re.IGNORECASE)
# Most texts hold no address; this search opens with "@", "[" or "(", which the regex engine
# skips to in C, where _EMAIL is tried at every position.
_AT_SIGN = re.compile(_AT, re.IGNORECASE)
# Not after "]", ")" or "}" either: in "a[.]a[.]a[.]…" every label would start a host that
# runs to the end of the text before it fails (a scan of 10,000 such characters took 0.6 s).
_BARE_HOST = re.compile(
    rf"(?<![\w.@/:%\])}}-]){_HOSTNAME}(?::\d{{2,5}})?(?P<path>/[^\s<>\"'`]*)?(?![\w-])",
    re.IGNORECASE,
)
# Most patterns here must not start inside a word, which a lookbehind at the start would say.
# A pattern opening with an assertion is tried at every position of the text, though, while one
# opening with a character (or a set of them, or branches that each open with a literal) lets
# the regex engine skip to candidate characters in C. So these patterns take their first
# character and then look behind it: "X(?<!\wX)" accepts exactly where "(?<!\w)X" would.
_BASE58 = r"[1-9A-HJ-NP-Za-km-z]{24,34}"
_BECH32 = r"[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}"
_WALLET = re.compile(
    rf"(?:0(?<!\w0)x[0-9a-fA-F]{{40}}|b(?<!\wb)c1{_BECH32}|B(?<!\wB)C1{_BECH32}"
    rf"|1(?<!\w1){_BASE58}|3(?<!\w3){_BASE58}|T(?<!\wT){_BASE58})(?![\w])"
)
_IBAN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")
_NRB = re.compile(r"\d(?<!\w\d)\d(?: ?\d{4}){6}(?![\w])")

# Dates and times, checked for plausible day and month before they block anything.
# Day-month-year, year-month-day or month/year; the parts are told apart by their count and
# the length of the first (see _date_is_plausible).
_DATE = re.compile(
    r"\d(?<![\d.,/-]\d)(?:\d?[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{3}[./-]\d{1,2}[./-]\d{1,2}"
    r"|\d?/\d{4})(?![\d])"
)
_DATE_SEPARATOR = re.compile(r"[./-]")
_TIME = re.compile(r"\d(?<!\d\d)\d?[:h]\d{2}(?::\d{2})?(?!\d)")
# Amounts, matched on the folded text: "5.000.000đ", "2 triệu", "$300", "1.200 zł", "300 €".
# At most six groups of thousands (a quintillion): unbounded, "001 001 001 …" made every group
# start an amount that ran to the end of the text (a scan of 10,000 such characters took 1 s).
_NUM = r"\d{1,3}(?:[.,  ]\d{3}){1,6}(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_NUM_AFTER_FIRST_DIGIT = r"\d{0,2}(?:[.,  ]\d{3}){1,6}(?:[.,]\d{1,2})?|\d*(?:[.,]\d+)?"
_CUR_AFTER = (
    r"(?:vnd|dong|d|k|tr|trieu|nghin|ngan(?! hang)|ty|ti|usd|usdt|eur|euro|euros|€|\$|zl|pln"
    r"|zlotych|gbp|£|chf|dollars?|mln|tys|m|btc|eth)"
)
# Stands for (?<![\w.,])(?:(?:[$€£¥]|us\$|usd|eur|vnd|pln)\s?(?:NUM)|(?:NUM)\s?CUR_AFTER),
# opening with the set of possible first characters (see _WALLET); the lookbehinds after it
# pick the branch that character can start.
_MONEY = re.compile(
    r"[\d$€£¥uevp](?<![\w.,][\d$€£¥uevp])"
    r"(?:(?:(?<=[$€£¥])|(?<=u)(?:s\$|sd)|(?<=e)ur|(?<=v)nd|(?<=p)ln)"
    rf"\s?(?:{_NUM})|(?<=\d)(?:{_NUM_AFTER_FIRST_DIGIT})\s?{_CUR_AFTER})(?![a-z0-9])"
)


def _keywords(*alternatives: str) -> str:
    """``(?<![a-z])(?:a|b|...)`` for keywords that each open with a lower-case letter.

    The keywords are grouped by first letter, each group opening with its letter and looking
    behind it, so that the pattern opens with a set of letters (see _WALLET). Keywords with
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


# A number introduced as an order, tracking, transaction, ID document or card number.
_REFERENCE = re.compile(
    _keywords(
        "ma don hang", "ma don", "don hang", "ma van don", "van don", "ma giao dich", "ma gd",
        "ma tra cuu", "ma ho so", "ma khach hang", "ma kh", "ma otp", "otp", "ma xac nhan",
        "ma xac thuc", "ma so", "code", "kod", "pin", "so hop dong", "hop dong so",
        "ma hop dong", "hop dong", "contract(?: no| number)?", "vertragsnummer", "umowa",
        "numer umowy", "so hoa don", "hoa don", "bien lai", "so seri", "seri", "bhxh", "bhyt",
        "ma nhan vien", "order(?: id| number| no)?", "tracking(?: number| no)?",
        "invoice(?: number| no)?", "transaction(?: id)?", "ref(?:erence)?(?: no)?",
        "booking(?: code)?", "ticket", "bestellnummer", "bestellung", "auftragsnummer",
        "rechnungsnummer", "rechnung", "sendungsnummer", "kundennummer", "vorgangsnummer",
        "numer zamowienia", "nr zamowienia", "zamowienie", "zamowienia", "numer przesylki",
        "nr przesylki", "przesylka", "numer faktury", "faktura", "cccd", "cmnd", "cmt",
        "can cuoc", "so dinh danh", "ma so thue", "mst", "ho chieu", "passport",
        "personalausweis", "ausweisnummer", "pesel", "nip", "regon", "ma the", "so the",
        "card number", "kartennummer", "numer karty", "imei",
    )
    + r"(?![a-z])[\s:#.\-]*(?:(?:la|is|ist|lautet|to|no|nr|so|number|nummer|numer)\b[\s:#.]*)?"
    r"(?P<ref>#?[a-z0-9][a-z0-9\-]{3,}(?: \d{2,})*)",
)
_ACCOUNT_KEYWORD = re.compile(_keywords(*ACCOUNT_KEYWORDS) + r"(?![a-z])")
# Words between a keyword and a number that mean the number is something else.
_OTHER_ROLE = re.compile(
    _keywords(
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
# opening with the set of possible first characters (see _MONEY): "(" opens "(+84)" or a group
# "(028)", "+" a country code, a digit the first group.
_PHONE_GROUP = r"(?:\(\d{1,4}\)|\d{1,13})"
_PHONE = re.compile(
    r"[(+\d](?<![\w+#@$€£¥.,-][(+\d])"
    rf"(?:(?<=\()(?:\+\d{{1,3}}\)\s?{_PHONE_GROUP}|\d{{1,4}}\))|(?<=\+)\s?{_PHONE_GROUP}"
    r"|(?<=\d)\d{0,12})"
    rf"(?:[ .\-\u00a0]{{1,2}}{_PHONE_GROUP}){{0,7}}(?![\w@#%€$]|[.,]\d)"
)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3}){2,}$")
_PHONE_CHUNK = re.compile(r"\+?[\d(][\d().\-]*[\d)]|\d")
_HANDLE = re.compile(r"(?<![\w@.])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.]{1,31}[A-Za-z0-9_])")
_HANDLE_PLATFORM = re.compile(
    r"(?<![a-z])(telegram|tele|tg|tiktok|tik tok|instagram|insta|ig|twitter|youtube"
    r"|facebook|face|fb)(?![a-z])"
)
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "py", "md", "sh", "ps", "rs", "exe", "dll"})
_NON_DIGIT = re.compile(r"\D")
_ACCOUNT_WINDOW, _BANK_WINDOW = 45, 60
_LONGEST_NAME = 120  # characters of the longest bank name people write, and then some
_SOCIAL = SocialAccountType()


class _Reader:
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


def _normalizer(type_key: str) -> Callable[[str], str]:
    return REGISTRY[type_key].normalize


_NORMALIZE_URL = _normalizer("url")
_NORMALIZE_DOMAIN = _normalizer("domain")
_NORMALIZE_EMAIL = _normalizer("email")
_NORMALIZE_WALLET = _normalizer("crypto_wallet")


def _add_link(reader: _Reader, raw: str, start: int, *, bare: bool) -> None:
    end = start + len(raw)
    social = account_from_url(raw)
    if social is not None:
        reader.add("social_account", social, start, end)
        return
    try:
        reader.add("url", _NORMALIZE_URL(raw), start, end)
    except InvalidIndicator:
        if not bare:
            reader.claim(start, end)


def _may_hold_url(text: str) -> bool:
    # Every _URL match holds "//" after its scheme or starts with "www" in some case ("w" folds
    # to no other character under IGNORECASE).
    return "//" in text or "www" in text.lower()


def _links(reader: _Reader) -> None:
    if _may_hold_url(reader.text):
        for match in _URL.finditer(reader.text):
            raw = trim_link_end(match.group())
            _add_link(reader, raw, match.start(), bare=False)
    emails = _EMAIL.finditer(reader.text) if _AT_SIGN.search(reader.text) else ()
    for match in emails:
        if reader.free(match.start(), match.end()):
            try:
                value = _NORMALIZE_EMAIL(match.group())
            except InvalidIndicator:
                continue
            reader.add("email", value, match.start(), match.end())
    for match in _BARE_HOST.finditer(reader.text):
        start = match.start()
        if not reader.free(start, match.end()):
            continue
        if match.group("path"):
            _add_link(reader, trim_link_end(match.group()), start, bare=True)
            continue
        host = match.group()
        tld = host.rsplit(".", 1)[-1].rsplit("]", 1)[-1].rsplit(")", 1)[-1]
        # "Xong.Shop" is a missing space after a full stop, not a domain; "report.zip" a file.
        if not (tld.islower() or tld.isupper()) or tld.lower() in _FILE_LIKE_TLDS:
            continue
        try:
            reader.add("domain", _NORMALIZE_DOMAIN(host), start, match.end())
        except InvalidIndicator:
            continue


def _wallets_and_ibans(reader: _Reader) -> None:
    for match in _WALLET.finditer(reader.text):
        if reader.free(match.start(), match.end()):
            try:
                value = _NORMALIZE_WALLET(match.group())
            except InvalidIndicator:
                continue
            reader.add("crypto_wallet", value, match.start(), match.end())
    for pattern, to_iban in ((_IBAN, iban_or_none), (_NRB, _nrb)):
        for match in pattern.finditer(reader.text):
            if not reader.free(match.start(), match.end()):
                continue
            chunks = match.group().split(" ")
            # Greedy matching may swallow a following code word; shorten until it validates.
            for count in range(len(chunks), 0, -1):
                candidate = " ".join(chunks[:count])
                iban = to_iban(candidate)
                if iban is not None:
                    end = match.start() + len(candidate)
                    reader.add("bank_account", f"iban:{iban}", match.start(), end)
                    break


def _nrb(text: str) -> str | None:
    return nrb_to_iban(text.replace(" ", ""))


def _not_indicators(reader: _Reader) -> None:
    for match in _DATE.finditer(reader.text):
        if _date_is_plausible(match.group()):
            reader.claim(match.start(), match.end())
    for pattern in (_TIME, _MONEY):
        source = reader.folded if pattern is _MONEY else reader.text
        for match in pattern.finditer(source):
            reader.claim(match.start(), match.end())
    for match in _REFERENCE.finditer(reader.folded):
        reader.claim(match.start("ref"), match.end("ref"))


def _date_is_plausible(date: str) -> bool:
    parts = _DATE_SEPARATOR.split(date)
    if len(parts) == 2:  # month/year
        day, month = "1", parts[0]
    elif len(parts[0]) == 4:  # year-month-day
        day, month = parts[2], parts[1]
    else:  # day-month-year
        day, month = parts[0], parts[1]
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _handles(reader: _Reader) -> None:
    for match in _HANDLE.finditer(reader.text):
        before = reader.folded[max(0, match.start() - 30) : match.start()]
        platforms = _HANDLE_PLATFORM.findall(before)
        if not platforms or not reader.free(match.start(), match.end()):
            continue
        try:
            value = _SOCIAL.normalize(match.group(), platform=platforms[-1])
        except InvalidIndicator:
            continue
        reader.add("social_account", value, match.start(), match.end())


def _gap_is_plain(gap: str) -> bool:
    """Whether the text between a keyword (or bank name) and a number ties them together."""
    if _SENTENCE_BREAK.search(gap) or _OTHER_ROLE.search(gap):
        return False
    return not any(map(str.isdigit, gap))


def _bank_bin(reader: _Reader, start: int, end: int, banks: list[tuple[int, int, str]]) -> str:
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


def _accounts(reader: _Reader) -> None:
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


def _phones(reader: _Reader) -> None:
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


def _split_phones(reader: _Reader, match: re.Match[str], region: str) -> None:
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


def _nfc(text: str) -> tuple[str, list[int] | None]:
    """NFC text and, when that changed it, the original offset of every position."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    pieces: list[str] = []
    origin: list[int] = []
    segment = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            piece = unicodedata.normalize("NFC", text[segment:i])
            pieces.append(piece)
            origin.extend([segment] * len(piece))
            segment = i
    origin.append(len(text))
    return "".join(pieces), origin


def extract(text: str) -> list[FoundIndicator]:
    """Every indicator in ``text``, in text order, each (type, value) once (its first mention).

    Offsets index the text as given, even when it arrived in decomposed (NFD) Unicode.
    """
    if not text:
        return []
    work, origin = _nfc(text)
    reader = _Reader(work)
    _links(reader)
    _wallets_and_ibans(reader)
    _not_indicators(reader)
    _handles(reader)
    _accounts(reader)
    _phones(reader)
    seen: set[tuple[str, str]] = set()
    result = []
    for item in sorted(reader.found, key=lambda f: f.start):
        if (item.type, item.value) in seen:
            continue
        seen.add((item.type, item.value))
        if origin is not None:
            start, end = origin[item.start], origin[item.end]
            item = FoundIndicator(item.type, item.value, text[start:end], start, end)
        result.append(item)
    return result
