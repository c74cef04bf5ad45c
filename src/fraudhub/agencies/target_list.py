"""Reading the target list of a request, row by row: one bad row never sinks the others.

A list comes as a JSON array (strings, or objects with `target`, optional `kind` and
`platform`) or as CSV text (a header row with a `target` column, optional `kind` and
`platform`; or a plain list, one target per line). Each accepted row is canonicalized as the
core intake does, so an authority's request and citizens' reports about one account meet in one
case; each refused row is kept with its line number and the reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fraudhub.agencies.models import RequestKind
from fraudhub.cases.models import TargetKind
from fraudhub.cases.targets import PLATFORMS, CanonicalTarget, canonicalize_target
from fraudhub.core.errors import ValidationFailed
from fraudhub.indicators.types import InvalidIndicator, canonicalize

RAW_MAX = 1024
# A CSV line holds a target, a kind and a platform: anything much longer is not a target row.
LINE_MAX = 4 * RAW_MAX
CSV_COLUMNS = ("target", "kind", "platform")

# The indicator type a guessed value has, as the kind of target it is.
_KIND_OF_TYPE = {
    "phone": TargetKind.PHONE,
    "bank_account": TargetKind.BANK_ACCOUNT,
    "url": TargetKind.URL,
    "domain": TargetKind.URL,
    "email": TargetKind.EMAIL,
    "crypto_wallet": TargetKind.CRYPTO_WALLET,
}
_ACCOUNT_KINDS_FOR_SUSPENSION = (TargetKind.ACCOUNT, TargetKind.PAGE, TargetKind.GROUP)


@dataclass(frozen=True)
class TargetRow:
    line: int
    target: str
    kind: str = ""
    platform: str = ""


@dataclass(frozen=True)
class AcceptedTarget:
    line: int
    raw: str
    canonical: CanonicalTarget


@dataclass(frozen=True)
class RejectedRow:
    line: int
    value: str
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "value": self.value, "error": self.error}


@dataclass(frozen=True)
class TargetList:
    accepted: list[AcceptedTarget]
    rejected: list[RejectedRow]


def rows_from_json(items: Iterable[Any]) -> list[TargetRow | RejectedRow]:
    """Items of a JSON array; line numbers count from 1 as a person reads the array."""
    rows: list[TargetRow | RejectedRow] = []
    for line, item in enumerate(items, start=1):
        if isinstance(item, str):
            rows.append(TargetRow(line=line, target=item))
        elif isinstance(item, Mapping) and isinstance(item.get("target"), str):
            rows.append(TargetRow(
                line=line, target=item["target"], kind=str(item.get("kind") or ""),
                platform=str(item.get("platform") or ""),
            ))
        else:
            rows.append(RejectedRow(line=line, value=str(item)[:200],
                                    error=_("Expected a string or an object with 'target'.")))
    return rows


def rows_from_csv(text: str) -> list[TargetRow | RejectedRow]:
    """CSV rows, numbered by their line in the file (the header is line 1).

    A line far longer than any target is rejected on its own before the csv module sees it
    (past its field limit it would stop reading), so the rows after it still count.
    """
    # Line ends of every system: "\r\n", "\n" and the bare "\r" of old Mac exports, which the
    # csv module refuses in an unquoted field.
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows: list[TargetRow | RejectedRow] = []
    for number, physical in enumerate(lines, start=1):
        if len(physical) > LINE_MAX:
            rows.append(RejectedRow(line=number, value=physical[:200],
                                    error=_("Longer than %(n)d characters.") % {"n": LINE_MAX}))
            lines[number - 1] = ""
    if not any(line.strip() for line in lines):
        return rows
    try:
        header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]), [])]
    except csv.Error:
        header = []  # not a header: the reader below rejects the line with its reason
    has_header = "target" in header
    twice = sorted({name for name in ("target", "kind", "platform") if header.count(name) > 1})
    if has_header and twice:
        # Which of two `target` columns names the target? Neither is taken as the one.
        raise ValidationFailed(
            _("The CSV file's header names a column twice."),
            field_errors={"targets_csv": [
                _("The header names %(columns)s more than once; name each column once.")
                % {"columns": ", ".join(twice)}]})
    reader = csv.reader(io.StringIO("\n".join(lines)))
    index = -1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # An unclosed quote swallowing the rest of the file, say: the rows so far stand.
            rows.append(RejectedRow(line=reader.line_num, value="", error=_(
                "The CSV file cannot be read from this line on: %(e)s") % {"e": exc}))
            break
        index += 1
        line = reader.line_num
        if has_header and index == 0:
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if has_header:
            record = dict(zip(header, cells, strict=False))
            rows.append(TargetRow(line=line, target=record.get("target", ""),
                                  kind=record.get("kind", ""),
                                  platform=record.get("platform", "")))
        else:
            rows.append(TargetRow(line=line, target=cells[0],
                                  kind=cells[1] if len(cells) > 1 else "",
                                  platform=cells[2] if len(cells) > 2 else ""))
    rows.sort(key=lambda row: row.line)
    return rows


def rows_from_lines(text: str) -> list[TargetRow | RejectedRow]:
    """One target per line, as typed into the portal's box."""
    return [TargetRow(line=n, target=value.strip())
            for n, value in enumerate(text.splitlines(), start=1) if value.strip()]


