from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fraudhub.agencies.selectors import agencies_list
from fraudhub.agencies.services.organizations import agency_create
from fraudhub.core.actors import Actor
from fraudhub.core.errors import DomainError


class Command(BaseCommand):
    help = "Create and list government agencies (the organizations of agency officers)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a new agency")
        create.add_argument("name")
        create.add_argument("--contact-email", default="",
                            help="where acknowledgements go besides the filing officer")
        sub.add_parser("list", help="list agencies")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for agency in agencies_list():
                self.stdout.write(f"{agency.pk}\t{agency.name}\t{agency.contact_email or '-'}")
            return
        try:
            agency = agency_create(actor=Actor.system("cli"), name=options["name"],
                                   contact_email=options["contact_email"])
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(f"agency {agency.pk} created: {agency.name}")
