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
import itertools
import json
import os
import platform
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg
from _common import (
    HOST,
    Connection,
    HttpError,
    build_request,
    fraudhub_command,
    free_port,
    http_get,
    ms,
    recreate_postgres,
    running_server,
    server_banner,
)
from psycopg.conninfo import conninfo_to_dict

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fraudhub_bench"
INTAKE_RATE_LIMIT = 1_000_000_000
API_KEY_QUOTA = 1_000_000_000
TARGET_RATIO = 0.5
REQUEST_TIMEOUT = 30.0

# ------------------------------------------------------------------------------------------
# Realistic report bodies
# ------------------------------------------------------------------------------------------

_SURNAMES = ("nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang",
             "bui", "do", "ho", "ngo", "duong", "ly")
_MIDDLE = ("van", "thi", "duc", "minh", "ngoc", "thu", "quoc", "thanh", "huu", "kim")
_GIVEN = ("an", "binh", "chi", "dung", "giang", "ha", "hung", "lan", "linh", "long", "mai",
          "nam", "phuong", "quang", "son", "tam", "trang", "tuan", "viet", "yen")
_DISPLAY_NAMES = ("Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Minh Tuấn", "Phạm Ngọc Lan",
                  "Hoàng Quốc Việt", "Vũ Thu Trang", "Đặng Thanh Sơn", "Bùi Kim Yến")
_SHOP_WORDS = ("shop", "hang.hieu", "order", "sale", "tuyen.dung", "vay.nhanh", "dau.tu",
               "kiem.tien", "du.lich", "ve.may.bay", "my.pham", "dong.ho")
# Vietnamese mobile prefixes (after the trunk 0) that phonenumbers reads as valid.
_MOBILE_PREFIXES = ("90", "91", "93", "94", "96", "97", "98", "70", "76", "77", "78", "79",
                    "81", "82", "83", "84", "85", "86", "88", "32", "33", "34", "35",
                    "36", "37", "38", "39", "56", "58")
# (NAPAS BIN, ways people write the bank's name); names from the shipped bank table.
_BANKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("970436", ("Vietcombank", "VCB", "Ngân hàng Ngoại thương")),
    ("970415", ("VietinBank", "Vietin", "CTG")),
    ("970418", ("BIDV", "Ngân hàng Đầu tư và Phát triển")),
    ("970405", ("Agribank", "Agri bank")),
    ("970422", ("MB Bank", "MBBank", "Ngân hàng Quân đội")),
    ("970407", ("Techcombank", "TCB", "Techcom bank")),
    ("970416", ("ACB", "Ngân hàng Á Châu")),
    ("970432", ("VPBank", "VP Bank")),
    ("970403", ("Sacombank", "STB")),
    ("970423", ("TPBank", "TP Bank")),
)
_SCAM_WORDS = ("xac-minh", "nhan-qua", "tri-an", "khuyen-mai", "hoan-tien", "vay-nhanh",
               "dau-tu", "bao-hiem", "dich-vu-cong", "tuyen-ctv", "giai-thuong", "mo-khoa")
_BRANDS = ("vietcombank", "shopee", "lazada", "tiki", "viettel", "evn", "vneid", "zalopay",
           "momo", "techcombank", "bidv", "tiktok", "vpbank", "agribank")
_TLDS = ("top", "xyz", "online", "vip", "site", "click", "shop", "info", "net", "com")
_PATHS = ("/dang-nhap", "/xac-thuc", "/nhan-thuong", "/kyc", "/login", "/hoan-tien",
          "/cap-nhat", "/su-kien", "/")

