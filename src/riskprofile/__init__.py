"""riskprofile: rule-based risk profiling of sea containers.

The public API. Everything importable from here is supported; modules whose names start
with an underscore are private.

>>> from riskprofile import Container
>>> Container.model_validate({"number": "CSQU3054383"}).number
'CSQU3054383'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from riskprofile import _parse_tables

# rule-engine, when a module imports it later, reads its parse tables from the file
# riskprofile ships instead of building them (~0.5 s; see _parse_tables).
_parse_tables.install()

if TYPE_CHECKING:  # for type checkers and editors; at run time each name loads on first use
    from riskprofile.errors import (
        ArgumentError,
        BatchRejectedError,
        DataError,
        InputFormatError,
        MappingError,
        MissingSourceWarning,
        NoProfilesError,
        ProfileError,
        ProfileSetError,
        RecordError,
        RiskProfileError,
    )
    from riskprofile.evaluation import (
        Evaluation,
        Outcome,
        Suggestions,
        evaluate,
        read_outcomes,
        suggest,
    )
    from riskprofile.io import (
        Batch,
        ColumnMapping,
        FieldProblem,
        RejectedRecord,
        read_batch,
        read_manifests,
        write_csv,
        write_json,
        write_parquet,
    )
    from riskprofile.model import (
        LENIENT,
        STRICT,
        Consignment,
        Container,
        FieldSpec,
        GoodsItem,
        Manifest,
        Party,
        QualityFlag,
        Seal,
        Shipment,
        Strictness,
        StrictnessMode,
        field_catalogue,
        flatten,
        validation_context,
    )
    from riskprofile.profiles import (
        CompiledProfile,
        ProfileSet,
        lint_profiles,
        load_all_profiles,
        load_profiles,
        run_examples,
    )
    from riskprofile.scoring import (
        ContainerResult,
        Hit,
        ScoringRun,
        ShipmentResult,
        read_run,
        score,
        write_run,
    )
    from riskprofile.selection import Selection, select

# Where each public name lives. They are imported on first use (PEP 562), so that
# `import riskprofile` and `riskprofile --help` do not load pydantic, rule-engine and
# polars before anything needs them. tests/test_public_api.py checks this table against
# the imports above and __all__.
_HOMES: dict[str, str] = {
    "errors": (
        "ArgumentError BatchRejectedError DataError InputFormatError MappingError "
        "MissingSourceWarning NoProfilesError ProfileError ProfileSetError RecordError "
        "RiskProfileError"
    ),
    "evaluation": "Evaluation Outcome Suggestions evaluate read_outcomes suggest",
    "io": (
        "Batch ColumnMapping FieldProblem RejectedRecord read_batch read_manifests "
        "write_csv write_json write_parquet"
    ),
    "model": (
        "LENIENT STRICT Consignment Container FieldSpec GoodsItem Manifest Party "
        "QualityFlag Seal Shipment Strictness StrictnessMode field_catalogue flatten "
        "validation_context"
    ),
    "profiles": (
        "CompiledProfile ProfileSet lint_profiles load_all_profiles load_profiles run_examples"
    ),
    "scoring": "ContainerResult Hit ScoringRun ShipmentResult read_run score write_run",
    "selection": "Selection select",
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names.split()}
_SUBPACKAGES = frozenset(
    {"cli", "engines", "errors", "evaluation", "exchange", "io", "model", "output", "profiles",
     "scoring", "selection", "synth"}
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("riskprofile")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
    elif name in _MODULE_OF:
        value = getattr(import_module(f"riskprofile.{_MODULE_OF[name]}"), name)
    elif name in _SUBPACKAGES:
        value = import_module(f"riskprofile.{name}")
    else:
        raise AttributeError(f"module 'riskprofile' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})


__all__ = [
    "ArgumentError",
    "Batch",
    "BatchRejectedError",
    "ColumnMapping",
    "CompiledProfile",
    "Consignment",
    "Container",
    "ContainerResult",
    "DataError",
    "Evaluation",
    "FieldProblem",
    "FieldSpec",
    "GoodsItem",
    "Hit",
    "InputFormatError",
    "LENIENT",
    "Manifest",
    "MappingError",
    "MissingSourceWarning",
    "NoProfilesError",
    "Outcome",
    "Party",
    "ProfileError",
    "ProfileSet",
    "ProfileSetError",
    "QualityFlag",
    "RecordError",
    "RejectedRecord",
    "RiskProfileError",
    "STRICT",
    "ScoringRun",
    "Seal",
    "Selection",
    "Shipment",
    "ShipmentResult",
    "Strictness",
    "StrictnessMode",
    "Suggestions",
    "__version__",
    "evaluate",
    "field_catalogue",
    "flatten",
    "lint_profiles",
    "load_all_profiles",
    "load_profiles",
    "read_batch",
    "read_manifests",
    "read_outcomes",
    "read_run",
    "run_examples",
    "score",
    "select",
    "suggest",
    "validation_context",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_run",
]
