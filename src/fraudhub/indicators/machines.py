from fraudhub.core.state import StateMachine
from fraudhub.indicators.models import IndicatorStatus as S

# `safe` is left only by an admin's explicit override (indicator_override_allowlist), and a
# tombstone (`no_data` with removed_at) is revived only by new evidence.
INDICATOR_MACHINE = StateMachine(
    "indicator",
    {
        S.NO_DATA: {S.SUSPICIOUS, S.VERIFYING, S.SCAM, S.SAFE},
        S.SUSPICIOUS: {S.VERIFYING, S.SCAM, S.NO_DATA, S.SAFE},
        S.VERIFYING: {S.SUSPICIOUS, S.SCAM, S.NO_DATA, S.SAFE},
        S.SCAM: {S.SUSPICIOUS, S.VERIFYING, S.NO_DATA, S.SAFE},
        S.SAFE: {S.SCAM, S.SUSPICIOUS, S.NO_DATA},
    },
)
