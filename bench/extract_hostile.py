"""Indicator extraction on hostile text: the slowest messages a caller of POST /scan can send.

A scan message may hold 10,000 characters and a scan batch 500,000, so text built to make the
extraction's patterns backtrack, or to make it read thousands of phone-number candidates, is a
way to take a server's CPU with one call. This script times extraction on such texts against
ordinary scam messages of the same length, in the same run, and prints the ratio.

    .venv/bin/python bench/extract_hostile.py            # 10,000 characters per text
    .venv/bin/python bench/extract_hostile.py --chars 2000 --repeat 5

Target: no hostile text costs more than 5 times an ordinary message of its length.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from tempfile import mkdtemp

TARGET_RATIO = 5.0

_ORDINARY = (
    "Tôi nhận cuộc gọi từ 0912 345 678 tự xưng công an, bắt chuyển tiền vào STK 0071000123456 "
    "Vietcombank để xác minh. Họ gửi link hxxps://vcb-xacminh[.]top/login yêu cầu đăng nhập, "
    "hẹn 10:30 ngày 12/05/2025, phí 5.000.000đ, đơn hàng #123456789. "
)


def _repeat(atom: str, chars: int) -> str:
    return (atom * (chars // len(atom) + 1))[:chars]


def hostile_texts(chars: int, rng: random.Random) -> dict[str, str]:
    """Texts that were slow before the fixes they are named after (see extract.py)."""
    return {
        "digit groups after 00 (phone splitting)": _repeat("001 ", chars),
        "random digit groups after 00": " ".join(
            f"00{rng.randrange(10)}" for _ in range(chars // 4))[:chars],
        "digit groups (amount pattern)": _repeat("000 ", chars),
        "defanged labels a[.] (host pattern)": _repeat("a[.]", chars),
        "labels a(dot)": _repeat("a(dot)", chars),
        "account after account (bank names)": _repeat("STK 0071000123456 VCB ", chars),
        "dates and e-mail addresses (claimed spans)": _repeat("12/05/2025 a@b.co ", chars),
        "handles after digits": _repeat("1.tg @abc ", chars),
    }


def best_of(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudhub.settings")
    os.environ.setdefault("FRAUDHUB_DATA_DIR", mkdtemp(prefix="fraudhub-bench-extract-"))
    import django

    django.setup()
    from fraudhub.indicators.extract import extract

    extract(_ORDINARY)  # first use loads the suffix list and the phone metadata
    ordinary = _repeat(_ORDINARY, args.chars)
    reference = best_of(args.repeat, partial(extract, ordinary))
    print(f"extraction of {args.chars:,} characters, best of {args.repeat}")
    print(f"  {'ordinary scam messages (reference)':45} {reference * 1000:8.1f} ms")
    worst = 0.0
    for name, text in hostile_texts(args.chars, random.Random(1)).items():
        took = best_of(args.repeat, partial(extract, text))
        ratio = took / reference
        worst = max(worst, ratio)
        print(f"  {name:45} {took * 1000:8.1f} ms  {ratio:5.1f} x")
    verdict = "PASS" if worst <= TARGET_RATIO else "FAIL"
    print(f"worst ratio {worst:.1f} (target <= {TARGET_RATIO:g}) -> {verdict}")
    return 0 if worst <= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())
