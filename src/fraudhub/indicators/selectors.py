"""Reads of the indicator database: single and bulk lookups, message scans, and their budgets.

Every lookup normalizes its input first (one canonical form per value, see DESIGN.md) and then
reads indicators by ``(type, value)`` -- or, for a bank account given as digits alone
(``*:<digits>``), by ``match_key``, which finds the number at every bank. Bulk lookups and scans
make one query per indicator type, whatever the number of values, and read plain tuples
(``values_list``) rather than model instances. Nothing is cached between requests.

What a caller sees depends on the indicator's ``distribution``: ``public`` for everyone,
``partners`` for holders of ``partner:indicator:view_partners``, ``internal`` for holders of
``desk:indicator:view_internal``. A tombstoned (removed) indicator, or one the caller may not
see, reads as ``no_data``, exactly like a value nobody has reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fraudhub.core.actors import Actor
from fraudhub.core.errors import ValidationFailed
from fraudhub.core.ratelimit import anonymous_rate_limit, rate_limit
from fraudhub.core.roles import Perm
from fraudhub.indicators.extract import extract
from fraudhub.indicators.lookup import (
    SCAN_BATCH_MAX_CHARS,
    SCAN_BATCH_VALUES_PER_READ,
    SCAN_MAX_CHARS,
    SEVERITY,
    Found,
    LookupItem,
    LookupResult,
    Query,
    add_site_query,
    answers_for,
    display_value,
    fetch_rows,
    merge_answers,
    read_query,
)
from fraudhub.indicators.models import Distribution, IndicatorStatus

# --- who sees what -------------------------------------------------------------------------


def visible_distributions(actor: Actor) -> tuple[str, ...]:
    if actor.has_perm(Perm.INDICATOR_VIEW_INTERNAL):
        return (Distribution.PUBLIC, Distribution.PARTNERS, Distribution.INTERNAL)
    if actor.has_perm(Perm.INDICATOR_VIEW_PARTNERS):
        return (Distribution.PUBLIC, Distribution.PARTNERS)
    return (Distribution.PUBLIC,)


# --- budgets -------------------------------------------------------------------------------

# Lazy: translated only when a caller is refused, not on every lookup.
_LOOKUPS_LIMITED = gettext_lazy("Too many lookups from your address; try again in %(s)d seconds.")
_QUOTA_USED = gettext_lazy("This API key has used its quota of %(n)d calls a minute; try again "
                           "in %(s)d seconds.")


def lookup_throttle(*, actor: Actor) -> None:
    """Count one lookup against the caller's budget; RateLimited (429) beyond it.

    Anonymous callers share ``FRAUDHUB_LOOKUP_RATE_LIMIT`` per window and IP (API and the
    /check/ page alike); an API key has its own quota (see :func:`api_key_quota`); a person
    signed in to the web pages is not limited.
    """
    if actor.api_key is not None:
        api_key_quota(actor=actor)
        return
    anonymous_rate_limit(
        actor=actor, scope="lookup", limit=settings.FRAUDHUB_LOOKUP_RATE_LIMIT,
        window_seconds=settings.FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS,
        message=_LOOKUPS_LIMITED,
    )


def api_key_quota(*, actor: Actor) -> None:
    """One call of an API key to the lookup or scan endpoints, within its per-minute quota.

    A bulk call counts once whatever its size (it is bounded at 1,000 values). Counted by the
    key's prefix, so every process and server sharing the limiter's store agrees.
    """
    if actor.api_key is None:
        return
    quota = settings.FRAUDHUB_API_KEY_QUOTA_PER_MINUTE
    rate_limit(
        key=f"apikey:{actor.api_key.prefix}", limit=quota, window_seconds=60,
        message=_QUOTA_USED, message_args={"n": quota},
    )


# --- the lookups ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """A single lookup: the value as understood, and what the database says about it."""

    input: str
    type: str
    value: str  # canonical; *:<digits> for an account without its bank
    display: str
    status: str  # the most alarming status among the results
    results: list[LookupResult]


class ValueNotCheckable(ValidationFailed):
    """A value a single lookup cannot answer. ``refusal`` is the reason of the type the value
    was read as (a link to a private address, an account number too short...), and None when
    the value has no type's shape at all, which the message already says."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]],
                 refusal: str | None) -> None:
        super().__init__(message, field_errors=field_errors)
        self.refusal = refusal


def indicator_check(*, raw: str, type_key: str | None, actor: Actor) -> CheckAnswer:
    """:func:`indicator_lookup` with the canonical form of the question."""
    query = read_query(raw, type_key)
    if query.error is not None:
        raise ValueNotCheckable(
            _("Unknown indicator type.") if query.error_field == "type"
            else _("This is not a phone number, bank account, link, e-mail, social-media "
                   "profile or wallet that can be checked."),
            field_errors={query.error_field: [query.error]},
            refusal=query.error if query.refused else None,
        )
    assert query.type is not None and query.value is not None
    results = answers_for(query, fetch_rows([query], visible_distributions(actor)))
    same = [r.display for r in results if r.type == query.type and r.value == query.value]
    return CheckAnswer(input=raw, type=query.type, value=query.value,
                       display=same[0] if same and same[0] is not None
                       else display_value(query.type, query.value),
                       status=overall_status(results), results=results)


