"""The exceptions riskprofile raises, rooted in one class.

Every error says *where* the problem is: a record index and field for data, a file and
line for profiles and mapping files. All of them survive pickling, so they can cross
process boundaries in parallel batch runs.

    RiskProfileError
     ├── ArgumentError       a call was given an argument value it does not take (also a ValueError)
     │    └── ArgumentTypeError   an argument of a type it does not take (also a TypeError)
     ├── DatabaseError       the database an engine runs on is unreachable or refused (``database``)
     ├── DataError           input data that cannot be used
     │    ├── RecordError     one record is invalid (names record, field and value; a ValueError)
     │    └── BatchRejectedError   strict mode: one or more records of a batch were rejected
     ├── InputFormatError    a file cannot be read at all (format, encoding, header)
     ├── HistoryStoreError   a history store cannot be opened, read or written (``store``)
     ├── WorkbenchError      the work queue refuses an action or a batch (``unit``, ``reason``)
     │    └── TransitionError     an action a case's state (or the actor's role) does not allow
     ├── MappingError        a column-mapping file is invalid (file, line, suggestion)
     ├── NoProfilesError     a scoring run in which no profile takes part (``skipped`` says why)
     ├── UnsafeForkError     Polars work in a process forked after Polars ran in its parent
     ├── NotPicklableError   an object that cannot cross a process boundary (also a TypeError)
     ├── ProfileError        a risk profile is invalid (file, line, column, suggestion)
     │    └── ProfileSetError every problem of a profile set (collect-errors mode)
     └── ExchangeError       a message between PCUs is refused (``reason`` says why)
          ├── SchemaError         not a message of the published schema (``schema``)
          ├── UnsignedError       no signature (``unsigned``)
          ├── BadSignatureError   a signature that cannot be read (``bad_signature``)
          ├── TamperedError       signature does not match the bytes (``tampered``)
          ├── NotJsonError        not UTF-8 JSON at all: a wrong file, not a message (``not_json``)
          ├── UnknownSenderError  sender or key not in the trust store (``unknown_sender``)
          ├── RevokedKeyError     signed with a key its PCU revoked (``revoked_key``)
          ├── ExpiredError        past its expiry (``expired``)
          ├── ReplayedError       a message id already received (``replayed``)
          ├── NotAddressedError   addressed to another PCU (``not_addressed``)
          └── TooLargeError       over the size or nesting limit (``too_large``)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BadSignatureError",
    "BatchRejectedError",
    "DataError",
    "DatabaseError",
    "ExchangeError",
    "ExpiredError",
    "HistoryStoreError",
    "InputFormatError",
    "MappingError",
    "MissingSourceWarning",
    "NoProfilesError",
    "NotAddressedError",
    "NotJsonError",
    "NotPicklableError",
    "ProfileError",
    "ProfileSetError",
    "RecordError",
    "ReplayedError",
    "RevokedKeyError",
    "RiskProfileError",
    "SchemaError",
    "TamperedError",
    "TooLargeError",
    "TransitionError",
    "UnknownSenderError",
    "UnsafeForkError",
    "UnsignedError",
    "WorkbenchError",
]


class RiskProfileError(Exception):
    """Root of every exception raised by riskprofile."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's default reduce replays ``args`` into ``__init__``, which loses
        # keyword-only attributes; rebuild from the message and the instance state.
        return (_rebuild, (self.__class__, self.args, self.__dict__))


