"""Single reports filed together: one transaction for the reports of concurrent callers.

Every filing transaction ends by taking the audit chain's head, the one lock all writers share,
so transactions per second, not reports, are what intake can sustain. Combining the reports
that arrive while another transaction is running (core/combining.py) makes a busy server file
several per transaction, each with its own actor, source, case and audit row; a quiet one still
files each report at once, alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import connection

from fraudhub.core.combining import Combiner
from fraudhub.reports.filing import (
    REPORT_BATCH_MAX,
    FiledReport,
    Submission,
    submissions_file,
)

logger = logging.getLogger(__name__)


def submissions_file_each(submissions: Sequence[Submission]) -> list[FiledReport | Exception]:
    """File the submissions together; if that fails, each on its own.

    The reports of strangers must not fail because of one another: when the combined
    transaction fails (nothing of it is kept), each one is filed again alone and only the
    submission that fails alone gets an error.
    """
    try:
        return list(submissions_file(submissions=submissions))
    except Exception:
        if len(submissions) == 1:
            raise
        logger.warning("combined filing of %d reports failed; filing each alone",
                       len(submissions), exc_info=True)
    outcomes: list[FiledReport | Exception] = []
    for submission in submissions:
        try:
            outcomes.append(submissions_file(submissions=[submission])[0])
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


_combiner: Combiner[Submission, FiledReport] = Combiner(
    submissions_file_each, max_batch=REPORT_BATCH_MAX)


def submission_file(*, submission: Submission) -> FiledReport:
    """File one report, together with those of concurrent callers when there are any."""
    if connection.in_atomic_block:
        # The caller's own transaction decides whether this report is kept: it cannot be
        # committed by another thread's transaction, so it is filed here, alone.
        return submissions_file(submissions=[submission])[0]
    return _combiner.run(submission)
