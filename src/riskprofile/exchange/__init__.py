"""Exchange between Port Control Units: signed warning, feedback and seizure messages.

A PCU builds a message (:func:`to_warning` from a scored container), redacts personal
fields per partner (:func:`redact`), signs it with its Ed25519 key (:func:`sign`) and
records it in its :class:`ExchangeLog`. The partner verifies it against its
:class:`TrustStore` (:func:`verify`: tampered, unsigned, expired, replayed and
unknown-sender messages are refused with a reason) and imports it
(:func:`import_message`): warnings become a watch list profiles use as
``$partner_warnings``, feedback and seizures become outcome records. See
``docs/exchange.md``.
"""

from riskprofile.exchange._canonical import canonicalize
from riskprofile.exchange._import import (
    OUTCOME_COLUMNS,
    WATCH_LIST_COLUMNS,
    ImportResult,
    import_message,
    refresh_watch_list,
)
from riskprofile.exchange._keys import (
    KeyStatement,
    StatementApplied,
    apply_key_statement,
    log_key_statement,
    revocation,
    rotation,
)
from riskprofile.exchange._log import Direction, ExchangeLog, LogEntry
from riskprofile.exchange._messages import (
    MAX_VALIDITY,
    MESSAGE_ID_PATTERN,
    PCU_PATTERN,
    SCHEMA_VERSION,
    Feedback,
    Message,
    PartyRef,
    Reason,
    RiskWarning,
    Seizure,
    Voyage,
    message_json_schema,
    parse_message,
    parties_of,
    party_key,
    to_feedback,
    to_party_warning,
    to_seizure,
    to_warning,
    warning_category,
)
from riskprofile.exchange._redaction import (
    FREE_TEXT_FIELDS,
    PERSONAL_FIELDS,
    RedactionPolicy,
    load_policy,
    redact,
)
from riskprofile.exchange._send import send
from riskprofile.exchange._signing import (
    MAX_MESSAGE_BYTES,
    MAX_MESSAGE_DEPTH,
    SigningKey,
    Verified,
    authenticate,
    digest,
    generate_keys,
    key_id,
    sign,
    verify,
)
from riskprofile.exchange._trust import Revocation, TrustStore

__all__ = [
    "FREE_TEXT_FIELDS",
    "MAX_MESSAGE_BYTES",
    "MAX_MESSAGE_DEPTH",
    "MAX_VALIDITY",
    "MESSAGE_ID_PATTERN",
    "OUTCOME_COLUMNS",
    "PCU_PATTERN",
    "PERSONAL_FIELDS",
    "SCHEMA_VERSION",
    "WATCH_LIST_COLUMNS",
    "Direction",
    "ExchangeLog",
    "Feedback",
    "ImportResult",
    "KeyStatement",
    "LogEntry",
    "Message",
    "PartyRef",
    "Reason",
    "RedactionPolicy",
    "Revocation",
    "RiskWarning",
    "Seizure",
    "SigningKey",
    "StatementApplied",
    "TrustStore",
    "Verified",
    "Voyage",
    "apply_key_statement",
    "authenticate",
    "canonicalize",
    "digest",
    "generate_keys",
    "import_message",
    "key_id",
    "load_policy",
    "log_key_statement",
    "message_json_schema",
    "parse_message",
    "parties_of",
    "party_key",
    "redact",
    "refresh_watch_list",
    "revocation",
    "rotation",
    "send",
    "sign",
    "to_feedback",
    "to_party_warning",
    "to_seizure",
    "to_warning",
    "verify",
    "warning_category",
]