_OPENERS = (
    "Tài khoản {target} nhắn tin làm quen rồi dụ tôi đầu tư vào sàn tiền ảo, hứa lãi 30% mỗi "
    "tuần.",
    "Tôi nhận cuộc gọi từ số {phone} tự xưng là cán bộ công an, yêu cầu cài ứng dụng để "
    "xác minh căn cước.",
    "Đối tượng {target} quảng cáo tour du lịch giá rẻ, bắt chuyển cọc trước rồi chặn liên lạc.",
    "Kẻ gian giả danh nhân viên ngân hàng gửi đường link {url} yêu cầu cập nhật thông tin.",
    "Có người nhận tuyển cộng tác viên online, giao nhiệm vụ nhỏ rồi bắt nạp tiền để nhận "
    "hoa hồng.",
    "Facebook của bạn tôi bị hack, kẻ gian nhắn tin hỏi vay {amount} và gửi số tài khoản "
    "{bank}.",
    "Họ gọi báo con tôi bị tai nạn đang cấp cứu, yêu cầu chuyển gấp {amount} vào {bank}.",
    "Người bán {target} nhận tiền đặt hàng nhưng gửi hàng giả, sau đó chặn tôi.",
    "Tôi bị dẫn vào trang {url} giả mạo cổng dịch vụ công và bị lấy mất mã OTP.",
    "Nhóm {target} mời tham gia dự đoán xổ số, đóng phí {amount} để nhận số đẹp.",
    "Tôi bấm vào quảng cáo trên Facebook dẫn tới {url}, nhập thông tin thẻ thì bị trừ tiền.",
    "Có người gọi từ {phone} nói tôi chuyển nhầm tiền, bắt tôi chuyển trả kèm phí.",
)
_MIDDLES = (
    "Số tài khoản nhận tiền: {bank}, chủ tài khoản {name}.",
    "STK {bank}.",
    "Liên hệ qua Zalo {phone}.",
    "Họ gửi link {url} và bảo đăng nhập để nhận thưởng.",
    "Tôi đã chuyển {amount} ngày {date} lúc {time}.",
    "Mã đơn hàng {order} nhưng đến nay không nhận được hàng.",
    "Số điện thoại liên lạc của đối tượng: {phone}.",
    "Sau khi nhận tiền họ chặn Facebook và không nghe máy.",
    "Trang cá nhân {target} đăng nhiều ảnh giả để tạo lòng tin.",
    "Đối tượng dùng tên {name} và gửi ảnh căn cước giả.",
)
_CLOSERS = (
    "Mong cơ quan chức năng xử lý sớm để người khác không bị lừa.",
    "Đề nghị khóa tài khoản này.",
    "Xin cảnh báo mọi người cẩn thận.",
    "Tôi đã trình báo công an phường nhưng chưa có kết quả.",
    "Rất mong được hỗ trợ lấy lại tiền.",
)


@dataclass(frozen=True)
class BenchTarget:
    """One thing reported, with the equivalent ways people write it (they must group)."""

    ident: int
    kind: str
    platform: str
    variants: tuple[str, ...]
    fraud_type: str


def _vn_mobile(rng: random.Random) -> str:
    """A valid Vietnamese mobile number as ten national digits (0 + 9)."""
    return "0" + rng.choice(_MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=7))


def _phone_forms(national: str) -> tuple[str, ...]:
    rest = national[1:]
    return (
        national,
        f"{national[:4]} {national[4:7]} {national[7:]}",
        f"{national[:4]}.{national[4:7]}.{national[7:]}",
        f"+84 {rest[:2]} {rest[2:5]} {rest[5:]}",
        f"(+84) {rest[:3]}-{rest[3:6]}-{rest[6:]}",
        f"84{rest}",
    )


def _bank_forms(bin_: str, names: Sequence[str], digits: str, rng: random.Random) -> tuple[
    str, ...
]:
    grouped = " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
    name = rng.choice(names)
    return (
        f"STK {digits} {names[0]}",
        f"{names[0]} {digits}",
        f"{grouped} {name}",
        f"{digits} - {name}",
        f"{bin_}:{digits}",
    )


