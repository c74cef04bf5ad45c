"""Forms of the agency portal and the trusted-flagger console.

They parse and shape input; the rules (what a valid request, target or answer is) are the
services', and come back as DomainError field messages placed next to the fields here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from fraudhub.agencies.models import RefusalReason, RequestChannel, RequestKind, TargetOutcome
from fraudhub.agencies.selectors import agencies_list, trusted_flagger_candidates
from fraudhub.agencies.services.outcomes import NOTE_MAX, TargetResponse
from fraudhub.agencies.services.requests import REASON_MAX, LegalBasisInput, RequestInput
from fraudhub.agencies.target_list import RejectedRow, TargetRow, rows_from_csv, rows_from_lines
from fraudhub.core.errors import DomainError
from fraudhub.core.forms import DomainErrorForm, Textarea
from fraudhub.taxonomy.selectors import fraud_type_choices

TARGETS_TEXT_MAX = 1_000_000
TARGETS_CSV_MAX_BYTES = 2 * 1024 * 1024

# Service field names (dotted paths) -> the form field that shows the message.
_SERVICE_FIELDS = {
    "legal_basis.document_number": "document_number",
    "legal_basis.date": "document_date",
    "legal_basis.issuing_body": "issuing_body",
    "legal_basis.signer": "signer",
    "legal_basis.document_pdf": "document_pdf",
    "document_pdf": "document",
}


class MappedErrorForm(DomainErrorForm):
    """Places a service's field messages on this form's fields, by the names above."""

    # A service field that has no field of its own on this form shows on this one.
    fallback_field: str = ""

    def field_for(self, key: str) -> str:
        name = _SERVICE_FIELDS.get(key, key.split(".", 1)[0])
        if name in self.fields:
            return name
        return self.fallback_field if self.fallback_field in self.fields else ""

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(None, exc.message)
        for key, messages in exc.field_errors.items():
            name = self.field_for(key)
            for message in messages:
                self.add_error(name or None, message)


def _fraud_type_choices() -> list[tuple[str, Any]]:
    # A callable, so the names follow the language of each request.
    return [("", _("Choose the kind of fraud")), *fraud_type_choices()]


def _agency_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose the agency")),
            *((str(org.pk), org.name) for org in agencies_list())]


def _read_upload(upload: UploadedFile, limit: int) -> bytes:
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)},
            code="too_large")
    return upload.read()


class RequestForm(MappedErrorForm):
    kind = forms.ChoiceField(label=_("What do you ask the platform to do?"),
                             choices=RequestKind.choices)
    fraud_type = forms.ChoiceField(label=_("Kind of fraud"), choices=_fraud_type_choices)
    reason = forms.CharField(
        label=_("Reason for the request"), max_length=REASON_MAX,
        widget=Textarea(attrs={"rows": 4}),
    )
    document_number = forms.CharField(label=_("Document number"), max_length=100,
                                      widget=forms.TextInput(attrs={"placeholder": "123/CV-A05"}))
    document_date = forms.DateField(
        label=_("Document date"), widget=forms.DateInput(attrs={"type": "date"},
                                                         format="%Y-%m-%d"))
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200)
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    document_pdf = forms.FileField(
        label=_("Signed document (PDF, optional)"), required=False,
        help_text=_("It may follow later from the request's page. Files are not kept if the "
                    "form has to be corrected: choose them again."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    targets = forms.CharField(
        label=_("Targets, one per line"), required=False, max_length=TARGETS_TEXT_MAX,
        help_text=_("Links to accounts, pages, groups or posts; phone numbers; bank accounts; "
                    "web addresses."),
        widget=Textarea(attrs={"rows": 6, "spellcheck": "false",
                                     "autocapitalize": "none"}),
    )
    targets_csv = forms.FileField(
        label=_("Or a CSV file of targets"), required=False,
        help_text=_("A header row with a 'target' column, optional 'kind' and 'platform'; "
                    "or one target per line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    contact_email = forms.CharField(
        label=_("Contact e-mail (optional)"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        if on_behalf:
            self.fields["agency"] = forms.ChoiceField(label=_("Agency"), choices=_agency_choices)
            self.fields["channel"] = forms.ChoiceField(
                label=_("Received by"), choices=RequestChannel.choices,
                initial=RequestChannel.LETTER)
            self.fields["received_at"] = forms.DateTimeField(
                label=_("Received at"), required=False,
                help_text=_("When the letter or call arrived; empty for now."),
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                           format="%Y-%m-%dT%H:%M"))

    fallback_field = "targets"

    def field_for(self, key: str) -> str:
        if key == "targets" and self.cleaned_data.get("targets_csv") is not None:
            return "targets_csv"  # the rows came from the file: say so next to the file
        return super().field_for(key)

    def clean_document_pdf(self) -> bytes | None:
        upload = self.cleaned_data.get("document_pdf")
        if not upload:
            return None
        return _read_upload(upload, settings.FRAUDHUB_AGENCY_DOCUMENT_MAX_BYTES)

    def clean_targets_csv(self) -> str | None:
        upload = self.cleaned_data.get("targets_csv")
        if not upload:
            return None
        content = _read_upload(upload, TARGETS_CSV_MAX_BYTES)
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The CSV file must be UTF-8 text."),
                                        code="encoding") from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool((data.get("targets") or "").strip())
        has_csv = data.get("targets_csv") is not None
        if has_text and has_csv:
            self.add_error("targets_csv", _("Give the targets once: typed in or as a CSV file."))
        elif not has_text and not has_csv and "targets_csv" not in self.errors:
            self.add_error("targets", _("Name at least one target."))
        return data

    def target_rows(self) -> list[TargetRow | RejectedRow]:
        csv_text = self.cleaned_data.get("targets_csv")
        if csv_text is not None:
            return rows_from_csv(csv_text)
        return rows_from_lines(self.cleaned_data.get("targets") or "")

    def request_input(self) -> RequestInput:
        data = self.cleaned_data
        extra: dict[str, Any] = {}
        if self.on_behalf:
            extra = {"agency_id": int(data["agency"]), "channel": data["channel"],
                     "received_at": data.get("received_at")}
        return RequestInput(
            kind=data["kind"], reason=data["reason"], fraud_type=data["fraud_type"],
            legal_basis=LegalBasisInput(
                document_number=data["document_number"], date=data["document_date"],
                issuing_body=data["issuing_body"], signer=data["signer"]),
            targets=self.target_rows(), document_pdf=data.get("document_pdf"),
            contact_email=(data.get("contact_email") or "").strip(), **extra,
        )


class DocumentForm(MappedErrorForm):
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))

    fallback_field = "document"

    def clean_document(self) -> bytes:
        return _read_upload(self.cleaned_data["document"],
                            settings.FRAUDHUB_AGENCY_DOCUMENT_MAX_BYTES)


class AnswerForm(MappedErrorForm):
    answer = forms.CharField(label=_("Your answer"), max_length=NOTE_MAX,
                             widget=Textarea(attrs={"rows": 3}))

    fallback_field = "answer"


class RefuseForm(MappedErrorForm):
    refusal_reason = forms.ChoiceField(label=_("Reason for refusing"),
                                       choices=RefusalReason.choices)
    note = forms.CharField(label=_("Note to the agency"), required=False, max_length=NOTE_MAX,
                           widget=Textarea(attrs={"rows": 2}))

    fallback_field = "note"

    def response(self) -> TargetResponse:
        return TargetResponse(outcome=TargetOutcome.REFUSED,
                              refusal_reason=self.cleaned_data["refusal_reason"],
                              note=self.cleaned_data["note"])


class AskForm(MappedErrorForm):
    note = forms.CharField(label=_("Question to the agency"), max_length=NOTE_MAX,
                           help_text=_("The target's clock stops until the agency answers."),
                           widget=Textarea(attrs={"rows": 2}))

    fallback_field = "note"

    def response(self) -> TargetResponse:
        return TargetResponse(outcome=TargetOutcome.NEEDS_INFORMATION,
                              note=self.cleaned_data["note"])


class RecordForm(MappedErrorForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[
        (TargetOutcome.ACTIONED.value, TargetOutcome.ACTIONED.label),
        (TargetOutcome.PARTIALLY_ACTIONED.value, TargetOutcome.PARTIALLY_ACTIONED.label),
    ])
    note = forms.CharField(label=_("What was done or provided"), max_length=NOTE_MAX,
                           widget=Textarea(attrs={"rows": 2}))

    fallback_field = "note"

    def response(self) -> TargetResponse:
        return TargetResponse(outcome=self.cleaned_data["outcome"],
                              note=self.cleaned_data["note"])


RESPONSE_FORMS: dict[str, type[RefuseForm | AskForm | RecordForm]] = {
    "refuse": RefuseForm, "ask": AskForm, "record": RecordForm,
}


def _candidate_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose the organization")),
            *((str(org.pk), f"{org.name} ({org.get_kind_display()})")
              for org in trusted_flagger_candidates())]


class FlaggerGrantForm(MappedErrorForm):
    organization = forms.ChoiceField(label=_("Organization"), choices=_candidate_choices)

    fallback_field = "organization"


class FlaggerSuspendForm(MappedErrorForm):
    reason = forms.CharField(label=_("Reason for the suspension"), max_length=2_000,
                             widget=Textarea(attrs={"rows": 2}))

    fallback_field = "reason"
