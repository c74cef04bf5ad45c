"""A reporter's e-mail address counts as their identity only once they confirm it by the
link mailed to it: an address typed into the form must not borrow someone's standing, nor get
them suspended."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from fraudhub.cases.models import Case, CaseStatus
from fraudhub.cases.services.reporters import reporter_mark_bad_faith
from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditEntry
from fraudhub.indicators.models import Indicator
from fraudhub.reports.confirmation import report_confirm_token, report_email_confirm
from fraudhub.reports.identity import email_identity, ip_identity
from fraudhub.reports.models import Report, Reporter, ReportStatus
from fraudhub.reports.services import FiledReport, ReportInput, report_create
from tests.cases.helpers import decide
from tests.conftest import filed_now

pytestmark = pytest.mark.django_db

ADDRESS = "Lan.Nguyen@Example.org"
PHONE = "+84912345678"


def file(ip: str, email: str = ADDRESS, target: str = "https://www.facebook.com/fake.shop.vn",
         description: str = "Lừa đảo bán hàng, gọi 0912 345 678.", kind: str = "account"
         ) -> FiledReport:
    return filed_now(report_create(actor=Actor.anonymous(ip=ip), data=ReportInput(
        target_kind=kind, target=target, platform="facebook" if kind == "account" else "",
        fraud_type="counterfeit_goods", description=description, good_faith=True,
        reporter_email=email)))


def confirm(report: Report) -> Any:
    return report_email_confirm(actor=Actor.anonymous(ip="192.0.2.200"),
                                token=report_confirm_token(report))


def fresh(report: Report) -> Report:
    return Report.objects.select_related("reporter").get(pk=report.pk)


def case_of(report: Report) -> Case:
    assert report.case_id is not None
    return Case.objects.get(pk=report.case_id)


def test_an_unconfirmed_address_is_no_identity() -> None:
    """Reports with one address from two connections are two reporters; reports with two
    addresses from one connection are one (as they are without any address)."""
    first, second = file("203.0.113.1"), file("203.0.113.2")
    third = file("203.0.113.1", email="someone.else@example.org")
    reporters = {fresh(r.report).reporter_id for r in (first, second, third)}
    assert len(reporters) == 2
    assert fresh(first.report).reporter_id == fresh(third.report).reporter_id
    assert not Reporter.objects.filter(identity=email_identity(ADDRESS)).exists()
    assert case_of(first.report).reporter_count == 2
    assert fresh(first.report).email_confirmed_at is None


def test_the_receipt_carries_the_link_and_following_it_confirms(
        client: Client, drain_jobs: Callable[[], int]) -> None:
    filed = file("203.0.113.1")
    drain_jobs()
    [receipt] = [m for m in mail.outbox if m.to == [ADDRESS]]
    match = re.search(r"https?://\S+/report/confirm/(\S+)", str(receipt.body))
    assert match is not None, receipt.body
    path = "/report/confirm/" + match.group(1)

    page = client.get(path)  # what a mail scanner does: nothing may change
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert fresh(filed.report).email_confirmed_at is None

    done = client.post(path)
    assert done.status_code == 200
    assert filed.report.tracking_code in done.content.decode()
    report = fresh(filed.report)
    assert report.email_confirmed_at is not None
    assert report.reporter is not None
    assert report.reporter.identity == email_identity(ADDRESS)
    entry = AuditEntry.objects.get(action="report.confirm_email", object_id=str(report.pk))
    assert entry.new is not None
    assert entry.new["reporter"] == report.reporter_id

    again = client.post(path)
    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="report.confirm_email").count() == 1


def test_confirmed_reports_of_one_address_count_as_one_reporter() -> None:
    first, second = file("203.0.113.1"), file("203.0.113.2")
    assert case_of(first.report).reporter_count == 2
    confirm(first.report)
    assert case_of(first.report).reporter_count == 2  # the address and the second connection
    confirm(second.report)
    case = case_of(first.report)
    assert case.reporter_count == 1
    assert case.report_count == 2
    assert fresh(first.report).reporter_id == fresh(second.report).reporter_id


def test_an_unconfirmed_report_does_not_borrow_the_address_standing() -> None:
    owner = file("203.0.113.1")
    confirm(owner.report)
    Reporter.objects.filter(identity=email_identity(ADDRESS)).update(reputation=95)
    borrowed = file("198.51.100.66", target="https://www.facebook.com/other.page.vn")
    case = case_of(borrowed.report)
    assert case.reporter_count == 1
    assert case.reputation_total == 50  # the connection's default, not the address's 95


def test_a_suspended_address_does_not_close_reports_it_did_not_confirm() -> None:
    owner = file("203.0.113.1")
    confirm(owner.report)
    address = Reporter.objects.get(identity=email_identity(ADDRESS))
    reporter_mark_bad_faith(actor=Actor.system("test"), reporter_id=address.pk,
                            reason="Files false reports.", days=30)
    framed = file("198.51.100.66", target="https://www.facebook.com/other.page.vn")
    assert fresh(framed.report).status == ReportStatus.RECEIVED

    outcome = confirm(framed.report)  # the address's owner confirms it: suspended after all
    assert outcome.suspended
    assert fresh(framed.report).status == ReportStatus.CLOSED_BAD_FAITH
    assert case_of(framed.report).status == CaseStatus.CLOSED


def test_confirming_moves_the_values_sightings_to_the_address(
        drain_jobs: Callable[[], int]) -> None:
    first, second = file("203.0.113.1"), file("203.0.113.2")
    # The first connection reported the number in another report too: it keeps counting.
    other = file("203.0.113.1", email="", target="https://www.facebook.com/other.page.vn")
    drain_jobs()
    assert other.report.pk
    phone = Indicator.objects.get(type="phone", value=PHONE)
    assert phone.reporter_count == 2
    confirm(first.report)
    phone.refresh_from_db()
    assert phone.reporter_count == 3  # connection 1 (other report), connection 2, address
    confirm(second.report)
    phone.refresh_from_db()
    assert phone.reporter_count == 2  # connection 1, the address
    identities = set(phone.sightings.values_list("reporter_identity", flat=True))
    assert email_identity(ADDRESS) in identities


def test_a_report_confirmed_before_its_sightings_are_recorded_records_them_as_the_address(
        drain_jobs: Callable[[], int]) -> None:
    filed = file("203.0.113.1")
    confirm(filed.report)
    drain_jobs()
    phone = Indicator.objects.get(type="phone", value=PHONE)
    assert list(phone.sightings.values_list("reporter_identity", flat=True)) == [
        email_identity(ADDRESS)]


def test_a_decided_report_can_no_longer_be_confirmed(client: Client, reviewer: Any) -> None:
    filed = file("203.0.113.1")
    decide(Actor.for_user(reviewer), filed.report.case_id)
    answer = client.post(f"/report/confirm/{report_confirm_token(filed.report)}")
    assert answer.status_code == 422
    assert "decided" in answer.content.decode()
    assert fresh(filed.report).email_confirmed_at is None


def test_links_that_were_not_mailed_are_refused(client: Client) -> None:
    filed = file("203.0.113.1")
    token = report_confirm_token(filed.report)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/report/confirm/{tampered}").status_code == 404
    assert client.post(f"/report/confirm/{tampered}").status_code == 404
    # The address is part of the link: one changed since does not confirm the new address.
    Report.objects.filter(pk=filed.report.pk).update(reporter_email="mallory@example.org")
    assert client.post(f"/report/confirm/{token}").status_code == 404
    assert fresh(filed.report).email_confirmed_at is None


def test_expired_links_are_refused(client: Client, settings: Any) -> None:
    settings.FRAUDHUB_REPORT_CONFIRM_DAYS = 14
    filed = file("203.0.113.1")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 15 * 86400):
        old = report_confirm_token(filed.report)
    answer = client.post(f"/report/confirm/{old}")
    assert answer.status_code == 404
    assert "expired" in answer.content.decode()
    assert fresh(filed.report).email_confirmed_at is None


def test_reports_of_known_reporters_get_no_link(reviewer: Any,
                                                drain_jobs: Callable[[], int]) -> None:
    report_create(actor=Actor.for_user(reviewer, ip="192.0.2.1"), data=ReportInput(
        target_kind="account", target="https://www.facebook.com/fake.shop.vn",
        platform="facebook", fraud_type="counterfeit_goods", description="Lừa đảo bán hàng.",
        good_faith=True, reporter_email="staff@example.org"))
    drain_jobs()
    [receipt] = [m for m in mail.outbox if m.to == ["staff@example.org"]]
    assert "/report/confirm/" not in receipt.body


def test_the_page_names_only_what_a_receipt_may_name(client: Client) -> None:
    """Whoever holds the mailbox opens the page, not necessarily who wrote the report: a link
    somebody reported must not be shown to them under FraudHub's name."""
    link = file("203.0.113.1", target="https://vcb-hoantien.top/login", kind="url")
    page = client.get(f"/report/confirm/{report_confirm_token(link.report)}").content.decode()
    assert "vcb-hoantien" not in page
    assert link.report.tracking_code in page

    phone = file("203.0.113.1", target="0912 345 678", kind="phone")
    page = client.get(f"/report/confirm/{report_confirm_token(phone.report)}").content.decode()
    assert phone.report.target.display in page


