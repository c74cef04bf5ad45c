"""phone_rules answers exactly as phonenumbers does, for numbers of every calling code."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from fraudhub.indicators.lookup import display_value
from fraudhub.indicators.types import get_type, phone_rules
from fraudhub.indicators.types.phone_rules import format_international, is_valid

_TYPES = [t for t in vars(PhoneNumberType).values() if isinstance(t, int) and t >= 0]


def _examples() -> list[PhoneNumber]:
    """Each region's example numbers of every type, and the non-geographic ones."""
    numbers = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        for number_type in _TYPES:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                numbers.append(example)
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            numbers.append(example)
    return numbers


def _variants(numbers: list[PhoneNumber], rng: random.Random) -> list[PhoneNumber]:
    """Near misses of valid numbers: one digit changed, one dropped, one added, and random
    digits of every length for every calling code."""
    out = []
    for number in numbers:
        national = str(number.national_number)
        for _ in range(3):
            position = rng.randrange(len(national))
            changed = national[:position] + str(rng.randrange(10)) + national[position + 1:]
            out.append(PhoneNumber(country_code=number.country_code,
                                   national_number=int(changed)))
        out.append(PhoneNumber(country_code=number.country_code,
                               national_number=int(national[:-1] or "0")))
        out.append(PhoneNumber(country_code=number.country_code,
                               national_number=int(national + str(rng.randrange(10)))))
    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        for length in range(1, 18):
            digits = str(rng.randrange(1, 10)) + "".join(
                str(rng.randrange(10)) for _ in range(length - 1))
            out.append(PhoneNumber(country_code=code, national_number=int(digits)))
    return out


def _vietnamese(rng: random.Random, count: int) -> list[PhoneNumber]:
    """The numbers this service reads most: every Vietnamese prefix, random subscribers."""
    numbers = []
    for _ in range(count):
        length = rng.choice((8, 9, 9, 9, 10, 11))
        digits = str(rng.randrange(1, 10)) + "".join(
            str(rng.randrange(10)) for _ in range(length - 1))
        numbers.append(PhoneNumber(country_code=84, national_number=int(digits)))
    return numbers


@pytest.fixture(scope="module")
def numbers() -> list[PhoneNumber]:
    rng = random.Random(20261203)
    examples = _examples()
    return examples + _variants(examples, rng) + _vietnamese(rng, 20_000)


def test_validity_is_the_librarys(numbers: list[PhoneNumber]) -> None:
    differ = [n for n in numbers if is_valid(n) != phonenumbers.is_valid_number(n)]
    assert differ == []
    # The sample is not trivially one-sided: it holds thousands of both answers.
    valid = sum(phonenumbers.is_valid_number(n) for n in numbers)
    assert valid > 5_000 and len(numbers) - valid > 5_000


def test_international_format_is_the_librarys(numbers: list[PhoneNumber]) -> None:
    differ = [(n, format_international(n))
              for n in numbers
              if format_international(n) != phonenumbers.format_number(
                  n, PhoneNumberFormat.INTERNATIONAL)]
    assert differ == []


def test_numbers_outside_the_rules_are_left_to_the_library() -> None:
    shared = PhoneNumber(country_code=1, national_number=4155552671)  # +1: many regions
    assert phone_rules._country(1) is None and is_valid(shared)
    assert format_international(shared) == "+1 415-555-2671"
    italian = phonenumbers.parse("+39 06 1234 5678")  # a leading zero the digits do not keep
    assert italian.italian_leading_zero
    assert is_valid(italian) and format_international(italian) == "+39 06 1234 5678"
    with_extension = phonenumbers.parse("+84 24 3823 4567 ext. 12")
    assert format_international(with_extension) == "+84 24 3823 4567 ext. 12"
    assert phone_rules._country(84) is not None


def test_format_rules_become_templates_of_the_groups() -> None:
    assert phone_rules._template(r"\1 \2-\3") == "{0} {1}-{2}"
    # Braces are text to the library's rule: the template keeps them as text.
    assert phone_rules._template(r"{\1}") == "{{{0}}}"
    assert phone_rules._template(r"{\1}").format("12") == "{12}"


def test_lookup_answers_display_numbers_as_the_phone_type_does(numbers: list[PhoneNumber]
                                                               ) -> None:
    # Bulk answers format E.164 values from their digits (lookup._phone_display), without
    # parsing them as PhoneType.display does; both must show every valid number alike.
    phone = get_type("phone")
    values = sorted({phonenumbers.format_number(n, PhoneNumberFormat.E164)
                     for n in numbers if phonenumbers.is_valid_number(n)})
    differ = [(value, display_value("phone", value)) for value in values
              if display_value("phone", value) != phone.display(value)]
    assert differ == []
    assert len(values) > 5_000
