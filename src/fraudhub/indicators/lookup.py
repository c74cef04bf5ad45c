"""The lookup fast path: reading raw input into queries and the database into results.

Plain tuples and hand-written SQL (one SELECT per indicator type) instead of model instances,
because bulk lookups must answer tens of thousands of values per second. `selectors` builds the
public reads on top of this module.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import phonenumbers
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fraudhub.core.db import fetch_prepared
from fraudhub.indicators.extract import extract
from fraudhub.indicators.models import Indicator, IndicatorStatus
from fraudhub.indicators.types import (
    TYPE_KEYS,
    InvalidIndicator,
    UnknownIndicatorType,
    UnrecognisedValue,
    canonicalize,
    get_type,
)
from fraudhub.indicators.types.bank_account import ANY_BANK
from fraudhub.indicators.types.domain import parse_ip, registrable_domain, split_url
from fraudhub.indicators.types.phone import e164_number
from fraudhub.indicators.types.phone_rules import (
    format_international,
    format_international_digits,
)

MAX_RAW_LENGTH = 2048  # longer input is not a value anybody typed or pasted
BULK_MAX_ITEMS = 1000
SCAN_MAX_CHARS = 10_000
SCAN_BATCH_MAX_MESSAGES = 500
SCAN_BATCH_MAX_CHARS = 500_000
# Values read in one statement by a batch scan: far below SQLite's limit of bound parameters.
SCAN_BATCH_VALUES_PER_READ = 5_000

# How alarming each status is: a merged answer (one number at several banks, a link and its
# site) reports the worst.
SEVERITY: dict[str, int] = {
    IndicatorStatus.NO_DATA: 0,
    IndicatorStatus.SAFE: 1,
    IndicatorStatus.VERIFYING: 2,
    IndicatorStatus.SUSPICIOUS: 3,
    IndicatorStatus.SCAM: 4,
}
# Statuses that a listing of a whole site passes on to every link on it. `safe` is not one of
# them: a phishing form on an allowlisted host (docs.google.com/forms/...) is not safe.
_SITE_WIDE = frozenset({IndicatorStatus.SCAM, IndicatorStatus.SUSPICIOUS,
                        IndicatorStatus.VERIFYING})

_ROW = ("type", "value", "match_key", "status", "confidence", "reporter_count", "fraud_types",
        "first_seen", "last_seen")
Row = tuple[str, str, str, str, int, int, list[str], datetime, datetime]
_DATES = frozenset({"first_seen", "last_seen"})


@dataclass(slots=True)
class LookupResult:
    """One answer of a lookup or a scan; ``no_data`` answers have no dates and zero counts.

    Not frozen, though nothing changes one after it is made (``merge_answers`` makes a new one):
    a frozen dataclass sets each of its twelve fields through ``object.__setattr__``, and bulk
    answers make a thousand of them a call.

    ``input`` is what the caller gave (or, in a scan, the text as written); ``valid`` and
    ``error`` say whether it could be read at all -- an invalid bulk item has no type, value or
    status.
    """

    type: str | None
    value: str | None
    status: str | None
    confidence: int | None = 0
    reporters: int | None = 0
    fraud_types: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    display: str | None = ""
    input: str = ""
    valid: bool = True
    error: str | None = None

    @property
    def found(self) -> bool:
        return self.status not in (None, IndicatorStatus.NO_DATA)


@dataclass(frozen=True, slots=True)
class LookupItem:
    value: str
    type: str | None = None


@dataclass(slots=True)
class Query:
    """One value to answer: its canonical form and where to look for it."""

    input: str
    type: str | None = None
    value: str | None = None
    error: str | None = None
    error_field: str = "value"
    # The error is a type's refusal of a value of its shape, not "no type has this shape".
    refused: bool = False
    site: str | None = None  # for a link: the registrable domain it is on
    site_root: bool = False  # the link is the site's home page (its `safe` status applies)


# --- reading input -------------------------------------------------------------------------


def _unknown_type_message(type_key: str) -> str:
    return _("Unknown type “%(type)s”; use one of: %(types)s.") % {
        "type": type_key[:40], "types": ", ".join(TYPE_KEYS)}


def read_query(raw: str, type_key: str | None) -> Query:
    """Canonicalize one raw value; the error is kept, not raised."""
    query = Query(input=raw)
    type_key = (type_key or "").strip() or None
    if not raw.strip():
        query.error = _("Give a phone number, bank account, link, e-mail, profile or wallet.")
        return query
    if len(raw) > MAX_RAW_LENGTH or "\x00" in raw:
        query.error = _("Not a value that can be looked up (too long or not text).")
        return query
    try:
        e164 = e164_phone(raw) if type_key in (None, "phone") else None
        if e164 is not None:
            query.type, query.value = "phone", e164
        else:
            query.type, query.value = canonicalize(raw, type_key)
    except UnrecognisedValue as unrecognised:
        # Not one value but words around one, as people paste them ("SĐT: 0912 345 678",
        # "Link: https://…", a number in quotes): the one indicator the text holds, if it holds
        # exactly one, read as in a message.
        found = {(f.type, f.value) for f in extract(raw)}
        if len(found) != 1:
            query.error = str(unrecognised)
            return query
        [(query.type, query.value)] = found
    except UnknownIndicatorType:
        query.error = _unknown_type_message(type_key or "")
        query.error_field = "type"
        return query
    except InvalidIndicator as refusal:  # a name of its own: mypyc types each name once
        query.type = type_key
        query.error = str(refusal) or _("Not a valid value.")
        query.refused = True
        return query
    if query.type == "url":
        add_site_query(query)
    return query


def e164_phone(raw: str) -> str | None:
    """``raw`` itself when it is a valid number already written in E.164, else None.

    Exactly what PhoneType.normalize gives for such input, at a third of the cost (see
    :func:`fraudhub.indicators.types.phone.e164_number`).
    """
    return raw if e164_number(raw) is not None else None


def add_site_query(query: Query) -> None:
    """The registrable domain a canonical link is on (its host is already IDNA, lower-case)."""
    assert query.value is not None
    host = _plain_host(query.value)
    if host is None:
        try:
            host = split_url(query.value).hostname or ""
        except InvalidIndicator:
            return
    if not host or parse_ip(host) is not None:
        return
    query.site = registrable_domain(host)
    if query.site is not None:
        query.site_root = (query.value.endswith("://" + host + "/")
                           and host in (query.site, "www." + query.site))


# A canonical link's scheme and a host of labels with an optional port, then its path, which
# UrlType.normalize always writes ("/" at least).
_PLAIN_LINK = re.compile(r"https?://([a-z0-9_.\-]+)(?::[0-9]+)?/")


def _plain_host(canonical: str) -> str | None:
    """The host of a canonical link without user info or IP v6 brackets, as
    ``urlsplit(canonical).hostname`` gives it (it is already lower-case); None for any other.

    Read without urlsplit, which the link was already split with once to be made canonical.
    """
    match = _PLAIN_LINK.match(canonical)
    return match.group(1) if match is not None else None


# --- reading the database ------------------------------------------------------------------


@dataclass(slots=True)
class Found:
    by_value: dict[tuple[str, str], Row]
    by_number: dict[str, list[Row]]  # bank accounts by digits (match_key)


def _match_key(value: str) -> str:
    """The match_key of a canonical bank account: its digits (an IBAN: the value itself)."""
    return value if value.startswith("iban:") else value.split(":", 1)[-1]


def fetch_rows(queries: Iterable[Query], visible: Sequence[str]) -> Found:
    """Every row the queries may need, one database query per indicator type.

    Bank accounts are read by ``match_key`` alone, exact ones (``<BIN>:<digits>``) too: one
    index serves both, and the type is checked here. (With ``type = ...`` in the statement,
    SQLite without statistics prefers the (type, value) index and scans every account.)
    """
    values: dict[str, set[str]] = defaultdict(set)
    numbers: set[str] = set()  # digits asked for at any bank
    for query in queries:
        if query.value is None or query.type is None:
            continue
        if query.type == "bank_account":
            values["bank_account"].add(_match_key(query.value))
            if query.value.startswith(ANY_BANK + ":"):
                numbers.add(query.value[2:])
        else:
            values[query.type].add(query.value)
        if query.site is not None:
            values["domain"].add(query.site)
    found = Found(by_value={}, by_number=defaultdict(list))
    for row in _select(visible, values):
        found.by_value[(row[0], row[1])] = row
        if row[0] == "bank_account" and row[2] in numbers and not row[1].startswith("iban:"):
            found.by_number[row[2]].append(row)
    for rows_of_number in found.by_number.values():
        rows_of_number.sort(key=lambda r: (-SEVERITY.get(r[3], 0), r[1]))
    return found


def _select(visible: Sequence[str], values: dict[str, set[str]]) -> list[Row]:
    """Live rows with the wanted values of each type, as plain tuples (see _ROW); rows whose
    status is ``no_data`` are left out.

    One SELECT per type. On SQLite they go as one statement (UNION ALL), so that a scan with a
    phone, an account and a link costs one call; each branch is planned on its own index.

    The statement is written out rather than built by the ORM: for a thousand values the ORM
    spends three times as long preparing parameters and converting rows as the database takes
    to answer. It is plain SQL for both SQLite and PostgreSQL; the conversions the ORM would
    make (JSON text, naive SQLite datetimes) are made below.
    """
    if not values:
        return []
    postgres = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
    # On PostgreSQL several values are one array parameter, so that the statement text is the
    # same whatever their number and its prepared form is reused (see fetch_prepared); one
    # value, the usual single lookup, is a plain parameter: cheaper to send.
    visible_params: list[Any] = (
        [list(visible)] if postgres and len(visible) > 1 else list(visible))
    branches: list[tuple[str, list[Any]]] = []
    for type_key, wanted in values.items():
        ordered = sorted(wanted)
        wanted_params: list[Any] = [ordered] if postgres and len(ordered) > 1 else ordered
        by_number = type_key == "bank_account"
        sql = _branch_sql(postgres, by_number, len(visible), len(ordered))
        branches.append((sql, [*visible_params, *([] if by_number else [type_key]),
                               *wanted_params]))
    fetched: list[Any] = []
    if postgres:
        # One statement per type: a UNION of the branches tempts the planner into a parallel
        # plan whose workers take longer to start than the index scans take to run.
        for sql, params in branches:
            fetched.extend(fetch_prepared(sql, params))
    else:
        fetched = fetch_prepared(" UNION ALL ".join(sql for sql, _ in branches),
                                 [param for _, params in branches for param in params])
    lists: dict[Any, list[str]] = {}  # fraud types repeat: parse each distinct text once
    # Read once: every read of `settings` goes through its lazy proxy, twice a row otherwise.
    naive_is_utc = bool(settings.USE_TZ)
    # A row whose value lost its status (a "no violation" decision, confidence decayed to 0)
    # keeps its history for reviewers; a lookup answers it as it answers a value never seen.
    no_data = IndicatorStatus.NO_DATA
    return [
        (t, v, k, st, conf, rep, _json_list(ft, lists), _aware(first, naive_is_utc),
         _aware(last, naive_is_utc))
        for t, v, k, st, conf, rep, ft, first, last in fetched if st != no_data
    ]


@functools.lru_cache(maxsize=1024)
def _branch_sql(postgres: bool, by_number: bool, visible: int, wanted: int) -> str:
    """The SELECT of one type's rows: by match_key (bank accounts) or by type and value.

    Only quoted identifiers and placeholders are in the text; every value is a parameter.
    Cached: the text depends on the database and the number of values only (on PostgreSQL
    only on whether there are several).
    """

    def among(count: int) -> str:
        if postgres and count > 1:
            return "= ANY(%s)"
        return f"IN ({', '.join(['%s'] * count)})"

    table = connections[DEFAULT_DB_ALIAS].ops.quote_name(Indicator._meta.db_table)
    # fraud_types read as text on PostgreSQL too: psycopg would parse every row's JSON, where
    # _json_list parses each distinct list once (a feed's rows share a handful of them).
    # On SQLite the dates are read as text (an expression has no declared type, so Django's
    # converter is not called): _aware reads them in C, where the converter made two Python
    # calls for each, four a row.
    columns = ", ".join(f"{_column(name)}::text" if postgres and name == "fraud_types"
                        else f"CAST({_column(name)} AS TEXT)"
                        if not postgres and name in _DATES else _column(name)
                        for name in _ROW)
    sql = (f"SELECT {columns} FROM {table} "  # noqa: S608
           f"WHERE {_column('removed_at')} IS NULL AND {_column('distribution')} "
           f"{among(visible)} ")
    if by_number:
        return f"{sql}AND {_column('match_key')} {among(wanted)}"
    return f"{sql}AND {_column('type')} = %s AND {_column('value')} {among(wanted)}"


@cache
def _column(name: str) -> str:
    """The quoted column of an Indicator field (schema, not data: the same for the process)."""
    field = Indicator._meta.get_field(name)
    assert isinstance(field, models.Field)
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(field.column)


def _json_list(raw: Any, seen: dict[Any, list[str]]) -> list[str]:
    if not isinstance(raw, str | bytes):
        return list(raw) if isinstance(raw, list) else []
    # Rows with the same text share the list: _from_row copies it into each answer.
    if raw not in seen:
        value = json.loads(raw)
        seen[raw] = value if isinstance(value, list) else []
    return seen[raw]


def _aware(value: Any, naive_is_utc: bool) -> datetime:
    if isinstance(value, str):  # SQLite, read as text (see _branch_sql)
        try:
            value = datetime.fromisoformat(value)
        except ValueError:  # what Django's converter would have read (it tries the same first)
            value = parse_datetime(value)
    if value.tzinfo is None and naive_is_utc:  # SQLite stores UTC, naive
        return cast(datetime, value.replace(tzinfo=UTC))
    return cast(datetime, value)


_PLAIN_HOST_TYPES = frozenset({"url", "domain", "email"})


def display_value(type_key: str, value: str) -> str:
    """The type's display of a canonical value, with two shortcuts for bulk answers.

    A link, domain or e-mail shows as its canonical value unless its host has an IDNA label
    ("xn--"); a phone in E.164 is formatted without being parsed and validated a second time.
    """
    try:
        if type_key in _PLAIN_HOST_TYPES and "xn--" not in value:
            return value
        if type_key == "phone":
            return _phone_display(value)
        return get_type(type_key).display(value)
    except Exception:  # display is cosmetic: never let it fail an answer
        return value


_CALLING_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def _phone_display(e164: str) -> str:
    digits = e164[1:]
    for size in (1, 2, 3):
        country_code = int(digits[:size])
        if country_code in _CALLING_CODES:
            national = digits[size:]
            if not national or national[0] == "0":  # Italian leading zeros & co.
                break
            formatted = format_international_digits(country_code, national)
            if formatted is not None:
                return formatted
            return format_international(phonenumbers.PhoneNumber(
                country_code=country_code, national_number=int(national)))
    return get_type("phone").display(e164)


def _from_row(row: Row, query: Query) -> LookupResult:
    return LookupResult(
        type=row[0], value=row[1], status=row[3], confidence=row[4], reporters=row[5],
        fraud_types=list(row[6] or []), first_seen=row[7], last_seen=row[8],
        display=display_value(row[0], row[1]), input=query.input,
    )


def _no_data(query: Query) -> LookupResult:
    assert query.type is not None and query.value is not None
    return LookupResult(type=query.type, value=query.value, status=IndicatorStatus.NO_DATA,
                        display=display_value(query.type, query.value), input=query.input)


def _invalid(query: Query) -> LookupResult:
    return LookupResult(type=None, value=None, status=None, confidence=None, reporters=None,
                        display=None, input=query.input, valid=False, error=query.error)


def answers_for(query: Query, found: Found) -> list[LookupResult]:
    """Every answer for one query: one per bank for digits alone, else exactly one."""
    if query.error is not None:
        return [_invalid(query)]
    assert query.type is not None and query.value is not None
    if query.type == "bank_account" and query.value.startswith(ANY_BANK + ":"):
        rows = found.by_number.get(query.value[2:], [])
        return [_from_row(row, query) for row in rows] or [_no_data(query)]
    row = found.by_value.get((query.type, query.value))
    if query.site is not None:
        site = found.by_value.get(("domain", query.site))
        applies = site is not None and (site[3] in _SITE_WIDE or (
            query.site_root and site[3] == IndicatorStatus.SAFE))
        if site is not None and applies and (
                row is None or SEVERITY.get(site[3], 0) > SEVERITY.get(row[3], 0)):
            row = site
    return [_from_row(row, query) if row is not None else _no_data(query)]


def merge_answers(results: Sequence[LookupResult], query_value: str | None = None
                  ) -> LookupResult:
    """One answer standing for several (one number at several banks): the worst status, the
    highest confidence, the reporters and fraud types of all, the widest dates."""
    if len(results) == 1:
        return results[0]
    worst = max(results, key=lambda r: SEVERITY.get(r.status or "", 0))
    firsts = [r.first_seen for r in results if r.first_seen is not None]
    lasts = [r.last_seen for r in results if r.last_seen is not None]
    fraud_types = sorted({t for r in results for t in r.fraud_types})
    value = query_value or worst.value
    return replace(
        worst, value=value,
        display=display_value(worst.type, value) if worst.type and value else worst.display,
        confidence=max(r.confidence or 0 for r in results),
        reporters=sum(r.reporters or 0 for r in results),
        fraud_types=fraud_types, first_seen=min(firsts) if firsts else None,
        last_seen=max(lasts) if lasts else None,
    )