def _rebuild(cls: type[RiskProfileError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class ArgumentError(RiskProfileError, ValueError):
    """A call into the library was given an argument value it does not take (a
    strictness, an engine, an ``as_of``...). Also a :class:`ValueError`, which is what
    these arguments raised before.

    Attributes:
        argument: the argument's name (``strictness``).
        value: what was given, as its ``repr``.
        valid: the values it takes, when they can be listed.
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str,
        value: Any = None,
        valid: tuple[str, ...] = (),
    ) -> None:
        self.argument = argument
        self.value = repr(value)
        self.valid = tuple(valid)
        super().__init__(message)


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of a type the call does not take (an ``as_of`` that is a number): an
    :class:`ArgumentError`, and a :class:`TypeError` as before."""


class DataError(RiskProfileError):
    """Input data that cannot be used."""


class RecordError(DataError, ValueError):
    """One record is invalid.

    Raised by the data model's constructors (``Shipment(...)``,
    ``Manifest.model_validate(...)``) and every entry point that validates a record,
    with Pydantic's ``ValidationError`` as ``__cause__``. Also a :class:`ValueError`,
    as that ``ValidationError`` is.

    Attributes:
        record: where the record is: a row number, a document index or a reference
            such as a bill of lading number.
        field: the field (or source column) at fault, if known: the first problem's.
        value: the offending value as text, if any.
        reason: what is wrong, in words.
        problems: every problem of the record as ``(field, value, reason)``, in the order
            found (the first is ``field``, ``value``, ``reason``); one entry when the
            error was made by hand.
    """

    def __init__(
        self,
        reason: str,
        *,
        record: str | int,
        field: str | None = None,
        value: Any = None,
        problems: tuple[tuple[str | None, str | None, str], ...] = (),
    ) -> None:
        self.reason = reason
        self.record = record
        self.field = field
        self.value = None if value is None else str(value)
        self.problems = problems or ((field, self.value, reason),)
        where = f"record {record}"
        if field:
            where += f", field {field!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(f"{where}: {reason}{tail}")

    def errors(self, *, include_url: bool = False) -> list[dict[str, Any]]:
        """Pydantic's error details (``loc``, ``type``, ``msg``, ``input``), as its
        ``ValidationError.errors()`` gives them, when the error came from the model; else
        (made by hand, or unpickled) one ``value_error`` detail per problem."""
        cause = self.__cause__
        if cause is not None and hasattr(cause, "errors"):
            details: list[dict[str, Any]] = cause.errors(include_url=include_url)
            return details
        return [
            {"type": "value_error", "loc": tuple(field.split(".")) if field else (),
             "msg": reason, "input": value}
            for field, value, reason in self.problems
        ]  # fmt: skip


class BatchRejectedError(DataError):
    """Strict reading found rejected records; ``rejected`` lists each with its reason."""

    def __init__(self, message: str, rejected: list[Any]) -> None:
        self.rejected = rejected
        super().__init__(message)


class InputFormatError(RiskProfileError):
    """A file cannot be read at all: unknown format, bad encoding, missing header."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class HistoryStoreError(RiskProfileError):
    """A history store (:mod:`riskprofile.history`) cannot be opened, read or written;
    ``store`` names it (a PostgreSQL DSN without its password)."""

    def __init__(self, message: str, *, store: str | None = None) -> None:
        self.message = message
        self.store = store
        super().__init__(f"history store {store}: {message}" if store else message)


class WorkbenchError(RiskProfileError):
    """The work queue (:mod:`riskprofile.workbench`) refuses a batch, an action or its
    store; ``unit`` names the container (its unit key) or the file, when there is one,
    and ``reason`` says why in the officer's words."""

    def __init__(self, reason: str, *, unit: str | None = None) -> None:
        self.reason = reason
        self.unit = unit
        super().__init__(f"{unit}: {reason}" if unit else reason)


class TransitionError(WorkbenchError):
    """An action the case's state does not allow (a result before a disposition), or
    one the actor's role or assignment does not allow; ``action`` and ``state`` name
    them. ``code`` names the refusal and ``params`` fill its message template, so that
    pages can show it translated (``riskprofile.workbench.REFUSALS``); "" and {} when
    raised without one."""

    def __init__(
        self, reason: str, *, unit: str | None = None, action: str = "", state: str = ""
    ) -> None:
        self.action = action
        self.state = state
        self.code = ""
        self.params: dict[str, Any] = {}
        super().__init__(reason, unit=unit)


class DatabaseError(RiskProfileError):
    """The database the SQL engine runs on (``--engine postgresql://...``) cannot be
    reached, or refused a query; ``database`` names it (a URL without its password)."""

    def __init__(self, message: str, *, database: str | None = None) -> None:
        self.message = message
        self.database = database
        super().__init__(f"database {database}: {message}" if database else message)


class NoProfilesError(RiskProfileError):
    """A scoring run in which no profile takes part: none was given, or every one was
    skipped (a draft, retired, not valid on the ``as_of`` date, out of the country's
    scope). Scoring on would call every container green without looking at it.

    Attributes:
        skipped: profile id -> why it does not take part (empty when none was given).
    """

    def __init__(self, message: str, *, skipped: dict[str, str] | None = None) -> None:
        self.skipped = dict(skipped or {})
        super().__init__(message)


class MissingSourceWarning(UserWarning):
    """Said by :func:`~riskprofile.score` when a profile taking part has indicators that
    read the fields of a source the run was not given (a stow plan's ``stowplan_*``
    fields, a history store's history fields): those fields are null, so those
    indicators cannot fire. A warning, not an error: scoring without the source is
    allowed, but it must not be silent. Give the source (``stowplan=``, ``history=``),
    or filter the warning (``warnings.simplefilter("ignore", MissingSourceWarning)``)
    where a missing source is expected."""


class UnsafeForkError(RiskProfileError):
    """Polars work (a columnar score, ``read_frame``) asked of a process forked after
    Polars ran in its parent: it would deadlock (Polars' thread pool does not survive
    ``fork()``). Start workers with ``spawn`` or ``forkserver``, or score row-wise."""


class NotPicklableError(RiskProfileError, TypeError):
    """An object that cannot cross a process boundary by pickling (a compiled profile
    alone: pickle its :class:`~riskprofile.profiles.ProfileSet`); also a TypeError, as
    pickle's own refusals are."""


class MappingError(RiskProfileError):
    """A column-mapping file is invalid.

    Attributes:
        path: the mapping file.
        line: 1-based line in that file, when known.
        suggestion: a likely fix ("did you mean 'bl_number'?"), when one exists.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.suggestion = suggestion
        where = path or "<mapping>"
        if line is not None:
            where += f":{line}"
        text = f"{where}: {message}"
        if suggestion:
            text += f" ({suggestion})"
        super().__init__(text)


class ProfileError(RiskProfileError):
    """A problem in a risk profile: where it is and what to do about it.

    Attributes:
        message: what is wrong.
        path: the profile file (or ``<string>``).
        line, column: 1-based position in that file, when known.
        code: a short stable code (``unknown_field``, ``type_mismatch``, ``syntax``,
            ``regex``, ``cycle``, ...), for tools and tests.
        suggestion: a likely fix ("did you mean 'port_of_loading'?"), when one exists.
        profile_id: the profile concerned, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: str = "invalid",
        suggestion: str | None = None,
        profile_id: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.code = code
        self.suggestion = suggestion
        self.profile_id = profile_id
        super().__init__(self.location_text())

    @property
    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        where = self.path or "<profile>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def location_text(self) -> str:
        """The one-line form ``file:line:col: message (suggestion)``."""
        text = f"{self.location}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


class ProfileSetError(ProfileError):
    """Every problem found in a set of profiles (collect-errors mode); ``errors`` lists
    them in file and line order."""

    def __init__(self, errors: list[ProfileError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        super().__init__(
            f"{len(errors)} problem(s) in the profiles; first: {first}" if first else "no errors",
            path=first.path if first else None,
            line=first.line if first else None,
            column=first.column if first else None,
            code="several",
        )


class ExchangeError(RiskProfileError):
    """A message between PCUs is refused.

    Attributes:
        reason: a stable code: ``schema``, ``unsigned``, ``bad_signature``, ``tampered``,
            ``not_json``, ``unknown_sender``, ``revoked_key``, ``expired``, ``replayed``,
            ``not_addressed`` or ``too_large``.
        message_id: the message concerned, when it could be read.
        detail: what is wrong, in words.
    """

    reason = "invalid"

    def __init__(self, detail: str, *, message_id: str | None = None) -> None:
        self.detail = detail
        self.message_id = message_id
        where = f"message {message_id}: " if message_id else ""
        super().__init__(f"{where}{detail} [{self.reason}]")


class SchemaError(ExchangeError):
    """Not a message of the published schema (or not JSON at all)."""

    reason = "schema"


class UnsignedError(ExchangeError):
    """The message carries no signature."""

    reason = "unsigned"


class BadSignatureError(ExchangeError):
    """The signature cannot be read (not base64, not 64 bytes)."""

    reason = "bad_signature"


class TamperedError(ExchangeError):
    """The signature does not match the bytes: changed after signing."""

    reason = "tampered"


class NotJsonError(ExchangeError):
    """Not UTF-8 JSON at all: a wrong file (a PDF, a spreadsheet), or one damaged beyond
    reading; not a signed message or key statement whose bytes were changed."""

    reason = "not_json"


class UnknownSenderError(ExchangeError):
    """The sender, or its key, is not in the trust store."""

    reason = "unknown_sender"


class RevokedKeyError(ExchangeError):
    """Signed with a key its PCU has revoked (a signed revocation in the trust store)."""

    reason = "revoked_key"


class ExpiredError(ExchangeError):
    """The message is past its expiry."""

    reason = "expired"


class ReplayedError(ExchangeError):
    """A message with this id was already received."""

    reason = "replayed"


class NotAddressedError(ExchangeError):
    """The message is not addressed to the PCU importing it."""

    reason = "not_addressed"


class TooLargeError(ExchangeError):
    """The message is over the size or nesting limit: refused before it is parsed."""

    reason = "too_large"
