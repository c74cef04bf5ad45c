"""Bulk requests built by a background job; agencies and keys from the CLI; trusted flaggers."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import Settings

from fraudhub.agencies.models import AgencyRequest, RequestStatus
from fraudhub.agencies.selectors import trusted_flagger_standings
from fraudhub.agencies.services.organizations import (
    trusted_flagger_grant,
    trusted_flagger_suspend,
)
from fraudhub.agencies.services.requests import request_cases_create
from fraudhub.cases.models import Case, Queue, ReportSource
from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict, PermissionDenied, ValidationFailed
from fraudhub.core.models import ApiKey, AuditEntry, Organization, OrganizationKind
from fraudhub.core.roles import Role
from fraudhub.core.services import organization_create
from fraudhub.reports.models import Report
from tests.agencies.helpers import make_agency, officer_of, request_json
from tests.cases.helpers import decide, file_report
from tests.conftest import SYSTEM, ApiClient, make_user

pytestmark = pytest.mark.django_db
BULK = 5_000


def _bulk_csv() -> tuple[str, set[int]]:
    """5,000 profile links, with bad rows at known lines (the header is line 1)."""
    lines = ["target,kind,platform"]
    bad: set[int] = set()
    for n in range(BULK):
        line = n + 2
        if n % 997 == 13:
            lines.append("no such thing,,")
            bad.add(line)
        elif n % 1499 == 7:
            lines.append(",account,facebook")  # empty target
            bad.add(line)
        else:
            lines.append(f"https://www.facebook.com/profile.php?id={100_000_000_000 + n},,")
    return "\n".join(lines) + "\n", bad


def test_a_request_with_5000_targets_is_accepted_row_by_row_and_built_in_the_background(
    api_client_for: Callable[..., ApiClient], drain_jobs: Callable[[], int]
) -> None:
    api = api_client_for(Role.AGENCY_OFFICER, make_agency())
    text, bad = _bulk_csv()
    response = api.post("/api/v1/agency/requests",
                        request_json(targets=None, targets_csv=text))
    assert response.status_code == 201, response.content[:500]
    body = response.json()
    assert {row["line"] for row in body["rejected_rows"]} == bad
    assert body["target_count"] == BULK - len(bad)
    # The answer carries the first page of targets and the counts, the rest page by page.
    assert [t["line"] for t in body["targets"][:2]] == [2, 3]
    assert len(body["targets"]) == 100
    assert body["target_counts"]["pending"] == BULK - len(bad)
    last = api.get(f"/api/v1/agency/requests/{body['id']}/targets", limit=500,
                   offset=BULK - len(bad) - 3).json()
    assert last["count"] == BULK - len(bad)
    good_lines = [line for line in range(2, BULK + 2) if line not in bad]
    assert [t["line"] for t in last["results"]] == good_lines[-3:]
    assert body["status"] == RequestStatus.RECEIVED
    assert Case.objects.count() == 0  # not in the request: the job makes them

    drain_jobs()

    request = AgencyRequest.objects.get(pk=body["id"])
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.cases_ready_at is not None
    assert Case.objects.filter(queue=Queue.AUTHORITY, due_at=request.deadline).count() == (
        BULK - len(bad))
    assert not request.targets.filter(case__isnull=True).exists()


def test_building_the_cases_again_changes_nothing(drain_jobs: Callable[[], int],
                                                  settings: Settings) -> None:
    from tests.agencies.helpers import file_request

    settings.FRAUDHUB_AGENCY_INLINE_TARGETS = 1
    request = file_request(officer_of(make_agency()))
    assert request.status == RequestStatus.RECEIVED
    assert request_cases_create(request_id=request.pk, batch=1) == 2
    assert request_cases_create(request_id=request.pk) == 0
    drain_jobs()  # the job enqueued by the request finds nothing left to do
    assert Case.objects.count() == 2
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


def test_too_many_targets_are_refused_whole(api_client_for: Callable[..., ApiClient],
                                            settings: Settings) -> None:
    settings.FRAUDHUB_AGENCY_MAX_TARGETS = 3
    api = api_client_for(Role.AGENCY_OFFICER, make_agency())
    targets = [f"https://facebook.com/profile.php?id={100_000_000_000 + n}" for n in range(4)]
    response = api.post("/api/v1/agency/requests", request_json(targets=targets))
    assert response.status_code == 422
    assert "targets" in response.json()["errors"]


def test_cli_makes_an_agency_and_its_officer_key() -> None:
    out = io.StringIO()
    call_command("agency", "create", "Cục Công nghệ thông tin", stdout=out)
    assert "created" in out.getvalue()
    agency = Organization.objects.get(name="Cục Công nghệ thông tin")
    assert agency.kind == OrganizationKind.AGENCY
    with pytest.raises(CommandError):
        call_command("agency", "create", "Cục Công nghệ thông tin", stdout=io.StringIO())
    out = io.StringIO()
    call_command("apikey", "create", "--name", "portal", "--role", "agency_officer",
                 "--org", "Cục Công nghệ thông tin", stdout=out)
    raw_key = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert (key.role, key.organization) == (Role.AGENCY_OFFICER, agency)
    assert ApiClient(raw_key).get("/api/v1/agency/requests").json() == {"count": 0,
                                                                        "results": []}
    with pytest.raises(CommandError):
        call_command("apikey", "create", "--name", "stray", "--role", "agency_officer",
                     stdout=io.StringIO())
    listed = io.StringIO()
    call_command("agency", "list", stdout=listed)
    assert "Cục Công nghệ thông tin" in listed.getvalue()


def _flagger(name: str = "Chống lừa đảo NGO") -> tuple[Organization, Actor]:
    org = organization_create(actor=SYSTEM, name=name, kind=OrganizationKind.NGO)
    org = trusted_flagger_grant(actor=SYSTEM, organization_id=org.pk)
    member = Actor.for_user(make_user(Role.CITIZEN, f"member-{org.pk}", org), ip="192.0.2.77")
    return org, member


def test_a_trusted_flaggers_reports_enter_the_priority_lane_until_suspended(
    reviewer_actor: Actor,
) -> None:
    org, member = _flagger()
    filed = file_report(actor=member, target="https://facebook.com/profile.php?id=100055555555")
    assert filed.report.case_id is not None
    case = Case.objects.get(pk=filed.report.case_id)
    assert (filed.report.source, case.queue) == (ReportSource.TRUSTED_FLAGGER, Queue.PRIORITY)

    trusted_flagger_suspend(actor=SYSTEM, organization_id=org.pk,
                            reason="Half of its reports were not upheld.")
    assert member.user is not None
    member.user.refresh_from_db()  # as the next web request or API call would load it
    member.user.organization.refresh_from_db()  # type: ignore[union-attr]
    later = file_report(actor=member, target="https://facebook.com/profile.php?id=100066666666")
    assert later.report.source == ReportSource.CITIZEN
    assert later.report.case_id is not None
    assert Case.objects.get(pk=later.report.case_id).queue == Queue.STANDARD
    assert list(AuditEntry.objects.filter(object_type="organization", object_id=str(org.pk))
                .values_list("action", flat=True)) == [
        "organization.create", "trusted_flagger.grant", "trusted_flagger.suspend"]


def test_the_platform_keeps_each_flaggers_accuracy(reviewer_actor: Actor) -> None:
    org, member = _flagger()
    outcomes = ["suspend", "suspend", "suspend", "no_violation"]
    for n, outcome in enumerate(outcomes):
        filed = file_report(actor=member,
                            target=f"https://facebook.com/profile.php?id={100077777770 + n}")
        decide(reviewer_actor, filed.report.case_id or 0, outcome=outcome)
    file_report(actor=member, target="https://facebook.com/profile.php?id=100088888888")
    standing = next(s for s in trusted_flagger_standings() if s.organization == org)
    assert (standing.reports, standing.upheld, standing.not_upheld, standing.pending) == (
        5, 3, 1, 1)
    assert standing.accuracy == 0.75
    assert standing.below_threshold is False
    decide(reviewer_actor, Report.objects.get(target__canonical="facebook:100088888888")
           .case_id or 0, outcome="no_violation")
    standing = next(s for s in trusted_flagger_standings() if s.organization == org)
    assert standing.accuracy == 0.6
    assert standing.below_threshold is True


def test_only_admins_manage_the_status(reviewer_actor: Actor) -> None:
    org, _member = _flagger()
    with pytest.raises(PermissionDenied):
        trusted_flagger_suspend(actor=reviewer_actor, organization_id=org.pk, reason="x")
    with pytest.raises(ValidationFailed):
        trusted_flagger_suspend(actor=SYSTEM, organization_id=org.pk, reason=" ")
    with pytest.raises(Conflict):
        trusted_flagger_grant(actor=SYSTEM, organization_id=org.pk)
