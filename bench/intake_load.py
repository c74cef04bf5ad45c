"""The intake benchmark's load phases: requests over keep-alive connections and where
the CPU went meanwhile (server, PostgreSQL, the load client, anything else), read from /proc."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from _common import (
    Connection,
    HttpError,
    build_request,
)
from intake_data import BenchTarget, make_report_body, zipf_picks

REQUEST_TIMEOUT = 30.0

# ------------------------------------------------------------------------------------------
# Load phases
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    raw: bytes
    target: int  # BenchTarget.ident, or -1 for requests that file no report
    # A batch call: the target of each report it carries, in order.
    batch_targets: tuple[int, ...] = ()


@dataclass
class WorkerResult:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    accepted: list[tuple[str, int]] = field(default_factory=list)  # (tracking code, target)
    bad_bodies: int = 0
    refused_items: int = 0  # reports of a batch answered "not created"


@dataclass
class CpuSample:
    wall: float
    busy_ticks: int
    total_ticks: int
    processes: dict[int, tuple[str, int, float]]  # pid -> (name, process group, CPU seconds)


@dataclass
class PhaseResult:
    name: str
    elapsed: float
    requests: int
    ok: int
    latencies: list[float]
    statuses: Counter[int]
    errors: Counter[str]
    accepted: list[tuple[str, int]]
    bad_bodies: int
    cpu: dict[str, float]
    calls_ok: int = 0  # answered 200/201; `ok` counts reports (several per batch call)
    refused_items: int = 0

    @property
    def ok_per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, process group, CPU seconds) of every process we may read."""
    found: dict[int, tuple[str, int, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="latin-1") as handle:
                text = handle.read()
        except OSError:
            continue
        name = text[text.find("(") + 1:text.rfind(")")]
        fields = text[text.rfind(")") + 2:].split()
        found[int(entry.name)] = (name, int(fields[2]),
                                  (int(fields[11]) + int(fields[12])) / _CLK_TCK)
    return found


def cpu_sample() -> CpuSample:
    with open("/proc/stat", encoding="ascii") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    total = sum(ticks[:8])  # guest time is already counted in user
    return CpuSample(time.perf_counter(), total - idle, total, _proc_stats())


def cpu_split(start: CpuSample, end: CpuSample, server_pgid: int | None) -> dict[str, float]:
    """CPU used during the phase, in cores (1.0 = one core fully busy).

    Processes that exit during the phase (e.g. PostgreSQL backends) are not counted for their
    last interval; "other" is whatever the machine did beside the benchmark.
    """
    wall = end.wall - start.wall
    cores = os.cpu_count() or 1
    machine = (end.busy_ticks - start.busy_ticks) / max(1, end.total_ticks - start.total_ticks)
    split = {"busy": machine * cores, "client": 0.0, "server": 0.0, "postgres": 0.0}
    others: dict[str, float] = {}
    me = os.getpid()
    for pid, (name, pgid, seconds) in end.processes.items():
        used = (seconds - start.processes[pid][2]) if pid in start.processes else seconds
        cores_used = max(0.0, used) / wall
        if pid == me:
            split["client"] += cores_used
        elif server_pgid is not None and pgid == server_pgid:
            split["server"] += cores_used
        elif name.startswith("postgres"):
            split["postgres"] += cores_used
        else:
            others[name] = others.get(name, 0.0) + cores_used
    split["other"] = max(0.0, split["busy"] - split["client"] - split["server"]
                         - split["postgres"])
    for name, used in sorted(others.items(), key=lambda item: -item[1])[:3]:
        if used >= 0.05:
            split[f"other:{name}"] = used
    return split


def run_phase(name: str, port: int, jobs: Sequence[Job], *, concurrency: int, duration: float,
              max_requests: int, server_pgid: int | None, parse_created: bool,
              seed: int) -> PhaseResult:
    """Keep ``concurrency`` connections busy for ``duration`` s (or ``max_requests``)."""
    counter = itertools.count()
    results = [WorkerResult() for _ in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        result = results[index]
        conn = Connection(port, timeout=REQUEST_TIMEOUT)
        failures_in_a_row = 0
        try:
            with suppress(OSError):
                conn.connect()
            barrier.wait()
            while time.perf_counter() < deadline[0] and next(counter) < max_requests:
                job = jobs[rng.randrange(len(jobs))]
                started = time.perf_counter()
                try:
                    status, body = conn.request(job.raw)
                except (HttpError, OSError, ValueError) as exc:
                    result.errors[type(exc).__name__] += 1
                    conn.close()
                    failures_in_a_row += 1
                    if failures_in_a_row >= 50:
                        return  # the server is gone; the checks will say so
                    time.sleep(0.01)
                    continue
                failures_in_a_row = 0
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] += 1
                if parse_created and status == 201:
                    try:
                        code = json.loads(body)["tracking_code"]
                    except (ValueError, KeyError, TypeError):
                        result.bad_bodies += 1
                        continue
                    result.accepted.append((str(code), job.target))
                elif parse_created and status == 200 and job.batch_targets:
                    try:
                        answers = json.loads(body)["results"]
                        created = [(str(a["tracking_code"]), job.batch_targets[a["index"]])
                                   for a in answers if a["created"]]
                    except (ValueError, KeyError, TypeError, IndexError):
                        result.bad_bodies += 1
                        continue
                    result.accepted += created
                    result.refused_items += len(job.batch_targets) - len(created)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True, name=f"{name}-{i}")
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    before = cpu_sample()
    started = time.perf_counter()
    deadline[0] = started + duration
    barrier.wait()
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT + 10)
    elapsed = time.perf_counter() - started
    after = cpu_sample()
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError(f"{name}: load threads did not finish")

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    accepted: list[tuple[str, int]] = []
    bad_bodies = refused_items = 0
    for result in results:
        latencies += result.latencies
        statuses.update(result.statuses)
        errors.update(result.errors)
        accepted += result.accepted
        bad_bodies += result.bad_bodies
        refused_items += result.refused_items
    batched = any(job.batch_targets for job in jobs)
    calls_ok = statuses[201] if parse_created and not batched else statuses[200]
    ok = len(accepted) if batched else calls_ok
    return PhaseResult(name, elapsed, len(latencies), ok, latencies, statuses, errors, accepted,
                       bad_bodies, cpu_split(before, after, server_pgid), calls_ok,
                       refused_items)




def make_batch_jobs(targets: Sequence[BenchTarget], rng: random.Random, port: int,
                    args: argparse.Namespace, bearer: str) -> list[Job]:
    """Batch calls drawn from the same targets and bodies as the one-report calls."""
    if not args.batch_size:
        return []
    calls = 40 if args.quick else 200
    picks = zipf_picks(calls * args.batch_size, len(targets), args.zipf, rng)
    jobs = []
    for start in range(0, len(picks), args.batch_size):
        chosen = picks[start:start + args.batch_size]
        body = {"reports": [make_report_body(targets[i], rng) for i in chosen]}
        jobs.append(Job(build_request("POST", "/api/v1/reports/batch", port,
                                      json.dumps(body, ensure_ascii=False).encode(),
                                      bearer=bearer, language="vi"),
                        -1, tuple(chosen)))
    return jobs


def post_jobs_share(jobs: Sequence[Job]) -> float:
    counts = Counter(job.target for job in jobs)
    return counts.most_common(1)[0][1] / len(jobs) if jobs else 0.0


