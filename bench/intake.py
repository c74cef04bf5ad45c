#!/usr/bin/env python3
"""Intake benchmark: reports per second through POST /api/v1/reports on PostgreSQL.

The same server, in the same run, is first measured on a trivial endpoint (GET /healthz, one
``SELECT 1``); the intake rate is then compared with it. Target: intake at least half the
trivial rate, and not one accepted report lost.

Run it with the project's interpreter (it needs psycopg and the ``fraudhub`` command)::

    .venv/bin/python bench/intake.py            # 15 s per phase, 16 connections
    .venv/bin/python bench/intake.py --quick    # smoke run: 3 s per phase, 4 connections

What it does:

1. drops and recreates the benchmark database (``--database-url``), runs ``fraudhub migrate``;
2. starts ``fraudhub serve`` (gunicorn) on 127.0.0.1 with a temporary data directory and the
   anonymous intake limit raised out of the way (FRAUDHUB_INTAKE_RATE_LIMIT=1000000000);
3. phase 1: GET /healthz for ``--duration`` seconds over ``--concurrency`` keep-alive
   HTTP/1.1 connections; phase 2: POST /api/v1/reports the same way, with realistic bodies
   (~2,000 targets in a Zipf-like distribution, written in their many equivalent forms, so
   that many reports group into the same case; Vietnamese descriptions with phones, bank
   accounts and links; fraud types from GET /api/v1/taxonomy);
4. checks in the database that every report answered 201 is stored, that the cases count
   every report exactly once, and that each benchmark target ended up in exactly one case;
5. prints rates, latencies, the CPU split between client, server and PostgreSQL, and PASS or
   FAIL. Exit status: 0 when nothing was lost, 1 when a report was lost or miscounted or a
   request was not answered 201 (200 for /healthz), 2 with ``--fail-under-target`` when only the
   rate target was missed, 3 when the run itself failed.

The load generator runs on the same machine as the server and the database: every CPU second
it spends is taken from them. The output shows how much that was.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from _common import (
    HOST,
    build_request,
    fraudhub_command,
    free_port,
    http_get,
    ms,
    recreate_postgres,
    running_server,
    server_banner,
)
from intake_checks import Checks, Drain, check_database, drain_jobs, print_drain
from intake_data import make_report_body, make_targets, zipf_picks
from intake_load import (
    Job,
    PhaseResult,
    make_batch_jobs,
    post_jobs_share,
    run_phase,
)
from psycopg.conninfo import conninfo_to_dict

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fraudhub_bench"
INTAKE_RATE_LIMIT = 1_000_000_000
API_KEY_QUOTA = 1_000_000_000
TARGET_RATIO = 0.5


def http_get_json(port: int, path: str) -> tuple[int, Any]:
    status, body = http_get(port, path)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


# ------------------------------------------------------------------------------------------
# Database, server and checks
# ------------------------------------------------------------------------------------------


def serve_has_option(fraudhub: str, option: str, env: dict[str, str]) -> bool:
    """Whether this version of `fraudhub serve` knows ``option``."""
    found = subprocess.run([fraudhub, "serve", "--help"], env=env, capture_output=True,
                           text=True, check=False)
    return option in found.stdout


def fraudhub_source() -> str:
    """Where the server's code comes from, with the git commit when it is a checkout."""
    spec = importlib.util.find_spec("fraudhub")
    if spec is None or spec.origin is None:
        return "unknown"
    where = Path(spec.origin).parent
    found = subprocess.run(["git", "-C", str(where), "describe", "--always", "--dirty"],
                           capture_output=True, text=True, check=False)
    commit = found.stdout.strip()
    return f"{where} ({commit})" if found.returncode == 0 and commit else str(where)



# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def print_phase(phase: PhaseResult, unit: str) -> None:
    others = {k: v for k, v in sorted(phase.statuses.items()) if k not in (200, 201)}
    cpu = phase.cpu
    print(f"  {phase.ok_per_second:9.1f} {unit}/s   ({phase.ok} in {phase.elapsed:.2f} s; "
          f"{phase.requests / phase.elapsed:.1f} requests/s)")
    print(f"  latency p50 {ms(phase.percentile(0.50))}, p99 {ms(phase.percentile(0.99))}, "
          f"max {ms(max(phase.latencies, default=0.0))}")
    print(f"  other answers: {dict(others) or 'none'}; connection errors: "
          f"{dict(phase.errors) or 'none'}")
    print(f"  CPU (cores of {os.cpu_count()}): busy {cpu['busy']:.2f} = server {cpu['server']:.2f}"
          f" + postgres {cpu['postgres']:.2f} + load client {cpu['client']:.2f}"
          f" + other {cpu['other']:.2f}")
    if phase.requests:
        per = 1000 * phase.elapsed / phase.requests
        print(f"  CPU per request: server {cpu['server'] * per:.2f} ms + postgres "
              f"{cpu['postgres'] * per:.2f} ms")
    if phase.ok > phase.calls_ok > 0:
        per = 1000 * phase.elapsed / phase.ok
        print(f"  CPU per report: server {cpu['server'] * per:.2f} ms + postgres "
              f"{cpu['postgres'] * per:.2f} ms ({phase.ok / phase.calls_ok:.0f} reports per "
              "call)")
    noisy = {k[6:]: round(v, 2) for k, v in cpu.items() if k.startswith("other:")}
    if cpu["other"] >= 0.25:
        print(f"  WARNING: {cpu['other']:.2f} cores went elsewhere during this phase (biggest "
              f"other processes: {noisy or 'none'}; the rest is the kernel or processes that "
              "exited, e.g. PostgreSQL backends replaced after CONN_MAX_AGE); if others were "
              "busy, the figures are disturbed")


def phase_summary(phase: PhaseResult) -> dict[str, Any]:
    return {
        "ok_per_second": round(phase.ok_per_second, 1), "ok": phase.ok,
        "requests": phase.requests, "elapsed_s": round(phase.elapsed, 3),
        "p50_ms": round(phase.percentile(0.5) * 1000, 2),
        "p99_ms": round(phase.percentile(0.99) * 1000, 2),
        "statuses": {str(k): v for k, v in phase.statuses.items()},
        "errors": dict(phase.errors), "cpu_cores": {k: round(v, 3) for k, v in phase.cpu.items()},
    }


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Reports per second through POST /api/v1/reports on PostgreSQL, against "
                    "GET /healthz of the same server, with a check that nothing was lost.")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL database to DROP and recreate (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds per phase (default 15; 3 with --quick)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="keep-alive connections (default 16; 4 with --quick)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn worker processes (default: serve's)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per worker (default: serve's: 1 on PostgreSQL)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3 s per phase, 4 connections")
    parser.add_argument("--max-requests", type=int, default=1_000_000,
                        help="stop a phase after this many requests (default %(default)s)")
    parser.add_argument("--targets", type=int, default=2000,
                        help="distinct reported targets (default %(default)s)")
    parser.add_argument("--batch-size", type=int, default=100,
                        help="reports per call in the batch phase (POST /api/v1/reports/batch, "
                             "at most 100); 0 skips that phase (default %(default)s)")
    parser.add_argument("--zipf", type=float, default=1.0,
                        help="Zipf exponent of the target popularity (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--keep-log", action="store_true",
                        help="keep the temporary data directory with the server log")
    parser.add_argument("--no-drain", action="store_true",
                        help="leave the jobs the reports queued (sightings, receipts) undone "
                             "instead of running them with `fraudhub worker --batch` afterwards")
    parser.add_argument("--fail-under-target", action="store_true",
                        help="exit 2 when the rate target is missed (default: report only)")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 3.0 if args.quick else 15.0
    if args.concurrency is None:
        args.concurrency = 4 if args.quick else 16
    if args.duration <= 0 or args.concurrency <= 0 or args.max_requests <= 0:
        parser.error("--duration, --concurrency and --max-requests must be positive")
    if not 0 <= args.batch_size <= 100:
        parser.error("--batch-size must be between 0 and 100")
    return args


def env_overrides(env: dict[str, str]) -> set[str]:
    """The variables this script sets for the server itself."""
    return {"FRAUDHUB_DATA_DIR", "FRAUDHUB_SECRET_KEY", "FRAUDHUB_INTAKE_RATE_LIMIT",
            "FRAUDHUB_LOG_LEVEL", "FRAUDHUB_API_KEY_QUOTA_PER_MINUTE"} & set(env)


