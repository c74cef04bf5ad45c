from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn import glogging

from fraudhub.core.db import limit_server_statements
from fraudhub.core.logfilters import redact
from fraudhub.core.warmup import process_warm_up
from fraudhub.indicators.native import install as indicator_code

logger = logging.getLogger(__name__)

# A bulk lookup or a scan batch allocates thousands of short-lived objects; with the default
# threshold (700) the cyclic collector ran dozens of times per call, walking every module
# object too. Measured in-process on 1,000-value bulk lookups: +9 % values per second.
GC_GENERATION0_THRESHOLD = 20_000

# Every thread keeps its own database connection open (CONN_MAX_AGE): by default the server
# stays within this many, below PostgreSQL's default max_connections (100) with room for the
# job workers, the CLI and psql.
DEFAULT_CONNECTION_BUDGET = 64
MAX_DEFAULT_THREADS = 16
MIN_DEFAULT_THREADS = 4

# Where gunicorn keeps each process's heartbeat file, when the machine has it (Linux: tmpfs).
HEARTBEAT_DIR = "/dev/shm"  # noqa: S108 -- a directory only gunicorn's own temporary files use


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, whose access lines go through the same masking as the server's own
    log: an owner's appeal link (`/appeal/<token>`) in a request line or a referrer would
    otherwise let whoever reads the log appeal in the owner's name."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any],
              request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in found.items()}


def heartbeat_dir(candidate: str = HEARTBEAT_DIR) -> str | None:
    """The directory for gunicorn's heartbeat files: ``candidate`` when it is a writable
    directory, else None (gunicorn's default, the system's temporary directory).

    Every server process updates its heartbeat file's times after each batch of requests
    (gunicorn's own documentation advises a memory-backed directory for it). On a disk-backed
    /tmp that is an inode write that can wait behind the database's writes to the same disk:
    in a profile of single lookups on SQLite, a server process's event loop was found in it in
    5% of the samples (211 of 4,138), against 1% (40 of 3,595) with /dev/shm. It waits rather
    than computes: answers per CPU-second did not change.
    """
    return candidate if os.path.isdir(candidate) and os.access(candidate, os.W_OK) else None


def _worker_exit(server: Any, worker: Any) -> None:
    """A server process that stops writes the rate-limit counts it held in memory, so that a
    restart (a deployment, gunicorn replacing a worker) does not hand out a window again."""
    from django.db import connections

    from fraudhub.core.ratelimit import rate_limit_counts_flush

    try:
        rate_limit_counts_flush()
    except Exception:  # the store may be gone at shutdown; a stopping process must still stop
        logger.warning("rate limit counts not written at exit", exc_info=True)
    finally:
        connections.close_all()


def _tcp_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port (0-65535): {text[:20]!r}")
    return port


def _ensure_port_free(host: str, port: int) -> None:
    """Refuse a port that something listens on already.

    With a socket per process, gunicorn's parent binds nothing: a taken port would make every
    process fail and be started again, forever; and another server that also set SO_REUSEPORT
    (an old `fraudhub serve` still running) would silently share the connections. A probe
    bound without SO_REUSEPORT fails in both cases.
    """
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                           socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def server_shape(*, cores: int, sqlite: bool, workers: int = 0, threads: int = 0
                 ) -> tuple[int, int]:
    """(processes, threads per process): the ones asked for, or the defaults for this machine.

    Threads let concurrent single reports be filed in one transaction (reports/combined.py):
    measured with bench/intake.py (16 connections, 2 cores), 2 processes of 16 threads filed
    244 reports/s (4 per transaction) where 4 processes of 1 thread filed 124, and answered
    /healthz as fast (1,599/s against 1,641/s). Python runs one thread of a process at a time,
    so there is one process per core; on many cores, fewer threads each keep the connections
    within DEFAULT_CONNECTION_BUDGET.
    """
    if sqlite:
        # One writer at a time anyway; fewer processes mean less lock contention.
        return workers or 2, threads or 4
    workers = workers or max(1, cores)
    default_threads = max(MIN_DEFAULT_THREADS,
                          min(MAX_DEFAULT_THREADS, DEFAULT_CONNECTION_BUDGET // workers))
    return workers, threads or default_threads


class Command(BaseCommand):
    help = "Serve FraudHub with gunicorn (production WSGI server), optionally with a job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=_tcp_port, default=8000)
        parser.add_argument("--workers", type=int, default=0,
                            help="server processes (default: one per core; 2 on SQLite)")
        parser.add_argument("--threads", type=int, default=0,
                            help="threads per process (default on PostgreSQL: 16, fewer on "
                                 "more than 4 cores to stay within 64 database connections; "
                                 "4 on SQLite)")
        parser.add_argument("--no-access-log", action="store_true",
                            help="do not log every request (for benchmarks)")
        parser.add_argument(
            "--reuse-port", action=argparse.BooleanOptionalAction, default=True,
            help="one listening socket per server process, among which the kernel spreads new "
                 "connections (default); --no-reuse-port: one socket shared by all processes")
        parser.add_argument("--with-worker", action="store_true",
                            help="also run `fraudhub worker` for background jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from fraudhub.wsgi import application

        if options["reuse_port"]:
            if options["port"] == 0:
                # Every process would bind a port of its own choosing.
                raise CommandError("--port 0 needs --no-reuse-port")
            _ensure_port_free(options["host"], options["port"])
        workers, threads = server_shape(
            cores=multiprocessing.cpu_count(),
            sqlite=settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
            workers=options["workers"], threads=options["threads"])
        config = {
            "bind": f"{options['host']}:{options['port']}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None if options["no_access_log"] else "-",
            "errorlog": "-",
            "logger_class": RedactingLogger,
            "timeout": 60,
            "graceful_timeout": 20,
            "limit_request_line": 8190,
            "worker_exit": _worker_exit,
            # With one shared socket, the process that wakes first often accepts every
            # connection waiting: a client or proxy that opens its few keep-alive connections at
            # once had them all served by one process, on one of two cores (bench/lookup.py
            # phases at 1.06 cores). With a socket per process the kernel spreads them by
            # address hash (not by load: docs/operations.md).
            "reuse_port": options["reuse_port"],
            "worker_tmp_dir": heartbeat_dir(),
        }

        class FraudHubServer(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        worker: subprocess.Popen[bytes] | None = None
        if options["with_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "fraudhub.cli", "worker"], env=os.environ.copy()
            )
        limit_server_statements(statement_seconds=settings.FRAUDHUB_DB_STATEMENT_TIMEOUT_SECONDS,
                                lock_seconds=settings.FRAUDHUB_DB_LOCK_TIMEOUT_SECONDS)
        # Everything imported and built so far lives as long as the server: the forked workers
        # share it, and the collector no longer walks it (nor copies its pages by touching them).
        process_warm_up()
        gc.collect()
        gc.freeze()
        _gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(GC_GENERATION0_THRESHOLD, gen1, gen2)
        self.stdout.write(f"FraudHub listening on http://{options['host']}:{options['port']}/ "
                          f"({workers} processes of {threads} threads; "
                          f"{indicator_code().describe()})")
        if worker is None and settings.FRAUDHUB_INTAKE_DEFERRED:
            self.stdout.write("Reports are answered here and filed into their cases by "
                              "`fraudhub worker`: run one beside this server (or serve "
                              "--with-worker).")
        self.stdout.flush()  # before gunicorn's own output, also when stdout is a file
        try:
            FraudHubServer().run()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=20)
