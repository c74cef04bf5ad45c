from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fraudhub.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` exits 0 on an intact chain, 1 naming the first bad entry."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit log intact: {result.checked} entries verified")
            return
        where = f" at entry {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        self.stderr.write(f"audit log BROKEN{where}: {result.problem} "
                          f"({result.checked} entries verified before it)")
        sys.exit(1)
