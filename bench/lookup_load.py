"""The lookup benchmark's load phases: keep-alive clients against the server, and the CPU
time and memory of the server's processes read from /proc."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from _common import REQUEST_TIMEOUT, Connection, HttpError

# A phase in which one server process got far less CPU than another measured where the
# connections happened to land, not what the server can do.
UNBALANCED_SHARE = 1 / 3
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")

# ------------------------------------------------------------------------------------------
# /proc: CPU time and memory of the server's processes
# ------------------------------------------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with suppress(OSError), open(f"/proc/{entry.name}/stat", encoding="latin-1") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    found.append(int(entry.name))
    return found


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        with suppress(OSError), open(f"/proc/{pid}/stat", encoding="latin-1") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / _CLK_TCK
    return found


def postgres_pids() -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with suppress(OSError), open(f"/proc/{entry.name}/comm", encoding="latin-1") as fh:
                if fh.read().startswith("postgres"):
                    found.append(int(entry.name))
    return found


def rss_bytes(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        with suppress(OSError), open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            total += int(fh.read().split()[1]) * _PAGE
    return total


def _proc_kib_total(pids: Sequence[int], file: str, label: str) -> int:
    """Sum over the processes of the "<label>: N kB" line of /proc/<pid>/<file>, in bytes."""
    total = 0
    for pid in pids:
        with suppress(OSError), open(f"/proc/{pid}/{file}", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(label + ":"):
                    total += int(line.split()[1]) * 1024
                    break
    return total


def pss_bytes(pids: Sequence[int]) -> int:
    """Proportional set size of the processes: pages they share counted once in all, which RSS
    counts once in each (the forked server processes share what the parent built)."""
    return _proc_kib_total(pids, "smaps_rollup", "Pss")


def hwm_bytes(pids: Sequence[int]) -> int:
    """Sum of each process's own peak RSS (VmHWM): an upper bound of the group's peak."""
    return _proc_kib_total(pids, "status", "VmHWM")


class MemoryWatch(threading.Thread):
    """Samples the RSS and the PSS of all the server's processes every 0.2 s; keeps the peaks."""

    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True, name="rss")
        self.pgid, self.peak, self.peak_pss = pgid, 0, 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            pids = group_pids(self.pgid)
            self.peak = max(self.peak, rss_bytes(pids))
            self.peak_pss = max(self.peak_pss, pss_bytes(pids))

    def stop(self) -> int:
        self.stop_event.set()
        self.join(timeout=5)
        return self.peak


# ------------------------------------------------------------------------------------------
# Load phases
# ------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    elapsed: float
    ok: int
    units: int  # answered values (1 per lookup or scan, 1,000 per bulk call)
    latencies: list[float]
    statuses: Counter[int]
    errors: Counter[str]
    server_cpu: float  # CPU seconds of the server's processes during the phase
    client_cpu: float
    postgres_cpu: float
    found: int = 0  # sampled answers that were not `no_data` (single lookups)
    sampled: int = 0
    # CPU seconds of each server process but gunicorn's master, busiest first: a process that
    # got most of the keep-alive connections of a phase shows as one core doing two's work.
    process_cpu: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.units / self.elapsed if self.elapsed else 0.0

    @property
    def per_server_cpu_second(self) -> float:
        return self.units / self.server_cpu if self.server_cpu else 0.0

    @property
    def balanced(self) -> bool:
        return len(self.process_cpu) < 2 or (
            self.process_cpu[-1] >= UNBALANCED_SHARE * self.process_cpu[0])

    @property
    def per_core(self) -> float:
        """Units per CPU-second of the server and the database together."""
        busy = self.server_cpu + self.postgres_cpu
        return self.units / busy if busy else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_phase(name: str, port: int, requests: Sequence[bytes], *, units_per_ok: int,
              concurrency: int, duration: float, pgid: int, sample_status: bool = False,
              seed: int = 0) -> Phase:
    """Keep ``concurrency`` connections busy with random ``requests`` for ``duration`` s."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    sampled = [0, 0]
    barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn, mine, found, seen = Connection(port), [], 0, 0
        codes: Counter[int] = Counter()
        errs: Counter[str] = Counter()
        barrier.wait()
        while (started := time.perf_counter()) < deadline[0]:
            try:
                status, body = conn.request(requests[rng.randrange(len(requests))])
            except (HttpError, OSError) as exc:
                errs[type(exc).__name__] += 1
                conn.close()
                time.sleep(0.01)
                continue
            mine.append(time.perf_counter() - started)
            codes[status] += 1
            if sample_status and status == 200 and len(mine) % 16 == 0:
                seen += 1
                found += json.loads(body).get("status") != "no_data"
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)
            errors.update(errs)
            sampled[0] += found
            sampled[1] += seen

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    pids = group_pids(pgid)
    cpu_before, client_before = cpu_seconds(pids), time.process_time()
    pg_before = cpu_seconds(postgres_pids())
    started = time.perf_counter()
    deadline[0] = started + duration
    barrier.wait()
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT + 10)
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(group_pids(pgid))
    server_cpu = sum(cpu_after[p] - cpu_before.get(p, 0.0) for p in cpu_after)
    process_cpu = sorted((cpu_after[p] - cpu_before.get(p, 0.0) for p in cpu_after
                          if p != pgid), reverse=True)
    pg_after = cpu_seconds(postgres_pids())  # backends that exited meanwhile are not counted
    postgres_cpu = sum(pg_after[p] - pg_before.get(p, 0.0) for p in pg_after)
    ok = statuses[200]
    return Phase(name, elapsed, ok, ok * units_per_ok, latencies, statuses, errors, server_cpu,
                 time.process_time() - client_before, postgres_cpu, sampled[0], sampled[1],
                 process_cpu)


