"""Sending: one message per partner, redacted by that partner's policy, signed, logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from riskprofile.exchange._log import ExchangeLog
from riskprofile.exchange._messages import Feedback, RiskWarning, Seizure
from riskprofile.exchange._redaction import RedactionPolicy, redact
from riskprofile.exchange._signing import SigningKey, digest, sign

__all__ = ["send"]


def send(
    message: RiskWarning | Feedback | Seizure,
    *,
    key: SigningKey,
    log: ExchangeLog,
    now: dt.datetime,
    policies: Mapping[str, RedactionPolicy] | None = None,
) -> dict[str, bytes]:
    """The signed bytes to send to each recipient of ``message``: addressed to that
    partner alone, redacted by its policy (every personal field dropped when it has
    none), and recorded in ``log`` with what was redacted. Message ids get the
    recipient appended (``<id>.KZ-AKT``), so each copy is one message."""
    out: dict[str, bytes] = {}
    for partner in message.recipients:
        policy = (policies or {}).get(partner) or RedactionPolicy.strict(partner)
        one = message.model_copy(
            update={"recipients": [partner], "message_id": f"{message.message_id}.{partner}"}
        )
        redacted, done = redact(one, policy)
        data = sign(redacted, key)
        log.record("sent", at=now, kind=redacted.kind, message_id=redacted.message_id,
                   sender=key.pcu, partner=partner, digest=digest(data),
                   redacted=done, refers_to=_refers_to(redacted))  # fmt: skip
        out[partner] = data
    return out


def _refers_to(message: RiskWarning | Feedback | Seizure) -> str | None:
    """The warning a feedback or seizure message answers, for the log's chains."""
    return None if isinstance(message, RiskWarning) else message.warning_id