def _username(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.6:
        parts = [rng.choice(_SURNAMES), rng.choice(_MIDDLE), rng.choice(_GIVEN)]
        return ".".join(parts) + str(rng.randint(80, 2005))
    return rng.choice(_SHOP_WORDS) + "." + rng.choice(_GIVEN) + str(rng.randint(1, 999))


def _facebook_user_forms(name: str, rng: random.Random) -> tuple[str, ...]:
    cased = ".".join(p.capitalize() for p in name.split("."))
    return (
        f"https://www.facebook.com/{name}",
        f"https://m.facebook.com/{cased}/",
        f"fb.com/{name}?mibextid=ZbWKwL",
        f"https://web.facebook.com/{name}?_rdc=1&_rdr",
        f"mbasic.facebook.com/{name}",
        f"facebook.com/{cased}",
    )


def _facebook_id_forms(fb_id: str, rng: random.Random) -> tuple[str, ...]:
    slug = "-".join(w.capitalize() for w in (rng.choice(_SURNAMES), rng.choice(_MIDDLE),
                                             rng.choice(_GIVEN)))
    return (
        f"https://www.facebook.com/profile.php?id={fb_id}",
        f"https://m.facebook.com/profile.php?id={fb_id}&ref=content_filter",
        f"https://www.facebook.com/people/{slug}/{fb_id}/",
        f"facebook.com/{fb_id}",
        f"https://web.facebook.com/profile.php?id={fb_id}&mibextid=LQQJ4d",
    )


def _domain(rng: random.Random) -> str:
    label = f"{rng.choice(_BRANDS)}-{rng.choice(_SCAM_WORDS)}{rng.randint(1, 99)}"
    return f"{label}.{rng.choice(_TLDS)}"


def _url_forms(domain: str, path: str) -> tuple[str, ...]:
    label, _, tld = domain.rpartition(".")
    return (
        f"https://{domain}{path}",
        f"hxxps://{label}[.]{tld}{path}",
        f"https://{domain.upper()}{path}#top",
        f"https://{domain}:443{path}",
        f"{domain}{path}",
    )


def make_targets(count: int, fraud_types: Sequence[str], rng: random.Random) -> list[
    BenchTarget
]:
    """``count`` distinct targets; their order is random, so the hottest is of any kind."""
    targets: list[BenchTarget] = []
    seen: set[str] = set()
    while len(targets) < count:
        roll = rng.random()
        fraud_type = rng.choice(fraud_types)
        if roll < 0.30:
            name = _username(rng)
            key, kind, platform, forms = "fb:" + name, "account", "", _facebook_user_forms(
                name, rng)
        elif roll < 0.45:
            fb_id = "1000" + "".join(rng.choices("0123456789", k=11))
            key, kind, platform, forms = "fb:" + fb_id, "account", "", _facebook_id_forms(
                fb_id, rng)
        elif roll < 0.50:
            group = rng.choice(_SHOP_WORDS).replace(".", "") + str(rng.randint(10, 99999))
            key, kind, platform = "fbg:" + group, "group", "facebook"
            forms = (f"https://www.facebook.com/groups/{group}", f"m.facebook.com/groups/{group}/",
                     f"https://facebook.com/groups/{group}/?ref=share", group)
        elif roll < 0.72:
            national = _vn_mobile(rng)
            key, kind, platform, forms = "ph:" + national, "phone", "", _phone_forms(national)
        elif roll < 0.85:
            bin_, names = rng.choice(_BANKS)
            digits = "".join(rng.choices("0123456789", k=rng.choice((10, 12, 13, 14))))
            key, kind, platform = f"ba:{bin_}:{digits}", "bank_account", ""
            forms = _bank_forms(bin_, names, digits, rng)
        else:
            domain, path = _domain(rng), rng.choice(_PATHS)
            key, kind, platform, forms = "url:" + domain + path, "url", "", _url_forms(
                domain, path)
        if key in seen:
            continue
        seen.add(key)
        targets.append(BenchTarget(len(targets), kind, platform, forms, fraud_type))
    return targets


def _amount(rng: random.Random) -> str:
    millions = rng.choice((2, 5, 8, 15, 30, 120))
    return rng.choice((f"{millions}.000.000đ", f"{millions} triệu", f"{millions}.500.000 đồng",
                       f"{millions * 100}k"))


def make_description(target: BenchTarget, rng: random.Random) -> str:
    """A Vietnamese account of what happened, 200-400 characters, with indicators inside."""
    _bin, names = rng.choice(_BANKS)
    digits = "".join(rng.choices("0123456789", k=rng.choice((10, 12, 13))))
    values = {
        "target": rng.choice(target.variants) if target.kind != "bank_account" else "này",
        "phone": rng.choice(_phone_forms(_vn_mobile(rng))),
        "bank": rng.choice((f"{digits} {rng.choice(names)}", f"{rng.choice(names)} {digits}")),
        "url": _url_forms(_domain(rng), rng.choice(_PATHS))[rng.randrange(5)],
        "amount": _amount(rng),
        "name": rng.choice(_DISPLAY_NAMES),
        "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
        "time": f"{rng.randint(7, 22)}h{rng.choice(('00', '15', '30', '45'))}",
        "order": "DH" + "".join(rng.choices("0123456789", k=9)),
    }
    parts = [rng.choice(_OPENERS).format(**values)]
    middles = rng.sample(_MIDDLES, len(_MIDDLES))
    closer = rng.choice(_CLOSERS).format(**values)
    for middle in middles:
        text = middle.format(**values)
        length = sum(len(p) + 1 for p in parts) + len(closer)
        if length >= 200 + rng.randint(0, 120):
            break
        if length + len(text) + 1 <= 400:
            parts.append(text)
    parts.append(closer)
    return " ".join(parts)


def zipf_picks(count: int, n: int, exponent: float, rng: random.Random) -> list[int]:
    """``count`` ranks in [0, n) drawn with probability proportional to 1/(rank+1)^exponent."""
    cumulative = list(itertools.accumulate(1.0 / (k ** exponent) for k in range(1, n + 1)))
    return rng.choices(range(n), cum_weights=cumulative, k=count)


def make_report_body(target: BenchTarget, rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {
        "target_kind": target.kind,
        "target": rng.choice(target.variants),
        "fraud_type": target.fraud_type,
        "description": make_description(target, rng),
        "good_faith": True,
        "language": "vi",
    }
    if target.platform:
        body["platform"] = target.platform
    if rng.random() < 0.25:  # a quarter of reporters leave an address for the receipt
        person = rng.randrange(5000)
        body["reporter_contact"] = {"email": f"nguoidan{person}@example.vn",
                                    "name": rng.choice(_DISPLAY_NAMES)}
    return body


# ------------------------------------------------------------------------------------------
# A small keep-alive HTTP/1.1 client (stdlib sockets; cheaper per request than http.client,
# which matters because it shares the CPUs with the server)
# ------------------------------------------------------------------------------------------


def http_get_json(port: int, path: str) -> tuple[int, Any]:
    status, body = http_get(port, path)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


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


@dataclass
class Checks:
    accepted: int
    unique_codes: int
    lost: int
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
        return (self.lost == 0 and self.unique_codes == self.accepted
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
                   "(SELECT 1 FROM reports_report r WHERE r.tracking_code = a.tracking_code)")
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
        unacknowledged=unacknowledged, reports=reports, reports_with_case=reports_with_case,
        cases=cases, targets=targets, sum_report_count=sum_report_count,
        miscounted_cases=miscounted, biggest_case=biggest,
        bench_targets=len({target for _, target in accepted}), split_targets=split,
        audit_report_rows=audit, anonymous_reports=anonymous_reports,
        anonymous_transactions=anonymous_transactions, queued_jobs=queued,
        unrecorded_reports=unrecorded,
    )


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


@dataclass(frozen=True)
class Drain:
    wall: float  # seconds `fraudhub worker --batch` took to run every queued job
    cpu: float  # CPU seconds of the worker process (PostgreSQL's share not included)
    status: int


def drain_jobs(fraudhub: str, env: dict[str, str], log: TextIO) -> Drain:
    """Run every job the reports queued, the server stopped: what intake leaves to the worker
    (sightings in the indicator database, receipts) measured on its own."""
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
    print("\nafter the phases: `fraudhub worker --batch` runs the jobs the reports queued")
    print(f"  {drain.wall:.1f} s, worker CPU {drain.cpu:.1f} s = {drain.cpu / reports * 1000:.2f}"
          f" ms per report (exit status {drain.status}); reports whose values are not yet "
          f"sightings: {checks.unrecorded_reports}; jobs still queued: "
          f"{sum(checks.queued_jobs.values())}")
    for phase in (p for p in (intake, batch) if p is not None and p.ok):
        share = drain.wall * phase.ok / reports
        print(f"  {phase.name}: {phase.ok} reports in {phase.elapsed:.1f} s + their share of the "
              f"jobs {share:.1f} s -> {phase.ok / (phase.elapsed + share):.1f} reports/s with "
              "the work they queued done")


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
              "concurrent reports are filed together)")
    print(f"  grouping: {checks.reports} reports in {checks.cases} cases on {checks.targets} "
          f"targets ({checks.reports / max(1, checks.cases):.1f} reports per case, biggest "
          f"{checks.biggest_case}); benchmark targets reported: {checks.bench_targets}, "
          f"split over several cases: {checks.split_targets}")
    if checks.cases != checks.bench_targets or checks.split_targets:
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
