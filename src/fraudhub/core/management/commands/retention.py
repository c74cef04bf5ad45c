from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.retention import (
    RULES,
    personal_data_due_counts,
    personal_data_erase_due,
    retention_cutoff,
)


class Command(BaseCommand):
    help = ("Personal contact data past its retention (FRAUDHUB_CONTACT_RETENTION_DAYS): "
            "`erase` empties it now, as housekeeping does once a day, and prints how many rows "
            "of each kind lost it; `erase --dry-run` only counts them.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        erase = sub.add_parser("erase", help="empty the contact fields whose retention ended")
        erase.add_argument("--dry-run", action="store_true",
                           help="count what would be erased; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if retention_cutoff(now) is None:
            self.stdout.write("erasure is off (FRAUDHUB_CONTACT_RETENTION_DAYS=0): "
                              "nothing erased")
            return
        if options["dry_run"]:
            counts = personal_data_due_counts(now=now)
            verb = "would erase"
        else:
            counts = personal_data_erase_due(actor=Actor.system("cli"), now=now)
            verb = "erased"
        for rule in RULES:
            fields = ", ".join(rule.fields)
            self.stdout.write(f"{rule.kind}: {verb} {counts[rule.kind]} ({fields})")
