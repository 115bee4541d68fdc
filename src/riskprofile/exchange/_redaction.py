"""Redaction: what personal data may leave the country, per partner.

A policy is a small YAML file per partner PCU::

    partner: KZ-AKT
    hash: [parties.name, parties.identifier]   # keyed SHA-256: matchable, not readable
    drop: [parties.address]                    # removed
    keep: []                                   # personal fields sent in clear
    salt: "shared secret of the two PCUs"      # key of the hash

Personal fields a policy does not mention are dropped: forgetting a field never sends it.
Redaction goes by field: every party's name, address and identifier (a consignee named
on two bills of lading at two addresses is two parties, and both addresses are
redacted). Explanations quote those fields ("freight paid by ZETA LLC"), so the value of
every redacted field is also replaced in the free text (:data:`FREE_TEXT_FIELDS`),
whatever its length: a value of :data:`MIN_SEARCHED_LENGTH` characters or more wherever
it occurs, a shorter one wherever it stands as a word of its own or glued only to other
redacted values (``AB`` in ``AB LLC``, ``to AB,`` or ``ABK1``, not inside
``ABSORBENT``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
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
    party_key,
)

__all__ = [
    "FREE_TEXT_FIELDS",
    "MIN_SEARCHED_LENGTH",
    "PERSONAL_FIELDS",
    "RedactionPolicy",
    "load_policy",
    "redact",
]

PERSONAL_FIELDS = ("parties.address", "parties.identifier", "parties.name")
"""The personal fields of a message, as dotted paths (lists are crossed transparently)."""

MAX_POLICY_BYTES = 64 * 1024
"""The largest redaction policy file read."""

MIN_SEARCHED_LENGTH = 4
"""Redacted values at least this long are replaced wherever they occur in free text;
shorter ones (``AB``) where they stand as a word of their own, so that ``ABSORBENT``
stays readable."""

FREE_TEXT_FIELDS = ("reasons.explanation", "category", "finding", "concealment",
                    "goods_category")  # fmt: skip
"""The fields of a message that hold free text, where redacted values are replaced. The
other fields hold codes (container and B/L numbers, UN/LOCODEs, ids) or were redacted."""

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

    def party_names(self) -> Literal["readable", "key", "refused"]:
        """How a party warning's party reaches the partner: ``readable`` (names kept),
        ``key`` (hashed with the salt the two PCUs share: matched through
        :func:`party_key`) or ``refused`` (dropped, or hashed without a salt: the
        warning would name no one the partner can match)."""
        action = self.action("parties.name")
        if action == "keep":
            return "readable"
        return "key" if action == "hash" and self.salt else "refused"

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


def _patterns(replaced: dict[str, str]) -> list[re.Pattern[str]]:
    """One pass for the long values, wherever they occur (longest first, so that a name
    inside an address goes with the address); then one for the short values, where they
    stand as a word of their own or glued to one another (``{name}{address}``)."""
    values = sorted((v for v in replaced if v), key=lambda v: (-len(v), v))
    long = [re.escape(v) for v in values if len(v) >= MIN_SEARCHED_LENGTH]
    short = [re.escape(v) for v in values if len(v) < MIN_SEARCHED_LENGTH]
    patterns = []
    if long:
        patterns.append(re.compile("|".join(long)))
    if short:
        patterns.append(re.compile(rf"(?<!\w)(?:{'|'.join(short)})+(?!\w)"))
    return patterns


# Long values are first replaced by a placeholder: one private-use character, which is
# not a word character, so that a short value glued to a long one stands as a word.
_PLACEHOLDER = 0xF0000


def _scrub_text(
    text: str, patterns: list[re.Pattern[str]], replaced: dict[str, str]
) -> tuple[str, int]:
    count = 0
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        # a run of several short values glued together has no one replacement
        held.append(replaced.get(match[0], "[redacted]"))
        return chr(_PLACEHOLDER + len(held) - 1)

    for pattern in patterns:
        text, found = pattern.subn(hold, text)
        count += found
    if held:
        text = "".join(
            held[ord(c) - _PLACEHOLDER] if _PLACEHOLDER <= ord(c) < _PLACEHOLDER + len(held)
            else c
            for c in text
        )  # fmt: skip
    return text, count


def _scrub(
    node: Any, parts: list[str], patterns: list[re.Pattern[str]], replaced: dict[str, str]
) -> int:
    """Replace the redacted values in the text at ``parts`` under ``node``, in place;
    how many were replaced."""
    if isinstance(node, list):
        return sum(_scrub(item, parts, patterns, replaced) for item in node)
    if not isinstance(node, dict) or not isinstance(node.get(parts[0]), str | list | dict):
        return 0
    if len(parts) > 1:
        return _scrub(node[parts[0]], parts[1:], patterns, replaced)
    if not isinstance(node[parts[0]], str):
        return 0
    node[parts[0]], count = _scrub_text(node[parts[0]], patterns, replaced)
    return count


def redact(message: _M, policy: RedactionPolicy) -> tuple[_M, list[str]]:
    """``message`` as it may go to ``policy.partner``, and what was done
    (``["parties.name: hash", …]``: the fields that held a value)."""
    payload = message.model_dump(mode="json")
    done = []
    replaced: dict[str, str] = {}
    if policy.action("parties.name") == "hash" and policy.salt:
        # Beside the hash of the name as written, the key the partner matches by: the
        # same secret over the normalised name (spelling, legal form, case do not count).
        keyed = 0
        for party in payload.get("parties") or []:
            if party.get("name") and not party.get("name_key"):
                party["name_key"] = party_key(str(party["name"]), policy.salt)
                keyed += party["name_key"] is not None
        if keyed:
            done.append(f"parties.name_key: {keyed} key(s)")
    for path in PERSONAL_FIELDS:
        action = policy.action(path)
        if action != "keep" and _apply(payload, path.split("."), action, policy.salt, replaced):
            done.append(f"{path}: {action}")
    patterns = _patterns(replaced)
    mentions = sum(
        _scrub(payload, path.split("."), patterns, replaced) for path in FREE_TEXT_FIELDS
    )
    if mentions:
        done.append(f"free text: {mentions} mention(s) replaced")
    redacted = parse_message(payload)
    assert isinstance(redacted, type(message))
    return redacted, done
