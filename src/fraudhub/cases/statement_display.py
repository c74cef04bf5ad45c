"""A statement of reasons as a reviewer reads it: each DSA field and code in words.

The statement itself (`Decision.statement`, the API's `statement_of_reasons`, the order sent to
the platform) keeps the field names and codes of the DSA transparency database: machines read
it. On the case page each field gets a label and each code its meaning in the reader's
language, and the field name and code stay beside them, since staff cross-check decisions
against the transparency database export.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import pycountry
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fraudhub.taxonomy.selectors import policy_ground_get

FIELD_LABELS: dict[str, Promise] = {
    "decision_visibility": gettext_lazy("Restriction of visibility"),
    "decision_monetary": gettext_lazy("Restriction of payments"),
    "decision_provision": gettext_lazy("Restriction of the service"),
    "decision_account": gettext_lazy("Restriction of the account"),
    "decision_ground": gettext_lazy("Ground of the decision"),
    "illegal_content_legal_ground": gettext_lazy("Law relied on"),
    "incompatible_content_ground": gettext_lazy("Terms and conditions relied on"),
    "ground_key": gettext_lazy("Policy ground"),
    "ground_name_en": gettext_lazy("Policy ground, in English"),
    "ground_name_vi": gettext_lazy("Policy ground, in Vietnamese"),
    "decision_facts": gettext_lazy("Facts and circumstances"),
    "category": gettext_lazy("Category"),
    "category_specification": gettext_lazy("Keywords"),
    "content_type": gettext_lazy("Type of content"),
    "account_type": gettext_lazy("Type of account"),
    "source_type": gettext_lazy("Source of the information"),
    "automated_detection": gettext_lazy("Detected by automated means"),
    "automated_decision": gettext_lazy("Decided by automated means"),
    "application_date": gettext_lazy("Applies from"),
    "end_date": gettext_lazy("Applies until"),
    "territorial_scope": gettext_lazy("Territorial scope"),
    "redress": gettext_lazy("Redress"),
    "appeal_until": gettext_lazy("Appeal until"),
    "puid": gettext_lazy("Identifier of the account or content"),
    "supersedes_decision": gettext_lazy("Replaces decision"),
}

# The codes statements.py writes, and the other keywords of the DSA's scams and fraud category.
CODE_LABELS: dict[str, Promise] = {
    "DECISION_VISIBILITY_CONTENT_REMOVED": gettext_lazy("Content removed"),
    "DECISION_VISIBILITY_CONTENT_DEMOTED": gettext_lazy("Content demoted"),
    "DECISION_VISIBILITY_CONTENT_LABELLED": gettext_lazy("Content labelled"),
    "DECISION_ACCOUNT_SUSPENDED": gettext_lazy("Account suspended"),
    "DECISION_ACCOUNT_TERMINATED": gettext_lazy("Account terminated"),
    "DECISION_GROUND_ILLEGAL_CONTENT": gettext_lazy("Illegal content"),
    "DECISION_GROUND_INCOMPATIBLE_CONTENT": gettext_lazy(
        "Content incompatible with the terms and conditions"),
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": gettext_lazy("Scams and fraud"),
    "KEYWORD_PHISHING": gettext_lazy("Phishing"),
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING": gettext_lazy(
        "Impersonation or account hijacking"),
    "KEYWORD_INAUTHENTIC_ACCOUNTS": gettext_lazy("Inauthentic accounts"),
    "KEYWORD_PYRAMID_SCHEMES": gettext_lazy("Pyramid schemes"),
    "KEYWORD_HIDDEN_ADVERTISEMENT": gettext_lazy("Hidden advertisement"),
    "KEYWORD_OTHER": gettext_lazy("Other scams and fraud"),
    "CONTENT_TYPE_TEXT": gettext_lazy("Text"),
    "CONTENT_TYPE_OTHER": gettext_lazy("Other (an account, page or group)"),
    "ACCOUNT_TYPE_PRIVATE": gettext_lazy("Private person's account"),
    "SOURCE_ARTICLE_16": gettext_lazy("Notice by a user or partner (DSA Art. 16)"),
    "SOURCE_TRUSTED_NOTIFIER": gettext_lazy("Notice by a trusted flagger"),
    "SOURCE_TYPE_OTHER_NOTIFICATION": gettext_lazy("Other notice (an authority)"),
    "AUTOMATED_DECISION_FULLY": gettext_lazy("Fully automated"),
    "AUTOMATED_DECISION_NOT_AUTOMATED": gettext_lazy("Not automated"),
    "REDRESS_INTERNAL_MECHANISM": gettext_lazy("Internal complaint (appeal)"),
    "REDRESS_JUDICIAL": gettext_lazy("Judicial redress (a court)"),
}

_COUNTRY_FIELDS = frozenset({"territorial_scope"})
_DATE_FIELDS = frozenset({"application_date", "end_date"})
_TIME_FIELDS = frozenset({"appeal_until"})


@dataclass(frozen=True)
class StatementValue:
    text: str  # in the reader's language
    code: str = ""  # what the statement holds, when the text is not that


@dataclass(frozen=True)
class StatementRow:
    field: str  # the DSA field name, as stored and exported
    label: str
    values: list[StatementValue]


def statement_rows(statement: dict[str, Any]) -> list[StatementRow]:
    """The statement's filled-in fields, in its order, worded in the active language."""
    rows = []
    for field, value in statement.items():
        if value is None or value == "" or value == []:
            continue
        items = value if isinstance(value, list) else [value]
        label = FIELD_LABELS.get(field)
        rows.append(StatementRow(field=field, label=str(label) if label else field,
                                 values=[_value(field, item) for item in items]))
    return rows


def _value(field: str, value: Any) -> StatementValue:
    if isinstance(value, bool):
        return StatementValue(text=_("Yes") if value else _("No"), code=str(value).lower())
    text = str(value)
    if text in CODE_LABELS:
        return StatementValue(text=str(CODE_LABELS[text]), code=text)
    if field == "ground_key":
        ground = policy_ground_get(key=text)
        return StatementValue(text=ground.name() if ground else text, code=text)
    if field in _COUNTRY_FIELDS:
        return StatementValue(text=_country_name(text), code=text)
    try:
        if field in _DATE_FIELDS:
            shown = formats.date_format(date.fromisoformat(text), "DATE_FORMAT")
            return StatementValue(text=shown, code=text)
        if field in _TIME_FIELDS:
            moment = timezone.localtime(datetime.fromisoformat(text))
            return StatementValue(text=formats.date_format(moment, "DATETIME_FORMAT"),
                                  code=text)
    except ValueError:  # not in ISO form: shown as the statement holds it
        return StatementValue(text=text)
    # A code this page has no words for yet is shown as it is, not hidden.
    return StatementValue(text=text)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _iso3166_catalog((get_language() or "en")[:2]).gettext(country.name)


@cache
def _iso3166_catalog(language: str) -> gettext.NullTranslations:
    # pycountry ships the iso-codes project's translations of country names.
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language],
                               fallback=True)
