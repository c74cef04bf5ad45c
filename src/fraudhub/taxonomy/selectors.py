"""The fraud taxonomy is shipped as data (taxonomy/data/fraud_types.json), not edited at run time.

Keys are stable: reports, cases and partners refer to them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "fraud_types.json"
DSA_CATEGORY = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"


@dataclass(frozen=True)
class FraudType:
    key: str
    name_vi: str
    name_en: str
    severity: int  # 1 (nuisance) .. 5 (direct, large financial harm)
    dsa_category: str
    dsa_keyword: str

    def name(self, language: str | None = None) -> str:
        lang = (language or get_language() or "en")[:2]
        return self.name_vi if lang == "vi" else self.name_en


@cache
def _load() -> dict[str, FraudType]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {item["key"]: FraudType(**item) for item in raw["fraud_types"]}


def fraud_type_list() -> list[FraudType]:
    return list(_load().values())


def fraud_type_get(*, key: str) -> FraudType | None:
    return _load().get(key)


def fraud_type_choices() -> list[tuple[str, str]]:
    return [(ft.key, ft.name()) for ft in fraud_type_list()]


GROUNDS_FILE = Path(__file__).resolve().parent / "data" / "policy_grounds.json"
NO_VIOLATION_GROUND = "not_violating"


@dataclass(frozen=True)
class PolicyGround:
    key: str
    name_vi: str
    name_en: str
    dsa_decision_ground: str  # DECISION_GROUND_ILLEGAL_CONTENT / _INCOMPATIBLE_CONTENT / ""
    reference: str

    def name(self, language: str | None = None) -> str:
        lang = (language or get_language() or "en")[:2]
        return self.name_vi if lang == "vi" else self.name_en


@cache
def _load_grounds() -> dict[str, PolicyGround]:
    raw = json.loads(GROUNDS_FILE.read_text(encoding="utf-8"))
    return {item["key"]: PolicyGround(**item) for item in raw["policy_grounds"]}


def policy_ground_list() -> list[PolicyGround]:
    return list(_load_grounds().values())


def policy_ground_get(*, key: str) -> PolicyGround | None:
    return _load_grounds().get(key)
