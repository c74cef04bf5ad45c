from __future__ import annotations

import pytest

from fraudhub.indicators.types import InvalidIndicator, get_type
from fraudhub.indicators.types.crypto_wallet import (
    base58check_decode,
    eip55_checksum,
    keccak_256,
    segwit_address_valid,
)

WALLET = get_type("crypto_wallet")
needs_keccak = pytest.mark.skipif(keccak_256 is None, reason="no Keccak-256 library installed")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "eth:0x52908400098527886e0f7030069857d2e4169ee7",
        ),
        (
            "0xde709f2102306220921060314715629080e2fb77",
            "eth:0xde709f2102306220921060314715629080e2fb77",
        ),
        (
            "0XDE709F2102306220921060314715629080E2FB77".replace("0XDE", "0xDE"),
            "eth:0xde709f2102306220921060314715629080e2fb77",
        ),
        (
            "eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ),
        (
            "BEP20: 0xde709f2102306220921060314715629080e2fb77",
            "eth:0xde709f2102306220921060314715629080e2fb77",
        ),
        (
            "ethereum:0xde709f2102306220921060314715629080e2fb77@1?value=1",
            "eth:0xde709f2102306220921060314715629080e2fb77",
        ),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        (
            "bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=0.1",
            "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        ),
        # BIP-173 / BIP-350 test vectors
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "btc:bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ),
        ("BC1SW50QGDZ25J", "btc:bc1sw50qgdz25j"),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "btc:bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        (
            "TRC20 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".replace(" ", ":"),
            "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        ),
    ],
)
def test_valid(raw: str, canonical: str) -> None:
    assert WALLET.normalize(raw) == canonical
    assert WALLET.normalize(canonical) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0x1234",
        "0x52908400098527886E0F7030069857D2E4169EEZ",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # checksum
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
        "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",  # testnet P2PKH: not money anyone loses
        # BIP-350 invalid vectors
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # v1 with bech32
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # version 17
        "bc1pw5dgrnzv",  # program too short
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # non-zero padding
        "bc1gmk9yu",  # empty data
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kV8f3t4",  # mixed case
        "btc:0xde709f2102306220921060314715629080e2fb77",  # chain mismatch
    ],
)
def test_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        WALLET.normalize(raw)


def test_base58check_and_segwit_helpers() -> None:
    payload = base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert payload is not None and payload[0] == 0 and len(payload) == 21
    assert base58check_decode("0OIl") is None
    assert segwit_address_valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    assert not segwit_address_valid("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")


@needs_keccak
def test_eip55_checksum_enforced() -> None:
    assert eip55_checksum("0x52908400098527886e0f7030069857d2e4169ee7") == (
        "0x52908400098527886E0F7030069857D2E4169EE7"
    )
    with pytest.raises(InvalidIndicator):
        WALLET.normalize("0x52908400098527886E0F7030069857D2E4169Ee7")


def test_display() -> None:
    shown = WALLET.display("eth:0x52908400098527886e0f7030069857d2e4169ee7")
    assert shown.lower() == "ethereum/evm 0x52908400098527886e0f7030069857d2e4169ee7"
    assert WALLET.display("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").startswith("TRON ")


def test_looks_like() -> None:
    assert WALLET.looks_like("0x52908400098527886E0F7030069857D2E4169EE7")
    assert WALLET.looks_like("btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    assert not WALLET.looks_like("0912345678")
