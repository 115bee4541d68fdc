"""Reading a column mapping file: deep nesting refused before PyYAML sees it, and the
file composed once (the node for line numbers and the data from it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riskprofile.errors import MappingError
from riskprofile.io import ColumnMapping
from riskprofile.io.shared import read_mapping_yaml

MAPPING = (
    "# a mapping with a comment: " + "[" * 70 + "\n"
    "columns:\n"
    '  container_number: "Container No ' + "[" * 70 + '"\n'
    "  bl_number: 'B/L " + "{" * 70 + "'\n"
    "defaults: {port_of_call: PKKHI}\n"
    'delimiter: ";"\n'
)


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a: " + "{b: " * 65 + "1" + "}" * 65])
def test_a_deeply_nested_mapping_is_refused_before_yaml_reads_it(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML's scanner takes time in the square of the depth (a second for 5,000 '[')."""
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")

    class Refused(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            raise AssertionError("PyYAML read the file")

    monkeypatch.setattr(yaml, "SafeLoader", Refused)
    with pytest.raises(MappingError, match="values are nested too deeply"):
        ColumnMapping.of(path)


def test_brackets_in_quotes_and_comments_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    data, node = read_mapping_yaml(path)
    assert data == yaml.safe_load(MAPPING)
    assert repr(node) == repr(yaml.compose(MAPPING, Loader=yaml.SafeLoader))
    mapping = ColumnMapping.of(path)
    assert mapping.columns["bl_number"] == "B/L " + "{" * 70
    assert mapping.delimiter == ";"


def test_an_empty_mapping_file_is_the_identity(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert read_mapping_yaml(path) == ({}, None)
