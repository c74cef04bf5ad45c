"""Fraud indicators: their types, the national database, lookups, scans, import and export."""

from fraudhub.indicators.native import install

# Before any module of the package is imported: the compiled ones are found first (native.py).
install()
