"""Redaction: what personal data may leave the country, per partner.

A policy is a small YAML file per partner PCU::

    partner: KZ-AKT
    hash: [parties.name, parties.identifier]   # keyed SHA-256: matchable, not readable
    drop: [parties.address]                    # removed
    keep: []                                   # personal fields sent in clear
    salt: "shared secret of the two PCUs"      # key of the hash

Personal fields a policy does not mention are dropped: forgetting a field never sends it.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from riskprofile.errors import InputFormatError
from riskprofile.exchange._messages import Feedback, RiskWarning, Seizure, parse_message

__all__ = ["PERSONAL_FIELDS", "RedactionPolicy", "load_policy", "redact"]

PERSONAL_FIELDS = ("parties.address", "parties.identifier", "parties.name")
"""The personal fields of a message, as dotted paths (lists are crossed transparently)."""

_M = TypeVar("_M", bound=RiskWarning | Feedback | Seizure)


class RedactionPolicy(BaseModel):
    """What to do with each personal field before a message goes to ``partner``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner: str = Field(description="The partner PCU the policy applies to (KZ-AKT).")
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
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return RedactionPolicy.model_validate(doc)
    except (OSError, yaml.YAMLError) as exc:
        raise InputFormatError(f"cannot read the redaction policy: {exc}", path=str(path)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputFormatError(f"invalid redaction policy: {where}: {first['msg']}",
                               path=str(path)) from None  # fmt: skip


def _hashed(value: str, salt: str) -> str:
    digest = hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest[:32]}"


def _apply(node: Any, parts: list[str], action: str, salt: str) -> bool:
    """Redact ``parts`` under ``node`` in place; True when a value was present."""
    if isinstance(node, list):
        found = False
        for item in node:
            found = _apply(item, parts, action, salt) or found
        return found
    if not isinstance(node, dict) or parts[0] not in node:
        return False
    if len(parts) > 1:
        return _apply(node[parts[0]], parts[1:], action, salt)
    value = node[parts[0]]
    if value is None:
        return False
    node[parts[0]] = None if action == "drop" else _hashed(str(value), salt)
    return True


def redact(message: _M, policy: RedactionPolicy) -> tuple[_M, list[str]]:
    """``message`` as it may go to ``policy.partner``, and what was done
    (``["parties.name: hash", …]``: the fields that held a value)."""
    payload = message.model_dump(mode="json")
    done = []
    for path in PERSONAL_FIELDS:
        action = policy.action(path)
        if action != "keep" and _apply(payload, path.split("."), action, policy.salt):
            done.append(f"{path}: {action}")
    redacted = parse_message(payload)
    assert isinstance(redacted, type(message))
    return redacted, done
