"""What the data model shares with the rest of the library (the readers, the profile
language, the engines, evaluation, history and synth), beyond :mod:`riskprofile.model`.

The modules ``_base``, ``_extra`` and ``_flag_names`` are private: only the model's own
modules import them. Another part of riskprofile imports a model name from
:mod:`riskprofile.model` (the user API), from its public modules (``manifest``,
``shipment``, ``frame``, ``codes``) or from here (the library's own use; not promised to
users).

What is here: the base of every record model and its validation helpers; custom fields
(an administration's own columns, ``x_<name>``); a data-quality flag's element name.
"""

from riskprofile.model._base import MAX_TEXT_CHARS, RecordModel, validation_errors
from riskprofile.model._extra import (
    EXTRA_PREFIX,
    EXTRA_TYPES,
    NORMALISERS,
    ExtraColumn,
    ExtraType,
    extra_catalogue_type,
    is_extra_field,
    is_extra_name,
    parse_extra_cell,
)
from riskprofile.model._flag_names import flagged_element

__all__ = [
    "EXTRA_PREFIX",
    "EXTRA_TYPES",
    "MAX_TEXT_CHARS",
    "NORMALISERS",
    "ExtraColumn",
    "ExtraType",
    "RecordModel",
    "extra_catalogue_type",
    "flagged_element",
    "is_extra_field",
    "is_extra_name",
    "parse_extra_cell",
    "validation_errors",
]
