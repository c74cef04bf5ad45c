"""phonenumbers' validity test and international format, with each country's rules read once.

``phonenumbers.is_valid_number`` and ``format_number(..., INTERNATIONAL)`` look up the metadata
of the number's country, and each of its patterns in a cache of compiled expressions, on every
call; for a Vietnamese mobile number that is some forty lookups to run eight regular
expressions. Every lookup, bulk item, scan and report runs them at least once, so this module
reads the rules of a country once -- the same patterns, lengths and order, from the same
metadata -- and then only runs the expressions.

The answers are phonenumbers' own: whatever these rules do not cover (calling codes shared by
several regions, such as +1 and +7, Italian leading zeros, extensions) is handed to the
library, and tests/indicators/test_phone_rules.py compares both on numbers of every country.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat
from phonenumbers.phonemetadata import NumberFormat, PhoneNumberDesc


@dataclass(frozen=True, slots=True)
class _Desc:
    """A number type: the lengths it may have (empty: any) and its full pattern."""

    lengths: frozenset[int]
    pattern: re.Pattern[str]

    def matches(self, national: str) -> bool:
        return (not self.lengths or len(national) in self.lengths) and bool(
            self.pattern.fullmatch(national))


@dataclass(frozen=True, slots=True)
class _Format:
    leading: re.Pattern[str] | None  # the most detailed leading-digits pattern, if any
    pattern: re.Pattern[str]
    template: str  # the library's rule, e.g. r"\1 \2-\3", as a str.format template: "{0} {1}-{2}"


@dataclass(frozen=True, slots=True)
class _Country:
    general: _Desc
    types: tuple[_Desc, ...]  # every type that makes a number valid, in the library's order
    formats: tuple[_Format, ...]  # the international formats, in the library's order
    prefix: str  # "+84 "
    # For each length some type has: one pattern, the alternation of the patterns of every
    # type a number of that length may be (see _any_type_by_length); other lengths: other.
    any_type_by_length: dict[int, re.Pattern[str] | None]
    any_type_other_length: re.Pattern[str] | None
    # The formats as one expression (see _formats_at_once), with where each one's groups are.
    formats_at_once: re.Pattern[str] | None
    format_groups: dict[str, tuple[int, int, str]]

    def any_type(self, national: str) -> bool:
        """``any(desc.matches(national) for desc in self.types)``, in one regex call."""
        pattern = self.any_type_by_length.get(len(national), self.any_type_other_length)
        return pattern is not None and pattern.fullmatch(national) is not None


def _alternation(descs: list[_Desc]) -> re.Pattern[str] | None:
    """A pattern that matches a whole text where any of ``descs``' patterns matches it whole.

    fullmatch backtracks into every branch of an alternation, so it finds a branch that spans
    the text whenever there is one. (No metadata pattern has back-references or flags, which
    joining would renumber or misplace.)
    """
    if not descs:
        return None
    return re.compile("|".join(f"(?:{desc.pattern.pattern})" for desc in descs))


def _any_type_by_length(types: tuple[_Desc, ...]
                        ) -> tuple[dict[int, re.Pattern[str] | None], re.Pattern[str] | None]:
    """The patterns of _Country.any_type: a type counts for a length it lists or if it lists
    none (it then has no length limit, see _Desc.matches)."""
    unlimited = [desc for desc in types if not desc.lengths]
    lengths = sorted({length for desc in types for length in desc.lengths})
    by_length = {length: _alternation([desc for desc in types
                                       if not desc.lengths or length in desc.lengths])
                 for length in lengths}
    return by_length, _alternation(unlimited)


def _formats_at_once(formats: tuple[_Format, ...]
                     ) -> tuple[re.Pattern[str] | None, dict[str, tuple[int, int, str]]]:
    """One expression that fully matches a national number where the first format that
    applies to it does, and the groups of each format's pattern in it, by branch name.

    format_international_digits tried each format in turn, a leading-digits match and a full
    match each (two to eight expression calls for a Vietnamese number); this is one. Branch
    ``f<i>`` is format i: its leading digits as a lookahead (what ``leading.match`` tests),
    its pattern to the end of the text (``pattern.fullmatch``) and an empty group closing it,
    which names the branch that matched (``lastgroup``). An alternation takes the first branch
    that matches, as the loop took the first format. None when the patterns do not combine
    (flags or back-references, which no metadata pattern has today): the loop is kept for it.
    """
    branches, groups, index = [], {}, 0
    for position, candidate in enumerate(formats):
        lead = candidate.leading.pattern if candidate.leading is not None else None
        leading_groups = candidate.leading.groups if candidate.leading is not None else 0
        start = index + leading_groups + 1  # groups are numbered from 1
        index = start + candidate.pattern.groups  # the empty group naming the branch
        name = f"f{position}"
        groups[name] = (start, index, candidate.template)
        branches.append((f"(?=(?:{lead}))" if lead is not None else "")
                        + f"(?:{candidate.pattern.pattern})\\Z(?P<{name}>)")
    if not branches:
        return None, {}
    try:
        combined = re.compile("|".join(f"(?:{branch})" for branch in branches))
    except re.error:
        return None, {}
    if combined.groups != index or any(
            combined.groupindex.get(name) != end for name, (_, end, _) in groups.items()):
        return None, {}
    return combined, groups


def _desc(desc: PhoneNumberDesc | None) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None  # the library finds no match with such a description
    return _Desc(frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern))


_GROUP_REFERENCE = re.compile(r"\\(\d)")


def _template(rule: str) -> str:
    """A format rule as a ``str.format`` template of the match's groups.

    ``pattern.sub(rule, national)`` expands the rule's references anew on every call (in
    Python); the numbers of a bulk answer are displayed through here. The metadata's rules hold
    only references ``\\1``-``\\9`` and separators, so the template gives the same text.
    """
    escaped = rule.replace("{", "{{").replace("}", "}}")
    return _GROUP_REFERENCE.sub(lambda ref: "{" + str(int(ref.group(1)) - 1) + "}", escaped)


def _format(number_format: NumberFormat) -> _Format:
    leading = number_format.leading_digits_pattern
    # Every format of the metadata has both (the library would fail on one without them).
    assert number_format.pattern is not None and number_format.format is not None
    return _Format(leading=re.compile(leading[-1]) if leading else None,
                   pattern=re.compile(number_format.pattern),
                   template=_template(number_format.format))


@functools.cache
def _country(country_code: int) -> _Country | None:
    """The rules of a calling code that belongs to one region alone, else None."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions or len(regions) != 1:
        return None
    region = regions[0]
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
                            and metadata.country_code != country_code):
        return None
    general = _desc(metadata.general_desc)
    if general is None:
        return None
    # The order of _number_type_helper; mobile only counts on its own when its pattern differs
    # from the fixed-line one (otherwise a number the fixed-line pattern refused is UNKNOWN).
    descs = [metadata.premium_rate, metadata.toll_free, metadata.shared_cost, metadata.voip,
             metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail,
             metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    available = metadata.intl_number_format or metadata.number_format
    types = tuple(d for d in (_desc(desc) for desc in descs) if d is not None)
    by_length, other_length = _any_type_by_length(types)
    formats = tuple(_format(f) for f in available)
    at_once, format_groups = _formats_at_once(formats)
    return _Country(
        general=general,
        types=types,
        formats=formats,
        prefix=f"+{country_code} ",
        any_type_by_length=by_length,
        any_type_other_length=other_length,
        formats_at_once=at_once,
        format_groups=format_groups,
    )


def _plain(number: phonenumbers.PhoneNumber) -> bool:
    """A number as E.164 digits make it: no leading zero, extension or kept raw input."""
    return not number.italian_leading_zero and not number.extension and not number.raw_input


def is_valid(number: phonenumbers.PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number(number)``."""
    country = _country(number.country_code) if _plain(number) else None
    if country is None:
        return bool(phonenumbers.is_valid_number(number))
    national = str(number.national_number)
    return country.general.matches(national) and country.any_type(national)


def format_e164(number: phonenumbers.PhoneNumber) -> str:
    """``phonenumbers.format_number(number, PhoneNumberFormat.E164)``: "+", the calling code and
    the national number, which is all E.164 is for a number without leading zeros."""
    if _plain(number):
        return f"+{number.country_code}{number.national_number}"
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def format_international(number: phonenumbers.PhoneNumber) -> str:
    """``phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)``."""
    formatted = (format_international_digits(number.country_code, str(number.national_number))
                 if _plain(number) and number.national_number and number.country_code
                 else None)
    if formatted is None:
        return str(phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL))
    return formatted


def format_international_digits(country_code: int, national: str) -> str | None:
    """:func:`format_international` of the plain number ``+<country_code><national>`` (digits
    without a leading zero), or None when the library must format it (see _country).

    For callers that hold the digits of an E.164 value: a PhoneNumber costs more to make than
    the formatting takes.
    """
    country = _country(country_code)
    if country is None:
        return None
    if country.formats_at_once is not None:
        match = country.formats_at_once.match(national)
        if match is None:
            return country.prefix + national
        start, end, template = country.format_groups[match.lastgroup or ""]
        # A group that took no part is empty, as sub() makes it.
        return country.prefix + template.format(*match.groups("")[start - 1:end - 1])
    for candidate in country.formats:
        if candidate.leading is not None and not candidate.leading.match(national):
            continue
        match = candidate.pattern.fullmatch(national)
        if match is not None:  # a group that took no part is empty, as sub() makes it
            return country.prefix + candidate.template.format(*match.groups(""))
    return country.prefix + national
