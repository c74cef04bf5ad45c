"""The response document an officer downloads and files: what was asked, what was done, when.

Rendered with fpdf2 and DejaVu Sans (shipped in data/fonts/ with its licence) so Vietnamese
diacritics survive. The language is the filing user's (Vietnamese when unknown).
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from fraudhub.agencies.models import (
    AgencyRequest,
    RefusalReason,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.selectors import agency_request_targets
from fraudhub.cases.models import Outcome
from fraudhub.core.models import User
from fraudhub.core.text import ascii_digits

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
FONT = "DejaVu"
DEFAULT_LANGUAGE = "vi"
# fontTools reports every table it subsets at INFO; that is noise in the server's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

# Target table: (width in mm, header) -- headers are translated at render time.
COLUMNS_MM = (10.0, 52.0, 26.0, 42.0, 26.0, 16.0, 18.0)
ROW_LINE_MM = 4.2
FONT_SIZE_TABLE = 7.5


def _text(value: object) -> str:
    """NFC text (the font has the precomposed Vietnamese letters), control characters dropped."""
    text = unicodedata.normalize("NFC", str(value))
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def _label(choices: type, key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return key


def response_language(request: AgencyRequest) -> str:
    """The filing user's language; Vietnamese for API keys, staff records and unknowns."""
    kind, _sep, pk = request.filed_by.partition(":")
    languages = {code for code, _name in settings.LANGUAGES}
    if kind == "user" and ascii_digits(pk) and len(pk) <= 18:
        language = User.objects.filter(pk=int(pk)).values_list("language", flat=True).first()
        if language in languages:
            return str(language)
    return DEFAULT_LANGUAGE


def _target_detail(item: RequestTarget) -> str:
    parts = []
    if item.refusal_reason:
        parts.append(_label(RefusalReason, item.refusal_reason))
    if item.decision is not None:
        parts.append(_label(Outcome, item.decision.outcome))
    if item.note:
        parts.append(item.note)
    return " — ".join(parts)


def _hours(seconds: int | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f}"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


