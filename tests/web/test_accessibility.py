"""The citizens' pages read out right: labels, required fields, an error summary that names each
field and takes the focus, titles, landmarks, and a focus ring that can be seen (WCAG 2.1 AA).

The HTML is read with the standard library's parser: what a screen reader gets is the markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from fraudhub.indicators.models import IndicatorStatus
from tests.indicators_db.factories import make_indicator
from tests.web.audited_pages import AUDITED, Shown, logged_in, totp_secret

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parents[2] / "src/fraudhub/static/fraudhub/site.css"
CONTROLS = {"input", "select", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def inner_text(self) -> str:
        parts = list(self.text) + [child.inner_text() for child in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def walk(self) -> list[Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out

    def ancestors(self) -> list[Node]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def parse(html: str) -> list[Node]:
    tree = _Tree()
    tree.feed(html)
    return tree.root.walk()


def by_id(nodes: list[Node], ident: str) -> Node:
    found = [node for node in nodes if node.attrs.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def title_of(nodes: list[Node]) -> str:
    return next(node for node in nodes if node.tag == "title").inner_text()


def first_autofocused(nodes: list[Node]) -> str:
    # Browsers focus the first element with autofocus when the page opens.
    return next(node.attrs.get("id", "") for node in nodes if "autofocus" in node.attrs)


def client_in(language: str) -> Client:
    client = Client(REMOTE_ADDR="198.51.100.30")
    client.cookies["django_language"] = language
    return client


def visible_controls(nodes: list[Node]) -> list[Node]:
    return [node for node in nodes if node.tag in CONTROLS
            and node.attrs.get("type") not in {"hidden", "submit"}]


def label_text(nodes: list[Node], control: Node) -> str:
    ident = control.attrs.get("id", "")
    labels = [node for node in nodes if node.tag == "label" and ident
              and node.attrs.get("for") == ident]
    labels += [node for node in control.ancestors() if node.tag == "label"]
    assert labels, f"no label for {control.attrs}"
    return labels[0].inner_text()


PUBLIC_PAGES = ["/", "/report/", "/report/status/", "/report/status/FH-AAAAA-BBBBB", "/check/",
                "/delisting/", "/accounts/login/", "/no-such-page/"]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_one_h1_landmarks_a_skip_link_and_labelled_controls(
    path: str, language: str
) -> None:
    assert_page_structure(parse(client_in(language).get(path).content.decode()), language)


def assert_page_structure(nodes: list[Node], language: str) -> None:
    """The page's language, one h1, its landmarks, the skip link first, a label per control."""
    assert next(node for node in nodes if node.tag == "html").attrs["lang"] == language
    assert [node.tag for node in nodes].count("h1") == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in [node.tag for node in nodes], landmark
    skip = next(node for node in nodes if node.tag == "a")
    assert skip.attrs["href"] == "#main" and by_id(nodes, "main").tag == "main"
    for control in visible_controls(nodes):
        assert label_text(nodes, control)


def test_the_public_pages_have_titles_of_their_own() -> None:
    titles = [title_of(parse(client_in("vi").get(path).content.decode()))
              for path in PUBLIC_PAGES]
    assert len(set(titles)) == len(titles), titles


@pytest.mark.parametrize(("path", "required", "optional"), [
    ("/report/", ["id_target", "id_fraud_type", "id_description", "id_good_faith"],
     ["id_platform", "id_evidence", "id_reporter_email"]),
    ("/delisting/", ["id_value", "id_requester_name", "id_requester_email", "id_statement"],
     ["id_evidence"]),
    ("/report/status/", ["id_tracking_code", "id_secret"], []),
])
def test_required_fields_say_so_in_words(path: str, required: list[str],
                                         optional: list[str]) -> None:
    nodes = parse(client_in("vi").get(path).content.decode())
    for ident in required:
        control = by_id(nodes, ident)
        assert "required" in control.attrs or control.tag == "select"
        assert "(bắt buộc)" in label_text(nodes, control), ident
    for ident in optional:
        assert "(bắt buộc)" not in label_text(nodes, by_id(nodes, ident)), ident


