"""What the intake benchmark checks in PostgreSQL after its phases (nothing lost, counts
consistent, grouping), and the worker run that does the jobs the reports queued."""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TextIO

import psycopg
from intake_load import PhaseResult


@dataclass
class Checks:
    accepted: int
    unique_codes: int
    lost: int
    # Answered and stored, waiting for the worker to file them (reports/inbox.py): not lost,
    # not counted in any case yet. None left once the worker ran.
    awaiting_filing: int
    unacknowledged: int
    reports: int
    reports_with_case: int
    cases: int
    targets: int
    sum_report_count: int
    miscounted_cases: int
    biggest_case: int
    bench_targets: int
    split_targets: int
    audit_report_rows: int
    # One report per call comes from anonymous callers; each filing transaction stamps its
    # audit rows with one created_at, so distinct stamps count the transactions.
    anonymous_reports: int
    anonymous_transactions: int
    queued_jobs: dict[str, int]
    unrecorded_reports: int  # reports whose values are not sightings in the indicator database

    @property
    def integrity_ok(self) -> bool:
        return (self.lost == 0 and self.awaiting_filing == 0
                and self.unique_codes == self.accepted
                and self.sum_report_count == self.reports_with_case == self.reports
                and self.miscounted_cases == 0 and self.audit_report_rows == self.reports)


def check_database(url: str, accepted: Sequence[tuple[str, int]]) -> Checks:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_accepted (tracking_code text, target int)")
        with cur.copy("COPY bench_accepted (tracking_code, target) FROM STDIN") as copy:
            for code, target in accepted:
                copy.write_row((code, target))
        cur.execute("CREATE INDEX ON bench_accepted (tracking_code)")

        def one(query: str) -> int:
            cur.execute(query)
            row = cur.fetchone()
            return int(row[0] or 0) if row else 0

        lost = one("SELECT count(*) FROM bench_accepted a WHERE NOT EXISTS "
                   "(SELECT 1 FROM reports_report r WHERE r.tracking_code = a.tracking_code) "
                   "AND NOT EXISTS (SELECT 1 FROM reports_pendingreport p "
                   "WHERE p.tracking_code = a.tracking_code)")
        awaiting = one("SELECT count(*) FROM reports_pendingreport")
        unacknowledged = one(
            "SELECT count(*) FROM reports_report r WHERE NOT EXISTS "
            "(SELECT 1 FROM bench_accepted a WHERE a.tracking_code = r.tracking_code)")
        reports = one("SELECT count(*) FROM reports_report")
        reports_with_case = one("SELECT count(case_id) FROM reports_report")
        cases = one("SELECT count(*) FROM cases_case")
        targets = one("SELECT count(*) FROM cases_target")
        sum_report_count = one("SELECT sum(report_count) FROM cases_case")
        miscounted = one(
            "SELECT count(*) FROM cases_case c LEFT JOIN (SELECT case_id, count(*) AS n "
            "FROM reports_report GROUP BY case_id) r ON r.case_id = c.id "
            "WHERE c.report_count <> coalesce(r.n, 0)")
        biggest = one("SELECT max(report_count) FROM cases_case")
        split = one(
            "SELECT count(*) FROM (SELECT a.target FROM bench_accepted a "
            "JOIN reports_report r ON r.tracking_code = a.tracking_code "
            "GROUP BY a.target HAVING count(DISTINCT r.case_id) > 1) s")
        audit = one("SELECT count(*) FROM core_auditentry WHERE action = 'report.create'")
        anonymous = ("FROM core_auditentry "
                     "WHERE action = 'report.create' AND actor_kind = 'anonymous'")
        anonymous_reports = one(f"SELECT count(*) {anonymous}")
        anonymous_transactions = one(f"SELECT count(DISTINCT created_at) {anonymous}")
        unrecorded = one("SELECT count(*) FROM reports_report WHERE indicators_recorded_at IS NULL")
        queued: dict[str, int] = {}
        with suppress(psycopg.Error), conn.transaction():  # django-tasks' table, if it is used
            cur.execute("SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE status = 'READY' GROUP BY task_path ORDER BY 2 DESC")
            queued = {str(path).rsplit(".", 1)[-1]: int(n) for path, n in cur.fetchall()}
    return Checks(
        accepted=len(accepted), unique_codes=len({code for code, _ in accepted}), lost=lost,
        awaiting_filing=awaiting,
        unacknowledged=unacknowledged, reports=reports, reports_with_case=reports_with_case,
        cases=cases, targets=targets, sum_report_count=sum_report_count,
        miscounted_cases=miscounted, biggest_case=biggest,
        bench_targets=len({target for _, target in accepted}), split_targets=split,
        audit_report_rows=audit, anonymous_reports=anonymous_reports,
        anonymous_transactions=anonymous_transactions, queued_jobs=queued,
        unrecorded_reports=unrecorded,
    )



@dataclass(frozen=True)
class Drain:
    wall: float  # seconds `fraudhub worker --batch` took to file and run everything queued
    cpu: float  # CPU seconds of the worker process (PostgreSQL's share not included)
    status: int


def drain_jobs(fraudhub: str, env: dict[str, str], log: TextIO) -> Drain:
    """File the accepted reports and run every job they queued, the server stopped: what
    intake leaves to the worker (filing single reports into their cases, sightings in the
    indicator database, receipts) measured on its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([fraudhub, "worker", "--batch"], env=env, stdout=log,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Drain(wall=wall, cpu=cpu, status=done.returncode)


def print_drain(drain: Drain, checks: Checks, intake: PhaseResult,
                batch: PhaseResult | None) -> None:
    reports = max(1, checks.reports)
    print("\nafter the phases: `fraudhub worker --batch` files the reports accepted for it and "
          "runs the jobs the reports queued")
    print(f"  {drain.wall:.1f} s, worker CPU {drain.cpu:.1f} s = {drain.cpu / reports * 1000:.2f}"
          f" ms per report (exit status {drain.status}); reports whose values are not yet "
          f"sightings: {checks.unrecorded_reports}; jobs still queued: "
          f"{sum(checks.queued_jobs.values())}")
    for phase in (p for p in (intake, batch) if p is not None and p.ok):
        share = drain.wall * phase.ok / reports
        print(f"  {phase.name}: {phase.ok} reports in {phase.elapsed:.1f} s + their share of the "
              f"jobs {share:.1f} s -> {phase.ok / (phase.elapsed + share):.1f} reports/s with "
              "the work they queued done")

