#!/usr/bin/env python3
"""Lookup benchmark: the national indicator database at 1M and 10M values, SQLite and PostgreSQL.

For every database (``--databases sqlite,postgres``) and size (``--sizes 1000000,10000000``;
``--quick``: 100,000 only) it

1. loads a synthetic but realistic mix of indicators with ``fraudhub indicators import`` (CSV
   files generated once: Vietnamese mobile numbers, bank accounts at the real NAPAS BINs of the
   shipped bank table, scam URLs and domains, Facebook/Telegram/TikTok/Zalo/YouTube/Instagram/X
   accounts, e-mail addresses, ETH/BTC/TRON wallets; typed rows and raw user formats, a little
   junk that lands in the rejects). Sizes are reached incrementally: the 10M step imports 9M
   more rows into the database that holds the first 1M. Prints import rows per second;
2. starts ``fraudhub serve ... --no-access-log`` on 127.0.0.1 and measures, in the same run:
   ``GET /healthz`` (trivial endpoint) and single ``GET /api/v1/lookup?value=`` (half hits,
   half misses, raw user formats, type guessed) in turn (``--rounds``: the median ratio of the
   rounds is read), bulk ``POST /api/v1/lookup`` of 1,000 values per
   call, ``POST /api/v1/scan`` of 200-character messages and ``POST /api/v1/scan/batch`` of 100
   such messages per call (API key of role partner), the
   server's CPU time per phase (per-core figures; per process too: a phase in which one
   process got under a third of another's CPU is marked UNBALANCED and measured once more on
   new connections; still UNBALANCED, it makes the step UNSTEADY when it is /healthz or a
   single-lookup phase) and the peak memory (RSS and PSS)
   of all its processes, from /proc;
3. always stops the server; prints ratios and PASS/FAIL against the targets of issue 3.

Run it with the project's interpreter from the repository root::

    .venv/bin/python bench/lookup.py --quick
    .venv/bin/python bench/lookup.py --sizes 1000000 --databases sqlite,postgres
    .venv/bin/python bench/lookup.py                     # 1M and 10M on both: about an hour
    .venv/bin/python bench/lookup.py --quick --redis-url redis://127.0.0.1:6379/0

By default the server counts rate limits and API key quotas in the database, as the production
recipe of docs/configuration.md runs it; ``--redis-url`` runs it with FRAUDHUB_REDIS_URL set
(Redis limiter and cache). Which one was used is printed with the figures.

The PostgreSQL database (``--database-url``, default ``fraudhub_bench_lookup``) is dropped and
recreated; the SQLite database, the CSV files and the server logs live in a temporary directory
(``--data-dir``), removed at the end unless ``--keep-data``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg
from _common import (
    HOST,
    build_request,
    fraudhub_command,
    free_port,
    ms,
    recreate_postgres,
    running_server,
    server_banner,
)
from lookup_data import (
    BULK_SIZE,
    SCAN_BATCH_SIZE,
    Dataset,
    Workload,
    generate,
    make_workload,
)
from lookup_load import MemoryWatch, Phase, group_pids, hwm_bytes, run_phase

AGENT = "fraudhub-bench-lookup/1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fraudhub_bench_lookup"
RATE_LIMIT = 1_000_000_000  # anonymous lookups and API key quota: out of the way, still counted
TARGET_SINGLE_RATIO = 0.70
TARGET_LATENCY_GROWTH = 1.3
TARGET_BULK_VALUES = 50_000
TARGET_SCAN_PER_CORE = 2_000
# Two runs of /healthz in one step that differ more than this (the slower below this share of
# the faster) mean the machine changed speed during the step: its ratio is not trusted.
UNSTEADY_HEALTHZ = 0.75
UNSTEADY_NOTE = (f" (UNSTEADY: in more than half the rounds the two /healthz runs differ by "
                 f"more than {1 - UNSTEADY_HEALTHZ:.0%}, or a phase was UNBALANCED; run again)")

# ------------------------------------------------------------------------------------------
# Databases, commands and the server
# ------------------------------------------------------------------------------------------


def database_size(database: str, url: str, sqlite_path: Path) -> int:
    if database == "sqlite":
        return sum(p.stat().st_size for p in sqlite_path.parent.glob(sqlite_path.name + "*"))
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


def checkpoint(url: str) -> None:
    """Have PostgreSQL write the import out before the phases (printed with its duration).

    Right after a 9M-row import the server still holds gigabytes of dirty pages; its next
    checkpoint would write them during a phase and measure the disk instead of the lookups
    (a 10M single-lookup phase on 2026-12-04 kept one core busy while it ran). A server that has
    been answering for a while is past that.
    """
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    print(f"  checkpoint: PostgreSQL wrote the import out in {time.perf_counter() - started:.1f} s")


def run_command(cmd: list[str], env: dict[str, str], log: TextIO) -> str:
    found = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    log.write(f"$ {' '.join(cmd)}\n{found.stdout}{found.stderr}\n")
    log.flush()
    if found.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed ({found.returncode}): "
                           f"{found.stderr.strip()[-500:]}")
    return found.stdout


# ------------------------------------------------------------------------------------------
# One database, all sizes
# ------------------------------------------------------------------------------------------


@dataclass
class Step:
    database: str
    size: int
    imported: dict[str, str]
    import_wall: float
    db_bytes: int
    phases: dict[str, Phase] = field(default_factory=dict)
    peak_rss: int = 0
    peak_pss: int = 0
    hwm_rss: int = 0


def _summary(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        label, sep, value = line.partition(":")
        if sep and re.fullmatch(r"\s*[\d,.]+\s*", value):
            found[label.strip()] = value.strip().replace(",", "")
    return found



def measure(port: int, pgid: int, key: str, work: Workload, args: argparse.Namespace
            ) -> dict[str, Phase]:
    healthz = [build_request("GET", "/healthz", port, agent=AGENT)]
    paths = ["/api/v1/lookup?value=" + urllib.parse.quote(raw, safe="")
             + (f"&type={kind}" if kind else "") for raw, kind in work.single]
    ips = [f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in range(args.client_ips)]
    single = [build_request("GET", path, port, client_ip=ips[n % len(ips)] if ips else None,
                            agent=AGENT)
              for n, path in enumerate(paths)]
    one_ip = [build_request("GET", path, port, agent=AGENT) for path in paths]
    bulk = [build_request("POST", "/api/v1/lookup", port, body, bearer=key, agent=AGENT)
            for body in work.bulk]
    scan = [build_request("POST", "/api/v1/scan", port, body, bearer=key, agent=AGENT)
            for body in work.scan]
    scan_batch = [build_request("POST", "/api/v1/scan/batch", port, body, bearer=key, agent=AGENT)
                  for body in work.scan_batch]
    common = {"pgid": pgid, "seed": args.seed}
    run_phase("warm-up", port, healthz, units_per_ok=1, concurrency=args.concurrency,
              duration=1.0, **common)
    run_phase("warm-up", port, single, units_per_ok=1, concurrency=args.concurrency,
              duration=min(3.0, args.duration), **common)
    run_phase("warm-up", port, bulk, units_per_ok=1, concurrency=2, duration=1.0, **common)
    phases = {}
    # /healthz and the single lookups in turn, /healthz first and last: each round's ratio is
    # taken against the two runs of the trivial endpoint that bracket it, so that a machine
    # slowing down or speeding up shows (see `steady`) instead of passing for the code's doing,
    # and the median of the rounds is read against the target.
    alternating: list[tuple[str, list[bytes], int, int]] = [
        ("healthz", healthz, 1, args.concurrency)]
    for number in range(1, args.rounds + 1):
        last = number == args.rounds
        alternating += [(single_name(number), single, 1, args.concurrency),
                        (healthz_name(number, last), healthz, 1, args.concurrency)]
    for name, requests, units, concurrency in (
            *alternating,
            ("single-1ip", one_ip, 1, args.concurrency),
            ("bulk", bulk, BULK_SIZE, args.bulk_concurrency),
            ("scan", scan, 1, args.concurrency),
            ("scan-batch", scan_batch, SCAN_BATCH_SIZE, args.bulk_concurrency)):
        for attempt in (1, 2):
            phases[name] = run_phase(name, port, requests, units_per_ok=units,
                                     concurrency=concurrency, duration=args.duration,
                                     sample_status=name.startswith("single"), **common)
            print_phase(phases[name])
            if phases[name].balanced or attempt == 2:
                break
            # The kernel placed the connections by address hash: with 4, all of them land on
            # one of two processes 1 time in 8. New connections are placed anew.
            print(f"           {name}: measured again, on new connections")
    return phases


def single_name(number: int) -> str:
    return "single" if number == 1 else f"single-{number}"


def healthz_name(number: int, last: bool) -> str:
    """The run of /healthz after round ``number`` (the last: ``healthz-after``)."""
    return "healthz-after" if last else f"healthz-{number + 1}"


@dataclass
class Round:
    """One single-lookup phase and the /healthz runs before and after it."""

    single: Phase
    before: Phase
    after: Phase

    @property
    def ratio(self) -> float:
        return self.single.per_second / ((self.before.per_second + self.after.per_second) / 2)

    @property
    def steady(self) -> bool:
        before, after = self.before.per_second, self.after.per_second
        return (min(before, after) >= UNSTEADY_HEALTHZ * max(before, after)
                and self.single.balanced and self.before.balanced and self.after.balanced)


def rounds_of(phases: dict[str, Phase]) -> list[Round]:
    found, number, before = [], 1, phases["healthz"]
    while single_name(number) in phases:
        after = phases.get(healthz_name(number, False)) or phases["healthz-after"]
        found.append(Round(phases[single_name(number)], before, after))
        before, number = after, number + 1
    return found


def single_percentile(phases: dict[str, Phase], q: float) -> float:
    """A percentile of the latencies of every round's single lookups together."""
    latencies = sorted(t for r in rounds_of(phases) for t in r.single.latencies)
    return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0


