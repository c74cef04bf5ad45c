"""Filters of the server's log records."""

from __future__ import annotations

import logging
import re


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a 403 or a 404 with the traceback of its exception: for a refused permission
    or an unknown page that is the code's normal path, nothing to debug, and dozens of them
    bury a real error. They are kept as the one line that says what was refused, for whom."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# What no line of the log may carry in full. E-mail addresses (reporters', owners', staff user
# names) keep their first character and their domain, which is what an operator needs to see
# which mail server refused; an API key keeps its public prefix (`fh_<prefix>_`), which names
# the key in the console; an owner's appeal link loses its token, with which anyone could
# appeal in the owner's name, and a reporter's confirmation link its token, with which anyone
# could make a report count as the reporter's address.
# Quotes are left out of the local part: a repr ('a@b.org') keeps its own.
_EMAIL = re.compile(r"(?<![\w.!#$%&*+/=?^{|}~-])([\w.!#$%&*+/=?^{|}~-])[\w.!#$%&*+/=?^{|}~-]*"
                    r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_API_KEY = re.compile(r"\b(fh_[0-9a-f]{8}_)[A-Za-z0-9_-]+")
_LINK_TOKEN = re.compile(r"(/appeal/|/report/confirm/)[^\s/?#\"']+")


def redact(text: str) -> str:
    """``text`` with e-mail addresses masked and API keys and link tokens cut off."""
    if "@" in text:
        text = _EMAIL.sub(r"\1…@\2", text)
    if "fh_" in text:
        text = _API_KEY.sub(r"\1…", text)
    if "/appeal/" in text or "/report/confirm/" in text:
        text = _LINK_TOKEN.sub(r"\1…", text)
    return text


class RedactPersonalData(logging.Filter):
    """Masks personal data and secrets in every record a handler writes: its message, its
    arguments (an exception's text, a path) and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: left for the handler to report as such
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The handler formats exc_text only when exc_info is still set; it is kept.
        return True
