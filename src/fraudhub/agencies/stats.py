"""Accountability figures of the authorities' channel: the agency dashboard and the
transparency report (EU DSA Art. 15: orders of authorities by kind, median time to
acknowledge, median time to comply).

Definitions, for every group of requests (a kind, a fraud type, a month of receipt, an agency):
- requests: requests received in the period (received_at, local time, both ends inclusive);
- targets: the targets of those requests;
- handled: targets with a final outcome (actioned, partially actioned, refused);
- handled within the deadline: handled targets whose handled_at <= their deadline (the
  deadline moves out by the time spent waiting for the agency); share = that / handled;
- median and p90 time to action, in hours, over the handled targets: time from the request's
  receipt to the outcome, not counting the paused time (RequestTarget.seconds_to_action).
  Median is statistics.median; p90 is nearest-rank: sorted[ceil(0.9 * n) - 1];
- median time to acknowledge, in hours: acknowledged_at - received_at over the acknowledged
  requests. The median time to comply is the median time to action.

The requests are read once; the targets are counted in the database, per request, and only
the handled ones' times (request, handled_at, paused seconds) are read, as tuples, for the
medians and percentiles: the cost does not grow with a model object per target.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.agencies.models import (
    FINAL_OUTCOMES,
    AgencyRequest,
    RequestKind,
    RequestStatus,
    RequestTarget,
)
from fraudhub.agencies.selectors import agency_request_visible
from fraudhub.core.actors import Actor
from fraudhub.core.roles import Perm
from fraudhub.taxonomy.selectors import fraud_type_get

# The days a period may name: every request is received in this century, and the bounds keep
# a day's start and end (in any time zone) inside what dates and the databases can hold.
PERIOD_FIRST_DAY = date(2000, 1, 1)
PERIOD_LAST_DAY = date(2099, 12, 31)
DB_ID_MAX = 2**63 - 1  # the largest primary key the databases store

DIMENSION_TOTAL = "total"
DIMENSION_STATUS = "status"
DIMENSION_KIND = "kind"
DIMENSION_FRAUD_TYPE = "fraud_type"
DIMENSION_MONTH = "month"
DIMENSION_AGENCY = "agency"

CSV_COLUMNS = (
    "dimension", "key", "label", "requests", "targets", "handled", "handled_within_deadline",
    "share_within_deadline", "median_hours", "p90_hours", "acknowledged",
    "median_acknowledge_hours",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value at or above 90% of the values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


@dataclass(frozen=True)
class Figures:
    requests: int = 0
    targets: int = 0
    handled: int = 0
    handled_within_deadline: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    acknowledged: int = 0
    median_acknowledge_hours: float | None = None

    @property
    def share_within_deadline(self) -> float | None:
        return self.handled_within_deadline / self.handled if self.handled else None


@dataclass(frozen=True)
class BreakdownRow:
    dimension: str
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class StatusCount:
    key: str
    label: str
    requests: int


@dataclass(frozen=True)
class AccountabilityStats:
    date_from: date | None
    date_to: date | None
    agency_id: int | None
    total: Figures
    by_status: list[StatusCount]
    rows: list[BreakdownRow] = field(default_factory=list)

    def rows_of(self, dimension: str) -> list[BreakdownRow]:
        return [row for row in self.rows if row.dimension == dimension]

    @property
    def by_kind(self) -> list[BreakdownRow]:
        return self.rows_of(DIMENSION_KIND)

    @property
    def by_fraud_type(self) -> list[BreakdownRow]:
        return self.rows_of(DIMENSION_FRAUD_TYPE)

    @property
    def by_month(self) -> list[BreakdownRow]:
        return self.rows_of(DIMENSION_MONTH)

    @property
    def by_agency(self) -> list[BreakdownRow]:
        return self.rows_of(DIMENSION_AGENCY)


@dataclass(frozen=True)
class TargetCounts:
    """One request's targets, handled targets and those handled within their deadline."""

    targets: int = 0
    handled: int = 0
    within: int = 0


class _Group:
    """Accumulates the requests and handled targets of one row."""

    def __init__(self) -> None:
        self.requests = 0
        self.targets = 0
        self.handled = 0
        self.within = 0
        self.action_seconds: list[int] = []
        self.acknowledge_seconds: list[float] = []

    def add_request(self, request: AgencyRequest, counts: TargetCounts) -> None:
        self.requests += 1
        if request.acknowledged_at is not None:
            self.acknowledge_seconds.append(
                max(0.0, (request.acknowledged_at - request.received_at).total_seconds()))
        self.targets += counts.targets
        self.handled += counts.handled
        self.within += counts.within

    def add_action_seconds(self, seconds: list[int]) -> None:
        self.action_seconds += seconds

    def figures(self) -> Figures:
        return Figures(
            requests=self.requests, targets=self.targets, handled=self.handled,
            handled_within_deadline=self.within,
            median_hours=_hours(median(self.action_seconds)),
            p90_hours=_hours(p90(self.action_seconds)),
            acknowledged=len(self.acknowledge_seconds),
            median_acknowledge_hours=_hours(median(self.acknowledge_seconds)),
        )


