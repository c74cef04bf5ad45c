"""Tracking codes: read aloud over the phone, so unambiguous symbols, drawn without bias."""

from __future__ import annotations

import re
from collections import Counter

from fraudhub.reports.filing import _CODE_ALPHABET, tracking_code_new

CODE = re.compile(r"FH-[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}")


def test_the_alphabet_divides_a_byte_so_that_no_symbol_is_favoured() -> None:
    assert len(set(_CODE_ALPHABET)) == len(_CODE_ALPHABET) == 32
    assert 256 % len(_CODE_ALPHABET) == 0
    assert not set("01OI") & set(_CODE_ALPHABET)


def test_codes_have_the_form_and_use_every_symbol_about_equally() -> None:
    codes = [tracking_code_new() for _ in range(3200)]
    assert all(CODE.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    symbols = Counter(char for code in codes for char in code[3:].replace("-", ""))
    # 32,000 symbols: 1,000 expected each; a biased draw (e.g. modulo a non-divisor) or a
    # stuck generator would leave some far off.
    assert set(symbols) == set(_CODE_ALPHABET)
    assert all(800 < count < 1200 for count in symbols.values())