def bench_database(database: str, args: argparse.Namespace, data: Dataset, work: Workload,
                   data_dir: Path, log: TextIO) -> list[Step]:
    fraudhub = fraudhub_command()
    sqlite_path = data_dir / "fraudhub.sqlite3"
    url = args.database_url if database == "postgres" else f"sqlite:///{sqlite_path}"
    env = {**os.environ, "DATABASE_URL": url, "FRAUDHUB_DATA_DIR": str(data_dir),
           "FRAUDHUB_SECRET_KEY": secrets.token_urlsafe(40), "FRAUDHUB_LOG_LEVEL": "WARNING",
           "FRAUDHUB_LOOKUP_RATE_LIMIT": str(RATE_LIMIT),
           "FRAUDHUB_API_KEY_QUOTA_PER_MINUTE": str(RATE_LIMIT),
           "FRAUDHUB_TRUST_X_FORWARDED_FOR": "1" if args.client_ips else "0",
           # Empty: the database rate limiter, as in the production recipe of
           # docs/configuration.md; --redis-url: Redis cache and limiter, as a deployment that
           # sets FRAUDHUB_REDIS_URL runs.
           "FRAUDHUB_REDIS_URL": args.redis_url}
    if args.redis_url:
        flush_redis_limits(args.redis_url)
    if database == "postgres":
        recreate_postgres(url)
    else:
        for old in data_dir.glob("fraudhub.sqlite3*"):
            old.unlink()
    run_command([fraudhub, "migrate", "--noinput"], env, log)
    key = run_command([fraudhub, "apikey", "create", "--name", "bench-lookup", "--role",
                       "partner"], env, log).strip().splitlines()[-1]
    steps = []
    for size, csv_path in data.files:
        print(f"\n== {database}, {size:,} indicators ==")
        print(f"  importing {csv_path.name} ({csv_path.stat().st_size / 1e6:,.0f} MB) ...")
        sys.stdout.flush()
        started = time.perf_counter()
        output = run_command([fraudhub, "indicators", "import", str(csv_path), "--no-progress",
                              "--jobs", str(args.jobs), "--rejects",
                              str(data_dir / f"rejects-{database}-{size}.csv")], env, log)
        wall = time.perf_counter() - started
        step = Step(database, size, _summary(output), wall,
                    database_size(database, url, sqlite_path))
        got = step.imported
        print(f"  import: {int(got.get('read', 0)):,} rows in {wall:,.1f} s -> "
              f"{float(got.get('rows/s', 0)):,.0f} rows/s (imported {int(got['imported']):,}, "
              f"updated {int(got['updated']):,}, rejected {int(got['rejected']):,}); "
              f"database now {step.db_bytes / 1e9:,.2f} GB")
        sys.stdout.flush()
        if database == "postgres":
            checkpoint(url)
        if args.warm_cache and database == "sqlite":
            warm_page_cache(sqlite_path)
        elif args.warm_cache:
            warm_postgres(url)
        port = free_port()
        serve = [fraudhub, "serve", "--host", HOST, "--port", str(port), "--no-access-log"]
        if args.workers:
            serve += ["--workers", str(args.workers)]
        if args.threads:
            serve += ["--threads", str(args.threads)]
        with running_server(serve, env, log, port) as server:
            pgid = os.getpgid(server.pid)
            watch = MemoryWatch(pgid)
            watch.start()
            print(f"  server: {' '.join(serve[1:])}")
            log.flush()
            print(f"  {server_banner(Path(log.name))}")
            step.phases = measure(port, pgid, key, work, args)
            print(f"  server processes: {len(group_pids(pgid))} (gunicorn master and workers)")
            step.peak_rss = watch.stop()
            step.peak_pss = watch.peak_pss
            step.hwm_rss = hwm_bytes(group_pids(pgid))
        print(f"  server memory: peak RSS of all its processes {step.peak_rss / 2**20:,.0f} MiB "
              f"(sum of per-process peaks {step.hwm_rss / 2**20:,.0f} MiB; peak PSS, shared "
              f"pages counted once, {step.peak_pss / 2**20:,.0f} MiB)")
        steps.append(step)
    return steps