def test_a_refused_report_lists_each_field_at_the_top_and_takes_the_focus() -> None:
    response = client_in("vi").post("/report/", {"target_kind": "account", "target": "",
                                                 "description": "Họ gọi tôi"})
    assert response.status_code == 422
    nodes = parse(response.content.decode())
    assert title_of(nodes).startswith("Lỗi: Báo cáo lừa đảo")
    summary = by_id(nodes, "error-summary")
    assert summary.attrs["tabindex"] == "-1" and "autofocus" in summary.attrs
    # It comes before the form, so it is what the page opens on.
    assert first_autofocused(nodes) == "error-summary"
    links = {node.attrs["href"]: node.inner_text() for node in summary.walk() if node.tag == "a"}
    assert set(links) == {"#id_target", "#id_fraud_type", "#id_good_faith"}
    assert links["#id_target"].startswith("Đường link hoặc định danh: ")
    assert "Trường này là bắt buộc." in links["#id_fraud_type"]
    for ident in ("id_target", "id_fraud_type", "id_good_faith"):
        control = by_id(nodes, ident)
        assert control.attrs["aria-invalid"] == "true"
        described = control.attrs["aria-describedby"].split()
        assert f"{ident}_error" in described
        assert "bắt buộc" in by_id(nodes, f"{ident}_error").inner_text()
    target = by_id(nodes, "id_target")
    assert "id_target_helptext" in target.attrs["aria-describedby"].split()
    assert "aria-invalid" not in by_id(nodes, "id_description").attrs


def test_a_refused_delisting_request_lists_its_fields_too() -> None:
    response = client_in("en").post("/delisting/", {"value": "0912345678"})
    nodes = parse(response.content.decode())
    assert title_of(nodes).startswith("Error: ")
    links = [node.attrs["href"] for node in by_id(nodes, "error-summary").walk()
             if node.tag == "a"]
    assert "#id_requester_name" in links and "#id_statement" in links


def test_a_failed_login_opens_on_its_error() -> None:
    response = client_in("en").post("/accounts/login/", {"username": "nobody", "password": "x"})
    nodes = parse(response.content.decode())
    assert title_of(nodes).startswith("Error: Log in")
    autofocused = [node for node in nodes if "autofocus" in node.attrs]
    assert autofocused[0].attrs["id"] == "error-summary"
    assert autofocused[0].attrs["tabindex"] == "-1"


def test_the_secret_page_is_named_after_its_report_and_opens_on_a_wrong_secret() -> None:
    client = client_in("en")
    nodes = parse(client.get("/report/status/FH-AAAAA-BBBBB").content.decode())
    assert title_of(nodes) == "Report FH-AAAAA-BBBBB: enter the secret · FraudHub"
    response = client.post("/report/status/FH-AAAAA-BBBBB", {"secret": "wrong"})
    nodes = parse(response.content.decode())
    assert title_of(nodes).startswith("Error: ")
    assert first_autofocused(nodes) == "error-summary"


@pytest.mark.parametrize(("status", "words"), [
    (IndicatorStatus.SCAM, "Lừa đảo: đừng chuyển tiền"),
    (IndicatorStatus.SUSPICIOUS, "Cảnh báo"),
])
def test_a_checks_answer_takes_the_focus_and_names_itself_in_the_title(
    status: IndicatorStatus, words: str
) -> None:
    make_indicator("+84912345678", status=status, reporters=3, fraud_types=["fake_police_court"])
    nodes = parse(client_in("vi").get("/check/", {"q": "0912 345 678"}).content.decode())
    heading = by_id(nodes, "check-result-heading")
    assert heading.tag == "h2" and words in heading.inner_text()
    assert heading.attrs["tabindex"] == "-1"
    assert [node.attrs.get("id") for node in nodes if "autofocus" in node.attrs] == \
        ["check-result-heading"]
    label = str(status.label)
    assert title_of(nodes).startswith(f"{label}: +84 912 345 678 · ")
    report = by_id(nodes, "report-button")
    assert report.tag == "a" and report.attrs["href"].startswith("/report/?")


def test_an_unknown_value_is_announced_as_no_data() -> None:
    nodes = parse(client_in("en").get("/check/", {"q": "0987 654 321"}).content.decode())
    assert by_id(nodes, "check-result-heading").inner_text() == "No data"
    assert title_of(nodes).startswith("No data: ")


def test_a_value_that_cannot_be_checked_opens_on_the_explanation() -> None:
    response = client_in("en").get("/check/", {"q": "%%%"})
    assert response.status_code == 422
    nodes = parse(response.content.decode())
    assert title_of(nodes).startswith("Error: ")
    result = by_id(nodes, "check-result")
    assert result.attrs["tabindex"] == "-1" and "autofocus" in result.attrs


# --- colours, from site.css ---------------------------------------------------------------

def _css_colours() -> dict[str, str]:
    found = re.findall(r"--([\w-]+):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", SITE_CSS.read_text())
    # #fff is #ffffff: each digit doubled.
    return {name: "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
            for name, digits in found}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


