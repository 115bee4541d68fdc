"""The exception tree of riskprofile.errors: locations in messages, and pickling."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskprofile import errors
from riskprofile.errors import (
    BatchRejectedError,
    DataError,
    InputFormatError,
    MappingError,
    RecordError,
    RiskProfileError,
)


def test_all_lists_the_public_exceptions() -> None:
    public = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, Exception) and not name.startswith("_")
    }
    assert set(errors.__all__) == public
    assert errors.__all__ == sorted(errors.__all__)


def test_tree() -> None:
    assert issubclass(DataError, RiskProfileError)
    assert issubclass(RecordError, DataError)
    assert issubclass(BatchRejectedError, DataError)
    assert issubclass(InputFormatError, RiskProfileError)
    assert not issubclass(InputFormatError, DataError)
    assert issubclass(MappingError, RiskProfileError)
    assert not issubclass(MappingError, DataError)


def test_record_error_names_record_field_and_value() -> None:
    err = RecordError("fails the ISO 6346 check digit", record=12, field="number",
                      value="CSQU3054384")  # fmt: skip
    assert (
        str(err) == "record 12, field 'number', value 'CSQU3054384': fails the ISO 6346 check digit"
    )
    assert (err.record, err.field, err.value) == (12, "number", "CSQU3054384")
    assert err.reason == "fails the ISO 6346 check digit"


def test_record_error_by_reference_without_field_or_value() -> None:
    err = RecordError("no bill of lading number", record="MAEU240512345")
    assert str(err) == "record MAEU240512345: no bill of lading number"
    assert err.field is None
    assert err.value is None


def test_record_error_keeps_falsy_values_as_text() -> None:
    err = RecordError("negative", record=0, field="tare_kg", value=0)
    assert err.value == "0"
    assert "value '0'" in str(err)
    assert str(err).startswith("record 0")


def test_batch_rejected_error_lists_the_rejections() -> None:
    rejected = [RecordError("bad", record=1), RecordError("worse", record=4, field="hs_code")]
    err = BatchRejectedError("2 of 10 records rejected", rejected)
    assert str(err) == "2 of 10 records rejected"
    assert err.rejected == rejected


def test_input_format_error_names_the_file() -> None:
    assert str(InputFormatError("not UTF-8", path="in.csv")) == "in.csv: not UTF-8"
    assert str(InputFormatError("empty input")) == "empty input"


def test_mapping_error_names_file_line_and_suggestion() -> None:
    err = MappingError("unknown field 'bl_numbr'", path="map.yaml", line=7,
                       suggestion="did you mean 'bl_number'?")  # fmt: skip
    assert str(err) == "map.yaml:7: unknown field 'bl_numbr' (did you mean 'bl_number'?)"
    assert (err.path, err.line) == ("map.yaml", 7)
    assert str(MappingError("no columns")) == "<mapping>: no columns"


EXAMPLES = [
    RiskProfileError("root"),
    DataError("no data"),
    RecordError("fails the check digit", record=3, field="number", value="CSQU3054384"),
    RecordError("missing", record="MAEU1"),
    BatchRejectedError("1 rejected", [RecordError("bad", record=1, field="f", value=2)]),
    InputFormatError("bad header", path="x.csv"),
    MappingError("unknown", path="m.yaml", line=3, suggestion="did you mean 'x'?"),
]


@pytest.mark.parametrize("err", EXAMPLES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_errors_survive_pickle(err: RiskProfileError, protocol: int) -> None:
    again = pickle.loads(pickle.dumps(err, protocol=protocol))
    assert type(again) is type(err)
    assert str(again) == str(err)
    assert again.args == err.args
    assert _state(again) == _state(err)


@pytest.mark.parametrize("err", EXAMPLES, ids=lambda e: type(e).__name__)
def test_errors_survive_deepcopy(err: RiskProfileError) -> None:
    again = copy.deepcopy(err)
    assert type(again) is type(err)
    assert str(again) == str(err)
    assert _state(again) == _state(err)


def test_notes_survive_pickle() -> None:
    err = RecordError("bad", record=1)
    err.add_note("while reading manifest.json")
    again = pickle.loads(pickle.dumps(err))
    assert again.__notes__ == ["while reading manifest.json"]


@given(
    reason=st.text(max_size=30),
    record=st.one_of(st.integers(), st.text(max_size=20)),
    field=st.one_of(st.none(), st.text(max_size=20)),
    value=st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(allow_nan=False)),
)
def test_record_errors_survive_pickle_property(
    reason: str, record: int | str, field: str | None, value: object
) -> None:
    err = RecordError(reason, record=record, field=field, value=value)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)
    assert (again.reason, again.record, again.field, again.value) == (
        reason,
        record,
        field,
        None if value is None else str(value),
    )
    assert str(record) in str(err)
    if field:
        assert repr(field) in str(err)


class _PluginError(RecordError):
    """A subclass with its own constructor, as a plug-in might define."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__("plug-in failure", record=source)


def test_subclass_with_own_constructor_survives_pickle() -> None:
    err = _PluginError("row 9")
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, _PluginError)
    assert again.source == "row 9"
    assert str(again) == str(err)


def _state(err: BaseException) -> dict[str, object]:
    state = dict(vars(err))
    if isinstance(err, BatchRejectedError):
        state["rejected"] = [(type(r), str(r), vars(r)) for r in err.rejected]
    return state
