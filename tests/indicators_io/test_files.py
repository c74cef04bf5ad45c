"""Reading import files: line numbers, odd lines, the progress bar (no database)."""

from __future__ import annotations

import io

from fraudhub.indicators.importing import ImportSummary, RowError
from fraudhub.indicators.management.commands.indicators import (
    CsvRows,
    ProgressBar,
    jsonl_rows,
)


def test_csv_records_are_numbered_by_the_line_they_start_on() -> None:
    data = ("\ufeffValue,Type\r\n"  # BOM and upper-case header, CRLF
            "0912345678,phone\r\n"
            "\r\n"  # blank: skipped
            '"a value\r\nover two lines",\r\n'
            "0912345679,\r\n"
            '"unclosed,phone\r\n').encode()
    rows = list(CsvRows(io.BytesIO(data)))
    assert rows[0] == (2, {"value": "0912345678", "type": "phone"})
    assert rows[1] == (4, {"value": "a value\r\nover two lines"})
    assert rows[2] == (6, {"value": "0912345679"})
    assert rows[3][0] == 7 and isinstance(rows[3][1], RowError)
    assert len(rows) == 4


def test_jsonl_lines_keep_their_numbers() -> None:
    data = b'{"value": "a"}\n\n{"value": "b"}\n\xff\n{"value": "c"}'
    rows = list(jsonl_rows(io.BytesIO(data)))
    assert [(n, r if isinstance(r, RowError) else r["value"]) for n, r in rows] == [
        (1, "a"), (3, "b"), (4, RowError("not valid UTF-8 (byte 1 of the line)")), (5, "c")]


def test_progress_bar_draws_one_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, total=1000, position=lambda: 500, interval=0)
    bar(ImportSummary(read=50, rejected=2))
    bar.close(ImportSummary(read=100, rejected=2))
    text = out.getvalue()
    assert text.startswith("\r 50.0% [###############")
    assert "rows/s" in text and "rejected 2" in text and text.endswith("\n")
    assert "100.0%" in text


def test_a_csv_whose_lines_end_in_cr_alone_is_read_line_by_line() -> None:
    data = b"value,type\r0912345678,phone\r0987654321,phone\r"  # an old Mac's line ends

    rows = list(CsvRows(io.BytesIO(data)))

    assert rows == [(2, {"value": "0912345678", "type": "phone"}),
                    (3, {"value": "0987654321", "type": "phone"})]


def test_rows_after_an_unclosed_quote_are_read_on_their_own() -> None:
    data = (b"value,type,source\n"
            b'0912345678,phone,"unterminated\n'
            b"0912345679,phone,feed\n"
            b"0912345670,phone,\n")

    rows = list(CsvRows(io.BytesIO(data)))

    assert [number for number, _ in rows] == [2, 3, 4]
    error = rows[0][1]
    assert isinstance(error, RowError) and "not closed" in error.reason
    assert rows[1][1] == {"value": "0912345679", "type": "phone", "source": "feed"}
    assert rows[2][1] == {"value": "0912345670", "type": "phone"}


def test_a_file_of_unclosed_quotes_is_read_in_linear_time() -> None:
    data = b"value,type\n" + b'"x\n' * 20_000

    rows = list(CsvRows(io.BytesIO(data)))

    reasons = [r.reason for _, r in rows if isinstance(r, RowError)]
    # Each error spans two lines; each of the first 100 has its second line read again.
    assert len(rows) == len(reasons) == 10_000 + 50
    assert sum("read on their own" in reason for reason in reasons) == 100
    assert "were not read" in reasons[-1]
