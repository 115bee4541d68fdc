"""Redaction: what personal data may leave the country, per partner.

A policy is a small YAML file per partner PCU::

    partner: KZ-AKT
    hash: [parties.name, parties.identifier]   # keyed SHA-256: matchable, not readable
    drop: [parties.address]                    # removed
    keep: []                                   # personal fields sent in clear
    salt: "shared secret of the two PCUs"      # key of the hash

Personal fields a policy does not mention are dropped: forgetting a field never sends it.
Explanations quote names ("freight paid by ZETA LLC"), so every redacted value is also
replaced wherever it occurs in the message's other text (values shorter than
:data:`MIN_SEARCHED_LENGTH` characters excepted, which would match inside words).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from riskprofile.errors import InputFormatError
from riskprofile.exchange._files import read_limited
from riskprofile.exchange._messages import (
    PCU_PATTERN,
    Feedback,
    RiskWarning,
    Seizure,
    parse_message,
)

__all__ = ["MIN_SEARCHED_LENGTH", "PERSONAL_FIELDS", "RedactionPolicy", "load_policy", "redact"]

PERSONAL_FIELDS = ("parties.address", "parties.identifier", "parties.name")
"""The personal fields of a message, as dotted paths (lists are crossed transparently)."""

MAX_POLICY_BYTES = 64 * 1024
"""The largest redaction policy file read."""

MIN_SEARCHED_LENGTH = 4
"""Redacted values at least this long are also removed from free text."""

# The envelope of a message: ids and times, never free text.
_HEADER = frozenset({"schema_version", "message_id", "sender", "recipients", "created",
                     "expires", "kind"})  # fmt: skip

_M = TypeVar("_M", bound=RiskWarning | Feedback | Seizure)


class RedactionPolicy(BaseModel):
    """What to do with each personal field before a message goes to ``partner``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner: str = Field(
        pattern=PCU_PATTERN, description="The partner PCU the policy applies to (KZ-AKT)."
    )
    drop: list[str] = Field(default_factory=list, description="Fields removed.")
    hash: list[str] = Field(default_factory=list, description="Fields replaced by a keyed hash.")
    keep: list[str] = Field(default_factory=list, description="Personal fields sent in clear.")
    salt: str = Field("", description="The key of the hash, agreed with the partner.")

    @model_validator(mode="after")
    def _known_and_disjoint(self) -> RedactionPolicy:
        named = [*self.drop, *self.hash, *self.keep]
        unknown = sorted(set(named) - set(PERSONAL_FIELDS))
        if unknown:
            raise ValueError(f"not personal fields: {unknown}; known: {list(PERSONAL_FIELDS)}")
        if len(named) != len(set(named)):
            raise ValueError("a field is listed under more than one of drop, hash, keep")
        return self

    def action(self, path: str) -> Literal["drop", "hash", "keep"]:
        """What happens to ``path``: unmentioned personal fields are dropped."""
        if path in self.keep:
            return "keep"
        return "hash" if path in self.hash else "drop"

    @classmethod
    def strict(cls, partner: str) -> RedactionPolicy:
        """Drop every personal field: the policy when none is given."""
        return cls(partner=partner)


def load_policy(path: str | Path) -> RedactionPolicy:
    """Read a policy YAML file; :class:`InputFormatError` when it is not one."""
    data = read_limited(path, MAX_POLICY_BYTES, "redaction policy")
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
        return RedactionPolicy.model_validate(doc)
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise InputFormatError(f"cannot read the redaction policy: {exc}", path=str(path)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputFormatError(f"invalid redaction policy: {where}: {first['msg']}",
                               path=str(path)) from None  # fmt: skip


def _hashed(value: str, salt: str) -> str:
    digest = hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest[:32]}"


def _apply(node: Any, parts: list[str], action: str, salt: str, replaced: dict[str, str]) -> bool:
    """Redact ``parts`` under ``node`` in place, noting each value's replacement in
    ``replaced``; True when a value was present."""
    if isinstance(node, list):
        found = False
        for item in node:
            found = _apply(item, parts, action, salt, replaced) or found
        return found
    if not isinstance(node, dict) or parts[0] not in node:
        return False
    if len(parts) > 1:
        return _apply(node[parts[0]], parts[1:], action, salt, replaced)
    value = node[parts[0]]
    if value is None:
        return False
    node[parts[0]] = None if action == "drop" else _hashed(str(value), salt)
    replaced[str(value)] = node[parts[0]] or "[redacted]"
    return True


def _scrub(node: Any, replaced: list[tuple[str, str]]) -> tuple[Any, int]:
    """``node`` with every redacted value in its strings replaced; and how many."""
    if isinstance(node, str):
        count = 0
        for value, replacement in replaced:
            count += node.count(value)
            node = node.replace(value, replacement)
        return node, count
    if isinstance(node, list):
        pairs = [_scrub(item, replaced) for item in node]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if isinstance(node, dict):
        out, total = {}, 0
        for key, item in node.items():
            out[key], count = _scrub(item, replaced)
            total += count
        return out, total
    return node, 0


def redact(message: _M, policy: RedactionPolicy) -> tuple[_M, list[str]]:
    """``message`` as it may go to ``policy.partner``, and what was done
    (``["parties.name: hash", …]``: the fields that held a value)."""
    payload = message.model_dump(mode="json")
    done = []
    replaced: dict[str, str] = {}
    for path in PERSONAL_FIELDS:
        action = policy.action(path)
        if action != "keep" and _apply(payload, path.split("."), action, policy.salt, replaced):
            done.append(f"{path}: {action}")
    # Longest first, so that a name inside an address goes with the address.
    searched = sorted(
        ((v, r) for v, r in replaced.items() if len(v) >= MIN_SEARCHED_LENGTH),
        key=lambda pair: (-len(pair[0]), pair[0]),
    )
    mentions = 0
    for key in [k for k in payload if k not in _HEADER]:
        payload[key], count = _scrub(payload[key], searched)
        mentions += count
    if mentions:
        done.append(f"free text: {mentions} mention(s) replaced")
    redacted = parse_message(payload)
    assert isinstance(redacted, type(message))
    return redacted, done