WHITE = "#ffffff"
TEXT_PAIRS = [("ink", "bg"), ("ink", "card"), ("muted", "bg"), ("muted", "card"),
              ("brand", "card"), ("brand", "bg"), ("ok", "ok-bg"), ("warn", "warn-bg"),
              ("bad", "bad-bg"), ("bad", "card"), ("brand-dark", "card"),
              # a decision's outcome on the report's status page
              ("ok", "card"), ("warn", "card")]


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_have_a_contrast_of_4_5_to_1(text: str, background: str) -> None:
    colours = _css_colours()
    assert contrast(colours[text], colours[background]) >= 4.5


def test_white_text_on_the_brand_blue_has_a_contrast_of_4_5_to_1() -> None:
    colours = _css_colours()
    assert contrast(WHITE, colours["brand"]) >= 4.5
    assert contrast(WHITE, colours["brand-dark"]) >= 4.5


def test_the_focus_ring_stands_out_on_every_background() -> None:
    colours = _css_colours()
    css = SITE_CSS.read_text()
    for background in ("bg", "card", "bad-bg", "warn-bg", "ok-bg"):
        assert contrast(colours["focus"], colours[background]) >= 3, background
    assert contrast(colours["focus-on-brand"], colours["brand"]) >= 3
    # Every element, not only form fields and buttons, and no colour but these two.
    assert ":focus-visible { outline: 3px solid var(--focus)" in css
    assert ".site-header :focus-visible { outline-color: var(--focus-on-brand); }" in css
    outlines = re.findall(r"outline(?:-color)?:\s*([^;]+);", css)
    assert all("var(--focus" in value for value in outlines), outlines


def _resolve(value: str, colours: dict[str, str]) -> str | None:
    value = value.strip()
    named = re.fullmatch(r"var\(--([\w-]+)\)", value)
    if named:
        return colours.get(named.group(1))
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(d * 2 for d in value[1:])
    return value if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else None


def test_every_rule_that_sets_both_colours_has_text_at_4_5_to_1() -> None:
    # The badges, states and alerts with colours of their own (a report's status, a key's).
    colours = _css_colours()
    checked = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", SITE_CSS.read_text()):
        background = re.search(r"background(?:-color)?:\s*([^;]+);", body)
        text = re.search(r"(?<![-\w])color:\s*([^;]+);", body)
        if not (background and text):
            continue
        pair = _resolve(background.group(1), colours), _resolve(text.group(1), colours)
        if None in pair:
            continue
        checked.append(selector.strip())
        assert contrast(*pair) >= 4.5, (selector.strip(), pair)  # type: ignore[arg-type]
    assert ".case-open, .status-received" in checked and ".status-actioned" in " ".join(checked)


def test_a_text_field_s_border_stands_out_3_to_1() -> None:
    # A text field shows where it is by its border alone (WCAG 1.4.11).
    colours = _css_colours()
    for background in ("card", "bg"):
        assert contrast(colours["field-line"], colours[background]) >= 3, background
    css = SITE_CSS.read_text()
    assert "border: 1px solid var(--field-line)" in css
    assert "#aab3c2" not in css


# --- pages behind a link, a decision, a secret or a login (tests/web/audited_pages.py) -------

ERROR_PREFIX = {"vi": "Lỗi: ", "en": "Error: "}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("page", list(AUDITED))
def test_the_pages_behind_a_link_or_a_login_read_out_right(
    page: str, language: str, request: pytest.FixtureRequest
) -> None:
    shown = AUDITED[page](language, request)
    assert shown.response.status_code < 500
    nodes = parse(shown.response.content.decode())
    assert_page_structure(nodes, language)
    # A refused form or link says so first in the title, and opens on what went wrong.
    assert title_of(nodes).startswith(ERROR_PREFIX[language]) == shown.refused
    autofocused = [node for node in nodes if "autofocus" in node.attrs]
    assert [node.attrs.get("id", "") for node in autofocused][:1] == \
        ([shown.opens_on] if shown.opens_on else [])
    if shown.opens_on and autofocused[0].tag not in CONTROLS:
        opened = autofocused[0]
        assert opened.attrs["tabindex"] == "-1" and opened.inner_text()
        assert opened.attrs["role"] == ("alert" if shown.refused else "status")
    # What a colour shows, words say too: a status, an outcome, an alert.
    coloured = [node for node in nodes if {"badge", "outcome", "alert", "errorlist"}
                & set(node.attrs.get("class", "").split())]
    assert all(node.inner_text() for node in coloured)


