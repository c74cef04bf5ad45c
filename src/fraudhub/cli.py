"""The `fraudhub` command: Django's management commands plus FraudHub's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudhub.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = argv if argv is not None else sys.argv[1:]
    # The environment is read here, not inside Django's command runner: it would carry on
    # without settings and fail later with a traceback that does not name the variable.
    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings)
    except ImproperlyConfigured as exc:
        sys.exit(f"fraudhub: {exc}")
    try:
        execute_from_command_line(["fraudhub", *args])
    except DatabaseError as exc:
        if "--traceback" in args:
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        sys.exit(f"fraudhub: the database cannot be used ({type(exc).__name__}: {first_line}).\n"
                 "Is DATABASE_URL right and its server up, and has `fraudhub migrate` been run? "
                 "(--traceback shows where it failed)")


if __name__ == "__main__":
    main()
