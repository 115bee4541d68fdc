"""``riskprofile serve``: the scoring service over HTTP (docs/serve.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from riskprofile.cli import _args

__all__ = ["register"]


def _port(text: str) -> int:
    value = _args.positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, not {value:,}")
    return value


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the scoring service (HTTP API; needs riskprofile[serve])",
        description="Serve the scoring API: POST /v1/score (manifests or flat records, "
        "scored within the pool of their vessel call), /v1/select (over the pool), "
        "/v1/outcomes, /v1/screen, GET /v1/profiles, /v1/fields, /v1/calls, /healthz; "
        "OpenAPI at /openapi.json. Every request but /healthz needs an X-API-Key from "
        "the keys file. Each worker process loads the keys and the profiles itself. See "
        "docs/serve.md.",
    )
    serve.add_argument(
        "--keys",
        required=True,
        metavar="FILE",
        help="the API keys file (hashes only; --new-key adds one)",
    )
    serve.add_argument(
        "--new-key",
        metavar="CALLER",
        help="add a key for this calling system to --keys, print it once and exit",
    )
    serve.add_argument(
        "--profiles",
        action="append",
        metavar="PATH",
        help="a profile file or folder (repeatable); default: the bundled "
        "library ('bundled' adds it to your own)",
    )
    serve.add_argument(
        "--country", type=_args.country, help="apply this country's overlays (ISO alpha-2)"
    )
    serve.add_argument(
        "--pool",
        metavar="FILE",
        help="the pool's SQLite file, shared by the workers (default: "
        "riskprofile-pool.sqlite in the current folder)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="refuse documents with invalid codes (default: keep and flag)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8787, help="default 8787")
    serve.add_argument(
        "--workers", type=_args.at_most(64), default=1, help="worker processes (default 1)"
    )
    serve.add_argument(
        "--max-body",
        type=_args.at_most(1024),
        default=16,
        metavar="MIB",
        help="the largest request body, MiB (default 16)",
    )
    serve.add_argument(
        "--check",
        action="store_true",
        help="load the keys, the profiles and the pool, say so, and exit without serving",
    )
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    try:
        from riskprofile.serve import (
            SETTINGS_VARIABLE,
            Limits,
            ServiceSettings,
            add_key,
            create_app,
        )
    except ImportError as exc:  # fastapi or uvicorn not installed
        raise _args.usage_error(
            "serve",
            f"needs the serve extra: pip install 'riskprofile[serve]' ({exc.name} is missing)",
        ) from None
    if not args.keys.strip():
        raise _args.usage_error("serve", "--keys: give a file name")
    if args.new_key is not None:
        key = add_key(args.keys, args.new_key)
        print(f"added a key for {args.new_key} to {args.keys}; it is shown once:")
        print(key)
        return 0
    pool = args.pool if args.pool is not None else "riskprofile-pool.sqlite"
    if not pool.strip():
        raise _args.usage_error("serve", "--pool: give a file name")
    if Path(pool).exists() and not Path(pool).is_file():
        raise _args.usage_error("serve", f"--pool {pool}: not a regular file")
    settings = ServiceSettings(
        keys=str(Path(args.keys).resolve()) if args.keys else args.keys,
        profiles=tuple(args.profiles or ()),
        country=args.country,
        pool=str(Path(pool).resolve()),
        strictness="strict" if args.strict else "lenient",
        limits=Limits(max_body_bytes=args.max_body * 1024 * 1024),
    )
    app = create_app(settings)  # the keys, profiles and pool, checked before serving
    service = app.state.service
    print(
        f"riskprofile serve: {len(service.profiles)} profiles, {len(service.keys.callers)} "
        f"API keys, pool {settings.pool}",
        file=sys.stderr,
    )
    if args.check:
        return 0
    import uvicorn

    os.environ[SETTINGS_VARIABLE] = settings.to_json()
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    else:
        # Each worker is a new process (uvicorn spawns them) that builds its own app
        # from the settings: no compiled profile or Polars state crosses a fork.
        del app, service
        uvicorn.run(
            "riskprofile.serve:app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
    return 0
