"""Indicator types: validation, normalization and comparison of phones, accounts, links…"""

from .bank_account import Bank, bank_by_bin, bank_lookup
from .base import IndicatorType, InvalidIndicator
from .registry import (
    REGISTRY,
    TYPE_KEYS,
    UnknownIndicatorType,
    UnrecognisedValue,
    canonicalize,
    get_type,
    guess_type,
    normalize,
)

__all__ = [
    "REGISTRY",
    "TYPE_KEYS",
    "Bank",
    "IndicatorType",
    "InvalidIndicator",
    "UnknownIndicatorType",
    "UnrecognisedValue",
    "bank_by_bin",
    "bank_lookup",
    "canonicalize",
    "get_type",
    "guess_type",
    "normalize",
]
