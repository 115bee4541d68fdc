"""Risk profiles: the YAML format, loading with overlays, compiling, lint and tests.

>>> from riskprofile.profiles import load_profiles
>>> profiles = load_profiles(bundled=True, country="PK")
"""

from riskprofile.profiles._compiled import (
    CompiledCondition,
    CompiledIndicator,
    CompiledList,
    CompiledProfile,
    IndicatorResult,
    ListEntry,
    Location,
    ProfileSet,
)
from riskprofile.profiles._custom import check_custom_fields
from riskprofile.profiles._explain import record_of, render_explanation
from riskprofile.profiles._facts import SharedFact, describe_counted_in, fact_groups
from riskprofile.profiles._lint import ALL_LINTS, Lint, LintFinding, ProfileLint, lint_profiles
from riskprofile.profiles._load import (
    bundled_profiles_path,
    fingerprint,
    load_all_profiles,
    load_profiles,
)
from riskprofile.profiles._lock import LOCK_FILE, lock_profiles
from riskprofile.profiles._schema import (
    Band,
    Example,
    Indicator,
    IndicatorOverride,
    ListChange,
    ListItem,
    Overlay,
    Profile,
    ProfileException,
    Requires,
    WatchList,
)
from riskprofile.profiles._sources import profile_files
from riskprofile.profiles._testing import ExampleOutcome, run_examples
from riskprofile.profiles._tree import field_types

__all__ = [
    "ALL_LINTS",
    "LOCK_FILE",
    "Band",
    "CompiledCondition",
    "CompiledIndicator",
    "CompiledList",
    "CompiledProfile",
    "Example",
    "ExampleOutcome",
    "Indicator",
    "IndicatorOverride",
    "IndicatorResult",
    "Lint",
    "LintFinding",
    "ListChange",
    "ListEntry",
    "ListItem",
    "Location",
    "Overlay",
    "Profile",
    "ProfileException",
    "ProfileLint",
    "ProfileSet",
    "Requires",
    "SharedFact",
    "WatchList",
    "bundled_profiles_path",
    "check_custom_fields",
    "describe_counted_in",
    "fact_groups",
    "field_types",
    "fingerprint",
    "lint_profiles",
    "load_all_profiles",
    "load_profiles",
    "lock_profiles",
    "profile_files",
    "record_of",
    "render_explanation",
    "run_examples",
]
