"""rule-engine's LALR parse tables, read from a file shipped with riskprofile instead of
rebuilt by PLY in every process.

rule-engine builds its grammar's tables when it is imported (the parser of
``rule_engine.Rule``, about 0.5 s) and riskprofile builds them again for its RE2-aware
parser (:class:`riskprofile.profiles._builtins._Re2Parser`, about 0.4 s): a fixed cost of
every command that loads a profile. PLY's own mechanism avoids it: ``yacc()`` first reads
a table module (rule-engine's is named ``rule_engine.parser.parsetab`` and does not ship)
and uses it only when the signature it records - the start symbol, the precedence, the
tokens and every grammar rule's text - is that of the grammar being built; otherwise it
builds the tables as before. So a rule-engine whose grammar differs from the one the
tables were made for is parsed exactly as without them, only slower.

:func:`install` (run by ``import riskprofile``, so before any of its modules imports
rule-engine) puts a finder on ``sys.meta_path`` that
answers only for ``rule_engine.parser.parsetab``; the tables file is read when rule-engine
asks for it, not before. ``_parse_tables.json`` is written by :func:`write_tables`
from :func:`riskprofile.profiles._builtins.generated_parse_tables` after an upgrade of
rule-engine and tests/profiles/test_parse_tables.py
checks that it is what the installed rule-engine's grammars give.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["dumps", "generated", "install", "table_module", "write_tables"]

TABLES = Path(__file__).with_name("_parse_tables.json")
"""The file of both parsers' tables."""

RULE_ENGINE_TABLES = "rule_engine.parser.parsetab"
"""The table module PLY looks for when rule-engine builds its own parser."""


@cache
def _entries() -> dict[str, Any]:
    import json

    entries: dict[str, Any] = json.loads(TABLES.read_text(encoding="utf-8"))
    return entries


def table_module(name: str, parser: str) -> types.ModuleType:
    """A module holding the tables of ``parser`` (``"rule_engine"`` or ``"re2"``) as PLY's
    ``LRTable.read_table`` reads them (``_tabversion``, ``_lr_signature``, ...)."""
    entry = _entries()[parser]
    module = types.ModuleType(name)
    module.__file__ = str(TABLES)
    module._tabversion = entry["tabversion"]  # type: ignore[attr-defined]
    module._lr_method = entry["method"]  # type: ignore[attr-defined]
    module._lr_signature = entry["signature"]  # type: ignore[attr-defined]
    module._lr_action = {int(s): a for s, a in entry["action"].items()}  # type: ignore[attr-defined]
    module._lr_goto = {int(s): g for s, g in entry["goto"].items()}  # type: ignore[attr-defined]
    module._lr_productions = [tuple(p) for p in entry["productions"]]  # type: ignore[attr-defined]
    return module


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return table_module(spec.name, "rule_engine")

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: :meth:`create_module` filled the module."""


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``rule_engine.parser.parsetab`` (and nothing else) in :data:`TABLES`."""

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != RULE_ENGINE_TABLES or not TABLES.is_file():
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(), origin=str(TABLES))


_FINDER = _Finder()


def install() -> None:
    """Let rule-engine read its parse tables from :data:`TABLES` when it is imported later
    in this process (it builds them otherwise). Idempotent and cheap: nothing is read
    until rule-engine asks."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_FINDER)


def generated(parser_class: type) -> dict[str, Any]:
    """Build the tables of ``parser_class`` (a rule-engine parser class) with PLY, never
    reading a table module, and return them as :data:`TABLES` stores them."""
    from rule_engine._vendor.ply import yacc

    # An instance made without __init__, which would read the tables being made.
    parser: Any = object.__new__(parser_class)

    pdict = {name: getattr(parser, name) for name in dir(parser)}
    pdict["__file__"] = sys.modules[type(parser).__module__].__file__
    reflect = yacc.ParserReflect(pdict)
    reflect.get_all()
    if reflect.error or reflect.validate_all():
        raise RuntimeError(f"PLY refused the grammar of {type(parser).__name__}")
    # A table module that does not exist: yacc() builds the tables.
    built = yacc.yacc(module=parser, debug=False, write_tables=False, tabmodule="no_tables")
    return {
        "tabversion": yacc.__tabversion__,
        "method": "LALR",
        "signature": reflect.signature(),
        "action": {str(s): a for s, a in sorted(built.action.items())},
        "goto": {str(s): g for s, g in sorted(built.goto.items())},
        # (rule text, name, length, function, file, line): the file and line only label
        # PLY's debugging output, so the file is named without the machine's path.
        "productions": [
            [p.str, p.name, p.len, p.func, Path(p.file).name if p.file else None, p.line]
            for p in built.productions
        ],
    }


def dumps(tables: dict[str, Any]) -> str:
    """The text of :data:`TABLES` for ``tables`` (deterministic)."""
    import json

    return json.dumps(tables, sort_keys=True, separators=(",", ":")) + "\n"


def write_tables(tables: dict[str, Any], path: Path = TABLES) -> None:
    """Write ``tables`` (:func:`riskprofile.profiles._builtins.generated_parse_tables`) to
    the tables file."""
    path.write_text(dumps(tables), encoding="utf-8")
