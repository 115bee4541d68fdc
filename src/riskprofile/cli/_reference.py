"""``riskprofile schema`` and ``riskprofile fields``: reference material from the code."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from riskprofile.cli._output import check_outputs, emit

__all__ = ["register"]


def register(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="print a JSON Schema (manifest documents, profile files)",
        description="Print the JSON Schema of a document format, for editors and validators.",
    )
    schema.add_argument("kind", choices=["manifest", "profile"], help="which document format")
    schema.add_argument("-o", "--output", help="write to this file instead of standard output")
    schema.set_defaults(run=_schema)

    fields = commands.add_parser(
        "fields",
        help="print the shipment field catalogue (what rules can use)",
        description="Print every field of the flat Shipment record that risk rules see.",
    )
    fields.add_argument("--format", choices=["markdown", "json"], default="markdown")
    fields.add_argument("-o", "--output", help="write to this file (docs/fields.md)")
    fields.set_defaults(run=_fields)


def _schema(args: argparse.Namespace) -> int:
    from pydantic import TypeAdapter

    from riskprofile.model.manifest import Manifest
    from riskprofile.profiles import Overlay, Profile

    check_outputs("schema", [args.output])
    if args.kind == "manifest":
        schema = Manifest.model_json_schema()
    else:
        # A profile file is a base profile or a country overlay (it has 'extends').
        schema = TypeAdapter(Profile | Overlay).json_schema()
        schema["title"] = "Risk profile file"
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://riskprofile.dev/schema/{args.kind}.json",
        **schema,
    }
    emit(json.dumps(schema, indent=2, sort_keys=True) + "\n", args.output)
    return 0


def _fields(args: argparse.Namespace) -> int:
    from riskprofile.model.shipment import field_catalogue, render_field_catalogue

    check_outputs("fields", [args.output])
    if args.format == "json":
        specs = [asdict(f) for f in field_catalogue()]
        emit(json.dumps(specs, indent=2, default=str) + "\n", args.output)
    else:
        emit(render_field_catalogue(), args.output)
    return 0