class ResponseDocument(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(10, 12, 10)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, "", 7)
        self.cell(0, 4, _text(f"{self.footer_text} — {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str, size: float = 11) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def field(self, label: str, value: object) -> None:
        self.set_font(FONT, "B", 9)
        self.cell(48, 5, _text(label))
        self.set_font(FONT, "", 9)
        self.multi_cell(0, 5, _text(value) or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table_header(self, headers: list[str]) -> None:
        self.set_font(FONT, "B", FONT_SIZE_TABLE)
        self.set_fill_color(230, 230, 230)
        self._row(headers, fill=True)
        self.set_font(FONT, "", FONT_SIZE_TABLE)

    def _lines(self, text: str, width: float) -> int:
        if "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin - 0.5:
            return 1  # the common case, without a dry run of the line breaking
        lines = self.multi_cell(width, ROW_LINE_MM, text, dry_run=True, output="LINES")
        return max(1, len(lines)) if isinstance(lines, list) else 1

    def _row(self, cells: list[str], fill: bool = False, headers: list[str] | None = None
             ) -> None:
        """One table row, as tall as its tallest cell; a new page (with the header) first
        when it does not fit."""
        lines = [self._lines(text, width) for text, width in zip(cells, COLUMNS_MM, strict=True)]
        height = max(lines) * ROW_LINE_MM
        if headers is not None and self.get_y() + height > self.page_break_trigger:
            self.add_page()
            self.table_header(headers)
        x, y = self.l_margin, self.get_y()
        for text, width, count in zip(cells, COLUMNS_MM, lines, strict=True):
            self.rect(x, y, width, height, style="DF" if fill else "D")
            self.set_xy(x, y)
            if count == 1:
                # A single line: cell() skips the line breaking that multi_cell() runs.
                self.cell(width, ROW_LINE_MM, text)
            else:
                self.multi_cell(width, ROW_LINE_MM, text, align="L", new_x=XPos.RIGHT,
                                new_y=YPos.TOP)  # justified, short cells gape
            x += width
        self.set_xy(self.l_margin, y + height)

    def table_row(self, cells: list[str], headers: list[str]) -> None:
        self._row([_text(c) for c in cells], headers=headers)


def _platform_name() -> str:
    """The configured name on one line, as printable text: it also goes into the document's
    metadata, which fpdf writes as given (a byte of the environment that is not UTF-8, read as
    a lone surrogate, failed every response; a direction override turned the name around)."""
    return " ".join(_text(settings.FRAUDHUB_PLATFORM_NAME).split()) or "FraudHub"


def _render(request: AgencyRequest, targets: list[RequestTarget]) -> bytes:
    platform = _platform_name()
    generated = timezone.now()
    doc = ResponseDocument(_("Response to request %(number)s, generated %(at)s") % {
        "number": request.number, "at": _when(generated)})
    doc.set_title(_text(_("Response to request %(number)s") % {"number": request.number}))
    doc.set_creator(platform)
    doc.add_page()

    doc.heading(platform, 14)
    doc.heading(_("Response to an authority's request"), 12)
    doc.field(_("Request number"), request.number)
    doc.field(_("Agency"), request.agency.name)
    doc.field(_("Kind"), _label(RequestKind, request.kind))
    doc.field(_("Channel"), _label(RequestChannel, request.channel))
    doc.field(_("Status"), _label(RequestStatus, request.status))
    doc.field(_("Received"), _when(request.received_at))
    doc.field(_("Acknowledged"), _when(request.acknowledged_at))
    doc.field(_("Deadline"), _when(request.deadline))
    doc.field(_("Completed"), _when(request.completed_at))
    doc.ln(2)
    doc.heading(_("Legal basis"))
    doc.field(_("Document number"), request.legal_document_number)
    doc.field(_("Document date"), request.legal_document_date.isoformat())
    doc.field(_("Issuing body"), request.legal_issuing_body)
    doc.field(_("Signed by"), request.legal_signer)
    doc.field(_("Document SHA-256"), request.legal_document_sha256 or _("not received"))
    doc.ln(2)

    doc.heading(_("Targets (%(count)s)") % {"count": len(targets)})
    headers = [_("Line"), _("Target"), _("Outcome"), _("Reason, decision or note"),
               _("Handled at"), _("Time to action (h)"), _("Within deadline")]
    headers = [_text(h) for h in headers]
    doc.table_header(headers)
    for item in targets:
        doc.table_row([
            str(item.line), item.display, _label(TargetOutcome, item.outcome),
            _target_detail(item), _when(item.handled_at), _hours(item.seconds_to_action),
            _yes_no(item.within_deadline),
        ], headers)

    rejected = request.rejected_rows or []
    if rejected:
        doc.ln(3)
        doc.heading(_("Rows not accepted (%(count)s)") % {"count": len(rejected)})
        doc.set_font(FONT, "", 8)
        for row in rejected:
            doc.multi_cell(0, 4.2, _text(_("Line %(line)s: %(value)s — %(error)s") % {
                "line": row.get("line", "?"), "value": row.get("value", ""),
                "error": row.get("error", "")}), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    doc.ln(3)
    doc.set_font(FONT, "", 8)
    doc.multi_cell(0, 4.2, _text(_("Generated %(at)s by %(platform)s.") % {
        "at": _when(generated), "platform": platform}), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(doc.output())


def response_pdf_render(*, request: AgencyRequest) -> bytes:
    """The response document of `request` as PDF bytes, in the filing user's language."""
    targets = agency_request_targets(request=request)  # all of them, not a page
    for item in targets:
        item.request = request  # seconds_to_action reads received_at; no query per row
    with translation.override(response_language(request)):
        return _render(request, targets)