def _period_bounds(date_from: date | None, date_to: date | None
                   ) -> tuple[datetime | None, datetime | None]:
    """[start, end) in the server's time zone; both days inclusive."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = (datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
           if date_to else None)
    return start, end


def _month(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m")


def _kind_label(key: str) -> str:
    try:
        return str(RequestKind(key).label)
    except ValueError:
        return key


def _fraud_type_label(key: str) -> str:
    fraud_type = fraud_type_get(key=key)
    return fraud_type.name() if fraud_type else key


def _requests_in_period(
    requests: QuerySet[AgencyRequest], date_from: date | None, date_to: date | None,
    agency_id: int | None,
) -> QuerySet[AgencyRequest]:
    start, end = _period_bounds(date_from, date_to)
    if start is not None:
        requests = requests.filter(received_at__gte=start)
    if end is not None:
        requests = requests.filter(received_at__lt=end)
    if agency_id is not None:
        requests = requests.filter(agency_id=agency_id)
    return requests


def _compute(
    requests_qs: QuerySet[AgencyRequest], *, date_from: date | None, date_to: date | None,
    agency_id: int | None, per_agency: bool,
) -> AccountabilityStats:
    requests_qs = _requests_in_period(requests_qs, date_from, date_to, agency_id)
    requests = {
        r.pk: r for r in requests_qs.select_related("agency").only(
            "pk", "agency_id", "agency__name", "kind", "fraud_type", "status", "received_at",
            "acknowledged_at")
    }
    targets = RequestTarget.objects.filter(request__in=requests_qs.values("pk"))
    # Handled, as RequestTarget.seconds_to_action and within_deadline read it.
    handled = Q(outcome__in=FINAL_OUTCOMES, handled_at__isnull=False)
    counts = {
        row["request_id"]: TargetCounts(row["targets"], row["handled"], row["within"])
        for row in targets.values("request_id").order_by().annotate(
            targets=Count("pk"), handled=Count("pk", filter=handled),
            within=Count("pk", filter=handled & Q(handled_at__lte=F("deadline"))))
    }
    action_seconds: dict[int, list[int]] = defaultdict(list)
    for request_id, handled_at, paused in (targets.filter(handled).order_by()
                                           .values_list("request_id", "handled_at",
                                                        "paused_seconds")
                                           .iterator(chunk_size=5000)):
        # handled_at is set (the filter); a request filed between the two reads is left out.
        if handled_at is not None and request_id in requests:
            elapsed = (handled_at - requests[request_id].received_at).total_seconds()
            action_seconds[request_id].append(max(0, int(elapsed) - paused))

    def keys_of(request: AgencyRequest) -> Iterable[tuple[str, str]]:
        yield DIMENSION_TOTAL, ""
        yield DIMENSION_KIND, request.kind
        yield DIMENSION_FRAUD_TYPE, request.fraud_type
        yield DIMENSION_MONTH, _month(request.received_at)
        if per_agency:
            yield DIMENSION_AGENCY, request.agency.name

    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    statuses: dict[str, int] = defaultdict(int)
    for request in requests.values():
        statuses[request.status] += 1
        seconds = action_seconds.get(request.pk, [])
        for key in keys_of(request):
            groups[key].add_request(request, counts.get(request.pk, TargetCounts()))
            groups[key].add_action_seconds(seconds)

    labels = {DIMENSION_KIND: _kind_label, DIMENSION_FRAUD_TYPE: _fraud_type_label}
    rows = []
    for dimension in (DIMENSION_KIND, DIMENSION_FRAUD_TYPE, DIMENSION_MONTH, DIMENSION_AGENCY):
        found = sorted(key for dim, key in groups if dim == dimension)
        label_of = labels.get(dimension, str)
        rows += [BreakdownRow(dimension, key, label_of(key), groups[(dimension, key)].figures())
                 for key in found]
    total = groups[(DIMENSION_TOTAL, "")].figures() if requests else Figures()
    return AccountabilityStats(
        date_from=date_from, date_to=date_to, agency_id=agency_id, total=total,
        by_status=[StatusCount(s.value, str(s.label), statuses.get(s.value, 0))
                   for s in RequestStatus],
        rows=rows,
    )


def agency_dashboard_stats(
    *, actor: Actor, date_from: date | None = None, date_to: date | None = None,
    agency_id: int | None = None,
) -> AccountabilityStats:
    """The figures of the requests `actor` may see: an officer's own agency, staff every
    agency (narrowed to `agency_id` when given)."""
    return _compute(agency_request_visible(actor=actor), date_from=date_from, date_to=date_to,
                    agency_id=agency_id, per_agency=actor.has_perm(Perm.AGENCY_REQUEST_VIEW_ALL))


def transparency_stats(
    *, actor: Actor, date_from: date | None = None, date_to: date | None = None,
    agency_id: int | None = None,
) -> AccountabilityStats:
    """Platform-wide figures with a row per agency, for the transparency report."""
    requests = (AgencyRequest.objects.all() if actor.has_perm(Perm.TRANSPARENCY_READ)
                else AgencyRequest.objects.none())
    return _compute(requests, date_from=date_from, date_to=date_to, agency_id=agency_id,
                    per_agency=True)


# --- CSV -------------------------------------------------------------------------------------


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab, CR) gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _figure_cells(figures: Figures) -> list[str]:
    return [
        str(figures.requests), str(figures.targets), str(figures.handled),
        str(figures.handled_within_deadline), _number(figures.share_within_deadline, 4),
        _number(figures.median_hours, 2), _number(figures.p90_hours, 2),
        str(figures.acknowledged), _number(figures.median_acknowledge_hours, 2),
    ]


def stats_csv(stats: AccountabilityStats) -> str:
    """The figures as CSV: one total row, one row per status, then the breakdown rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow([DIMENSION_TOTAL, "", _("All requests"), *_figure_cells(stats.total)])
    for status in stats.by_status:
        writer.writerow([DIMENSION_STATUS, status.key, csv_safe(status.label),
                         str(status.requests), *[""] * (len(CSV_COLUMNS) - 4)])
    for row in stats.rows:
        writer.writerow([row.dimension, csv_safe(row.key), csv_safe(row.label),
                         *_figure_cells(row.figures)])
    return out.getvalue()
