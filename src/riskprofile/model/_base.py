"""Strict and lenient validation shared by every record model.

Strict mode (the default) rejects a value that breaks its standard. Lenient mode keeps the
record and turns each problem into a :class:`QualityFlag` on the model that holds the
field, so that rules can see it; nothing is thrown away:

- a value that has the right type but breaks its standard (a wrong check digit, an
  unknown country) is kept, normalised, and flagged;
- a value that cannot be represented at all (``"abc"`` for a weight, an unknown key) is
  dropped to null (or out of its list) and flagged with the raw value as text;
- only a missing *required* value (a container without a number) still rejects the record.

The mode travels in Pydantic's validation context::

    Container.model_validate(data, context=LENIENT)
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self, Union, cast, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from riskprofile.errors import ArgumentError, RecordError
from riskprofile.model.codes import Problem

__all__ = [
    "FLAG_CODES",
    "LENIENT",
    "MAX_TEXT_CHARS",
    "STRICT",
    "STRICTNESS_VALUES",
    "CheckedModel",
    "QualityFlag",
    "RecordModel",
    "Strictness",
    "StrictnessMode",
    "is_lenient",
    "parse_strictness",
    "record_error",
    "validation_errors",
    "standard",
    "validation_context",
]

Strictness = Literal["strict", "lenient"]
"""The validation mode: ``"strict"`` rejects a value that breaks its standard,
``"lenient"`` keeps it and records a :class:`QualityFlag`."""

STRICT: Mapping[str, Any] = MappingProxyType({"strictness": "strict"})
"""Validation context for strict mode (the default): ``Model.model_validate(data,
context=STRICT)``. Read-only, so no caller can change the mode for everyone."""
LENIENT: Mapping[str, Any] = MappingProxyType({"strictness": "lenient"})
"""Validation context for lenient mode: ``Model.model_validate(data, context=LENIENT)``
keeps records with invalid codes and flags the problems. Read-only."""

MAX_TEXT_CHARS = 10_000
"""The longest text one field holds (a goods description runs to a few hundred characters;
an EDIFACT free-text segment to 2,560). Longer text is refused (strict) or dropped with an
``invalid_value`` flag (lenient), in every reader, so that no single cell can blow up a
batch."""

# A lenient repair loop removes at least one bad value per round; more rounds than this
# means the input is not a record at all.
_MAX_REPAIR_ROUNDS = 64
_MAX_FLAG_VALUE_CHARS = 200


STRICTNESS_VALUES: tuple[Strictness, ...] = ("strict", "lenient")
"""The values a strictness takes, as exact strings (no other case, no spaces)."""


class StrictnessMode(StrEnum):
    """The strictness modes as an enum: each member is its own exact string
    (``StrictnessMode.LENIENT == "lenient"``), so either form is accepted wherever a
    strictness is taken."""

    STRICT = "strict"
    LENIENT = "lenient"


def parse_strictness(value: object, *, argument: str = "strictness") -> Strictness:
    """``value`` as a :data:`Strictness`, or :class:`~riskprofile.errors.ArgumentError`.

    Takes exactly what is documented: ``"strict"`` or ``"lenient"`` (exact strings: a
    misspelling, another case or a stray space is refused, never read as strict), a
    :class:`StrictnessMode` member, or a validation context (:data:`STRICT`,
    :data:`LENIENT`).

    >>> parse_strictness(StrictnessMode.LENIENT)
    'lenient'
    >>> parse_strictness("lenEnt")
    Traceback (most recent call last):
    ...
    riskprofile.errors.ArgumentError: strictness must be 'strict' or 'lenient', not 'lenEnt'
    """
    given = value
    if isinstance(value, Mapping) and set(value) == {"strictness"}:
        value = value["strictness"]
    if isinstance(value, str):
        for mode in STRICTNESS_VALUES:
            if value == mode:  # a StrictnessMode member is equal to its string
                return mode
    raise ArgumentError(
        f"{argument} must be 'strict' or 'lenient', not {given!r}",
        argument=argument,
        value=given,
        valid=STRICTNESS_VALUES,
    )


def validation_context(strictness: Strictness | StrictnessMode) -> dict[str, Any]:
    """The Pydantic validation context for a strictness mode.

    Raises :class:`~riskprofile.errors.ArgumentError` (a ValueError) for anything but the
    values :func:`parse_strictness` takes.
    """
    return {"strictness": parse_strictness(strictness)}


def _checked_context(context: Any) -> Any:
    """A ``model_validate`` context with its strictness checked: a mode given another
    way than exactly ``"strict"``/``"lenient"`` would otherwise mean strict, silently."""
    if context is None:
        return None
    if isinstance(context, Mapping):
        if "strictness" not in context:
            return context  # strict, the default
        mode = parse_strictness(context["strictness"], argument="context['strictness']")
        return context if type(context["strictness"]) is str else {**context, "strictness": mode}
    if isinstance(context, str):  # context="lenient" or a StrictnessMode member
        return validation_context(parse_strictness(context, argument="context"))
    raise ArgumentError(
        f"context must be STRICT, LENIENT or a strictness ('strict', 'lenient'), not {context!r}",
        argument="context",
        value=context,
        valid=STRICTNESS_VALUES,
    )


_RECORD_KEYS = ("shipment_id", "bl_number", "number", "vessel_imo", "vessel_name")


def _record_name(model: type[BaseModel], data: Any) -> str:
    """How a rejected record is named: its model and, when it has one, its key."""
    if isinstance(data, Mapping):
        for key in _RECORD_KEYS:
            value = data.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                text = str(value)
                return f"{model.__name__} {key}={text[:60]!r}"
    return model.__name__


def record_error(model: type[BaseModel], data: Any, exc: ValidationError) -> RecordError:
    """Pydantic's ``exc`` about ``data`` as a :class:`~riskprofile.errors.RecordError`
    naming the record, its first problem's field and value, and every problem (raise it
    ``from exc``)."""
    problems: list[tuple[str | None, str | None, str]] = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or None
        value = None if err["type"] == "missing" else _flag_value(err.get("input"))
        if isinstance(err.get("input"), Mapping | list):
            value = None  # a whole record or list: the field names it
        problems.append((where, value, err["msg"]))
    field, value, reason = problems[0] if problems else (None, None, str(exc))
    return RecordError(
        reason, record=_record_name(model, data), field=field, value=value,
        problems=tuple(problems),
    )  # fmt: skip


def validation_errors(exc: RecordError | ValidationError) -> list[ErrorDetails]:
    """Pydantic's error details behind a :class:`~riskprofile.errors.RecordError` raised
    by a model, or of a ``ValidationError`` (see :meth:`RecordError.errors
    <riskprofile.errors.RecordError.errors>`)."""
    return cast("list[ErrorDetails]", exc.errors(include_url=False))


class CheckedModel(BaseModel):
    """Base of every model of the public API: constructing or validating one raises
    :class:`~riskprofile.errors.RecordError` (a ``RiskProfileError``, and a ValueError)
    naming the record, field and value, with Pydantic's ``ValidationError`` as its
    ``__cause__``; a validation context whose strictness is not exactly ``"strict"`` or
    ``"lenient"`` is refused (:class:`~riskprofile.errors.ArgumentError`) instead of
    silently meaning strict."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise record_error(type(self), data, exc) from exc

    # Pydantic's own validation (nested models, model_validate) keeps its fast path:
    # this __init__ only wraps the error of a direct call.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Pydantic's ``model_validate``, raising :class:`~riskprofile.errors.RecordError`
        (see the class docstring)."""
        context = _checked_context(context)
        try:
            return super().model_validate(
                obj, strict=strict, extra=extra, from_attributes=from_attributes,
                context=context, by_alias=by_alias, by_name=by_name,
            )  # fmt: skip
        except ValidationError as exc:
            raise record_error(cls, obj, exc) from exc

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Pydantic's ``model_validate_json``, raising
        :class:`~riskprofile.errors.RecordError` (see the class docstring)."""
        context = _checked_context(context)
        try:
            return super().model_validate_json(
                json_data, strict=strict, extra=extra, context=context, by_alias=by_alias,
                by_name=by_name,
            )  # fmt: skip
        except ValidationError as exc:
            raise record_error(cls, None, exc) from exc

    @classmethod
    def model_validate_strings(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Pydantic's ``model_validate_strings``, raising
        :class:`~riskprofile.errors.RecordError` (see the class docstring)."""
        context = _checked_context(context)
        try:
            return super().model_validate_strings(
                obj, strict=strict, extra=extra, context=context, by_alias=by_alias,
                by_name=by_name,
            )  # fmt: skip
        except ValidationError as exc:
            raise record_error(cls, obj, exc) from exc


def is_lenient(info: ValidationInfo) -> bool:
    """True when validation runs in lenient mode."""
    ctx = info.context
    return isinstance(ctx, Mapping) and ctx.get("strictness") == "lenient"


FLAG_CODES: Mapping[str, str] = {
    "check_digit": "a code whose check digit is wrong (ISO 6346 container, IMO number)",
    "duplicate": "a bill of lading or container declared twice in one manifest; in a "
    "BAPLIE plan, a container or a stowage slot found twice in one vessel's plan",
    "format": "a code not in its standard's shape (LOCODE, country, currency, HS...)",
    "implausible": "a mass above what any container reaches (grams or pounds for kg?)",
    "incomplete": "a bill of lading some of whose records were rejected",
    "inconsistent": "values that contradict each other (net above gross, VGM below "
    "tare, two records of one key that disagree)",
    "invalid_value": "a value the model could not take, dropped (lenient)",
    "missing": "a party a rule needs (shipper, consignee) not named",
    "negative": "a mass or an amount below zero",
    "unknown_chapter": "an HS code whose chapter does not exist",
    "unknown_country": "a country code that is not an assigned ISO 3166-1 country",
    "unknown_currency": "a currency code that is not in ISO 4217",
    "unknown_field": "a field of a document the model does not know, dropped (lenient)",
    # EDIFACT (CUSCAR, BAPLIE): the interchange's own structure.
    "control_count": "an EDIFACT trailer (UNT, UNZ) whose count is not what was found",
    "control_reference": "an EDIFACT trailer whose reference is not its header's",
    "directory": "an EDIFACT directory version read with the nearest segment table known",
    "invalid_message": "an EDIFACT message that is not a usable manifest",
    "message_type": "an EDIFACT message of a type that is not read",
    "message_function": "an EDIFACT message that is not an original (a cancellation, a "
    "replacement...), read as it stands",
    "misplaced_location": "a BAPLIE stowage location (LOC+147) found where the message "
    "has no location (its CNT or UNS+D missing), read as a location of its own or not",
    "no_position": "a BAPLIE location opened by a LOC that is no stowage location (its "
    "LOC+147 missing): its containers are read without a position",
    "outside_message": "EDIFACT segments outside any message",
    "syntax": "an EDIFACT segment that breaks the syntax rules",
    "too_many": "an EDIFACT segment or group repeated beyond its limit",
    "transfer_sequence": "a BAPLIE plan sent as a sequence of messages (UNH status of the "
    "transfer) with a part missing, without its last part or with a part twice",
    "truncated": "an EDIFACT message or interchange without its trailer",
    "unplaced_segment": "an EDIFACT segment the message's structure has no place for",
}
"""Every code of a data-quality flag (:attr:`QualityFlag.code`) or of a problem found while
reading, and what it means: one list for every reader (``tests/io/test_flag_codes.py``
checks that every code the models and readers make is here, and that the model path and
the column-wise reader both emit each one a flat file can carry, alike, on data made to
trigger it)."""


class QualityFlag(CheckedModel):
    """A data-quality problem found on a record and kept for rules and reports.

    Attributes:
        field: the field at fault on the model that carries the flag (``number``,
            ``transshipment_ports[1]``).
        code: a short stable code, one of :data:`FLAG_CODES`: ``check_digit``,
            ``format``, ``unknown_country``, ``negative``, ``invalid_value``, ...
        value: the offending value as text (null when the problem is an absence).
        message: the explanation for people.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    code: str
    value: str | None = None
    message: str


def _flag_value(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _MAX_FLAG_VALUE_CHARS:
        text = text[:_MAX_FLAG_VALUE_CHARS] + "..."
    return text


@dataclass(frozen=True, slots=True)
class _Standard:
    """Marks a field type as checked against a standard (found again by the lenient walk)."""

    check: Callable[[Any], Problem | None]


def standard(
    normalise: Callable[[str], str] | None, check: Callable[[Any], Problem | None]
) -> tuple[Any, ...]:
    """Annotated metadata for a field checked against a standard.

    ``normalise`` runs on text input before type validation; ``check`` runs after it and
    raises in strict mode. Use as ``Annotated[str, *standard(normalise_locode,
    locode_problem)]``.
    """

    def before(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if normalise is not None and isinstance(value, str):
            # A value of separators only ("-", "./") normalises to nothing; keep it as
            # typed, so that the problem shows it and the record reads back the same.
            return normalise(value) or value.strip()
        return value

    def after(value: Any, info: ValidationInfo) -> Any:
        if is_lenient(info):
            return value
        problem = check(value)
        if problem is not None:
            raise PydanticCustomError(problem.code, "{message}", {"message": problem.message})
        return value

    return (BeforeValidator(before), AfterValidator(after), _Standard(check))


def _find_standard(annotation: Any) -> tuple[_Standard, bool] | None:
    """Find the standard check in a field annotation; the bool says 'list of'."""
    origin = get_origin(annotation)
    if origin is Annotated:
        for meta in annotation.__metadata__:
            if isinstance(meta, _Standard):
                return meta, False
        return _find_standard(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _find_standard(arg)
            if found:
                return found
        return None
    if origin in (list, tuple, set, frozenset):
        args = get_args(annotation)
        found = _find_standard(args[0]) if args else None
        return (found[0], True) if found else None
    return None


class RecordModel(CheckedModel):
    """Base of the data model: unknown keys are errors, text is stripped, empty text is
    null, and the strictness mode decides between rejecting and flagging."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_default=False,
        allow_inf_nan=False,
        str_max_length=MAX_TEXT_CHARS,
    )

    quality_flags: list[QualityFlag] = Field(
        default_factory=list,
        description="Data-quality problems found on this record: standards problems in "
        "lenient mode, plausibility problems (inconsistent, duplicate...) in both modes.",
    )

    __standard_fields__: typing.ClassVar[tuple[tuple[str, _Standard, bool], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        found = []
        for name, info in cls.model_fields.items():
            hit = _find_standard(info.annotation)
            if hit is None:
                for meta in info.metadata:
                    if isinstance(meta, _Standard):
                        hit = (meta, False)
            if hit is not None:
                found.append((name, hit[0], hit[1]))
        cls.__standard_fields__ = tuple(found)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_null(cls, data: Any) -> Any:
        # Spreadsheets and CSV exports write absent values as empty cells.
        if isinstance(data, dict):
            return {
                k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()
            }
        return data

    @model_validator(mode="wrap")
    @classmethod
    def _strictness(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        if not is_lenient(info):
            model = handler(data)
            model._add_flags(model._consistency_flags())
            return model
        salvaged: list[QualityFlag] = []
        if isinstance(data, dict):
            data = dict(data)
            for _ in range(_MAX_REPAIR_ROUNDS):
                try:
                    model = handler(data)
                    break
                except ValidationError as exc:
                    salvaged.extend(cls._repair(data, exc))
            else:  # pragma: no cover - only reachable with adversarial input
                model = handler(data)
        else:
            model = handler(data)
        model._add_flags(salvaged)
        model._add_flags(model._standard_flags())
        model._add_flags(model._consistency_flags())
        return model

    @classmethod
    def _repair(cls, data: dict[str, Any], exc: ValidationError) -> list[QualityFlag]:
        """Drop every value the errors point at, or re-raise when one cannot be dropped."""
        # One value can have several errors (a seal with no number and a bad sealer); it
        # is dropped once, with the first error as the reason.
        drops: dict[tuple[str, int | None], ErrorDetails] = {}
        for err in exc.errors():
            loc = err["loc"]
            key = loc[0] if loc else None
            if not isinstance(key, str) or key not in data:
                raise exc
            field = cls.model_fields.get(key)
            if field is None:  # unknown key
                drops.setdefault((key, None), err)
            elif len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data[key], list):
                drops.setdefault((key, loc[1]), err)
            elif len(loc) == 1 and not field.is_required():
                drops.setdefault((key, None), err)
            else:
                raise exc
        flags = []
        # Remove list elements from the back so earlier indexes stay valid.
        for (key, index), err in sorted(drops.items(), key=lambda d: (d[0][0], -(d[0][1] or 0))):
            if index is None:
                value = data.pop(key, None) if key not in cls.model_fields else data.get(key)
                if key in cls.model_fields:
                    data[key] = None if cls.model_fields[key].default is None else []
                code = "unknown_field" if key not in cls.model_fields else "invalid_value"
                where = key
            else:
                items = list(data[key])
                value = items.pop(index) if index < len(items) else None
                data[key] = items
                code = "invalid_value"
                where = f"{key}[{index}]"
            flags.append(
                QualityFlag(
                    field=where,
                    code=code,
                    value=_flag_value(value),
                    message=f"{err['msg']} (value dropped)",
                )
            )
        return flags

    def _standard_flags(self) -> list[QualityFlag]:
        flags = []
        for name, std, is_list in self.__standard_fields__:
            value = getattr(self, name)
            if value is None:
                continue
            items = list(enumerate(value)) if is_list else [(None, value)]
            for index, item in items:
                problem = std.check(item)
                if problem is not None:
                    where = name if index is None else f"{name}[{index}]"
                    flags.append(
                        QualityFlag(
                            field=where,
                            code=problem.code,
                            value=_flag_value(item),
                            message=problem.message,
                        )
                    )
        return flags

    def _consistency_flags(self) -> list[QualityFlag]:
        """Plausibility problems across fields; flagged in both modes (override)."""
        return []

    def _add_flags(self, flags: list[QualityFlag]) -> None:
        if not flags:
            return
        seen = set(self.quality_flags)
        merged = list(self.quality_flags)
        for flag in flags:
            if flag not in seen:
                seen.add(flag)
                merged.append(flag)
        # Assigning through __dict__ keeps validate_assignment hooks out of the way.
        self.__dict__["quality_flags"] = merged