def connection_reporter(ip: str) -> Reporter:
    return Reporter.objects.get(identity=ip_identity(ip))


def test_a_report_from_a_suspended_connection_is_counted_once_its_address_confirms() -> None:
    """A mobile network's shared address may stand for many people: one of them suspended
    must not silence the others for good."""
    first = file("203.0.113.1", email="")
    reporter_mark_bad_faith(actor=Actor.system("test"),
                            reporter_id=connection_reporter("203.0.113.1").pk,
                            reason="Files false reports.", days=30)
    assert case_of(first.report).status == CaseStatus.CLOSED
    neighbour = file("203.0.113.1", target="https://www.facebook.com/other.page.vn")
    assert fresh(neighbour.report).status == ReportStatus.SUSPENDED
    assert fresh(neighbour.report).case_id is None

    confirm(neighbour.report)

    report = fresh(neighbour.report)
    assert report.status == ReportStatus.RECEIVED
    case = case_of(report)
    assert case.status == CaseStatus.OPEN
    assert (case.report_count, case.reporter_count) == (1, 1)
    assert case.due_at is not None
    assert AuditEntry.objects.filter(action="case.open", object_id=str(case.pk)).exists()


def test_a_report_from_a_suspended_connection_stays_suspended_when_its_address_is_too() -> None:
    owner = file("198.51.100.66")
    confirm(owner.report)
    reporter_mark_bad_faith(actor=Actor.system("test"),
                            reporter_id=Reporter.objects.get(identity=email_identity(ADDRESS)).pk,
                            reason="Files false reports.", days=30)
    reporter_mark_bad_faith(actor=Actor.system("test"),
                            reporter_id=connection_reporter("198.51.100.66").pk,
                            reason="Files false reports.", days=30)
    again = file("198.51.100.66", target="https://www.facebook.com/other.page.vn")
    assert fresh(again.report).status == ReportStatus.SUSPENDED

    outcome = confirm(again.report)

    assert outcome.suspended
    report = fresh(again.report)
    assert (report.status, report.case_id) == (ReportStatus.SUSPENDED, None)
    assert report.email_confirmed_at is not None


def test_a_rescued_report_joins_its_target_s_open_case() -> None:
    other = file("192.0.2.77", email="", target="https://www.facebook.com/other.page.vn")
    file("203.0.113.1", email="")
    reporter_mark_bad_faith(actor=Actor.system("test"),
                            reporter_id=connection_reporter("203.0.113.1").pk,
                            reason="Files false reports.", days=30)
    neighbour = file("203.0.113.1", target="https://www.facebook.com/other.page.vn")

    confirm(neighbour.report)

    report = fresh(neighbour.report)
    assert report.case_id == other.report.case_id
    case = case_of(report)
    assert (case.report_count, case.reporter_count) == (2, 2)
    assert AuditEntry.objects.filter(action="case.open", object_id=str(case.pk)).count() == 1