def guess_kind(raw: str, platform: str, request_kind: str) -> str:
    """The kind of a target the agency did not name: from its shape, else from the request."""
    try:
        type_key, canonical = canonicalize(raw.strip())
    except InvalidIndicator:
        type_key, canonical = "", ""
    if type_key == "social_account":
        if ":group/" in canonical:
            return TargetKind.GROUP
        if ":page/" in canonical:
            return TargetKind.PAGE
        return TargetKind.ACCOUNT
    if type_key in _KIND_OF_TYPE:
        return _KIND_OF_TYPE[type_key]
    if platform or request_kind == RequestKind.SUSPEND_ACCOUNT:
        return TargetKind.ACCOUNT  # a bare handle: the platform says where it lives
    return ""


def _accept(row: TargetRow, request_kind: str) -> AcceptedTarget | RejectedRow:
    raw = row.target.strip()
    if not raw:
        return RejectedRow(row.line, "", _("Empty target."))
    if "\x00" in raw or "\x00" in row.kind or "\x00" in row.platform:
        return RejectedRow(row.line, raw[:200].replace("\x00", ""),
                           _("Contains a NUL character, which is not allowed."))
    if len(raw) > RAW_MAX:
        return RejectedRow(row.line, raw[:200], _("Longer than %(n)d characters.") % {"n": RAW_MAX})
    platform = row.platform.strip().lower()
    if platform and platform not in PLATFORMS:
        return RejectedRow(row.line, raw[:200], _("Unknown platform %(p)s; one of: %(all)s")
                           % {"p": platform[:40], "all": ", ".join(PLATFORMS)})
    kind = row.kind.strip().lower() or guess_kind(raw, platform, request_kind)
    if not kind:
        return RejectedRow(row.line, raw[:200],
                           _("Cannot tell what this is; give its kind or a full link."))
    if kind not in TargetKind.values:
        return RejectedRow(row.line, raw[:200], _("Unknown kind %(k)s; one of: %(all)s")
                           % {"k": kind[:40], "all": ", ".join(TargetKind.values)})
    if request_kind == RequestKind.SUSPEND_ACCOUNT and kind not in _ACCOUNT_KINDS_FOR_SUSPENSION:
        return RejectedRow(row.line, raw[:200],
                           _("Only an account, page or group can be suspended."))
    try:
        canonical = canonicalize_target(kind=kind, raw=raw, platform=platform)
    except ValidationFailed as exc:
        reasons = [m for messages in exc.field_errors.values() for m in messages]
        return RejectedRow(row.line, raw[:200], "; ".join(reasons) or exc.message)
    return AcceptedTarget(line=row.line, raw=raw, canonical=canonical)


def target_list_read(rows: Iterable[TargetRow | RejectedRow], *, request_kind: str) -> TargetList:
    """Accept what canonicalizes; a target named twice is one target (its first line)."""
    accepted: list[AcceptedTarget] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        result = row if isinstance(row, RejectedRow) else _accept(row, request_kind)
        if isinstance(result, RejectedRow):
            rejected.append(result)
            continue
        key = (result.canonical.indicator_type, result.canonical.canonical)
        if key in seen:
            rejected.append(RejectedRow(result.line, result.raw[:200],
                                        _("Same target as line %(n)d.") % {"n": seen[key]}))
            continue
        seen[key] = result.line
        accepted.append(result)
    return TargetList(accepted=accepted, rejected=rejected)
