from __future__ import annotations

import json
from importlib import resources

import pytest

from fraudhub.indicators.types import InvalidIndicator, bank_by_bin, bank_lookup, canonicalize
from fraudhub.indicators.types.bank_account import BankAccountType, all_banks, find_banks
from fraudhub.indicators.types.base import fold

BANK = BankAccountType()


@pytest.mark.parametrize(
    ("name", "bin_"),
    [
        ("Vietcombank", "970436"),
        ("VCB", "970436"),
        ("vcb", "970436"),
        ("Ngân hàng Ngoại thương", "970436"),
        ("Ngân hàng TMCP Ngoại thương Việt Nam", "970436"),
        ("ngan hang vietcombank", "970436"),
        ("MB", "970422"),
        ("MB Bank", "970422"),
        ("MBBank", "970422"),
        ("Ngân hàng Quân đội", "970422"),
        ("BIDV", "970418"),
        ("VietinBank", "970415"),
        ("CTG", "970415"),
        ("Techcombank", "970407"),
        ("TCB", "970407"),
        ("ACB", "970416"),
        ("Agribank", "970405"),
        ("VBA", "970405"),
        ("VPBank", "970432"),
        ("Sacombank", "970403"),
        ("STB", "970403"),
        ("TPBank", "970423"),
        ("NH TPBank", "970423"),
        ("LienVietPostBank", "970449"),
    ],
)
def test_bank_lookup(name: str, bin_: str) -> None:
    found = bank_lookup(name)
    assert found is not None
    assert found.bin == bin_


def test_bank_lookup_unknown() -> None:
    assert bank_lookup("Bank of Nowhere") is None
    assert bank_lookup("") is None


def test_bank_by_bin() -> None:
    vcb = bank_by_bin("970436")
    assert vcb is not None
    assert vcb.short_name == "Vietcombank"
    assert "VCB" in vcb.aliases
    assert bank_by_bin("000000") is None


def test_table_is_complete_and_consistent() -> None:
    banks = all_banks()
    assert len(banks) >= 40
    assert len({b.bin for b in banks}) == len(banks)
    assert all(len(b.bin) == 6 and b.bin.isdigit() for b in banks)
    raw = resources.files("fraudhub.indicators").joinpath("data/vn_banks.json").read_text("utf-8")
    assert len(json.loads(raw)["banks"]) == len(banks)
    # Every alias leads back to its own bank: no alias is shared by two banks.
    for bank in banks:
        for alias in (bank.short_name, bank.code, bank.name, *bank.aliases):
            found = bank_lookup(alias)
            assert found is not None and found.bin == bank.bin, alias


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("STK 0071000123456 Vietcombank", "970436:0071000123456"),
        ("so tai khoan 0071000123456 vietcombank", "970436:0071000123456"),
        ("Techcombank - 1903 6587 4120 18", "970407:19036587412018"),
        ("0071000123456", "*:0071000123456"),
        ("970436:0071000123456", "970436:0071000123456"),
        ("*:0071000123456", "*:0071000123456"),
        ("DE89 3704 0044 0532 0130 00", "iban:DE89370400440532013000"),
        ("iban:DE89370400440532013000", "iban:DE89370400440532013000"),
        ("gb82 west 1234 5698 7654 32", "iban:GB82WEST12345698765432"),
        ("61 1090 1014 0000 0712 1981 2874", "iban:PL61109010140000071219812874"),
    ],
)
def test_valid(raw: str, canonical: str) -> None:
    assert BANK.normalize(raw) == canonical


def test_bank_given_separately() -> None:
    assert BANK.normalize("0071000123456", bank="VCB") == "970436:0071000123456"
    assert BANK.normalize("0071000123456", bank="970436") == "970436:0071000123456"
    assert BANK.normalize("*:0071000123456", bank="Techcombank") == "970407:0071000123456"
    with pytest.raises(InvalidIndicator, match="unknown bank"):
        BANK.normalize("0071000123456", bank="Bank of Nowhere")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no account number"),
        ("STK", "no account number"),
        ("12345", "no account number"),
        ("0071000123456 and 19036587412018", "more than one"),
        ("123456789012345678901234", "6 to 20 digits"),
        ("DE89 3704 0044 0532 0130 01", "IBAN"),
        ("iban:XX00", "IBAN"),
        ("999999:0071000123456", "unknown bank"),
        ("0071000123456 Vietcombank Techcombank", "more than one bank"),
    ],
)
def test_invalid(raw: str, message: str) -> None:
    with pytest.raises(InvalidIndicator, match=message):
        BANK.normalize(raw)



@pytest.mark.parametrize(("raw", "canonical"), [
    ("TK 19036768978011 Techcombank", "970407:19036768978011"),  # TK: tài khoản, account
    ("TK19036768978011 TCB", "970407:19036768978011"),
    ("DE89 3704 0044 0532 0130 00", "iban:DE89370400440532013000"),  # DE uses IBANs
])
def test_only_a_country_that_uses_ibans_makes_an_iban(raw: str, canonical: str) -> None:
    # "TK..." has an IBAN's shape; read as one, a Techcombank account was refused as a bad IBAN.
    assert BANK.normalize(raw) == canonical
    assert canonicalize(raw) == ("bank_account", canonical)


def test_display() -> None:
    assert BANK.display("970436:0071000123456") == "Vietcombank 0071000123456"
    assert BANK.display("*:0071000123456") == "0071000123456 (any bank)"
    assert BANK.display("iban:DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


def test_digits_alone_match_every_bank() -> None:
    assert BANK.same("0071000123456", "STK 0071000123456 Vietcombank")
    assert BANK.same("Vietcombank 0071000123456", "*:0071000123456")
    assert not BANK.same("Vietcombank 0071000123456", "Techcombank 0071000123456")
    assert not BANK.same("0071000123456", "0071000123457")


def test_find_banks_in_folded_text() -> None:
    text = "Chuyển vào số tài khoản ngân hàng Kỹ thương, hoặc MB Bank"
    found = [(text[s:e], b.bin) for s, e, b in find_banks(fold(text))]
    assert found == [("ngân hàng Kỹ thương", "970407"), ("MB Bank", "970422")]


@pytest.mark.parametrize("raw", [
    "stk ００７１０００１２３４５６ Vietcombank",  # full-width
    "STK ٠٠٧١٠٠٠١٢٣٤٥٦ Vietcombank",  # Arabic-Indic
])
def test_an_account_in_other_digits_is_the_same_account(raw: str) -> None:
    assert BANK.normalize(raw) == "970436:0071000123456"
    assert canonicalize(raw) == ("bank_account", "970436:0071000123456")


@pytest.mark.parametrize("raw", ["http://127.0.0.1/%00", "127.0.0.1", "https://x.top/0071000123456"])
def test_a_link_or_an_ip_address_is_no_account(raw: str) -> None:
    with pytest.raises(InvalidIndicator, match="not an account"):
        BANK.normalize(raw)
