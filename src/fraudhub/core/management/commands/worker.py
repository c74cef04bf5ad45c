from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from fraudhub.core.housekeeping import run_housekeeping

logger = logging.getLogger("fraudhub.worker")


class Command(BaseCommand):
    help = "Run background jobs (enforcement deliveries, e-mails) and periodic housekeeping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between polls for new jobs")
        parser.add_argument("--housekeeping-every", type=float, default=60.0)
        parser.add_argument("--batch", action="store_true",
                            help="run the jobs that are due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            try:
                run_housekeeping()
            except Exception:  # the due jobs still run, as in the continuous loop below
                logger.exception("housekeeping failed")
            finally:
                close_old_connections()
            call_command("db_worker", batch=True, interval=0, startup_delay=False)
            return
        stop = threading.Event()

        def housekeeping_loop() -> None:
            while not stop.is_set():
                try:
                    run_housekeeping()
                except Exception:  # the loop must survive a failed round
                    logger.exception("housekeeping failed")
                finally:
                    close_old_connections()
                stop.wait(options["housekeeping_every"])

        thread = threading.Thread(target=housekeeping_loop, name="housekeeping", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=options["interval"])
        finally:
            stop.set()
            time.sleep(0)