def indicator_lookup(*, raw: str, type_key: str | None, actor: Actor) -> list[LookupResult]:
    """What the database says about one raw value, as ``actor`` may see it.

    A bank account given as digits alone answers once per bank that has the number (or once,
    ``no_data``); every other value answers exactly once. Raises ValidationFailed (422) when the
    value cannot be read as the given (or any) type.
    """
    return indicator_check(raw=raw, type_key=type_key, actor=actor).results


def indicator_lookup_many(
    *, items: Sequence[LookupItem | tuple[str, str | None]], actor: Actor
) -> list[LookupResult]:
    """One answer per item, in order; unreadable items come back ``valid=False`` with the reason.

    A bank account given as digits alone that several banks have is answered by one merged
    result (see :func:`merge_answers`) whose value stays ``*:<digits>``.
    """
    read: dict[tuple[str, str | None], Query] = {}  # a value repeated in one call: read once
    queries = []
    for item in items:
        key = (item.value, item.type) if isinstance(item, LookupItem) else (item[0], item[1])
        query = read.get(key)
        if query is None:
            query = read[key] = read_query(*key)
        queries.append(query)
    found = fetch_rows(queries, visible_distributions(actor))
    out = []
    for query in queries:
        answers = answers_for(query, found)
        out.append(answers[0] if len(answers) == 1 else merge_answers(answers, query.value))
    return out


@dataclass(frozen=True, slots=True)
class ScanAnswer:
    indicators: list[LookupResult]
    risk: int
    reasons: list[str]


def _scan_queries(text: str) -> list[Query]:
    """One query per distinct indicator in ``text``, in the order they appear."""
    seen: set[tuple[str, str]] = set()
    queries = []
    for found_indicator in extract(text):
        key = (found_indicator.type, found_indicator.value)
        if key in seen:
            continue
        seen.add(key)
        query = Query(input=found_indicator.raw, type=found_indicator.type,
                      value=found_indicator.value)
        if query.type == "url":
            add_site_query(query)
        queries.append(query)
    return queries


def _scan_answer(text: str, queries: list[Query], found: Found) -> ScanAnswer:
    from fraudhub.indicators.scan import score

    results = []
    for query in queries:
        answers = answers_for(query, found)
        results.append(answers[0] if len(answers) == 1 else merge_answers(answers, query.value))
    risk, reasons = score(results, text)
    return ScanAnswer(indicators=results, risk=risk, reasons=reasons)


def indicator_scan(*, text: str, actor: Actor) -> ScanAnswer:
    """Every indicator in ``text`` with its status, and the overall risk of the message."""
    if len(text) > SCAN_MAX_CHARS:
        raise ValidationFailed(
            _("The text is too long (at most %(n)d characters).") % {"n": SCAN_MAX_CHARS},
            field_errors={"text": [_("At most %(n)d characters.") % {"n": SCAN_MAX_CHARS}]},
        )
    queries = _scan_queries(text)
    return _scan_answer(text, queries, fetch_rows(queries, visible_distributions(actor)))


def indicator_scan_many(*, texts: Sequence[str], actor: Actor) -> list[ScanAnswer]:
    """``indicator_scan`` of every text, in order, reading the database once for all of them.

    A bank scanning a day's transfer notes or a messaging app scanning a queue of reports sends
    them together: the indicators of every message are looked up in one query per type.
    """
    errors = {f"messages.{index}.text": [_("At most %(n)d characters.") % {"n": SCAN_MAX_CHARS}]
              for index, text in enumerate(texts) if len(text) > SCAN_MAX_CHARS}
    total = sum(len(text) for text in texts)
    if total > SCAN_BATCH_MAX_CHARS:
        errors["messages"] = [_("At most %(n)d characters in all.") % {"n": SCAN_BATCH_MAX_CHARS}]
    if errors:
        raise ValidationFailed(_("The messages are not valid."), field_errors=errors)
    visible = visible_distributions(actor)
    answers: list[ScanAnswer] = []
    pending: list[tuple[str, list[Query]]] = []
    pending_values = 0

    def answer_pending() -> None:
        found = fetch_rows([q for _text, queries in pending for q in queries], visible)
        answers.extend(_scan_answer(text, queries, found) for text, queries in pending)
        pending.clear()

    for text in texts:
        queries = _scan_queries(text)
        if pending and pending_values + len(queries) > SCAN_BATCH_VALUES_PER_READ:
            answer_pending()
            pending_values = 0
        pending.append((text, queries))
        pending_values += len(queries)
    if pending:
        answer_pending()
    return answers


def overall_status(results: Sequence[LookupResult]) -> str:
    """The most alarming status among answers (``no_data`` when there are none)."""
    statuses = [r.status for r in results if r.status]
    if not statuses:
        return IndicatorStatus.NO_DATA
    return max(statuses, key=lambda s: SEVERITY.get(s, 0))


def allowlist_labels(results: Sequence[LookupResult]) -> dict[tuple[str, str], str]:
    """What the allowlist calls each `safe` value ("Vietcombank hotline"), for the pages."""
    from fraudhub.indicators.models import AllowlistEntry

    wanted = [(r.type, r.value) for r in results
              if r.status == IndicatorStatus.SAFE and r.type and r.value]
    if not wanted:
        return {}
    condition = Q()
    for type_key, value in wanted:
        condition |= Q(type=type_key, value=value)
    rows: Iterable[Any] = AllowlistEntry.objects.filter(condition, active=True).values_list(
        "type", "value", "label")
    return {(t, v): label for t, v, label in rows}
