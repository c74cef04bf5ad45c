"""How long until a deadline, or since it passed, in the page's language.

Django's own ``timeuntil``/``timesince`` filters take their units from Django's catalogs, and
Django's Vietnamese catalog translates only the units of older Django versions ("%d day"), not
the ones Django 5 asks for ("%(num)d day"): the console read "còn 1 day, 23 hours". The units
here are ours, so they are in our catalog and checked by tests/core/test_translations.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import ngettext_lazy

register = template.Library()

# Lazy, as Django's own: each is worded when a page is, in its language (the stubs ask for str).
TIME_UNITS = cast("dict[str, str]", {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
})


@register.filter
def time_until(value: datetime | None, now: datetime | None = None) -> str:
    """The time from ``now`` (default: the current time) until ``value``: "1 day, 23 hours"."""
    if value is None:
        return ""
    return timeuntil(value, now, time_strings=TIME_UNITS)


@register.filter
def time_since(value: datetime | None, now: datetime | None = None) -> str:
    """The time from ``value`` until ``now`` (default: the current time)."""
    if value is None:
        return ""
    return timesince(value, now, time_strings=TIME_UNITS)
