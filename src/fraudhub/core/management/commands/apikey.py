from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.errors import DomainError
from fraudhub.core.models import ApiKey, Organization, User
from fraudhub.core.roles import Role
from fraudhub.core.services import apikey_create, apikey_revoke
from fraudhub.core.text import has_unpaired_surrogate

# A century: beyond it a date overflows, and a negative number once meant "never expires".
MAX_EXPIRY_DAYS = 36_500


class Command(BaseCommand):
    help = "Create, list and revoke API keys. A new key is printed once, alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a new key")
        create.add_argument("--name", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--org", default="", help="name of the owner organization "
                                                      "(default: the holder's)")
        create.add_argument("--user", default="",
                            help="username of the person the key acts for; required for keys "
                                 "that may decide cases or appeals (reviewer, senior_reviewer, "
                                 "admin), whose role must allow what the key does")
        create.add_argument("--scopes", default="",
                            help="comma-separated permissions (default: all of the role's)")
        create.add_argument("--expires-days", type=int, default=0,
                            help=f"days until the key expires, 1 to {MAX_EXPIRY_DAYS:,} "
                                 "(default: 0, never)")
        sub.add_parser("list", help="list keys (never their secret)")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("name", "org", "user", "scopes", "prefix"):
            if has_unpaired_surrogate(options.get(name) or ""):
                raise CommandError(f"--{name} is not valid UTF-8 text")
        actor = Actor.system("cli")
        try:
            if options["action"] == "create":
                self._create(actor, options)
            elif options["action"] == "list":
                for key in (ApiKey.objects.select_related("organization", "holder")
                            .order_by("pk")):
                    state = "revoked" if key.revoked_at else "active"
                    org = key.organization.name if key.organization else "-"
                    holder = key.holder.get_username() if key.holder else "-"
                    self.stdout.write(
                        f"{key.prefix}\t{key.name}\t{key.role}\t{org}\t{holder}\t{state}")
            else:
                found = ApiKey.objects.filter(prefix=options["prefix"]).first()
                if found is None:
                    raise CommandError(f"no key with prefix {options['prefix']}")
                apikey_revoke(actor=actor, api_key_id=found.pk)
                self.stdout.write(f"revoked {found.prefix}")
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc

    def _create(self, actor: Actor, options: dict[str, Any]) -> None:
        org = None
        if options["org"]:
            org = Organization.objects.filter(name=options["org"]).first()
            if org is None:
                raise CommandError(f"no organization named {options['org']!r}")
        holder = None
        if options["user"]:
            holder = User.objects.filter(username=options["user"]).first()
            if holder is None:
                raise CommandError(f"no user named {options['user']!r}")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        if not 0 <= options["expires_days"] <= MAX_EXPIRY_DAYS:
            raise CommandError(f"--expires-days must be from 1 to {MAX_EXPIRY_DAYS:,}, "
                               "or 0 for a key that does not expire")
        expires = (timezone.now() + timedelta(days=options["expires_days"])
                   if options["expires_days"] > 0 else None)
        issued = apikey_create(actor=actor, name=options["name"], role=options["role"],
                               organization=org, scopes=scopes, expires_at=expires,
                               holder=holder)
        self.stderr.write(
            f"Created API key {issued.api_key.prefix} ({issued.api_key.role}). "
            "It is shown once; store it now."
        )
        self.stdout.write(issued.raw_key)
