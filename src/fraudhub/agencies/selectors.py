"""Reads of the agencies app. An officer sees the own agency's requests only, staff see all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet

from fraudhub.agencies.models import AgencyRequest, ClockEvent, RequestTarget, TargetOutcome
from fraudhub.core.actors import Actor
from fraudhub.core.models import Organization, OrganizationKind
from fraudhub.core.roles import Perm
from fraudhub.reports.models import Report, ReportStatus


def agency_request_visible(*, actor: Actor) -> QuerySet[AgencyRequest]:
    """The requests `actor` may see: all for the desk, the own agency's for an officer.

    Anything else sees nothing, so another agency's request answers 404, not 403: an officer
    does not learn that a number exists.
    """
    requests = AgencyRequest.objects.select_related("agency")
    if actor.has_perm(Perm.AGENCY_REQUEST_VIEW_ALL):
        return requests.all()
    org = actor.organization
    if actor.has_perm(Perm.AGENCY_REQUEST_VIEW) and org is not None and (
            org.kind == OrganizationKind.AGENCY):
        return requests.filter(agency=org)
    return requests.none()


def agency_request_get(*, actor: Actor, request_id: int) -> AgencyRequest | None:
    return agency_request_visible(actor=actor).filter(pk=request_id).first()


def agency_request_targets(*, request: AgencyRequest) -> list[RequestTarget]:
    """Every target of a request, by line: for the response document, which lists them all.
    Pages and answers read agency_request_target_page instead (a request may name 10,000)."""
    return list(request.targets.select_related("decision").order_by("line"))


def agency_request_target_page(
    *, request: AgencyRequest, offset: int = 0, limit: int = 200, status: str = ""
) -> list[RequestTarget]:
    """One page of a request's targets, by line, of one status when given."""
    targets = request.targets.select_related("decision")
    if status:
        targets = targets.filter(outcome=status)
    return list(targets.order_by("line")[offset:offset + limit])


def agency_request_target_get(*, request: AgencyRequest, target_id: int
                              ) -> RequestTarget | None:
    return request.targets.select_related("decision").filter(pk=target_id).first()


def agency_request_target_counts(*, request: AgencyRequest) -> dict[str, int]:
    """How many targets of a request have each status (every status, zeros included)."""
    counts = dict.fromkeys(TargetOutcome.values, 0)
    rows = (RequestTarget.objects.filter(request=request).values("outcome")
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        counts[row["outcome"]] = row["n"]
    return counts


def agency_request_events(*, request: AgencyRequest, limit: int = 500
                          ) -> tuple[list[ClockEvent], int]:
    """The newest `limit` events of a request's clock, oldest first, and how many older ones
    were left out.

    The newest, as a large request's warnings (three per target) outnumber any page of
    events, and the latest are the ones that matter. Two queries at most: the older ones are
    counted only when the page is full.
    """
    newest = list(request.events.select_related("target").order_by("-at", "-pk")[:limit])
    newest.reverse()
    older = request.events.count() - len(newest) if len(newest) == limit else 0
    return newest, older


def agency_request_clock_facts(
    *, request_ids: list[int]
) -> dict[int, tuple[datetime | None, int]]:
    """Per request: the earliest deadline of a target still running, and how many targets
    wait for the agency's answer."""
    rows = (RequestTarget.objects.filter(request_id__in=request_ids)
            .values("request_id")
            .annotate(next_deadline=Min("deadline", filter=Q(outcome=TargetOutcome.PENDING)),
                      waiting=Count("pk", filter=Q(outcome=TargetOutcome.NEEDS_INFORMATION)))
            .order_by())
    return {row["request_id"]: (row["next_deadline"], row["waiting"]) for row in rows}


def request_targets_for_case(*, case_id: int) -> list[RequestTarget]:
    """The authority requests' targets that point at one case, newest request first."""
    return list(RequestTarget.objects.select_related("request__agency", "decision")
                .filter(case_id=case_id).order_by("-request__received_at", "pk"))


def agency_request_list(
    *, actor: Actor, status: str = "", agency_id: int | None = None, limit: int = 50,
    offset: int = 0,
) -> tuple[list[AgencyRequest], int]:
    requests = agency_request_visible(actor=actor)
    if status:
        requests = requests.filter(status=status)
    if agency_id is not None:
        requests = requests.filter(agency_id=agency_id)
    total = requests.count()
    return list(requests.order_by("-received_at", "-pk")[offset:offset + limit]), total


def agencies_list() -> list[Organization]:
    return list(Organization.objects.filter(kind=OrganizationKind.AGENCY).order_by("name"))


def trusted_flagger_candidates() -> list[Organization]:
    """Organizations that could be granted the trusted-flagger status now (not active)."""
    return list(Organization.objects.filter(is_trusted_flagger=False).order_by("name"))


@dataclass(frozen=True)
class FlaggerStanding:
    organization: Organization
    reports: int
    upheld: int
    not_upheld: int
    pending: int

    @property
    def accuracy(self) -> float | None:
        """Share of the decided reports that were upheld; None before any was decided."""
        decided = self.upheld + self.not_upheld
        return self.upheld / decided if decided else None

    @property
    def below_threshold(self) -> bool:
        accuracy = self.accuracy
        return accuracy is not None and accuracy < settings.FRAUDHUB_TRUSTED_FLAGGER_MIN_ACCURACY

    @property
    def suspended_at(self) -> datetime | None:
        return self.organization.trusted_flagger_suspended_at


def trusted_flagger_standings() -> list[FlaggerStanding]:
    """Every organization that is or was a trusted flagger, with the accuracy of its reports."""
    orgs = list(Organization.objects.filter(
        Q(is_trusted_flagger=True) | Q(trusted_flagger_since__isnull=False)
        | Q(trusted_flagger_suspended_at__isnull=False)).order_by("name"))
    counts = {
        row["reporter__organization"]: row
        for row in Report.objects.filter(reporter__organization__in=orgs)
        .values("reporter__organization")
        .annotate(
            total=Count("pk"),
            upheld=Count("pk", filter=Q(status=ReportStatus.ACTIONED)),
            not_upheld=Count("pk", filter=Q(status=ReportStatus.NO_VIOLATION)),
            pending=Count("pk", filter=Q(status__in=[ReportStatus.RECEIVED,
                                                     ReportStatus.IN_REVIEW])),
        )
    }
    standings = []
    for org in orgs:
        row = counts.get(org.pk, {})
        standings.append(FlaggerStanding(
            organization=org, reports=row.get("total", 0), upheld=row.get("upheld", 0),
            not_upheld=row.get("not_upheld", 0), pending=row.get("pending", 0),
        ))
    return standings
