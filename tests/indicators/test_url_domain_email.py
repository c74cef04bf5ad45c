from __future__ import annotations

import pytest

from fraudhub.indicators.types import InvalidIndicator, get_type

URL = get_type("url")
DOMAIN = get_type("domain")
EMAIL = get_type("email")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("hxxps://Ex[.]com", "https://ex.com/"),
        ("HTTP://Example.COM:80/Path?q=1#frag", "http://example.com/Path?q=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("example.com/login", "https://example.com/login"),
        ("www.example.com", "https://www.example.com/"),
        ("//example.com/a", "https://example.com/a"),
        ("hxxp://evil(.)com[.]vn/a b".replace(" ", "%20"), "http://evil.com.vn/a%20b"),
        ("https[:]//evil[.]com/x", "https://evil.com/x"),
        ("https://bücher.de/straße", "https://xn--bcher-kva.de/stra%C3%9Fe"),
        ("https://evil.github.io/login", "https://evil.github.io/login"),
        ("http://45.77.12.34/vcb", "http://45.77.12.34/vcb"),
        ("https://user@evil.com/", "https://user@evil.com/"),
    ],
)
def test_url_valid(raw: str, canonical: str) -> None:
    assert URL.normalize(raw) == canonical
    assert URL.normalize(canonical) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "mailto:a@b.com",
        "ftp://example.com/file",
        "https://localhost/",
        "https://intranet/",
        "https://example.notatld/",
        "http://192.168.1.1/admin",
        "http://127.0.0.1/",
        "https://exa mple.com/",
        "https://example.com:99999/",
        "",
    ],
)
def test_url_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        URL.normalize(raw)


def test_url_looks_like_and_display() -> None:
    assert URL.looks_like("https://example.com")
    assert URL.looks_like("hxxps://ex[.]com")
    assert URL.looks_like("www.example.com")
    assert URL.looks_like("example.com/path")
    assert not URL.looks_like("example.com")
    assert not URL.looks_like("0912345678")
    assert URL.display("https://xn--bcher-kva.de/") == "https://xn--bcher-kva.de/ (bücher.de)"
    assert URL.same("hxxps://Ex[.]com", "https://ex.com:443/")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("http://a.b.evil.com.vn/x", "evil.com.vn"),
        ("Evil.COM", "evil.com"),
        ("evil[.]com", "evil.com"),
        ("www.vietcombank.com.vn", "vietcombank.com.vn"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("someone@mail.evil.co.uk", "evil.co.uk"),
        ("phish.github.io", "phish.github.io"),
        ("github.io", "github.io"),
        ("example.com.", "example.com"),
        ("example.com:8080", "example.com"),
    ],
)
def test_domain_valid(raw: str, canonical: str) -> None:
    assert DOMAIN.normalize(raw) == canonical


@pytest.mark.parametrize("raw", ["localhost", "com", "co.uk", "1.2.3.4", "foo.notatld", "", "a..b"])
def test_domain_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        DOMAIN.normalize(raw)


def test_domain_display_shows_punycode() -> None:
    assert DOMAIN.display("xn--bcher-kva.de") == "bücher.de (xn--bcher-kva.de)"
    assert DOMAIN.display("example.com") == "example.com"
    assert DOMAIN.looks_like("evil.com.vn")
    assert not DOMAIN.looks_like("0912345678")
    assert not DOMAIN.looks_like("a@b.com")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Someone@Example.COM", "someone@example.com"),
        (" mailto:Support@Bank-Help.com?subject=x ", "support@bank-help.com"),
        ("contact[@]evil[.]com", "contact@evil.com"),
        ("john.doe+tag@gmail.com", "john.doe+tag@gmail.com"),
        ("info@bücher.de", "info@xn--bcher-kva.de"),
    ],
)
def test_email_valid(raw: str, canonical: str) -> None:
    assert EMAIL.normalize(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plainaddress",
        "@example.com",
        "a@",
        "a..b@example.com",
        ".a@example.com",
        "a@localhost",
        "a b@example.com",
        "a@example.notatld",
        "x" * 65 + "@example.com",
    ],
)
def test_email_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        EMAIL.normalize(raw)


def test_public_suffix_list_is_the_bundled_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import tldextract

    from fraudhub.indicators.types import domain

    assert domain._EXTRACT.suffix_list_urls == ()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the suffix list must not be fetched")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    assert fresh("a.b.evil.com.vn").suffix == "com.vn"


@pytest.mark.parametrize("raw", ["example.com/\ud800", "http://example.com/?q=\udfff",
                                 "t.me/\ud800"])
def test_half_a_surrogate_pair_in_a_link_is_refused_not_a_crash(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        URL.normalize(raw)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("http://example.com/a.#x", "http://example.com/a"),
     ("example.com/a)#b", "https://example.com/a"),
     ("http://example.com/?q=a.#x", "http://example.com/?q=a")],
)
def test_punctuation_before_a_fragment_goes_with_it(raw: str, canonical: str) -> None:
    assert URL.normalize(raw) == canonical
    assert URL.normalize(canonical) == canonical


@pytest.mark.parametrize("raw", ["http://" + "ä." * 32 + "com/", "a@" + "ä." * 32 + "com"])
def test_a_host_too_long_once_encoded_is_refused(raw: str) -> None:
    # 97 characters as written, 259 in IDNA: the canonical form could not be read back.
    with pytest.raises(InvalidIndicator, match="host name"):
        (EMAIL if "@" in raw else URL).normalize(raw)


@pytest.mark.parametrize(("kind", "raw", "canonical"), [
    ("url", "http://example.com/a((.))b", "http://example.com/a.b"),
    ("url", "hxxp://a{{.}}b@example[.]com/", "http://a.b@example.com/"),
    ("email", "a{{.}}b@example.com", "a.b@example.com"),
])
def test_a_value_defanged_twice_reads_back_as_itself(kind: str, raw: str,
                                                     canonical: str) -> None:
    indicator_type = URL if kind == "url" else EMAIL
    assert indicator_type.normalize(raw) == canonical
    assert indicator_type.normalize(canonical) == canonical
