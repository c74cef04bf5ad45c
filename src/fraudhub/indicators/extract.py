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
from collections.abc import Callable

from .extract_numbers import read_accounts, read_phones
from .extract_reader import FoundIndicator, Reader, keywords
from .types.bank_account import iban_or_none, nrb_to_iban
from .types.base import InvalidIndicator
from .types.registry import REGISTRY
from .types.social_account import SocialAccountType, account_from_url
from .types.url import trim_link_end

__all__ = ["FoundIndicator", "extract"]


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


# A number introduced as an order, tracking, transaction, ID document or card number.
_REFERENCE = re.compile(
    keywords(
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
_HANDLE = re.compile(r"(?<![\w@.])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.]{1,31}[A-Za-z0-9_])")
_HANDLE_PLATFORM = re.compile(
    r"(?<![a-z])(telegram|tele|tg|tiktok|tik tok|instagram|insta|ig|twitter|youtube"
    r"|facebook|face|fb)(?![a-z])"
)
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "py", "md", "sh", "ps", "rs", "exe", "dll"})
_SOCIAL = SocialAccountType()


def _normalizer(type_key: str) -> Callable[[str], str]:
    return REGISTRY[type_key].normalize


_NORMALIZE_URL = _normalizer("url")
_NORMALIZE_DOMAIN = _normalizer("domain")
_NORMALIZE_EMAIL = _normalizer("email")
_NORMALIZE_WALLET = _normalizer("crypto_wallet")


def _add_link(reader: Reader, raw: str, start: int, *, bare: bool) -> None:
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


def _links(reader: Reader) -> None:
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


def _wallets_and_ibans(reader: Reader) -> None:
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


def _not_indicators(reader: Reader) -> None:
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


def _handles(reader: Reader) -> None:
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
    reader = Reader(work)
    _links(reader)
    _wallets_and_ibans(reader)
    _not_indicators(reader)
    _handles(reader)
    read_accounts(reader)
    read_phones(reader)
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
