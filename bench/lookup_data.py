"""The lookup benchmark's data: synthetic indicators in the formats people write, the
samples of loaded and absent values, scan messages, and the request bodies of each phase."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BULK_SIZE = 1000
SCAN_BATCH_SIZE = 100  # messages per POST /api/v1/scan/batch call
SCAN_CHARS = 200
REPO = Path(__file__).resolve().parent.parent
BANKS_FILE = REPO / "src" / "fraudhub" / "indicators" / "data" / "vn_banks.json"

# ------------------------------------------------------------------------------------------
# Synthetic indicators
# ------------------------------------------------------------------------------------------

MOBILE = ("90", "91", "93", "94", "96", "97", "98", "70", "76", "77", "78", "79", "81", "82",
          "83", "84", "85", "86", "88", "32", "33", "34", "35", "36", "37", "38", "39", "56",
          "58")
WORDS = ("vay-nhanh", "dau-tu", "nhan-qua", "tri-an", "hoan-tien", "khuyen-mai", "xac-minh",
         "giai-thuong", "tuyen-ctv", "mo-khoa", "bao-hiem", "dich-vu-cong", "shopee-sale",
         "vietcombank-vn", "tiki-deal", "momo-gift", "evn-hoan-phi", "vneid-update")
TLDS = ("top", "xyz", "online", "vip", "site", "click", "shop", "info", "net", "com", "com.vn",
        "vn", "cc", "live")
PATHS = ("/dang-nhap", "/xac-thuc", "/nhan-thuong", "/kyc", "/login", "/hoan-tien", "/cap-nhat",
         "/su-kien", "/", "/otp")
NAMES = ("nguyen", "tran", "le", "pham", "hoang", "vu", "dang", "bui", "do", "ngo", "duong")
MAIL = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "yandex.com")
KINDS = (("phone", 35), ("bank_account", 25), ("url", 14), ("domain", 6),
         ("social_account", 11), ("email", 6), ("crypto_wallet", 3))
STATUSES = (("suspicious", 62), ("scam", 28), ("verifying", 10))
DISTRIBUTIONS = (("public", 85), ("partners", 10), ("internal", 5))
FRAUD_TYPES = ("investment_stock_crypto", "online_collaborator_tasks", "fake_bank_data_collection",
               "phishing_links_ads", "wrong_transfer_refund", "fake_police_court",
               "romance_scam", "gambling_loan_apps", "cheap_travel_combo", "telegram_otp_theft",
               "hacked_account_borrowing", "counterfeit_goods", "relative_emergency")
MISS_BASE = 9_000_000  # counters of values that are never loaded (misses)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        text = _B58[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def _b36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
        if not number:
            return digits


@dataclass(frozen=True)
class Bank:
    bin: str
    names: tuple[str, ...]


def load_banks() -> tuple[Bank, ...]:
    raw = json.loads(BANKS_FILE.read_text(encoding="utf-8"))
    return tuple(Bank(b["bin"], (b["short_name"], *b["aliases"][:3])) for b in raw["banks"])


class Synth:
    """Indicator number ``n`` of a kind as (type, canonical-ish value, raw user spellings)."""

    def __init__(self, banks: Sequence[Bank]) -> None:
        self.banks = banks

    def make(self, kind: str, n: int) -> tuple[str, str, tuple[str, ...]]:
        return getattr(self, kind)(n)

    @staticmethod
    def phone(n: int) -> tuple[str, str, tuple[str, ...]]:
        prefix = MOBILE[n % len(MOBILE)]
        rest = f"{(n // len(MOBILE) * 7_654_321 + 1_234_567) % 10_000_000:07d}"
        national = f"0{prefix}{rest}"
        return "phone", f"+84{prefix}{rest}", (
            national, f"{national[:4]} {national[4:7]} {national[7:]}",
            f"{national[:4]}.{national[4:7]}.{national[7:]}",
            f"+84 {prefix} {rest[:3]} {rest[3:]}", f"84{prefix}{rest}")

    def bank_account(self, n: int) -> tuple[str, str, tuple[str, ...]]:
        bank = self.banks[n % len(self.banks)]
        length = (10, 12, 13, 14)[n // len(self.banks) % 4]
        digits = f"{(n * 982_451_653 + 7) % 10 ** length:0{length}d}"
        name = bank.names[n % len(bank.names)]
        spaced = " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
        return "bank_account", f"{bank.bin}:{digits}", (
            f"STK {digits} {name}", f"{digits} {name}", f"{spaced} {bank.names[0]}",
            f"số tài khoản {digits} ngân hàng {name}", digits)

    @staticmethod
    def url(n: int) -> tuple[str, str, tuple[str, ...]]:
        host = f"{WORDS[n % len(WORDS)]}-{_b36(n * 7919 + 13)}.{TLDS[n % len(TLDS)]}"
        path = PATHS[n // 7 % len(PATHS)]
        return "url", f"https://{host}{path}", (
            f"https://{host}{path}", f"hxxps://{host.replace('.', '[.]')}{path}",
            f"HTTPS://{host.upper()}:443{path}", f"{host}{path}")

    @staticmethod
    def domain(n: int) -> tuple[str, str, tuple[str, ...]]:
        host = f"{WORDS[(n + 5) % len(WORDS)]}{_b36(n * 104_729 + 3)}.{TLDS[n % len(TLDS)]}"
        return "domain", host, (host, f"www.{host}", host.upper())

    @staticmethod
    def social_account(n: int) -> tuple[str, str, tuple[str, ...]]:
        handle = f"{NAMES[n % len(NAMES)]}.{_b36(n * 31 + 11)}"
        match n % 6:
            case 0 | 1:
                number = 100_000_000_000_000 + n * 17
                return "social_account", f"facebook:{number}", (
                    f"https://www.facebook.com/profile.php?id={number}",
                    f"m.facebook.com/profile.php?id={number}", f"facebook:{number}")
            case 2:
                tg = handle.replace(".", "_")
                return "social_account", f"telegram:{tg}", (f"t.me/{tg}", f"https://t.me/{tg}")
            case 3:
                return "social_account", f"tiktok:{handle}", (
                    f"tiktok.com/@{handle}", f"https://www.tiktok.com/@{handle}")
            case 4:
                return "social_account", f"facebook:{handle}", (
                    f"fb.com/{handle}", f"https://www.facebook.com/{handle}")
            case _:
                return "social_account", f"instagram:{handle}", (
                    f"instagram.com/{handle}", f"https://www.instagram.com/{handle}/")

    @staticmethod
    def email(n: int) -> tuple[str, str, tuple[str, ...]]:
        local = f"{NAMES[n % len(NAMES)]}.{_b36(n * 13 + 1)}"
        address = f"{local}@{MAIL[n % len(MAIL)]}"
        return "email", address, (address, address.capitalize())

    @staticmethod
    def crypto_wallet(n: int) -> tuple[str, str, tuple[str, ...]]:
        digest = hashlib.sha256(n.to_bytes(8, "big")).digest()[:20]
        match n % 3:
            case 0:
                address = "0x" + digest.hex()
                return "crypto_wallet", f"eth:{address}", (address,)
            case 1:
                address = _base58check(b"\x00" + digest)
                return "crypto_wallet", f"btc:{address}", (address,)
            case _:
                address = _base58check(b"\x41" + digest)
                return "crypto_wallet", f"trx:{address}", (address,)


def _weighted(pairs: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    names = [name for name, _ in pairs]
    weights, total = [], 0
    for _, weight in pairs:
        total += weight
        weights.append(total)
    return names, weights


@dataclass
class Dataset:
    files: list[tuple[int, Path]]  # (cumulative size, CSV of the rows added at that size)
    hits: list[tuple[str, str]]  # (raw user spelling, type) of values in the first file
    misses: list[tuple[str, str]]
    junk: int = 0


def generate(sizes: Sequence[int], directory: Path, seed: int, samples: int = 20_000
             ) -> Dataset:
    """Write one CSV per size step; keep samples of loaded values (hits) and absent ones."""
    rng = random.Random(seed)
    synth = Synth(load_banks())
    kinds, kind_w = _weighted(KINDS)
    statuses, status_w = _weighted(STATUSES)
    dists, dist_w = _weighted(DISTRIBUTIONS)
    counters: Counter[str] = Counter()
    hits: list[tuple[str, str]] = []
    junk = 0
    files: list[tuple[int, Path]] = []
    done = 0
    for size in sizes:
        path = directory / f"indicators-{done}-{size}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("value,type,status,confidence,fraud_type,source,distribution\n")
            for _ in range(size - done):
                if rng.random() < 0.0005:  # what real feeds carry too
                    out.write(rng.choice(('n/a,,,,,,\n', '0000,phone,scam,,,,\n',
                                          'http://,url,,,,,\n', '"x ""y""",,weird,,,,\n')))
                    junk += 1
                    continue
                kind = rng.choices(kinds, cum_weights=kind_w)[0]
                type_key, value, raws = synth.make(kind, counters[kind])
                counters[kind] += 1
                if rng.random() < 0.15 and kind != "domain":  # raw spelling, type guessed
                    value, type_key = raws[rng.randrange(max(1, len(raws) - 1))], ""
                status = rng.choices(statuses, cum_weights=status_w)[0]
                confidence = str(rng.randint(20, 100)) if rng.random() < 0.7 else ""
                fraud = rng.choice(FRAUD_TYPES) if rng.random() < 0.6 else ""
                source = f"feed-{rng.randrange(8)}"
                dist = rng.choices(dists, cum_weights=dist_w)[0]
                if "," in value or '"' in value:
                    value = '"' + value.replace('"', '""') + '"'
                out.write(f"{value},{type_key},{status},{confidence},{fraud},{source},{dist}\n")
                if not files and len(hits) < samples and rng.random() < samples * 1.1 / size:
                    hits.append((raws[rng.randrange(len(raws))], kind))
        files.append((size, path))
        done = size
    misses = []
    for index in range(len(hits)):
        kind = rng.choices(kinds, cum_weights=kind_w)[0]
        _type, _value, raws = synth.make(kind, MISS_BASE + index * 3 + rng.randrange(3))
        misses.append((raws[rng.randrange(len(raws))], kind))
    return Dataset(files, hits, misses, junk)


