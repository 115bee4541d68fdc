"""What the profile language shares with the rest of the library (its engines, rules,
output, service and command line), beyond :mod:`riskprofile.profiles`.

The modules of this package are private (``_compiled``, ``_builtins``, ...): only the
package's own modules import them. Another part of riskprofile imports a profile-language
name from :mod:`riskprofile.profiles` (the user API) or from here (the library's own use;
not promised to users). Importing this module loads no lint and no profile tests, so an
engine can import it without importing what imports engines.

What is here: the compiled model (what an engine evaluates and returns); a compiled
condition and its syntax tree; what a condition reads besides fields (the evaluation
clock, RE2, helper functions); records and explanations; facts counted once; watch
lists' file limit and comparisons; the YAML model's lanes and bands.
"""

from riskprofile.profiles._builtins import (
    HELPERS,
    BuiltinSymbol,
    Containment,
    RegexComparison,
    evaluation_time,
)
from riskprofile.profiles._compiled import (
    CompiledIndicator,
    CompiledProfile,
    IndicatorResult,
    ListEntry,
)
from riskprofile.profiles._explain import (
    FieldSymbol,
    explanation_fields,
    explanation_quotes,
    record_of,
    render_explanation,
    show_value,
)
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._facts import SharedFact, describe_counted_in, fact_groups
from riskprofile.profiles._list_entries import MAX_LIST_FILE_BYTES
from riskprofile.profiles._lists import list_comparisons
from riskprofile.profiles._regex import RegexRefused, compile_regex
from riskprofile.profiles._schema import Band, Lane
from riskprofile.profiles._tree import field_types, walk

__all__ = [
    "HELPERS",
    "MAX_LIST_FILE_BYTES",
    "Band",
    "BuiltinSymbol",
    "CompiledIndicator",
    "CompiledProfile",
    "Condition",
    "Containment",
    "FieldSymbol",
    "IndicatorResult",
    "Lane",
    "ListEntry",
    "RegexComparison",
    "RegexRefused",
    "SharedFact",
    "compile_regex",
    "describe_counted_in",
    "evaluation_time",
    "explanation_fields",
    "explanation_quotes",
    "fact_groups",
    "field_types",
    "list_comparisons",
    "record_of",
    "render_explanation",
    "show_value",
    "walk",
]
