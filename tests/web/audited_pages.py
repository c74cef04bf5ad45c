"""The pages reached through a link, a decision, a secret or a login, each in the states a person
meets it in (asked, refused, answered), for the accessibility checks.

Each page is built through the real views, as a person gets there: the report filed and decided by
the services, the second factor set up through the login.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.cases.models import Decision
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.models import User
from fraudhub.core.roles import Role
from fraudhub.core.services import apikey_create
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.reports.confirmation import report_confirm_token
from fraudhub.reports.services import FiledReport
from tests.cases.helpers import decide
from tests.conftest import SYSTEM, make_user
from tests.indicators_db.factories import make_indicator
from tests.web.conftest import PASSWORD, current_code, file_web_report

IP = "198.51.100.30"


@dataclass(frozen=True)
class Shown:
    """A page as a person gets it. ``title`` is its English title without the "Error: " of a
    refused form and the site's name; ``opens_on`` the id of what takes the focus when it opens
    ("" for the top of the page)."""

    response: Any
    title: str
    opens_on: str = ""
    refused: bool = False


def client_in(language: str, ip: str = IP) -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.cookies["django_language"] = language
    return client


def _decided(request: pytest.FixtureRequest, outcome: str) -> tuple[FiledReport, Decision]:
    actor: Actor = request.getfixturevalue("reviewer_actor")
    filed = file_web_report(reporter_email="reporter@example.com")
    return filed, decide(actor, filed.report.case_id, outcome=outcome)


def _status(language: str, request: pytest.FixtureRequest) -> Shown:
    filed, _decision = _decided(request, "no_violation")
    code = filed.report.tracking_code
    response = client_in(language).post(f"/report/status/{code}", {"secret": filed.secret})
    return Shown(response, f"Report {code}")


def _appeal(language: str, request: pytest.FixtureRequest, statement: str,
            times: int = 1) -> tuple[Any, str]:
    filed, _decision = _decided(request, "no_violation")
    code = filed.report.tracking_code
    client = client_in(language)
    for _time in range(times):
        response = client.post(f"/report/status/{code}/appeal",
                               {"secret": filed.secret, "statement": statement})
    return response, code


def _appeal_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    response, code = _appeal(language, request, "")
    assert response.status_code == 422
    return Shown(response, f"Report {code}", "error-summary", refused=True)


def _appeal_filed(language: str, request: pytest.FixtureRequest) -> Shown:
    response, code = _appeal(language, request, "It is clearly a scam.")
    assert response.status_code == 201
    return Shown(response, f"Report {code}", "appeal-filed")


def _appeal_again(language: str, request: pytest.FixtureRequest) -> Shown:
    response, code = _appeal(language, request, "It is clearly a scam.", times=2)
    assert response.status_code == 409
    return Shown(response, f"Report {code}", "error-summary", refused=True)


def _appeal_wrong_secret(language: str, request: pytest.FixtureRequest) -> Shown:
    filed, _decision = _decided(request, "no_violation")
    code = filed.report.tracking_code
    response = client_in(language).post(f"/report/status/{code}/appeal",
                                        {"secret": "wrong", "statement": "A scam."})
    assert response.status_code == 404
    return Shown(response, f"Report {code}: enter the secret", "error-summary", refused=True)


def _lookup_not_found(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).post("/report/status/", {"tracking_code": "FH-AAAAA-BBBBB",
                                                            "secret": "wrong"})
    assert response.status_code == 404
    return Shown(response, "Check a report's status", "error-summary", refused=True)


def _owner_token(request: pytest.FixtureRequest) -> str:
    return owner_appeal_token(_decided(request, "suspend")[1])


def _owner(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).get(f"/appeal/{_owner_token(request)}")
    return Shown(response, "Appeal a decision on your account")


def _owner_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).post(f"/appeal/{_owner_token(request)}",
                                        {"statement": "", "contact_email": ""})
    assert response.status_code == 422
    return Shown(response, "Appeal a decision on your account", "error-summary", refused=True)


def _owner_bad_link(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).get("/appeal/forged-token")
    assert response.status_code == 404
    return Shown(response, "Appeal a decision on your account", "error-summary", refused=True)


def _owner_filed(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).post(f"/appeal/{_owner_token(request)}", {
        "statement": "This is my own account.", "contact_email": "owner@example.com"})
    assert response.status_code == 201
    return Shown(response, "Appeal received")


def _confirm_token() -> str:
    return report_confirm_token(file_web_report(reporter_email="reporter@example.com").report)


def _confirm(language: str, request: pytest.FixtureRequest) -> Shown:
    return Shown(client_in(language).get(f"/report/confirm/{_confirm_token()}"),
                 "Confirm your e-mail address")


def _confirmed(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).post(f"/report/confirm/{_confirm_token()}")
    assert response.status_code == 200
    return Shown(response, "E-mail address confirmed", "confirm-answer")


def _confirm_bad_link(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).get("/report/confirm/forged-token")
    assert response.status_code == 404
    return Shown(response, "Confirm your e-mail address", "error-summary", refused=True)


def logged_in(language: str, *, device: bool) -> tuple[Client, str, User]:
    """A reviewer's browser past the password, at the second factor's page."""
    user = make_user(Role.REVIEWER)
    if device:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = client_in(language, ip="192.0.2.50")
    response = client.post("/accounts/login/", {"username": user.username,
                                                "password": PASSWORD})
    assert response.status_code == 302
    return client, response["Location"], user


def _setup(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, _user = logged_in(language, device=False)
    return Shown(client.get(location), "Set up the second factor", "id_code")


def _setup_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, _user = logged_in(language, device=False)
    return Shown(client.post(location, {"code": "12"}), "Set up the second factor",
                 "error-summary", refused=True)


def _setup_wrong_code(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, user = logged_in(language, device=False)
    client.get(location)  # the page makes the device the code is checked against
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(location, {"code": wrong})
    assert response.status_code == 401
    return Shown(response, "Set up the second factor", "error-summary", refused=True)


def _verify(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, _user = logged_in(language, device=True)
    return Shown(client.get(location), "Second factor", "id_code")


def _verify_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, _user = logged_in(language, device=True)
    response = client.post(location, {"code": ""})
    return Shown(response, "Second factor", "error-summary", refused=True)


def _verify_wrong_code(language: str, request: pytest.FixtureRequest) -> Shown:
    client, location, user = logged_in(language, device=True)
    wrong = f"{(int(current_code(TOTPDevice.objects.get(user=user))) + 1) % 1_000_000:06d}"
    response = client.post(location, {"code": wrong})
    assert response.status_code == 401
    return Shown(response, "Second factor", "error-summary", refused=True)


def _locked_out(language: str, request: pytest.FixtureRequest) -> Shown:
    user = make_user(Role.REVIEWER)
    client = client_in(language, ip="192.0.2.99")
    for _attempt in range(6):
        response = client.post("/accounts/login/", {"username": user.username,
                                                    "password": "nope"})
    assert response.status_code == 429
    return Shown(response, "Too many failed logins", "error-summary", refused=True)


def _key_holder(language: str) -> Client:
    client, location, user = logged_in(language, device=True)
    response = client.post(location, {"code": current_code(TOTPDevice.objects.get(user=user))})
    assert response.status_code == 302
    apikey_create(actor=SYSTEM, name="desk script", role=Role.REVIEWER, holder=user)
    return client


def _apikeys(language: str, request: pytest.FixtureRequest) -> Shown:
    return Shown(_key_holder(language).get("/console/api-keys/"), "My API keys")


def _apikeys_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    response = _key_holder(language).post("/console/api-keys/new",
                                          {"name": "", "expires_days": "0", "password": ""})
    assert response.status_code == 422
    return Shown(response, "My API keys", "error-summary", refused=True)


def _apikeys_held_back(language: str, request: pytest.FixtureRequest) -> Shown:
    client = _key_holder(language)
    # One password attempt allowed, and used up by a wrong one: the page says so above the form.
    request.getfixturevalue("settings").FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT = 1
    for password in ("guess", PASSWORD):
        response = client.post("/console/api-keys/new",
                               {"name": "desk script", "expires_days": "30", "password": password})
    assert response.status_code == 429
    return Shown(response, "My API keys", "error-summary", refused=True)


def _delisting_refused(language: str, request: pytest.FixtureRequest) -> Shown:
    response = client_in(language).post("/delisting/", {"value": "0912345678"})
    assert response.status_code == 422
    return Shown(response, "Ask for a listing to be reviewed", "error-summary", refused=True)


def _delisting_done(language: str, request: pytest.FixtureRequest) -> Shown:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=3,
                   fraud_types=["fake_police_court"])
    response = client_in(language).post("/delisting/", {
        "value": "0912345678", "requester_name": "Nguyễn Văn An",
        "requester_email": "an@example.com", "statement": "The number is mine since May."})
    assert response.status_code == 201
    return Shown(response, "Request received")


AUDITED: dict[str, Callable[[str, pytest.FixtureRequest], Shown]] = {
    "status with a decision": _status,
    "status, appeal refused": _appeal_refused,
    "status, appeal filed": _appeal_filed,
    "status, appeal refused as one is open": _appeal_again,
    "status, appeal with a wrong secret": _appeal_wrong_secret,
    "status lookup, not found": _lookup_not_found,
    "owner appeal": _owner,
    "owner appeal refused": _owner_refused,
    "owner appeal, invalid link": _owner_bad_link,
    "owner appeal filed": _owner_filed,
    "e-mail confirmation": _confirm,
    "e-mail confirmed": _confirmed,
    "e-mail confirmation, invalid link": _confirm_bad_link,
    "2FA setup": _setup,
    "2FA setup refused": _setup_refused,
    "2FA setup, wrong code": _setup_wrong_code,
    "2FA verify": _verify,
    "2FA verify refused": _verify_refused,
    "2FA verify, wrong code": _verify_wrong_code,
    "locked out": _locked_out,
    "my API keys": _apikeys,
    "my API keys refused": _apikeys_refused,
    "my API keys, too many password attempts": _apikeys_held_back,
    "delisting refused": _delisting_refused,
    "delisting received": _delisting_done,
}


def totp_secret(user: User) -> str:
    """The key of `user`'s authenticator, as the setup page writes it out."""
    device = TOTPDevice.objects.get(user=user)
    return b32encode(bytes.fromhex(device.key)).decode("ascii")
