"""The demo data set loaded by `fraudhub demo` (and `make run` on an empty database)."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "fraudhub-demo-2026"  # noqa: S105 - printed to the operator; demo only

# username, role, organization key
DEMO_USERS: list[tuple[str, str, str | None]] = [
    ("admin", "admin", "platform"),
    ("reviewer", "reviewer", "platform"),
    ("reviewer2", "reviewer", "platform"),
    ("senior", "senior_reviewer", "platform"),
    ("officer", "agency_officer", "agency"),
    ("partner", "partner", "partner"),
    ("flagger", "citizen", "flagger"),
]

_INVEST = (
    "Nhóm Zalo mời đầu tư chứng khoán quốc tế, cam kết lãi 30%/tháng. Tôi đã chuyển "
    "50.000.000đ vào STK 0071000123456 Vietcombank theo hướng dẫn của 'chuyên gia', sau đó bị "
    "chặn liên lạc. Số điện thoại liên hệ 0912 345 678."
)
_TASKS = (
    "Được mời làm cộng tác viên online, làm nhiệm vụ thả tim TikTok được trả 50k, sau đó bị yêu "
    "cầu nạp tiền để 'mở khóa nhiệm vụ'. Mất 12 triệu. Link: hxxps://nhiemvu-tiktok[.]shop/login"
)
_BANK = (
    "Tin nhắn giả mạo Vietcombank: 'Tài khoản của quý khách sẽ bị khóa, vui lòng xác thực tại "
    "https://vietcombank-xacthuc.com/dang-nhap'. Gọi lại số 0867 111 222 thì bị hỏi mã OTP."
)
_ROMANCE = (
    "Met a 'US army doctor' on Facebook who asked me to pay customs fees for a parcel with "
    "gifts. Paid 2,000 USD to account 19036587412018 Techcombank. Profile below."
)
_POLICE = (
    "Người gọi xưng là công an quận, nói tôi liên quan đường dây rửa tiền, yêu cầu chuyển tiền "
    "vào tài khoản 'tạm giữ' 1234567890123 BIDV. Số gọi đến: 024 3823 4567."
)


def _many(target: str, kind: str, fraud_type: str, description: str, count: int,
          platform: str = "", **extra: Any) -> list[dict[str, Any]]:
    return [
        {"target": target, "kind": kind, "fraud_type": fraud_type, "platform": platform,
         "description": description, **extra}
        for _ in range(count)
    ]


DEMO_REPORTS: list[dict[str, Any]] = [
    *_many("https://www.facebook.com/profile.php?id=100089912345678", "account",
           "investment_stock_crypto", _INVEST, 6),
    *_many("https://m.facebook.com/people/Chuyen-Gia-Chung-Khoan/100089912345678/", "account",
           "investment_stock_crypto", _INVEST, 3),
    *_many("https://t.me/VCB_HoTro_KhachHang", "account", "fake_bank_data_collection", _BANK, 5),
    *_many("https://www.facebook.com/groups/kiemtienonline247/", "group",
           "online_collaborator_tasks", _TASKS, 7),
    *_many("0867 111 222", "phone", "fake_bank_data_collection", _BANK, 4),
    *_many("https://www.facebook.com/dr.james.walker.usarmy", "account", "romance_scam",
           _ROMANCE, 2, language="en", email="victim@example.com"),
    *_many("024 3823 4567", "phone", "fake_police_court", _POLICE, 3),
    *_many("hxxps://nhiemvu-tiktok[.]shop/login", "url", "online_collaborator_tasks", _TASKS, 2),
    {"target": "https://www.facebook.com/ThuTuongChinhPhu.Fanpage.Official", "kind": "page",
     "fraud_type": "impersonation_official_brand", "platform": "facebook", "as": "flagger",
     "description": "Trang giả mạo Thủ tướng Chính phủ kêu gọi đầu tư vào dự án tiền ảo."},
    {"target": "https://www.facebook.com/groups/1122334455667788/", "kind": "group",
     "fraud_type": "gambling_loan_apps", "platform": "facebook", "as": "officer",
     "description": "Nhóm quảng cáo ứng dụng vay tín dụng đen, lãi suất 5%/ngày."},
]
