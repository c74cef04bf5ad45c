"""Crypto wallet addresses with their checksums verified: Ethereum (and EVM chains), Bitcoin, TRON.

Canonical forms: ``eth:0x<40 lower-case hex>``, ``btc:<base58 address>`` (case kept: base58 is
case-sensitive), ``btc:<bech32 address>`` (lower-case), ``trx:<base58 address>``.
EVM chains (BSC, Polygon…) share Ethereum's address space, so their addresses are ``eth:`` too.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from functools import cache

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .base import IndicatorType, InvalidIndicator

logger = logging.getLogger(__name__)

_CHAIN_ALIASES = {
    **dict.fromkeys(
        (
            "eth",
            "ethereum",
            "erc20",
            "erc-20",
            "evm",
            "bsc",
            "bep20",
            "bep-20",
            "bnb",
            "polygon",
            "matic",
            "arbitrum",
            "base",
            "optimism",
        ),
        "eth",
    ),
    **dict.fromkeys(("btc", "bitcoin", "xbt"), "btc"),
    **dict.fromkeys(("trx", "tron", "trc20", "trc-20", "usdt-trc20"), "trx"),
}
_CHAIN_LABELS = {"eth": "Ethereum/EVM", "btc": "Bitcoin", "trx": "TRON"}

ETH_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
_B58_SHAPE = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{25,35}$")
_BECH32_SHAPE = re.compile(r"^bc1[02-9ac-hj-np-z]{8,87}$", re.IGNORECASE)
_BTC_BASE58_VERSIONS = {0x00, 0x05}  # P2PKH, P2SH (mainnet: reports are about real money)
_TRON_VERSION = 0x41


# --- Keccak-256 for EIP-55 ------------------------------------------------------------------
# hashlib's sha3_256 is the final SHA-3, whose padding differs from the Keccak Ethereum uses, so
# a library is needed. safe-pysha3 (a dependency) is a C extension: every Ethereum address in a
# bulk answer is displayed with its checksum, and pycryptodome's Keccak cost 4.6 µs a hash
# against 0.7 (11% of a bulk lookup's time in the server). The others are used when present.
def _load_keccak() -> Callable[[bytes], bytes] | None:
    try:
        import sha3  # safe-pysha3 (or pysha3)

        keccak = sha3.keccak_256
        return lambda data: bytes(keccak(data).digest())
    except ImportError:
        pass
    try:
        from Crypto.Hash import keccak as pycryptodome_keccak

        def digest(data: bytes) -> bytes:
            return bytes(pycryptodome_keccak.new(digest_bits=256, data=data).digest())

        return digest
    except ImportError:
        pass
    try:
        from eth_hash.auto import keccak as eth_keccak

        eth_keccak(b"")  # raises when eth-hash has no backend installed
        return lambda data: bytes(eth_keccak(data))
    except Exception:  # any failure just means "not available"
        return None


keccak_256 = _load_keccak()


def eip55_checksum(address: str) -> str | None:
    """The EIP-55 mixed-case spelling of an address, or None without a Keccak library."""
    if keccak_256 is None:
        return None
    hex_part = address[2:].lower()
    digest = keccak_256(hex_part.encode("ascii")).hex()
    # A letter is upper-cased where the hash's nibble at its place is 8 or more; digits stay.
    return "0x" + "".join(c.upper() if d in "89abcdef" else c
                          for c, d in zip(hex_part, digest, strict=False))


@cache
def _warn_no_keccak() -> None:
    logger.warning("EIP-55 checksums are not verified: no Keccak-256 library is installed")


def eip55_check_skipped_without_keccak(address: str) -> bool:
    """Accept a mixed-case address unverified: no Keccak library (pycryptodome) is installed."""
    _warn_no_keccak()
    return True


def eip55_valid(address: str) -> bool:
    hex_part = address[2:]
    if hex_part == hex_part.lower() or hex_part == hex_part.upper():
        return True  # single-case addresses carry no checksum (EIP-55)
    expected = eip55_checksum(address)
    if expected is None:
        return eip55_check_skipped_without_keccak(address)
    return expected == address


# --- Base58Check ----------------------------------------------------------------------------
def base58check_decode(text: str) -> bytes | None:
    """Payload of a Base58Check string (version byte included), or None if the checksum fails."""
    number = 0
    for char in text:
        value = _B58_INDEX.get(char)
        if value is None:
            return None
        number = number * 58 + value
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    full = b"\x00" * (len(text) - len(text.lstrip("1"))) + body
    if len(full) < 5:
        return None
    payload, checksum = full[:-4], full[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


# --- Bech32 / Bech32m (BIP-173, BIP-350) ----------------------------------------------------
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                check ^= generator
    return check


def _convert_bits(data: list[int], from_bits: int, to_bits: int) -> list[int] | None:
    accumulator, bits, out = 0, 0, []
    max_value = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((accumulator >> bits) & max_value)
    if bits >= from_bits or (accumulator << (to_bits - bits)) & max_value:
        return None  # non-zero padding: not a canonical encoding
    return out


def segwit_address_valid(address: str) -> bool:
    """A Bitcoin mainnet segwit address with a valid Bech32 (v0) or Bech32m (v1+) checksum."""
    if address != address.lower() and address != address.upper():
        return False
    address = address.lower()
    hrp, _, data_part = address.rpartition("1")
    if hrp != "bc" or len(data_part) < 7 or len(address) > 90:
        return False
    data = [_BECH32_CHARSET.find(c) for c in data_part]
    if -1 in data:
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _polymod(expanded + data)
    if constant not in (_BECH32_CONST, _BECH32M_CONST):
        return False
    version, program = data[0], _convert_bits(data[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return False
    if version == 0:
        return constant == _BECH32_CONST and len(program) in (20, 32)
    return constant == _BECH32M_CONST


# --- the type -------------------------------------------------------------------------------
def detect_chain(address: str) -> str | None:
    """The chain whose checksum ``address`` passes, or None."""
    if ETH_ADDRESS.match(address):
        return "eth" if eip55_valid(address) else None
    if _BECH32_SHAPE.match(address):
        return "btc" if segwit_address_valid(address) else None
    if _B58_SHAPE.match(address):
        payload = base58check_decode(address)
        if payload is None or len(payload) != 21:
            return None
        if payload[0] in _BTC_BASE58_VERSIONS and address[0] in "13":
            return "btc"
        if payload[0] == _TRON_VERSION and address[0] == "T":
            return "trx"
    return None


def _split_chain(text: str) -> tuple[str | None, str]:
    prefix, sep, rest = text.partition(":")
    if sep and prefix.strip().lower() in _CHAIN_ALIASES:
        # Payment URIs (BIP-21 "bitcoin:addr?amount=", EIP-681 "ethereum:0x…@1/transfer").
        address = re.split(r"[?@/]", rest.strip(), maxsplit=1)[0]
        return _CHAIN_ALIASES[prefix.strip().lower()], address
    return None, text


class CryptoWalletType(IndicatorType):
    key = "crypto_wallet"
    label = "Crypto wallet"

    def normalize(self, raw: str) -> str:
        claimed, address = _split_chain(raw.strip())
        address = address.strip()
        chain = detect_chain(address)
        if chain is None:
            raise InvalidIndicator(gettext_lazy("not a valid wallet address (checksum or format)"))
        if claimed is not None and claimed != chain:
            raise InvalidIndicator(format_lazy(gettext_lazy("not a {chain} address"),
                                               chain=_CHAIN_LABELS[claimed]))
        if chain == "eth" or address[:3].lower() == "bc1":
            address = address.lower()
        return f"{chain}:{address}"

    def display(self, canonical: str) -> str:
        chain, _, address = canonical.partition(":")
        if chain == "eth":
            address = eip55_checksum(address) or address
        return f"{_CHAIN_LABELS.get(chain, chain)} {address}"

    def looks_like(self, raw: str) -> bool:
        _, address = _split_chain(raw.strip())
        address = address.strip()
        return bool(
            ETH_ADDRESS.match(address)
            or _BECH32_SHAPE.match(address)
            or (_B58_SHAPE.match(address) and address[0] in "13T")
        )
