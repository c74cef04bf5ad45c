"""Single reports filed together: one transaction for the reports of concurrent callers.

Every filing transaction ends by taking the audit chain's head, the one lock all writers share,
so transactions per second, not reports, are what intake can sustain. Combining the reports
that arrive while another transaction is running (core/combining.py) makes a busy server file
several per transaction, each with its own actor, source, case and audit row; a quiet one still
files each report at once, alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from fraudhub.core.combining import Combiner, together_or_each
from fraudhub.reports.filing import (
    REPORT_BATCH_MAX,
    FiledReport,
    Submission,
    submissions_file,
)


def submissions_file_each(submissions: Sequence[Submission]) -> list[FiledReport | Exception]:
    """File the submissions together; if that fails, each on its own (nothing of a failed
    combined transaction is kept, so each is filed again alone)."""
    return together_or_each(lambda items: submissions_file(submissions=items), submissions,
                            what="filing concurrent reports")


_combiner: Combiner[Submission, FiledReport] = Combiner(
    submissions_file_each, max_batch=REPORT_BATCH_MAX)


def submission_file(*, submission: Submission) -> FiledReport:
    """File one report, together with those of concurrent callers when there are any."""
    if connection.in_atomic_block:
        # The caller's own transaction decides whether this report is kept: it cannot be
        # committed by another thread's transaction, so it is filed here, alone.
        return submissions_file(submissions=[submission])[0]
    return _combiner.run(submission)
