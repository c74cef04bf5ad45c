"""Checking evidence files by their content, never by their name or claimed type."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from fraudhub.core.errors import PayloadTooLarge, ValidationFailed

# Magic numbers of the formats we accept: (prefix, content type, extension).
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
]
Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs


@dataclass(frozen=True)
class EvidenceUpload:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedEvidence:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def _sniff(content: bytes) -> tuple[str, str] | None:
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    for prefix, content_type, extension in _SIGNATURES:
        if content.startswith(prefix):
            return content_type, extension
    return None


def _image_is_whole(content: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def check_evidence(files: list[EvidenceUpload]) -> list[CheckedEvidence]:
    max_files = settings.FRAUDHUB_EVIDENCE_MAX_FILES
    max_bytes = settings.FRAUDHUB_EVIDENCE_MAX_BYTES
    if len(files) > max_files:
        raise ValidationFailed(
            _("Too many evidence files."),
            field_errors={"evidence": [_("At most %(n)d files.") % {"n": max_files}]},
        )
    checked: list[CheckedEvidence] = []
    for index, upload in enumerate(files):
        name = upload.name.replace("\x00", "")[:255] or f"evidence-{index + 1}"
        if len(upload.content) > max_bytes:
            raise PayloadTooLarge(
                _("Evidence file %(name)s is larger than %(size)s.")
                % {"name": name, "size": filesizeformat(max_bytes)},
                field_errors={f"evidence.{index}": [_("File too large.")]},
            )
        if not upload.content:
            raise ValidationFailed(_("An evidence file is empty."),
                                   field_errors={f"evidence.{index}": [_("Empty file.")]})
        sniffed = _sniff(upload.content)
        if sniffed is None or (
            sniffed[0].startswith("image/") and not _image_is_whole(upload.content)
        ):
            raise ValidationFailed(
                _("Evidence must be an image (PNG, JPEG, GIF, WebP) or a PDF."),
                field_errors={f"evidence.{index}": [
                    _("%(name)s is not an image or PDF.") % {"name": name}
                ]},
            )
        checked.append(CheckedEvidence(
            name=name, content=upload.content, content_type=sniffed[0], extension=sniffed[1],
            sha256=hashlib.sha256(upload.content).hexdigest(),
        ))
    return checked
