"""Forms of the public pages: filing a report, checking it, appealing.

They parse and shape input; the rules (what a valid target is, which files are evidence) are
the services' and come back as DomainError field messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from fraudhub.cases.models import TargetKind
from fraudhub.cases.targets import PLATFORMS
from fraudhub.core.forms import DomainErrorForm, Textarea
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.services import ReportInput
from fraudhub.taxonomy.selectors import fraud_type_choices

# Brand names are not translated; only the catch-all is.
_PLATFORM_NAMES = {
    "facebook": "Facebook", "telegram": "Telegram", "tiktok": "TikTok", "zalo": "Zalo",
    "youtube": "YouTube", "instagram": "Instagram", "x": "X (Twitter)",
}


def _platform_choices() -> list[tuple[str, Any]]:
    return [("", _("Not on a platform / not sure")),
            *((key, _PLATFORM_NAMES.get(key, _("Other"))) for key in PLATFORMS)]


def _fraud_type_choices() -> list[tuple[str, Any]]:
    # A callable, so the names follow the language of each request.
    return [("", _("Choose the kind of fraud")), *fraud_type_choices()]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(DomainErrorForm):
    target_kind = forms.ChoiceField(
        label=_("What are you reporting?"), choices=TargetKind.choices, initial=TargetKind.ACCOUNT,
    )
    target = forms.CharField(
        label=_("Link or identifier"), max_length=2048,
        help_text=_("The profile, page, group or post link, the phone number, the bank "
                    "account or the web address."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false",
                                      "placeholder": "https://www.facebook.com/…"}),
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=_platform_choices, required=False)
    fraud_type = forms.ChoiceField(label=_("Kind of fraud"), choices=_fraud_type_choices)
    description = forms.CharField(
        label=_("What happened?"), max_length=10_000,
        help_text=_("Tell us what the scammer said or did. Include the phone numbers, bank "
                    "accounts and links they used."),
        widget=Textarea(attrs={"rows": 6}),
    )
    evidence = MultipleFileField(
        label=_("Evidence (screenshots or PDF, up to 5 files)"), required=False,
        help_text=_("Images or PDF only. Files are not kept if the form has to be corrected: "
                    "choose them again."),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    reporter_email = forms.CharField(
        label=_("Your e-mail (optional)"), required=False, max_length=254,
        help_text=_("We write to you when the report is decided."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    reporter_name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    good_faith = forms.BooleanField(
        label=_("I confirm in good faith that the information and allegations in this report "
                "are accurate and complete (EU Digital Services Act, Art. 16(2)(d))."),
        required=True,
    )

    def report_input(self, *, language: str) -> ReportInput:
        data = self.cleaned_data
        uploads = [
            EvidenceUpload(name=upload.name or "", content=upload.read())
            for upload in data.get("evidence") or []
        ]
        return ReportInput(
            target_kind=data["target_kind"], target=data["target"], platform=data["platform"],
            fraud_type=data["fraud_type"], description=data["description"],
            good_faith=bool(data["good_faith"]), language=language,
            reporter_email=data["reporter_email"].strip(), reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"], evidence=uploads,
        )


class StatusLookupForm(DomainErrorForm):
    tracking_code = forms.CharField(
        label=_("Tracking code"), max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                      "placeholder": "FH-XXXXX-XXXXX"}),
    )
    secret = forms.CharField(
        label=_("Secret"), max_length=200, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )


class SecretForm(DomainErrorForm):
    secret = forms.CharField(
        label=_("Secret"), max_length=200, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )


class ReporterAppealForm(DomainErrorForm):
    secret = forms.CharField(max_length=200, widget=forms.HiddenInput)
    statement = forms.CharField(
        label=_("Why should the decision be changed?"), max_length=5_000,
        widget=Textarea(attrs={"rows": 5}),
    )


class OwnerAppealForm(DomainErrorForm):
    statement = forms.CharField(
        label=_("Why is the decision wrong?"), max_length=5_000,
        help_text=_("Explain who you are and why your account, page or post does not break "
                    "the rules."),
        widget=Textarea(attrs={"rows": 6}),
    )
    contact_email = forms.CharField(
        label=_("E-mail for the answer (optional)"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
