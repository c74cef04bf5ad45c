from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fraudhub.core.audit import AuditAnchor, audit_anchor_parse, audit_head, audit_verify

# An anchors file is a list of lines a person keeps: far below this.
MAX_ANCHORS_FILE_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = ("Audit log tools. `verify` exits 0 on an intact chain, 1 naming the first bad entry; "
            "`head` prints the newest entry's anchor (SEQ:SHA256) to keep outside the database.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain")
        verify.add_argument("--anchor", action="append", default=[], metavar="SEQ:SHA256",
                            help="an anchor printed earlier by `audit head`: that entry must "
                                 "still carry that hash (repeatable)")
        verify.add_argument("--anchors-file", default="",
                            help="a file of such anchors, one a line (# starts a comment)")
        sub.add_parser("head", help="print the newest entry's anchor, SEQ:SHA256, alone on "
                                    "the last line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            head = audit_head()
            if head is None:
                raise CommandError("the audit log is empty: nothing to anchor yet")
            self.stdout.write(str(head))
            return
        anchors = self._anchors(options["anchor"], options["anchors_file"])
        result = audit_verify(anchors=anchors)
        if result.ok:
            pinned = f", {len(anchors)} anchors match" if anchors else ""
            self.stdout.write(f"audit log intact: {result.checked} entries verified{pinned}")
            return
        where = f" at entry {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        self.stderr.write(f"audit log BROKEN{where}: {result.problem} "
                          f"({result.checked} entries verified before it)")
        sys.exit(1)

    @staticmethod
    def _anchors(given: list[str], path: str) -> list[AuditAnchor]:
        lines = [(f"--anchor {i + 1}", text) for i, text in enumerate(given)]
        if path:
            try:
                if Path(path).stat().st_size > MAX_ANCHORS_FILE_BYTES:
                    raise CommandError(f"--anchors-file {path}: larger than 10 MB")
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"--anchors-file {path}: {exc}") from exc
            for number, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    lines.append((f"{path}:{number}", line))
        anchors = []
        for where, line in lines:
            try:
                anchors.append(audit_anchor_parse(line))
            except ValueError as exc:
                raise CommandError(f"{where}: {exc}") from exc
        return anchors
