"""Filters of the server's log records."""

from __future__ import annotations

import logging


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
