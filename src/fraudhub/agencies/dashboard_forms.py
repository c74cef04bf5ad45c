"""The period (and, for staff, agency) filter of the dashboard and the transparency report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from fraudhub.agencies.stats import PERIOD_FIRST_DAY, PERIOD_LAST_DAY
from fraudhub.core.models import Organization

_PERIOD_DAY = [MinValueValidator(PERIOD_FIRST_DAY), MaxValueValidator(PERIOD_LAST_DAY)]


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, validators=_PERIOD_DAY,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, validators=_PERIOD_DAY,
                              widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.ModelChoiceField(label=_("Agency"), required=False,
                                    queryset=Organization.objects.none(),
                                    empty_label=_("All agencies"))

    def __init__(self, *args: Any, agencies: list[Organization] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            field = self.fields["agency"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Organization.objects.filter(pk__in=[a.pk for a in agencies])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The last day comes before the first."))
        return cleaned