_SCAN_TEMPLATES = (
    "Tôi nhận cuộc gọi từ {phone} tự xưng công an, bắt chuyển tiền vào STK {account} để "
    "xác minh. Họ gửi link {url} yêu cầu đăng nhập.",
    "Chị ơi em bên CSKH gửi chị link {url} nhận quà tri ân, liên hệ Zalo {phone} nhé, "
    "phí ship chuyển khoản {account}.",
    "Urgent: your parcel is held. Pay the fee at {url} or call {phone}. Transfer to account "
    "{account} before 18:00 on 12/05/2025.",
    "Đầu tư tiền ảo lãi 30%/tuần, nạp vào ví {wallet} hoặc STK {account}, nhóm Telegram "
    "{social}, hotline {phone}.",
)
_FILLER = (" Mong mọi người cảnh giác, đừng chuyển tiền cho người lạ, không bấm vào đường "
           "link lạ và báo ngay cho cơ quan chức năng khi bị lừa.")


def scan_messages(count: int, hits: Sequence[tuple[str, str]],
                  misses: Sequence[tuple[str, str]], rng: random.Random) -> list[str]:
    """Messages of exactly SCAN_CHARS characters with phones, accounts, links, amounts, dates."""
    synth = Synth(load_banks())
    pool: dict[str, list[str]] = {}
    for raw, kind in [*hits, *misses]:
        pool.setdefault(kind, []).append(raw)
    extra = {"wallet": [synth.crypto_wallet(i)[2][0] for i in range(50)],
             "social": [synth.social_account(i * 6 + 2)[2][0] for i in range(50)]}
    messages = []
    for _ in range(count):
        text = rng.choice(_SCAN_TEMPLATES).format(
            phone=rng.choice(pool["phone"]), url=rng.choice(pool.get("url", ["x.top"])),
            account=synth.bank_account(rng.randrange(10**6))[2][1],
            wallet=rng.choice(extra["wallet"]), social=rng.choice(extra["social"]))
        messages.append((text + _FILLER * 3)[:SCAN_CHARS])
    return messages




