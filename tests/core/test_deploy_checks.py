"""`fraudhub check --deploy` warns about settings that leak personal data or break production."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from pytest_django import Settings

SAFE: dict[str, Any] = {
    "DEBUG": False,
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "FRAUDHUB_BASE_URL": "https://fraudhub.example.org",
    "FRAUDHUB_REQUIRE_2FA": True,
    "FRAUDHUB_RATE_LIMITER": "fraudhub.core.ratelimit.DatabaseRateLimiter",
    "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    "FRAUDHUB_PLATFORM_ADAPTER": "local",
}
OURS = ("fraudhub.core.W001", "fraudhub.core.W002", "fraudhub.core.W003", "fraudhub.core.W004",
        "fraudhub.core.W005", "fraudhub.cases.W001")


def _tasks(backend: str) -> dict[str, Any]:
    return {"default": {"BACKEND": backend, "QUEUES": ["default"]}}


UNSAFE = [
    ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "fraudhub.core.W001"),
    ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "fraudhub.core.W001"),
    ("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend", "fraudhub.core.W001"),
    ("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend", "fraudhub.core.W001"),
    ("FRAUDHUB_BASE_URL", "http://127.0.0.1:8000", "fraudhub.core.W002"),
    ("FRAUDHUB_BASE_URL", "http://fraudhub.example.org", "fraudhub.core.W002"),
    ("FRAUDHUB_BASE_URL", "https://", "fraudhub.core.W002"),
    ("FRAUDHUB_REQUIRE_2FA", False, "fraudhub.core.W003"),
    ("FRAUDHUB_RATE_LIMITER", "fraudhub.core.ratelimit.NullRateLimiter", "fraudhub.core.W004"),
    ("TASKS", _tasks("django_tasks.backends.immediate.ImmediateBackend"), "fraudhub.core.W005"),
    ("TASKS", _tasks("django_tasks.backends.dummy.DummyBackend"), "fraudhub.core.W005"),
    ("FRAUDHUB_PLATFORM_ADAPTER", "recording", "fraudhub.cases.W001"),
]


def _our_warnings(settings: Settings, **changed: Any) -> list[str]:
    for name, value in {**SAFE, **changed}.items():
        setattr(settings, name, value)
    return [message.id for message in run_checks(include_deployment_checks=True)
            if message.id in OURS]


def test_the_safe_settings_get_none_of_the_warnings(settings: Settings) -> None:
    assert _our_warnings(settings) == []


@pytest.mark.parametrize(("name", "value", "warning"), UNSAFE,
                         ids=[f"{name}={value}" for name, value, _w in UNSAFE])
def test_each_unsafe_setting_gets_its_warning(
        settings: Settings, name: str, value: Any, warning: str) -> None:
    assert _our_warnings(settings, **{name: value}) == [warning]


def test_the_warnings_are_for_deployment_only(settings: Settings) -> None:
    unsafe = {name: value for name, value, _warning in UNSAFE}
    for name, value in {**SAFE, **unsafe}.items():
        setattr(settings, name, value)

    assert not [m for m in run_checks() if m.id in OURS]


def test_debug_leaves_them_to_django_s_own_warning(settings: Settings) -> None:
    unsafe = {name: value for name, value, _warning in UNSAFE}

    found = _our_warnings(settings, **unsafe, DEBUG=True)

    assert found == []
    assert "security.W018" in [m.id for m in run_checks(include_deployment_checks=True)]


def test_the_messages_name_the_setting_to_change(settings: Settings) -> None:
    unsafe = {name: value for name, value, _warning in UNSAFE}
    for name, value in {**SAFE, **unsafe}.items():
        setattr(settings, name, value)

    messages = {m.id: f"{m.msg} {m.hint}" for m in run_checks(include_deployment_checks=True)
                if m.id in OURS}

    assert sorted(messages) == sorted(OURS)
    assert "FRAUDHUB_EMAIL_BACKEND" in messages["fraudhub.core.W001"]
    assert "server's log" in messages["fraudhub.core.W001"]
    assert "FRAUDHUB_BASE_URL" in messages["fraudhub.core.W002"]
    assert "FRAUDHUB_REQUIRE_2FA" in messages["fraudhub.core.W003"]
    assert "FRAUDHUB_RATE_LIMITER" in messages["fraudhub.core.W004"]
    assert "FRAUDHUB_TASKS_BACKEND" in messages["fraudhub.core.W005"]
    assert "FRAUDHUB_PLATFORM_ADAPTER" in messages["fraudhub.cases.W001"]
