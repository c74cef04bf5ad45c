"""Reporters named by the plain SHA-256 of their address are keyed by the migration that made
addresses identities only once confirmed (reports 0004)."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps

from fraudhub.reports.identity import email_identity
from fraudhub.reports.models import Report, Reporter
from tests.cases.helpers import file_report

pytestmark = pytest.mark.django_db

migration = importlib.import_module("fraudhub.reports.migrations.0004_report_email_confirmed")


def plain(address: str) -> str:
    return "email:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()[:40]


def test_plain_address_hashes_are_keyed_where_a_report_holds_the_address() -> None:
    kept = Reporter.objects.create(identity=plain("An@Example.org"))
    filed = file_report(reporter_email="an@example.org")
    Report.objects.filter(pk=filed.report.pk).update(reporter=kept)
    lost = Reporter.objects.create(identity=plain("gone@example.org"))  # no report names it

    migration.rekey_email_identities(apps, None)

    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.identity == email_identity("an@example.org")
    assert kept.identity != plain("an@example.org")
    assert lost.identity == plain("gone@example.org")
