"""Shared fixtures: actors for every role, API clients with real keys, job draining."""

from __future__ import annotations

import base64
import io
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail  # noqa: F401 - locmem outbox via the settings fixture
from django.test import Client
from django.utils import translation
from PIL import Image

from fraudhub.cases.adapters import RecordingAdapter
from fraudhub.core import apikey_cache
from fraudhub.core.actors import Actor
from fraudhub.core.models import Organization, OrganizationKind, User
from fraudhub.core.ratelimit import forget_rate_limiter
from fraudhub.core.roles import PERSONAL_PERMS, Role, permissions_for_role
from fraudhub.core.services import apikey_create, organization_create, user_create
from fraudhub.reports.models import Report
from fraudhub.reports.services import AcceptedReport, FiledReport

SYSTEM = Actor.system("tests")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.FRAUDHUB_PLATFORM_ADAPTER = "recording"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FRAUDHUB_RATE_LIMITER = "fraudhub.core.ratelimit.DatabaseRateLimiter"
    forget_rate_limiter()  # no counts of an earlier test held in memory
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    RecordingAdapter.reset()
    apikey_cache.clear()  # keys of an earlier test's rolled-back database are not remembered
    yield
    RecordingAdapter.reset()
    # LocaleMiddleware leaves the last request's language active in the thread; code a later
    # test calls outside a request (a type's refusal, a job's e-mail) would speak it.
    translation.deactivate()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose connections the kernel accepts (backlog) and nobody ever answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def logged_in_client(user: User, ip: str = "192.0.2.60") -> Client:
    """A web client holding `user`'s session (its tests turn FRAUDHUB_REQUIRE_2FA off)."""
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def make_user(role: str, username: str | None = None, org: Organization | None = None) -> User:
    return user_create(actor=SYSTEM, username=username or f"{role}-{User.objects.count() + 1}",
                       password="correct-horse-battery", role=role, organization=org)


@pytest.fixture
def root(settings: Any) -> User:
    """An administrator who is also Django's superuser, for the admin's pages."""
    settings.FRAUDHUB_REQUIRE_2FA = False
    user = make_user(Role.ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def admin_client(root: User) -> Client:
    """The admin's pages as `root` sees them (replaces pytest-django's fixture of that name)."""
    return logged_in_client(root)


def default_agency() -> Organization:
    """The agency an officer belongs to when a test does not care which."""
    found = Organization.objects.filter(name="Test Agency A05").first()
    return found or organization_create(actor=SYSTEM, name="Test Agency A05",
                                        kind=OrganizationKind.AGENCY)


@pytest.fixture
def platform_org(db: None) -> Organization:
    return organization_create(actor=SYSTEM, name="Platform T&S", kind=OrganizationKind.PLATFORM)


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user(Role.REVIEWER, "reviewer")


@pytest.fixture
def reviewer2(db: None) -> User:
    return make_user(Role.REVIEWER, "reviewer2")


@pytest.fixture
def senior(db: None) -> User:
    return make_user(Role.SENIOR_REVIEWER, "senior")


@pytest.fixture
def senior2(db: None) -> User:
    return make_user(Role.SENIOR_REVIEWER, "senior2")


@pytest.fixture
def reviewer_actor(reviewer: User) -> Actor:
    return Actor.for_user(reviewer, ip="192.0.2.10")


@pytest.fixture
def senior_actor(senior: User) -> Actor:
    return Actor.for_user(senior, ip="192.0.2.11")


class ApiClient:
    """A Django test client speaking JSON with a bearer key (or none)."""

    def __init__(self, key: str | None = None, ip: str = "198.51.100.7") -> None:
        self.client = Client(REMOTE_ADDR=ip)
        self.key = key

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, body if body is not None else {},
                                content_type="application/json", headers=self._headers(headers))


@pytest.fixture
def api_client_for(db: None) -> Callable[..., ApiClient]:
    """api_client_for(role) -> a client holding a fresh key of that role (None: anonymous)."""

    def make(role: str | None, org: Organization | None = None, ip: str = "198.51.100.7",
             holder: User | None = None) -> ApiClient:
        if role is None:
            return ApiClient(ip=ip)
        if role == Role.AGENCY_OFFICER and org is None:
            org = default_agency()
        if holder is None and permissions_for_role(role) & PERSONAL_PERMS:
            holder = make_user(role, f"{role}-key-holder-{User.objects.count() + 1}", org=org)
        issued = apikey_create(actor=SYSTEM, name=f"{role} key", role=role, organization=org,
                               holder=holder)
        return ApiClient(issued.raw_key, ip=ip)

    return make


@pytest.fixture
def anon_api(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(None)


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def report_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "target_kind": "account",
        "target": "https://www.facebook.com/profile.php?id=100012345678",
        "platform": "facebook",
        "fraud_type": "investment_stock_crypto",
        "description": "Mời đầu tư tiền ảo, chuyển vào STK 0071000123456 Vietcombank, "
                       "gọi 0912 345 678.",
        "good_faith": True,
        "language": "vi",
    }
    payload.update(overrides)
    return payload


def evidence_item(content: bytes | None = None, name: str = "shot.png") -> dict[str, str]:
    return {"filename": name,
            "content_base64": base64.b64encode(content or png_bytes()).decode("ascii")}


@pytest.fixture
def fresh_quota_minute() -> None:
    """Start a test of the API key quota (counted in fixed minutes) with 10 s of its minute
    left at least, so that no minute ends between its calls and resets the count."""
    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.01)


def run_due_jobs() -> None:
    """Run every job that is due now, as `fraudhub worker --batch` would, in the test's
    transaction."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    # The worker drops "old" connections between jobs; inside a test's transaction that
    # would discard the test's own data, so the check is skipped here.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        db_worker.Worker(
            queue_names=["default"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


@pytest.fixture
def drain_jobs() -> Callable[[], int]:
    """Run every job that is due now, as `fraudhub worker` would; returns how many ran."""
    from django_tasks_db.models import DBTaskResult

    def run() -> int:
        before = DBTaskResult.objects.exclude(status="READY").count()
        run_due_jobs()
        failed = DBTaskResult.objects.filter(status="FAILED")
        # A failing job is a failing test, not a silent log line.
        assert not failed.exists(), [
            (f.task_path, f.traceback) for f in failed
        ]
        return DBTaskResult.objects.exclude(status="READY").count() - before

    return run


def filed_now(created: FiledReport | AcceptedReport) -> FiledReport:
    """The report report_create answered with, filed: a report accepted for the worker (a test
    outside a transaction, reports/inbox.py) is filed now, as the worker would."""
    if isinstance(created, FiledReport):
        return created
    from fraudhub.reports.inbox import pending_reports_drain

    assert pending_reports_drain().failed == 0
    report = Report.objects.select_related("target", "case").get(
        tracking_code=created.tracking_code)
    return FiledReport(report=report, secret=created.secret)