def warm_page_cache(path: Path) -> None:
    """Read the SQLite file once, so the phases meet the page cache of a server in use.

    Right after a 6 GB import the file may have been evicted; the first phases then measure
    the disk, not the lookups. Printed, so that a run says it did this.
    """
    started = time.perf_counter()
    read = 0
    for part in sorted(path.parent.glob(path.name + "*")):  # the database and its WAL
        with open(part, "rb", buffering=0) as handle:
            while chunk := handle.read(8 << 20):
                read += len(chunk)
    print(f"  warm-up: read the SQLite files once ({read / 1e9:,.2f} GB in "
          f"{time.perf_counter() - started:,.1f} s; --warm-cache)")
    sys.stdout.flush()


def warm_postgres(url: str) -> None:
    """Read the indicator table and its indexes once (pg_prewarm, into the operating system's
    cache), as warm_page_cache does for SQLite: after a 9M-row import they were not cached, and
    the 10M single lookups of 2026-12-06 measured the disk (p99 1.79 times the 1M one)."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except psycopg.Error as exc:
            print(f"  warm-up: not done, pg_prewarm is not available ({exc})")
            return
        rows = conn.execute(
            "SELECT c.oid::regclass::text, pg_relation_size(c.oid) FROM pg_class c "
            "WHERE c.oid = 'indicators_indicator'::regclass OR c.oid IN (SELECT indexrelid "
            "FROM pg_index WHERE indrelid = 'indicators_indicator'::regclass)").fetchall()
        for name, _size in rows:
            conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", (name,))
    read = sum(size for _name, size in rows)
    print(f"  warm-up: read the indicator table and its {len(rows) - 1} indexes once "
          f"({read / 1e9:,.2f} GB in {time.perf_counter() - started:,.1f} s; --warm-cache)")
    sys.stdout.flush()


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def print_phase(phase: Phase) -> None:
    others = {k: v for k, v in sorted(phase.statuses.items()) if k != 200}
    unit = {"bulk": "values", "scan": "messages", "scan-batch": "messages"}.get(phase.name,
                                                                              "answers")
    extra = ""
    if phase.name.startswith("single") and phase.sampled:
        extra = f"; {phase.found / phase.sampled:.0%} of sampled answers were listed values"
    print(f"  {phase.name:8} {phase.per_second:10,.0f} {unit}/s  "
          f"p50 {ms(phase.percentile(0.5), 2)}"
          f"  p99 {ms(phase.percentile(0.99), 2)}  server {phase.server_cpu / phase.elapsed:.2f} "
          f"cores ({' + '.join(f'{cpu / phase.elapsed:.2f}' for cpu in phase.process_cpu)}; "
          f"{phase.per_server_cpu_second:,.0f} {unit} per server CPU-second), postgres "
          f"{phase.postgres_cpu / phase.elapsed:.2f} cores, load client "
          f"{phase.client_cpu / phase.elapsed:.2f} cores{extra}"
          f"{'' if phase.balanced else ' UNBALANCED'}")
    if others or phase.errors:
        print(f"           other answers {others or '-'}; connection errors "
              f"{dict(phase.errors) or '-'}")
    sys.stdout.flush()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def flush_redis_limits(url: str) -> None:
    """Forget the counters of an earlier run (keys fraudhub:rl:*), so both runs start alike."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter("fraudhub:rl:*", count=1000):
            client.delete(key)
    finally:
        client.close()


