"""The columnar engine's own lint: the conditions it runs row-wise, and why.

The profile language (:mod:`riskprofile.profiles`) sits below the engines and knows
none of them, so a lint that asks an engine about a condition lives with the engine:
``riskprofile validate`` runs it after :data:`~riskprofile.profiles.ALL_LINTS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from riskprofile.engines.columnar._translate import translate
from riskprofile.profiles import CompiledProfile, LintFinding, ProfileLint

__all__ = ["RowwiseFallback"]


class RowwiseFallback(ProfileLint):
    """A condition the columnar engine runs row-wise, with the reason (see
    ``riskprofile profiles engines``): the same result, only slower.

    >>> import datetime as dt
    >>> from riskprofile.profiles import ALL_LINTS, lint_profiles, load_profiles
    >>> lint_profiles(load_profiles(bundled=True), today=dt.date(2026, 11, 2),
    ...               lints=[RowwiseFallback()])
    []
    """

    code = "rowwise_fallback"
    severity = "info"
    description = "a condition the columnar engine runs row-wise"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Translate every condition and report those that fall back."""
        as_of = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
        for key, name, condition in self.conditions(profile):
            reason = translate(condition, profile.lists, as_of).fallback
            if reason is not None:
                yield self.finding(
                    profile, key, f"{name} runs row-wise in the columnar engine: {reason}"
                )
