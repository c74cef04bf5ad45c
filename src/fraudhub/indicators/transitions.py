"""The one transition function of an indicator's status, and the confidence it carries.

Every status change -- a sighting, a decision, an allowlist, decay, a removal -- goes through
:func:`indicator_transition_spec`, which checks the state machine and the allowlist.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.errors import Conflict
from fraudhub.indicators import policy
from fraudhub.indicators.machines import INDICATOR_MACHINE
from fraudhub.indicators.models import Indicator, IndicatorStatus

# Statuses a report alone may lead to; `scam` needs a decision, an authority or a trusted import.
UNCONFIRMED = (IndicatorStatus.SUSPICIOUS, IndicatorStatus.VERIFYING, IndicatorStatus.NO_DATA)


def match_key_for(type_key: str, value: str) -> str:
    if type_key == "bank_account" and ":" in value and not value.startswith("iban:"):
        return value.split(":", 1)[1]
    return value


def indicator_transition_spec(
    *, indicator: Indicator, status: str, reason: str, override_allowlist: bool = False,
) -> AuditSpec | None:
    """Move ``indicator`` (in memory) to ``status``; the audit entry to write with its save, or
    None when it is there already.

    An allowlisted value stays `safe` unless an admin overrides explicitly; a move the state
    machine does not define is refused.
    """
    if status == indicator.status:
        return None
    if indicator.allowlisted and not override_allowlist:
        raise Conflict(_("%(v)s is on an allowlist; only an administrator can override it.")
                       % {"v": indicator.value})
    INDICATOR_MACHINE.check(indicator.status, status)
    old = indicator.status
    indicator.status = status
    return AuditSpec(action="indicator.status", object_type="indicator", object_id=indicator.pk,
                     old={"status": old}, new={"status": status, "reason": reason[:500]})


def indicator_transition(
    *, actor: Actor, indicator: Indicator, status: str, reason: str,
    override_allowlist: bool = False,
) -> bool:
    """:func:`indicator_transition_spec`, saved and audited. Runs inside the caller's
    transaction; returns whether anything changed."""
    spec = indicator_transition_spec(indicator=indicator, status=status, reason=reason,
                                     override_allowlist=override_allowlist)
    if spec is None:
        return False
    indicator.save(update_fields=["status", "updated_at"])
    audit_record_many(actor=actor, specs=[spec])
    return True


def set_confidence(indicator: Indicator, base: int, now: datetime) -> None:
    indicator.base_confidence = max(0, min(100, base))
    indicator.confidence = indicator.base_confidence
    indicator.confidence_changed_at = now
    indicator.decay_at = now + policy.DECAY_STEP if indicator.confidence > 0 else None
