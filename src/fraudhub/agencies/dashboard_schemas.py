"""Explicit schemas of the accountability figures (agency dashboard, transparency report)."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from fraudhub.agencies.stats import (
    DB_ID_MAX,
    PERIOD_FIRST_DAY,
    PERIOD_LAST_DAY,
    AccountabilityStats,
    BreakdownRow,
    Figures,
)


class StatsFilter(Schema):
    date_from: date | None = Field(None, ge=PERIOD_FIRST_DAY, le=PERIOD_LAST_DAY,
                                   description="First day of receipt (inclusive)")
    date_to: date | None = Field(None, ge=PERIOD_FIRST_DAY, le=PERIOD_LAST_DAY,
                                 description="Last day of receipt (inclusive)")
    agency_id: int | None = Field(None, ge=1, le=DB_ID_MAX,
                                  description="Platform staff: one agency only")


class FiguresOut(Schema):
    requests: int
    targets: int
    handled: int = Field(description="Targets with a final outcome: actioned, partially "
                         "actioned or refused")
    handled_within_deadline: int
    share_within_deadline: float | None
    median_hours: float | None = Field(description="Median time to action (to comply), hours, "
                                       "paused time excluded")
    p90_hours: float | None = Field(description="90th percentile (nearest rank) of the time "
                                    "to action, hours")
    acknowledged: int
    median_acknowledge_hours: float | None


class StatusCountOut(Schema):
    status: str
    label: str
    requests: int


class BreakdownRowOut(Schema):
    key: str
    label: str
    figures: FiguresOut


class StatsOut(Schema):
    date_from: date | None
    date_to: date | None
    agency_id: int | None
    total: FiguresOut
    by_status: list[StatusCountOut]
    by_kind: list[BreakdownRowOut]
    by_fraud_type: list[BreakdownRowOut]
    by_month: list[BreakdownRowOut]
    by_agency: list[BreakdownRowOut] = Field(description="Platform staff only; empty for an "
                                             "agency's officer")


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def figures_out(figures: Figures) -> FiguresOut:
    return FiguresOut(
        requests=figures.requests, targets=figures.targets, handled=figures.handled,
        handled_within_deadline=figures.handled_within_deadline,
        share_within_deadline=_round(figures.share_within_deadline, 4),
        median_hours=_round(figures.median_hours, 2), p90_hours=_round(figures.p90_hours, 2),
        acknowledged=figures.acknowledged,
        median_acknowledge_hours=_round(figures.median_acknowledge_hours, 2),
    )


def _rows(rows: list[BreakdownRow]) -> list[BreakdownRowOut]:
    return [BreakdownRowOut(key=r.key, label=r.label, figures=figures_out(r.figures))
            for r in rows]


def stats_out(stats: AccountabilityStats) -> StatsOut:
    return StatsOut(
        date_from=stats.date_from, date_to=stats.date_to, agency_id=stats.agency_id,
        total=figures_out(stats.total),
        by_status=[StatusCountOut(status=s.key, label=s.label, requests=s.requests)
                   for s in stats.by_status],
        by_kind=_rows(stats.by_kind), by_fraud_type=_rows(stats.by_fraud_type),
        by_month=_rows(stats.by_month), by_agency=_rows(stats.by_agency),
    )