@dataclass
class Workload:
    single: list[tuple[str, str | None]]  # (raw, type or None)
    bulk: list[bytes]  # JSON bodies of BULK_SIZE items
    scan: list[bytes]
    scan_batch: list[bytes]  # JSON bodies of SCAN_BATCH_SIZE messages


def make_workload(data: Dataset, rng: random.Random) -> Workload:
    def pick() -> tuple[str, str | None]:
        raw, kind = rng.choice(data.hits if rng.random() < 0.5 else data.misses)
        return raw, kind if rng.random() < 0.2 else None

    single = [pick() for _ in range(4000)]
    bulk = []
    for _ in range(20):
        items = []
        for raw, kind in (pick() for _ in range(BULK_SIZE)):
            items.append({"value": raw, **({"type": kind} if kind else {})})
        bulk.append(json.dumps({"items": items}, ensure_ascii=False).encode())
    texts = scan_messages(2000, data.hits, data.misses, rng)
    scan = [json.dumps({"text": text}, ensure_ascii=False).encode() for text in texts]
    scan_batch = [json.dumps({"messages": [{"text": t} for t in
                                           texts[start:start + SCAN_BATCH_SIZE]]},
                             ensure_ascii=False).encode()
                  for start in range(0, len(texts), SCAN_BATCH_SIZE)]
    return Workload(single, bulk, scan, scan_batch)