def limiter_label(args: argparse.Namespace) -> str:
    if args.redis_url:
        return f"Redis ({args.redis_url}, FRAUDHUB_REDIS_URL set)"
    return "database (FRAUDHUB_REDIS_URL not set, as in docs/configuration.md's production recipe)"


def report(steps: list[Step], args: argparse.Namespace) -> bool:
    print("\n== results ==")
    print(f"rate limiter and quota counters: {limiter_label(args)}")
    passed = True
    for database in dict.fromkeys(step.database for step in steps):
        mine = [s for s in steps if s.database == database]
        for step in mine:
            p = step.phases
            rounds = rounds_of(p)
            trusted = [r for r in rounds if r.steady]
            # Half the rounds at least must be steady; the median of those is read.
            steady = 2 * len(trusted) >= len(rounds)
            ratio = statistics.median(r.ratio for r in trusted or rounds)
            each = ", ".join(f"{r.ratio:.2f}{'' if r.steady else ' unsteady'}" for r in rounds)
            singles = sum(r.single.per_second for r in rounds) / len(rounds)
            # Per core of the server and the database together; the target is read on the
            # batch endpoint, made for callers that scan many messages (see docs/api.md).
            single_scan_core = p["scan"].per_core
            scan_core = p["scan-batch"].per_core
            rate = float(step.imported.get("rows/s", 0))
            print(f"{database} {step.size:>11,}: import {rate:>8,.0f} rows/s | single "
                  f"{singles:,.0f}/s, median of {len(rounds)} rounds {ratio:.2f} x healthz "
                  f"({each}) "
                  f"{verdict(ratio >= TARGET_SINGLE_RATIO)}{'' if steady else UNSTEADY_NOTE} | "
                  f"p50 {ms(single_percentile(p, 0.5), 2)} "
                  f"p99 {ms(single_percentile(p, 0.99), 2)}"
                  f" | bulk {p['bulk'].per_second:,.0f} values/s "
                  f"{verdict(p['bulk'].per_second >= TARGET_BULK_VALUES)} | scan 1/call "
                  f"{p['scan'].per_second:,.0f} msg/s, {single_scan_core:,.0f} per core | "
                  f"scan {SCAN_BATCH_SIZE}/call {p['scan-batch'].per_second:,.0f} msg/s, "
                  f"{scan_core:,.0f} per core {verdict(scan_core >= TARGET_SCAN_PER_CORE)} | "
                  f"peak RSS {step.peak_rss / 2**20:,.0f} MiB, "
                  f"PSS {step.peak_pss / 2**20:,.0f} MiB")
            passed &= (ratio >= TARGET_SINGLE_RATIO and steady and scan_core >= TARGET_SCAN_PER_CORE
                       and p["bulk"].per_second >= TARGET_BULK_VALUES)
        if len(mine) > 1:
            small, large = mine[0].phases, mine[-1].phases
            for label, q in (("p50", 0.5), ("p99", 0.99)):
                growth = single_percentile(large, q) / single_percentile(small, q)
                print(f"{database}: single-lookup {label} at {mine[-1].size:,} / at "
                      f"{mine[0].size:,} = {growth:.2f} (target <= {TARGET_LATENCY_GROWTH}) "
                      f"{verdict(growth <= TARGET_LATENCY_GROWTH)}")
                passed &= growth <= TARGET_LATENCY_GROWTH
    print(f"targets: single >= {TARGET_SINGLE_RATIO} x healthz; latency growth <= "
          f"{TARGET_LATENCY_GROWTH}; bulk >= {TARGET_BULK_VALUES:,} values/s; scan >= "
          f"{TARGET_SCAN_PER_CORE:,} messages/s per core (CPU time of the server and the "
          f"database, POST /api/v1/scan/batch of {SCAN_BATCH_SIZE} messages)")
    return passed


