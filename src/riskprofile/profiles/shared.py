"""What the profile language shares with the rest of the library (its engines, rules,
output, service and command line), beyond :mod:`riskprofile.profiles`.

The modules of this package are private (``_compiled``, ``_builtins``, ...): only the
package's own modules import them. Another part of riskprofile imports a profile-language
name from :mod:`riskprofile.profiles` (the user API) or from here (the library's own use;
not promised to users).

What is here: a compiled condition (``Condition``) and its syntax tree (``walk``); what a
condition reads besides fields (the evaluation clock, RE2, helper functions); how an
explanation reads a record's fields and quotes values; the watch lists' file limit and
comparisons; the YAML model's lanes. The compiled model itself (``CompiledProfile``,
``IndicatorResult``, ...) is in the package's user API.
"""

from riskprofile.profiles._builtins import (
    HELPERS,
    BuiltinSymbol,
    Containment,
    RegexComparison,
    evaluation_time,
)
from riskprofile.profiles._explain import (
    FieldSymbol,
    explanation_fields,
    explanation_quotes,
    show_value,
)
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._list_entries import MAX_LIST_FILE_BYTES
from riskprofile.profiles._lists import field_format, list_comparisons
from riskprofile.profiles._regex import RegexRefused, compile_regex
from riskprofile.profiles._schema import Lane
from riskprofile.profiles._tree import walk

__all__ = [
    "HELPERS",
    "MAX_LIST_FILE_BYTES",
    "BuiltinSymbol",
    "Condition",
    "Containment",
    "FieldSymbol",
    "Lane",
    "RegexComparison",
    "RegexRefused",
    "compile_regex",
    "evaluation_time",
    "explanation_fields",
    "explanation_quotes",
    "field_format",
    "list_comparisons",
    "show_value",
    "walk",
]
