"""riskprofile: rule-based risk profiling of sea containers.

The public API. Everything importable from here is supported; modules whose names start
with an underscore are private.

>>> from riskprofile import Container
>>> Container.model_validate({"number": "CSQU3054383"}).number
'CSQU3054383'
"""

from importlib.metadata import PackageNotFoundError, version

from riskprofile.errors import (
    BatchRejectedError,
    DataError,
    InputFormatError,
    MappingError,
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
from riskprofile.scoring import ContainerResult, Hit, ScoringRun, ShipmentResult, score
from riskprofile.selection import Selection, select

try:
    __version__ = version("riskprofile")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
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
    "run_examples",
    "score",
    "select",
    "suggest",
    "validation_context",
    "write_csv",
    "write_json",
    "write_parquet",
]
