"""Forms of the login pages, and what every form shares. They only parse; authentication
happens in the views' callees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fraudhub.core.errors import DomainError
from fraudhub.core.services import API_KEY_NAME_MAX, OWN_APIKEY_MAX_DAYS


class Textarea(forms.Textarea):
    """A text area whose line ends arrive as typed: one LF each.

    Browsers send a text area's line ends as CRLF (HTML's form encoding), while its
    ``maxlength`` counts each as one character: text that fitted the box was refused by the
    field's ``max_length`` ("at most 10000 characters (it has 14998)").
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                      "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown by your app.")},
        widget=forms.TextInput(attrs={
            # one-time-code lets phones offer the code from an SMS or authenticator directly
            "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}",
            "maxlength": "6", "autofocus": True,
        }),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        return code.strip()


class DomainErrorForm(forms.Form):
    """A form that can show a service's DomainError next to the fields it concerns."""

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(None, exc.message)
        for key, messages in exc.field_errors.items():
            # Services name list items with dotted paths ("evidence.2"); the form has one field.
            name = key.split(".", 1)[0]
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class OwnApiKeyForm(DomainErrorForm):
    """A key for oneself (the "My API keys" page): its name, when it expires, and the account's
    password again, so that a session left open or stolen does not mint a long-lived key."""

    name = forms.CharField(
        label=_("Name of the key"), max_length=API_KEY_NAME_MAX,
        help_text=_("What it is for, e.g. the tool or script that will use it."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"), required=False, min_value=1,
        max_value=OWN_APIKEY_MAX_DAYS, initial=90,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Your password"), strip=False,
        help_text=_("Asked again to make a key."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_days"].help_text = _(
            "From 1 to %(max)d days; leave it empty for a key that does not expire."
        ) % {"max": OWN_APIKEY_MAX_DAYS}
