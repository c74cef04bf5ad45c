"""Forms of the reviewer console. They parse; the decision rules live in cases.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fraudhub.cases.models import AppealStatus, Outcome
from fraudhub.cases.services.appeals import AppealDecisionInput
from fraudhub.cases.services.decisions import DecisionInput
from fraudhub.cases.services.reporters import DEFAULT_SUSPENSION_DAYS
from fraudhub.core.forms import DomainErrorForm, Textarea
from fraudhub.taxonomy.selectors import policy_ground_list


def _ground_choices() -> list[tuple[str, Any]]:
    # A callable, so the names follow the language of each request.
    return [("", _("Choose the policy or law")),
            *((ground.key, ground.name()) for ground in policy_ground_list())]


def _optional_outcomes() -> list[tuple[str, Any]]:
    return [("", _("Default")), *Outcome.choices]


class DecisionForm(DomainErrorForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    ground = forms.ChoiceField(label=_("Policy ground"), choices=_ground_choices)
    facts = forms.CharField(
        label=_("Facts and circumstances"), max_length=5_000,
        help_text=_("Shown to the reporter and the account owner in the statement of reasons."),
        widget=Textarea(attrs={"rows": 4}),
    )
    days = forms.IntegerField(
        label=_("Days of suspension"), required=False, min_value=1, max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The box says, and the browser checks, the lengths the service accepts (settings).
        low, high = (settings.FRAUDHUB_TEMPORARY_LOCK_MIN_DAYS,
                     settings.FRAUDHUB_TEMPORARY_LOCK_MAX_DAYS)
        days = self.fields["days"]
        days.help_text = _("Only for a temporary suspension: %(low)d to %(high)d days.") % {
            "low": low, "high": high}
        days.widget.attrs.update({"min": low, "max": high})

    def decision_input(self) -> DecisionInput:
        data = self.cleaned_data
        # The days box stays filled in when the reviewer switches to another outcome; it is
        # only meant for a suspension, so it is not sent with anything else.
        days = data.get("days") if data["outcome"] == Outcome.SUSPEND else None
        return DecisionInput(outcome=data["outcome"], ground=data["ground"],
                             facts=data["facts"], days=days)


class AppealDecisionForm(DomainErrorForm):
    outcome = forms.ChoiceField(
        label=_("Appeal decision"),
        choices=[(AppealStatus.UPHELD.value, _("Uphold the decision")),
                 (AppealStatus.REVERSED.value, _("Reverse the decision"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=5_000,
                              widget=Textarea(attrs={"rows": 3}))
    replacement_outcome = forms.ChoiceField(
        label=_("New outcome when reversing"), choices=_optional_outcomes, required=False,
        help_text=_("An owner's appeal defaults to no violation; a reporter's needs an action."),
    )
    replacement_ground = forms.ChoiceField(
        label=_("New policy ground"), choices=_ground_choices, required=False,
    )
    replacement_days = forms.IntegerField(
        label=_("Days of suspension"), required=False, min_value=1, max_value=365,
    )

    def appeal_input(self) -> AppealDecisionInput:
        data = self.cleaned_data
        reversing = data["outcome"] == AppealStatus.REVERSED
        outcome = data.get("replacement_outcome") or None
        return AppealDecisionInput(
            outcome=data["outcome"], reasons=data["reasons"],
            replacement_outcome=outcome if reversing else None,
            replacement_ground=(data.get("replacement_ground") or None) if reversing else None,
            replacement_days=(data.get("replacement_days")
                              if reversing and outcome == Outcome.SUSPEND else None),
        )


class BadFaithForm(DomainErrorForm):
    reason = forms.CharField(label=_("Reason"), max_length=2_000,
                             widget=Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365,
                              initial=DEFAULT_SUSPENSION_DAYS)
