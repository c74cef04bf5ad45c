"""The intake benchmark's reports: targets written the ways people write them, Zipf-
distributed over the reports, with Vietnamese descriptions full of phones, accounts and links."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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

