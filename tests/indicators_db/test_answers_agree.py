"""The single lookup, the bulk lookup and the scan answer one value alike.

Each has its own fast path (the bulk one formats phone numbers from their digits, reads every
type in one statement, merges the banks of digits alone), so the same database is asked the same
values through all three and the answers compared field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fraudhub.core.roles import Role
from fraudhub.indicators.models import Distribution, IndicatorStatus
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

RESULT_FIELDS = ("type", "value", "display", "status", "confidence", "reporters",
                 "fraud_types", "first_seen", "last_seen")

# What people type, about listed values and absent ones, of every type.
INPUTS = [
    "0912 345 678", "+84 91 234 5678", "(+84) 912-345-678", "0987654321", "+49 30 901820",
    "+1 415 555 2671", "STK 0071000123456 Vietcombank", "0071000123456", "0071000999999",
    "970418:0071000123456", "DE89 3704 0044 0532 0130 00",
    "hxxps://qua-tang[.]vn/nhan", "https://QUA-TANG.vn:443/nhan#x", "https://www.lua-dao.top/a",
    "https://lua-dao.top/", "https://vietcombank.com.vn/", "https://khong-co.example.org/",
    "lua-dao.top", "xn--vitcombank-m7a.com", "Ab.C@Example.com", "t.me/Abc_def",
    "https://www.facebook.com/profile.php?id=1000123", "facebook.com/john.t.me",
    "0x52908400098527886E0F7030069857D2E4169EE7", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL",
    "not a value at all", "",
]


@pytest.fixture
def database() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=7,
                   fraud_types=["fake_police_court"])
    make_indicator("+4930901820", status=IndicatorStatus.VERIFYING)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM, reporters=3)
    make_indicator("970418:0071000123456", status=IndicatorStatus.SUSPICIOUS, reporters=2,
                   fraud_types=["romance_scam"])
    make_indicator("iban:DE89370400440532013000", status=IndicatorStatus.SUSPICIOUS)
    make_indicator("https://qua-tang.vn/nhan", status=IndicatorStatus.SUSPICIOUS)
    make_indicator("lua-dao.top", "domain", status=IndicatorStatus.SCAM)  # the whole site
    make_indicator("vietcombank.com.vn", "domain", status=IndicatorStatus.SAFE)
    make_indicator("ab.c@example.com", status=IndicatorStatus.SUSPICIOUS,
                   distribution=Distribution.PARTNERS)
    make_indicator("telegram:abc_def", status=IndicatorStatus.SCAM)
    make_indicator("facebook:1000123", status=IndicatorStatus.SUSPICIOUS)
    make_indicator("facebook:john.t.me", status=IndicatorStatus.VERIFYING)
    make_indicator("0x52908400098527886E0F7030069857D2E4169EE7", status=IndicatorStatus.SCAM)
    make_indicator("+84987654321", status=IndicatorStatus.SCAM, removed=True)


def _fields(result: dict[str, Any]) -> dict[str, Any]:
    return {name: result[name] for name in RESULT_FIELDS}


@pytest.mark.usefixtures("database")
def test_single_bulk_and_scan_answers_agree(api_client_for: Callable[..., ApiClient]) -> None:
    partner = api_client_for(Role.PARTNER)
    bulk = partner.post("/api/v1/lookup", {"items": [{"value": raw} for raw in INPUTS]})
    assert bulk.status_code == 200
    answered = bulk.json()["results"]
    assert [item["input"] for item in answered] == INPUTS
    statuses = set()
    scanned_alike = 0
    for raw, item in zip(INPUTS, answered, strict=True):
        single = partner.get("/api/v1/lookup", value=raw)
        if not item["valid"]:
            assert single.status_code == 422, raw
            continue
        assert single.status_code == 200, raw
        body = single.json()
        assert item["status"] == body["status"], raw
        if len(body["results"]) == 1:  # the value's row, or its site's (a listed site)
            assert _fields(item) == _fields(body["results"][0]), raw
        else:  # digits alone at several banks: bulk answers once, for all of them
            assert (item["type"], item["value"]) == (body["type"], body["value"]), raw
            assert item["reporters"] == sum(r["reporters"] for r in body["results"]), raw
            assert item["fraud_types"] == sorted({t for r in body["results"]
                                                  for t in r["fraud_types"]}), raw
        statuses.add(item["status"])
        # A message carrying the value (as the only indicator in it) is answered the same.
        scanned = partner.post("/api/v1/scan", {"text": f"Họ bảo chuyển tiền: {raw} nhé"})
        found = {(r["type"], r["value"]): r for r in scanned.json()["indicators"]}
        if (item["type"], item["value"]) in found:
            assert _fields(found[(item["type"], item["value"])]) == _fields(item), raw
            scanned_alike += 1
    # The comparison covered every status, listed and absent values alike.
    assert statuses == {"scam", "suspicious", "verifying", "safe", "no_data"}
    assert sum(not item["valid"] for item in answered) == 2
    assert scanned_alike >= 20, scanned_alike  # most values are found in a message as well


@pytest.mark.usefixtures("database")
def test_what_an_anonymous_caller_may_not_see_is_no_data_everywhere(
        anon_api: ApiClient, api_client_for: Callable[..., ApiClient]) -> None:
    # Partner-only values: a partner's bulk lookup sees them, the public single lookup does not.
    partner = api_client_for(Role.PARTNER)
    [item] = partner.post("/api/v1/lookup", {"items": [{"value": "Ab.C@Example.com"}]}
                          ).json()["results"]
    assert item["status"] == "suspicious"
    assert anon_api.get("/api/v1/lookup", value="Ab.C@Example.com").json()["status"] == \
        "no_data"
