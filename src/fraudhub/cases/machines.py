"""The state machines of cases, reports, appeals and enforcement deliveries."""

from fraudhub.cases.models import AppealStatus, CaseStatus, EnforcementStatus
from fraudhub.core.state import StateMachine
from fraudhub.reports.models import ReportStatus

CASE_MACHINE = StateMachine(
    "case",
    {
        CaseStatus.OPEN: {CaseStatus.IN_REVIEW, CaseStatus.CLOSED},
        CaseStatus.IN_REVIEW: {CaseStatus.OPEN, CaseStatus.DECIDED, CaseStatus.CLOSED},
        CaseStatus.DECIDED: {CaseStatus.APPEALED},
        CaseStatus.APPEALED: {CaseStatus.DECIDED},
    },
)

REPORT_MACHINE = StateMachine(
    "report",
    {
        ReportStatus.RECEIVED: {
            ReportStatus.IN_REVIEW, ReportStatus.ACTIONED, ReportStatus.NO_VIOLATION,
            ReportStatus.CLOSED_BAD_FAITH,
        },
        ReportStatus.IN_REVIEW: {
            ReportStatus.RECEIVED, ReportStatus.ACTIONED, ReportStatus.NO_VIOLATION,
            ReportStatus.CLOSED_BAD_FAITH,
        },
        # Appeals can turn one outcome into the other.
        ReportStatus.ACTIONED: {ReportStatus.NO_VIOLATION},
        ReportStatus.NO_VIOLATION: {ReportStatus.ACTIONED},
        # Filed while its connection was suspended, then confirmed by an address that is not.
        ReportStatus.SUSPENDED: {ReportStatus.RECEIVED},
    },
)

APPEAL_MACHINE = StateMachine(
    "appeal",
    {AppealStatus.OPEN: {AppealStatus.UPHELD, AppealStatus.REVERSED}},
)

ENFORCEMENT_MACHINE = StateMachine(
    "enforcement",
    {
        EnforcementStatus.PENDING: {
            EnforcementStatus.DELIVERED, EnforcementStatus.RETRYING, EnforcementStatus.GIVEN_UP,
            EnforcementStatus.CANCELLED,
        },
        EnforcementStatus.RETRYING: {
            EnforcementStatus.DELIVERED, EnforcementStatus.RETRYING, EnforcementStatus.GIVEN_UP,
            EnforcementStatus.CANCELLED,
        },
        # An operator may send a given-up delivery again.
        EnforcementStatus.GIVEN_UP: {EnforcementStatus.PENDING},
    },
)