def _redacted(url: str) -> str:
    params = conninfo_to_dict(url)
    if params.get("password"):
        return url.replace(str(params["password"]), "***")
    return url


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    port = args.port or free_port()
    cores = os.cpu_count() or 1
    data_dir = Path(tempfile.mkdtemp(prefix="fraudhub-bench-"))
    log_path = data_dir / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "FRAUDHUB_DATA_DIR": str(data_dir),
        "FRAUDHUB_SECRET_KEY": secrets.token_urlsafe(40),
        "FRAUDHUB_INTAKE_RATE_LIMIT": str(INTAKE_RATE_LIMIT),
        "FRAUDHUB_API_KEY_QUOTA_PER_MINUTE": str(API_KEY_QUOTA),
        "FRAUDHUB_LOG_LEVEL": "WARNING",
    }
    fraudhub = fraudhub_command()
    serve_cmd = [fraudhub, "serve", "--host", HOST, "--port", str(port)]
    if args.workers:
        serve_cmd += ["--workers", str(args.workers)]
    if args.threads:
        serve_cmd += ["--threads", str(args.threads)]
    access_log_off = serve_has_option(fraudhub, "--no-access-log", env)
    if access_log_off:
        serve_cmd.append("--no-access-log")

    print("FraudHub intake benchmark")
    print(f"  machine: {cores} CPU(s), Python {platform.python_version()}; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  NOTE: the load client runs on the same {cores} core(s) as the server and "
          "PostgreSQL and competes with them for CPU; its share is shown per phase.")
    print(f"  code: {fraudhub_source()}")
    print(f"  database: {_redacted(args.database_url)} (dropped and recreated)")
    print(f"  server: {' '.join(['fraudhub', *serve_cmd[1:]])} (gunicorn gthread)")
    print(f"  NOTE: FRAUDHUB_INTAKE_RATE_LIMIT={INTAKE_RATE_LIMIT} so the anonymous intake limit "
          "does not interfere (the limiter still counts every report); the batch phase's API "
          f"key has a quota of {API_KEY_QUOTA} calls a minute for the same reason.")
    inherited = sorted(k for k, v in os.environ.items()
                       if k.startswith("FRAUDHUB_") and v and k not in env_overrides(env))
    if inherited:
        print(f"  NOTE: also passed on from this environment: {', '.join(inherited)}")
    if access_log_off:
        print(f"  gunicorn access log off (serve --no-access-log); server output: {log_path}")
    else:
        print("  NOTE: this `serve` has no option to turn gunicorn's access log off; the server's "
              f"output (one line per request) goes to {log_path}")
    print(f"  load: {args.concurrency} keep-alive HTTP/1.1 connections, {args.duration:g} s per "
          f"phase, at most {args.max_requests} requests per phase")
    sys.stdout.flush()

    exit_code = 3
    log = open(log_path, "w", encoding="utf-8")  # closed in finally
    try:
        started = time.perf_counter()
        recreate_postgres(args.database_url)
        migrate = subprocess.run([fraudhub, "migrate", "--noinput"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT, check=False)
        if migrate.returncode != 0:
            raise RuntimeError(f"fraudhub migrate failed (status {migrate.returncode})")
        print(f"  migrated in {time.perf_counter() - started:.1f} s")
        bearer = ""
        if args.batch_size:
            created = subprocess.run(
                [fraudhub, "apikey", "create", "--name", "bench forwarder", "--role", "partner"],
                env=env, capture_output=True, text=True, check=False)
            if created.returncode != 0:
                raise RuntimeError(f"fraudhub apikey create failed: {created.stderr[-500:]}")
            bearer = created.stdout.strip().splitlines()[-1]
        log.flush()
        with running_server(serve_cmd, env, log, port) as server:
            server_pgid = os.getpgid(server.pid)
            log.flush()
            print(f"  {server_banner(log_path)}")
            status, taxonomy = http_get_json(port, "/api/v1/taxonomy")
            if status != 200 or not isinstance(taxonomy, list):
                raise RuntimeError(f"GET /api/v1/taxonomy answered {status}")
            fraud_types = [str(item["key"]) for item in taxonomy]

            rng = random.Random(args.seed)
            targets = make_targets(args.targets, fraud_types, rng)
            pool = 20_000 if not args.quick else 4_000
            post_jobs = [
                Job(build_request("POST", "/api/v1/reports", port, json.dumps(
                    make_report_body(targets[i], rng), ensure_ascii=False).encode(),
                    language="vi"), i)
                for i in zipf_picks(pool, len(targets), args.zipf, rng)
            ]
            sizes = sorted(len(json.loads(j.raw.split(b"\r\n\r\n", 1)[1])["description"])
                           for j in post_jobs)
            print(f"  bodies: {pool} prepared reports on {len(targets)} targets (Zipf "
                  f"s={args.zipf:g}; hottest target in {post_jobs_share(post_jobs):.1%} of "
                  f"them), descriptions {sizes[0]}-{sizes[-1]} chars, {len(fraud_types)} "
                  "fraud types")
            get_jobs = [Job(build_request("GET", "/healthz", port, language="vi"), -1)]
            batch_jobs = make_batch_jobs(targets, rng, port, args, bearer)

            warmup = max(0.5, min(2.0, args.duration / 10))
            run_phase("warm-up", port, get_jobs, concurrency=args.concurrency,
                      duration=warmup, max_requests=args.max_requests,
                      server_pgid=server_pgid, parse_created=False, seed=args.seed)
            print(f"\nphase 1: GET /healthz (SELECT 1), after {warmup:g} s of warm-up")
            trivial = run_phase("healthz", port, get_jobs, concurrency=args.concurrency,
                                duration=args.duration, max_requests=args.max_requests,
                                server_pgid=server_pgid, parse_created=False, seed=args.seed)
            print_phase(trivial, "answers")
            print("\nphase 2: POST /api/v1/reports")
            sys.stdout.flush()
            intake = run_phase("intake", port, post_jobs, concurrency=args.concurrency,
                               duration=args.duration, max_requests=args.max_requests,
                               server_pgid=server_pgid, parse_created=True, seed=args.seed + 1)
            print_phase(intake, "reports")
            if intake.bad_bodies:
                print(f"  201 answers without a tracking code: {intake.bad_bodies}")
            batch = None
            if batch_jobs:
                print(f"\nphase 3: POST /api/v1/reports/batch, {args.batch_size} reports per "
                      "call, with a partner's API key")
                sys.stdout.flush()
                batch = run_phase("batch", port, batch_jobs, concurrency=args.concurrency,
                                  duration=args.duration, max_requests=args.max_requests,
                                  server_pgid=server_pgid, parse_created=True,
                                  seed=args.seed + 2)
                print_phase(batch, "reports")
                if batch.bad_bodies or batch.refused_items:
                    print(f"  unreadable answers: {batch.bad_bodies}; reports refused: "
                          f"{batch.refused_items}")
        accepted = intake.accepted + (batch.accepted if batch else [])
        drain = None if args.no_drain else drain_jobs(fraudhub, env, log)
        checks = check_database(args.database_url, accepted)
        exit_code = report(args, trivial, intake, batch, checks, log_path, drain)
    except Exception as exc:
        print(f"\nERROR: {exc}")
        log.flush()
        print_log_tail(log_path)
        args.keep_log = True
        return 3
    finally:
        log.close()
        if args.keep_log:
            print(f"  server log kept in {log_path}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return exit_code


def print_log_tail(path: Path, lines: int = 30) -> None:
    """The server's last traceback (or its last lines when there is none)."""
    with suppress(OSError), open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.readlines()
    starts = [i for i, line in enumerate(text) if line.startswith("Traceback")]
    shown = text[starts[-1]:starts[-1] + lines] if starts else text[-lines:]
    print(f"--- {'last traceback' if starts else 'last lines'} in {path} ---")
    sys.stdout.write("".join(shown))
    print("---")
    sys.stdout.flush()



def report(args: argparse.Namespace, trivial: PhaseResult, intake: PhaseResult,
           batch: PhaseResult | None, checks: Checks, log_path: Path,
           drain: Drain | None = None) -> int:
    def ratio_of(phase: PhaseResult | None) -> float:
        if phase is None or not trivial.ok_per_second:
            return 0.0
        return phase.ok_per_second / trivial.ok_per_second

    ratio, batch_ratio = ratio_of(intake), ratio_of(batch)
    rate_ok = max(ratio, batch_ratio) >= TARGET_RATIO
    phases = [p for p in (trivial, intake, batch) if p is not None]
    # Every body is valid and the limits are out of the way: anything but 201 (200 for
    # /healthz and batches, every report of a batch created) is a report the server failed to
    # take, or a broken run.
    failed = sum(phase.requests - phase.calls_ok + phase.errors.total() + phase.bad_bodies
                 + phase.refused_items for phase in phases)
    print("\ndatabase checks")
    print(f"  reports answered 201: {checks.accepted} ({checks.unique_codes} distinct codes); "
          f"in reports_report: {checks.reports}")
    print(f"  LOST (answered 201, not in the database): {checks.lost}")
    print(f"  accepted and waiting for the worker to file them: {checks.awaiting_filing}")
    if checks.unacknowledged:
        print(f"  stored without a 201 reaching the client (e.g. a dropped connection): "
              f"{checks.unacknowledged}")
    print(f"  SUM(cases_case.report_count) = {checks.sum_report_count}; reports with a case = "
          f"{checks.reports_with_case}; cases whose count differs from their reports: "
          f"{checks.miscounted_cases}")
    print(f"  audit rows for report.create: {checks.audit_report_rows}")
    if checks.anonymous_transactions:
        print(f"  one report per call: {checks.anonymous_reports} reports filed in "
              f"{checks.anonymous_transactions} transactions ("
              f"{checks.anonymous_reports / checks.anonymous_transactions:.1f} per transaction: "
              "the worker files accepted reports a hundred at a time, a server filing while "
              "the reporter waits files concurrent ones together)")
    print(f"  grouping: {checks.reports} reports in {checks.cases} cases on {checks.targets} "
          f"targets ({checks.reports / max(1, checks.cases):.1f} reports per case, biggest "
          f"{checks.biggest_case}); benchmark targets reported: {checks.bench_targets}, "
          f"split over several cases: {checks.split_targets}")
    if checks.awaiting_filing:
        print("  (grouping is counted over the reports filed so far: the others wait for the "
              "worker)")
    elif checks.cases != checks.bench_targets or checks.split_targets:
        print("  WARNING: equivalent spellings of one target did not all group into one case")
    if drain is not None:
        print_drain(drain, checks, intake, batch)
    elif checks.queued_jobs:
        print(f"  background jobs left queued: {checks.queued_jobs} (--no-drain: no worker ran, "
              "so their cost is not in any figure)")

    print("\nresult")
    print(f"  trivial  GET /healthz         {trivial.ok_per_second:9.1f} /s  "
          f"p50 {ms(trivial.percentile(0.5))}  p99 {ms(trivial.percentile(0.99))}")
    print(f"  intake   POST /api/v1/reports {intake.ok_per_second:9.1f} /s  "
          f"p50 {ms(intake.percentile(0.5))}  p99 {ms(intake.percentile(0.99))}")
    if batch is not None:
        print(f"  batch    POST /reports/batch  {batch.ok_per_second:9.1f} reports/s  "
              f"({batch.ok / max(1, batch.calls_ok):.0f} per call; p50 "
              f"{ms(batch.percentile(0.5))}  p99 {ms(batch.percentile(0.99))} per call)")
    print(f"  ratio intake/trivial, one report per call:  {ratio:.2f} (target >= "
          f"{TARGET_RATIO}) -> {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}")
    if drain is not None and intake.ok:
        share = drain.wall * intake.ok / max(1, checks.reports)
        sustained = intake.ok / (intake.elapsed + share) / max(trivial.ok_per_second, 1e-9)
        print(f"  ratio with the worker's filing and jobs counted, one report per call: "
              f"{sustained:.2f} (what a server sustains for longer than its worker can lag)")
    if batch is not None:
        print(f"  ratio intake/trivial, {args.batch_size} reports per call: {batch_ratio:.2f} "
              f"(target >= {TARGET_RATIO}) -> {'PASS' if batch_ratio >= TARGET_RATIO else 'FAIL'}")
    print(f"  rate target met on some way in -> {'PASS' if rate_ok else 'FAIL'} (a citizen "
          "files one report per call; banks, platforms and authorities that forward reports "
          "can batch them)")
    print(f"  every request answered 201 (200 for /healthz) -> {'FAIL' if failed else 'PASS'}"
          + (f" ({failed} failed: see the answers and connection errors above)" if failed else ""))
    print(f"  nothing lost, counts consistent -> {'PASS' if checks.integrity_ok else 'FAIL'}")
    print(f"  (load client used {intake.cpu['client']:.2f} of {os.cpu_count()} cores during "
          f"intake and {trivial.cpu['client']:.2f} during /healthz: figures are a lower bound "
          "of what the server does on its own machine)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "workers": args.workers, "threads": args.threads, "concurrency": args.concurrency,
            "duration": args.duration, "cpus": os.cpu_count(), "trivial": phase_summary(trivial),
            "intake": phase_summary(intake), "ratio": round(ratio, 3),
            "batch": phase_summary(batch) if batch else None, "batch_size": args.batch_size,
            "batch_ratio": round(batch_ratio, 3),
            "checks": checks.__dict__, "rate_pass": rate_ok, "integrity_pass": checks.integrity_ok,
            "failed_requests": failed,
            "drain": drain.__dict__ if drain is not None else None,
        }, indent=2))
    if failed:
        args.keep_log = True
        print_log_tail(log_path, lines=40)
    if not checks.integrity_ok or failed:
        return 1
    if not rate_ok and args.fail_under_target:
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
