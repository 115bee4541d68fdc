"""Custom fields a profile requires, checked against the column mapping of a run.

A profile that reads a custom field declares it (``requires: {extra: {office: text}}``),
so its conditions are typed when it is compiled. Whether a run gives the field is known
only with the run's column mapping: :func:`check_custom_fields` refuses, before anything
is scored, a profile whose field the mapping does not declare, or declares with another
type, at the ``requires`` entry (``file:line:col``), naming the field and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.model.shared import EXTRA_PREFIX, ExtraColumn
from riskprofile.profiles._compiled import CompiledProfile

__all__ = ["check_custom_fields"]


def check_custom_fields(
    profiles: Iterable[CompiledProfile],
    given: Sequence[ExtraColumn],
    mapping: str | None = None,
) -> None:
    """Refuse ``profiles`` when one requires a custom field that ``given`` (a column
    mapping's ``extra``, from ``mapping``) does not declare, or declares with another type.

    Raises:
        ProfileSetError: one :class:`ProfileError` (code ``custom_field``) per field, at
            the profile's ``requires`` entry.

    >>> check_custom_fields([], [])  # nothing required: nothing to refuse
    """
    have = {column.name: column for column in given}
    where = f"the column mapping {mapping}" if mapping else "the run's column mapping"
    errors = []
    for profile in profiles:
        for name, kind in profile.profile.requires.extra.items():
            column = have.get(name)
            if column is not None and column.type == kind:
                continue
            if column is None:
                close = difflib.get_close_matches(name, list(have), n=1, cutoff=0.6)
                message = (
                    f"custom field {EXTRA_PREFIX}{name} ({kind}) is required by profile "
                    f"{profile.profile.id}, and {where} does not declare it"
                )
                suggestion = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"declare it in the mapping: extra: {{{name}: {{column: <the file's "
                    f"column>, type: {kind}}}}}"
                )
            else:
                message = (
                    f"custom field {EXTRA_PREFIX}{name} is required as {kind} by profile "
                    f"{profile.profile.id}, and {where} declares it as {column.type} "
                    f"(column {column.column!r})"
                )
                suggestion = f"make the two types agree (type: {kind} in the mapping)"
            location = profile.positions.get(f"requires:{name}")
            errors.append(
                ProfileError(
                    message,
                    path=location.path if location else profile.source,
                    line=location.line if location else None,
                    column=location.column if location else None,
                    code="custom_field",
                    suggestion=suggestion,
                    profile_id=profile.profile.id,
                )
            )
    if errors:
        raise ProfileSetError(errors)
