from __future__ import annotations

import unicodedata

import pytest

from fraudhub.indicators import extract_numbers
from fraudhub.indicators.extract import FoundIndicator, extract

from .extraction_corpus import CORPUS, Snippet


def found_set(text: str) -> set[tuple[str, str]]:
    return {(f.type, f.value) for f in extract(text)}


def test_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 150
    assert sum(s.exact for s in CORPUS) >= 30
    assert sum(not s.expected for s in CORPUS) >= 50  # negatives
    assert len({s.text for s in CORPUS}) == len(CORPUS)


def test_precision_and_recall_over_corpus() -> None:
    true_pos = false_pos = false_neg = 0
    misses: list[str] = []
    for snippet in CORPUS:
        got = found_set(snippet.text)
        true_pos += len(got & snippet.expected)
        false_pos += len(got - snippet.expected)
        false_neg += len(snippet.expected - got)
        if got != snippet.expected:
            missing, extra = snippet.expected - got, got - snippet.expected
            misses.append(f"{snippet.text!r}: missing {missing}, extra {extra}")
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(
        f"\nextraction over {len(CORPUS)} snippets: precision {precision:.3f}, "
        f"recall {recall:.3f} (tp={true_pos} fp={false_pos} fn={false_neg})"
    )
    print("\n".join(misses))
    assert precision >= 0.95
    assert recall >= 0.95


@pytest.mark.parametrize("snippet", [s for s in CORPUS if s.exact], ids=lambda s: s.text[:40])
def test_exact_snippets(snippet: Snippet) -> None:
    assert found_set(snippet.text) == snippet.expected


def test_positions_and_raw_text() -> None:
    text = "Chuyển 5.000.000đ vào STK 0071000123456 Vietcombank hoặc gọi 0912.345.678"
    found = extract(text)
    assert found == [
        FoundIndicator("bank_account", "970436:0071000123456", "0071000123456", 26, 39),
        FoundIndicator("phone", "+84912345678", "0912.345.678", 61, 73),
    ]
    for item in found:
        assert text[item.start : item.end] == item.raw


def test_defanged_url_keeps_its_raw_spelling() -> None:
    [item] = extract("xem hxxps://vcb-hotro[.]com/login ngay")
    assert item == FoundIndicator(
        "url", "https://vcb-hotro.com/login", "hxxps://vcb-hotro[.]com/login", 4, 33
    )


def test_decomposed_input_reports_original_offsets() -> None:
    text = unicodedata.normalize("NFD", "số tài khoản 19036587412018 ngân hàng Techcombank")
    [item] = extract(text)
    assert item.value == "970407:19036587412018"
    assert text[item.start : item.end] == item.raw == "19036587412018"


def test_deduplicates_by_type_and_value_in_text_order() -> None:
    text = "Gọi 0912 345 678, 0912.345.678 hoặc +84 91 234 5678; web evil-shop.com, evil-shop.com"
    assert [(f.type, f.value, f.raw) for f in extract(text)] == [
        ("phone", "+84912345678", "0912 345 678"),
        ("domain", "evil-shop.com", "evil-shop.com"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "0912.345.678",
        "091-234-5678",
        "+84 91 234 5678",
        "0912 345 678",
        "(+84) 912 345 678",
        "84912345678",
        "+84912345678",
    ],
)
def test_phone_spellings(text: str) -> None:
    assert found_set(f"Liên hệ {text} ngay.") == {("phone", "+84912345678")}


@pytest.mark.parametrize(
    "text",
    [
        "12/03/2024",
        "2024-03-12",
        "12.03.2024",
        "14:30",
        "5.000.000đ",
        "5,000,000 VND",
        "500k",
        "2 triệu",
        "$300",
        "1.200 zł",
        "300 €",
        "mã đơn hàng 1234567890",
        "order #12345678",
        "Bestellnummer 0912345678",
        "numer zamówienia 0912345678",
        "năm 2024",
        "15 000 000 đ",
        "mã OTP 09123456",
        "CCCD 091234567890",
    ],
)
def test_not_phones_or_accounts(text: str) -> None:
    assert found_set(f"Ghi chú: {text} xong") == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("STK 0071000123456 Vietcombank", "970436:0071000123456"),
        ("số tài khoản 19036587412018 ngân hàng Techcombank", "970407:19036587412018"),
        ("stk: 0071000123456 vcb", "970436:0071000123456"),
        ("tài khoản 0071000123456 tại BIDV", "970418:0071000123456"),
        ("account 0071000123456", "*:0071000123456"),
        ("Konto 1234567890", "*:1234567890"),
        ("konto 61 1090 1014 0000 0712 1981 2874", "iban:PL61109010140000071219812874"),
        ("IBAN DE89 3704 0044 0532 0130 00", "iban:DE89370400440532013000"),
    ],
)
def test_bank_account_contexts(text: str, value: str) -> None:
    assert found_set(text) == {("bank_account", value)}


def test_social_urls_are_accounts_not_urls() -> None:
    text = "https://m.facebook.com/profile.php?id=1000123&ref=x và https://facebook.com/help"
    assert found_set(text) == {
        ("social_account", "facebook:1000123"),
        ("url", "https://facebook.com/help"),
    }


def test_bare_domains_need_a_public_suffix() -> None:
    assert found_set("vào vietcombank-hotro.com ngay") == {("domain", "vietcombank-hotro.com")}
    assert found_set("vào vietcombank-hotro.notatld ngay") == set()
    assert found_set("Xong.Shop ship toàn quốc") == set()


def test_empty_and_plain_text() -> None:
    assert extract("") == []
    assert extract("Xin chào, hôm nay trời đẹp quá!") == []


def test_a_wall_of_digit_groups_costs_a_bounded_number_of_phone_readings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    readings: list[str] = []
    read = extract_numbers._phone_value

    def counted(raw: str, region: str) -> str | None:
        readings.append(raw)
        return read(raw, region)

    monkeypatch.setattr(extract_numbers, "_phone_value", counted)
    text = "001 " * 2500  # 10,000 characters: the longest message a scan takes

    assert extract(text) == []
    runs = len(extract_numbers._PHONE.findall(text))
    # One reading of each run as a whole, then the splitting budget: 64 + 1 per 40 characters
    # (it was about 16 readings per run, 90 µs each for "00 1" numbers).
    assert len(readings) <= runs + 64 + len(text) // 40


def test_numbers_written_one_after_the_other_are_still_split_within_the_budget() -> None:
    text = "Gọi 0912 345 678 0987 654 321 hoặc 0901 234 567 ngay. " * 3
    assert {f.value for f in extract(text)} == {"+84912345678", "+84987654321", "+84901234567"}


def test_accounts_far_apart_in_a_long_message_keep_their_own_banks() -> None:
    filler = "Mọi người cẩn thận với nhóm này, họ đổi tài khoản liên tục. " * 4
    text = (f"STK 0071000123456 Vietcombank. {filler}"
            f"STK 19036768978011 Techcombank. {filler}STK 0071000999999.")

    found = {f.value for f in extract(text) if f.type == "bank_account"}

    assert found == {"970436:0071000123456", "970407:19036768978011", "*:0071000999999"}


def test_an_account_in_full_width_digits_is_extracted_in_ascii_digits() -> None:
    found = extract("Chuyển vào STK ００７１０００１２３４５６ Vietcombank nhé")
    assert [(f.type, f.value) for f in found] == [("bank_account", "970436:0071000123456")]