def test_the_pages_behind_a_link_or_a_login_have_titles_that_name_them(
    request: pytest.FixtureRequest
) -> None:
    for page, build in AUDITED.items():
        shown: Shown = build("en", request)
        expected = ("Error: " if shown.refused else "") + f"{shown.title} · FraudHub"
        assert title_of(parse(shown.response.content.decode())) == expected, page


@pytest.mark.parametrize(("page", "links"), [
    ("status, appeal refused", ["#id_statement"]),
    ("owner appeal refused", ["#id_statement"]),
    ("2FA setup refused", ["#id_code"]),
    ("2FA verify refused", ["#id_code"]),
    ("my API keys refused", ["#id_name", "#id_expires_days", "#id_password"]),
    ("delisting refused", ["#id_requester_name", "#id_requester_email", "#id_statement"]),
])
def test_a_refused_form_lists_each_field_with_a_link_to_it(
    page: str, links: list[str], request: pytest.FixtureRequest
) -> None:
    nodes = parse(AUDITED[page]("vi", request).response.content.decode())
    summary = by_id(nodes, "error-summary")
    assert [node.attrs["href"] for node in summary.walk() if node.tag == "a"] == links
    for link in links:
        control = by_id(nodes, link[1:])
        assert control.attrs["aria-invalid"] == "true"
        assert f"{link[1:]}_error" in control.attrs["aria-describedby"].split()


@pytest.mark.parametrize(("page", "required", "optional"), [
    ("status with a decision", ["id_statement"], []),
    ("owner appeal", ["id_statement"], ["id_contact_email"]),
    ("2FA setup", ["id_code"], []),
    ("2FA verify", ["id_code"], []),
    ("my API keys", ["id_name", "id_password"], ["id_expires_days"]),
])
def test_the_forms_behind_a_link_or_a_login_say_required_in_words(
    page: str, required: list[str], optional: list[str], request: pytest.FixtureRequest
) -> None:
    nodes = parse(AUDITED[page]("vi", request).response.content.decode())
    for ident in required:
        assert "required" in by_id(nodes, ident).attrs
        assert "(bắt buộc)" in label_text(nodes, by_id(nodes, ident)), ident
    for ident in optional:
        assert "(bắt buộc)" not in label_text(nodes, by_id(nodes, ident)), ident


def test_the_2fa_qr_code_is_named_and_its_key_is_written_out_for_who_cannot_scan() -> None:
    client, location, user = logged_in("en", device=False)
    nodes = parse(client.get(location).content.decode())
    svg = next(node for node in nodes if node.tag == "svg")
    picture = next(node for node in svg.ancestors() if node.attrs.get("role") == "img")
    assert picture.attrs["aria-label"] == "QR code of the key written out below"
    assert by_id(nodes, "secret-key").inner_text() == totp_secret(user)
    # The form is checked by the server, whose errors are listed and read out.
    assert "novalidate" in next(node for node in nodes if node.tag == "form"
                                and "2fa" in node.attrs.get("action", "")).attrs


def test_an_appeal_refused_because_one_is_open_says_why(request: pytest.FixtureRequest) -> None:
    nodes = parse(AUDITED["status, appeal refused as one is open"]("en", request)
                  .response.content.decode())
    assert "An appeal against this decision is already open." in \
        by_id(nodes, "error-summary").inner_text()
    text = by_id(nodes, "main").inner_text()
    assert "An appeal against this decision is already being reviewed." in text


@pytest.mark.urls("tests.web.error_urls")
@pytest.mark.parametrize(("path", "host", "status"), [
    ("/failing/", "testserver", 500), ("/", "not-this-site.example", 400),
])
def test_the_bare_error_pages_have_landmarks_and_a_skip_link_too(
    path: str, host: str, status: int
) -> None:
    client = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.31")
    client.cookies["django_language"] = "vi"
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == status
    nodes = parse(response.content.decode())
    assert [node.tag for node in nodes].count("h1") == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in [node.tag for node in nodes], landmark
    skip = next(node for node in nodes if node.tag == "a")
    assert skip.attrs["href"] == "#main" and by_id(nodes, "main").tag == "main"


def test_a_login_form_sent_empty_opens_on_its_error_summary() -> None:
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/login/",
                                                    {"username": "", "password": ""})
    assert answer.status_code == 422
    html = answer.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_username"' in html and 'href="#id_password"' in html
    assert "<title>Error:" in html