def as_json(steps: list[Step]) -> list[dict[str, Any]]:
    return [{
        "database": s.database, "size": s.size, "import": s.imported,
        "import_wall_s": round(s.import_wall, 1), "db_bytes": s.db_bytes,
        "peak_rss_bytes": s.peak_rss, "peak_pss_bytes": s.peak_pss, "hwm_rss_bytes": s.hwm_rss,
        "phases": {name: {"per_second": round(p.per_second, 1),
                          "per_server_cpu_second": round(p.per_server_cpu_second, 1),
                          "per_core": round(p.per_core, 1),
                          "p50_ms": round(p.percentile(0.5) * 1000, 3),
                          "p99_ms": round(p.percentile(0.99) * 1000, 3),
                          "server_cores": round(p.server_cpu / p.elapsed, 2),
                          "postgres_cores": round(p.postgres_cpu / p.elapsed, 2),
                          "statuses": {str(k): v for k, v in p.statuses.items()}}
                   for name, p in s.phases.items()},
    } for s in steps]


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000000,10000000",
                        help="indicator counts, loaded in turn (default %(default)s)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--quick", action="store_true",
                        help="100,000 indicators, 3 s per phase")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL database to DROP and recreate (default %(default)s)")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds per phase (default 10; 3 with --quick)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="connections for single lookups, scans and /healthz (default 8)")
    parser.add_argument("--bulk-concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3,
                        help="single-lookup phases, each between two of /healthz (default "
                             "%(default)s; the median ratio is read against the target)")
    parser.add_argument("--client-ips", type=int, default=256,
                        help="single lookups come from this many client addresses, given in "
                             "X-Forwarded-For as by a reverse proxy (default %(default)s; 0: "
                             "all from 127.0.0.1); phase single-1ip always uses one")
    parser.add_argument("--workers", type=int, default=0, help="serve --workers (default: its)")
    parser.add_argument("--threads", type=int, default=0, help="serve --threads (default: its)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="`indicators import --jobs` (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where CSV files, SQLite database and logs go (default: a new "
                             "directory in the system's temporary directory)")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--warm-cache", action="store_true",
                        help="read the SQLite database file, or PostgreSQL's indicator table and "
                             "its indexes (pg_prewarm), once after each import, before the "
                             "server starts (measures a warm page cache; default: as it comes)")
    parser.add_argument("--redis-url", default="",
                        help="run the server with FRAUDHUB_REDIS_URL set to this (Redis rate "
                             "limiter and cache, e.g. redis://127.0.0.1:6379/0); default: the "
                             "database rate limiter")
    args = parser.parse_args(argv)
    args.sizes = [100_000] if args.quick else sorted({int(v) for v in args.sizes.split(",")})
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not set(args.databases) <= {"sqlite", "postgres"} or not args.databases:
        parser.error("--databases takes sqlite and/or postgres")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if min(args.sizes) < 1000:
        parser.error("--sizes must be at least 1000")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="fraudhub-bench-lookup-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    print("FraudHub lookup benchmark")
    print(f"  machine: {os.cpu_count()} CPU(s), Python {platform.python_version()}, load "
          f"average {os.getloadavg()[0]:.2f}; data in {data_dir} "
          f"({shutil.disk_usage(data_dir).free / 1e9:,.0f} GB free)")
    print(f"  sizes {', '.join(f'{s:,}' for s in args.sizes)} on {', '.join(args.databases)}; "
          f"{args.duration:g} s per phase; {args.concurrency} connections "
          f"({args.bulk_concurrency} for bulk)")
    print(f"  NOTE: FRAUDHUB_LOOKUP_RATE_LIMIT and FRAUDHUB_API_KEY_QUOTA_PER_MINUTE are set to "
          f"{RATE_LIMIT:,} so that the limits do not answer 429 (every call still goes "
          "through the limiter, so its cost is measured)")
    print(f"  NOTE: rate limiter and API key quota counters: {limiter_label(args)}")
    if args.client_ips:
        print(f"  NOTE: single lookups carry X-Forwarded-For from {args.client_ips} addresses "
              "(FRAUDHUB_TRUST_X_FORWARDED_FOR=1, as behind a reverse proxy): public lookups "
              "come from many people, each with an own limiter counter; phase single-1ip "
              "sends the same lookups from 127.0.0.1 alone")
    print("  NOTE: the load client runs on the same cores as the server and the database.")
    log_path = data_dir / "bench.log"
    steps: list[Step] = []
    code = 3
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            started = time.perf_counter()
            data = generate(args.sizes, data_dir, args.seed)
            print(f"  generated {args.sizes[-1]:,} rows ({data.junk:,} junk) in "
                  f"{time.perf_counter() - started:,.0f} s; {len(data.hits):,} hit and "
                  f"{len(data.misses):,} miss samples")
            work = make_workload(data, random.Random(args.seed))
            for database in args.databases:
                steps += bench_database(database, args, data, work, data_dir, log)
            code = 0 if report(steps, args) else 2
        except Exception as exc:
            print(f"\nERROR: {exc} (log: {log_path})", file=sys.stderr)
            args.keep_data = True
        finally:
            if args.json is not None and steps:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(as_json(steps), indent=2))
    if args.keep_data:
        print(f"  data kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
