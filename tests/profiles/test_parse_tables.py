"""The parse tables riskprofile ships for rule-engine's grammars (riskprofile/_parse_tables):
they are what the installed rule-engine gives, both parsers read them instead of building
them, and tables made for another grammar are not used."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from riskprofile import _parse_tables
from riskprofile.profiles import _builtins


def test_the_shipped_tables_are_what_the_installed_rule_engine_gives() -> None:
    # Stale tables would only make the parsers build their own (PLY checks the
    # signature), but then the fixed cost they remove is back: regenerate them with
    # write_tables(generated_parse_tables()) after upgrading rule-engine.
    shipped = _parse_tables.TABLES.read_text(encoding="utf-8")
    assert shipped == _parse_tables.dumps(_builtins.generated_parse_tables())


def test_both_parsers_read_the_tables_in_a_fresh_process() -> None:
    # A production read from a table module is PLY's MiniProduction; a built one is a
    # Production. Before the tables, both parsers were built (0.9 s per process).
    code = (
        "import riskprofile\n"
        "riskprofile.score\n"
        "import rule_engine\n"
        "from riskprofile.profiles._builtins import _parser\n"
        "print(type(rule_engine.Rule.parser._parser.productions[1]).__name__)\n"
        "print(type(_parser()._parser.productions[1]).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.split() == ["MiniProduction", "MiniProduction"]
    assert done.stderr == ""  # PLY warns on stderr about a table it cannot read


@pytest.mark.parametrize("first", ["riskprofile.engines.columnar", "riskprofile.io"])
def test_rule_engine_reads_its_tables_whatever_riskprofile_module_comes_first(
    first: str,
) -> None:
    # The finder is installed by `import riskprofile`, so a module that imports
    # rule-engine before riskprofile.profiles (the columnar translator does) is covered.
    code = (
        f"import {first}\n"
        "import rule_engine\n"
        "print(type(rule_engine.Rule.parser._parser.productions[1]).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.split() == ["MiniProduction"]


def test_tables_made_for_another_grammar_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def other_grammar(name: str, parser: str) -> types.ModuleType:
        module = _parse_tables.table_module(name, parser)
        module._lr_signature = "statement : something else"  # type: ignore[attr-defined]
        module._lr_action = {}  # type: ignore[attr-defined]  # would parse nothing
        return module

    monkeypatch.setattr(_builtins, "table_module", other_grammar)
    parser = _builtins._Re2Parser()
    assert type(parser._parser.productions[1]).__name__ == "Production"  # built
    read = _builtins._parser()
    assert parser._parser.action == read._parser.action
    assert parser._parser.goto == read._parser.goto
