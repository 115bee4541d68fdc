"""``riskprofile serve``: the scoring service over HTTP (docs/serve.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from riskprofile.cli import _args, _queue, _workbench

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
        "the keys file. Each worker process loads the keys and the profiles itself. "
        "With --web, the workbench's pages too (users: 'serve users', audit log: 'serve "
        "audit'). See docs/serve.md.",
    )
    serve.add_argument(
        "--keys",
        metavar="FILE",
        help="the API keys file (hashes only; --new-key adds one); needed for the API, "
        "not for --web alone",
    )
    serve.add_argument(
        "--web",
        action="store_true",
        help="serve the workbench's pages too (sign-in, dashboard, four-eyes changes, "
        "audit log), on the store of --data or --store",
    )
    _workbench.add_store_options(serve)
    serve.add_argument(
        "--secure-cookies",
        action="store_true",
        help="mark the workbench's cookies Secure (when served over HTTPS)",
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
    queue = serve.add_argument_group("the work queue (with --web)")
    queue.add_argument("--capacity", default="3%",
                       help="each batch's inspection list: a count, a share (3%%) or per lane "
                       "(red=20,yellow=5%%); default 3%%")  # fmt: skip
    queue.add_argument(
        "--control-rate",
        default="1%",
        help="the random control sample's share (default 1%%; 0 for none)",
    )
    queue.add_argument(
        "--seed", type=int, help="the control sample's seed (default: from each file's hash)"
    )
    queue.add_argument(
        "--drop-folder", metavar="FOLDER", help="the folder the cargo system drops batch files in"
    )
    queue.add_argument("--history", metavar="STORE",
                       help="a history store (DuckDB file or postgresql:// DSN): history "
                       "fields in scoring; batches and results recorded in it")  # fmt: skip
    serve.add_argument(
        "--check",
        action="store_true",
        help="load the keys, the profiles and the pool, say so, and exit without serving",
    )
    serve.set_defaults(run=_serve)
    _queue.register(_workbench.register(serve))


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
    if not args.web and (args.data is not None or args.store is not None):
        raise _args.usage_error("serve", "--data and --store are the workbench's: add --web")
    if args.keys is None and not args.web:
        raise _args.usage_error("serve", "give --keys FILE (the API), --web (the pages), or both")
    if args.keys is not None and not args.keys.strip():
        raise _args.usage_error("serve", "--keys: give a file name")
    if args.new_key is not None:
        if args.keys is None:
            raise _args.usage_error("serve", "--new-key needs --keys FILE")
        key = add_key(args.keys, args.new_key)
        print(f"added a key for {args.new_key} to {args.keys}; it is shown once:")
        print(key)
        return 0
    pool = args.pool if args.pool is not None else "riskprofile-pool.sqlite"
    if not pool.strip():
        raise _args.usage_error("serve", "--pool: give a file name")
    if Path(pool).exists() and not Path(pool).is_file():
        raise _args.usage_error("serve", f"--pool {pool}: not a regular file")
    web = _web_settings(args) if args.web else None
    if args.keys is None:
        assert web is not None
        return _serve_web_only(args, web)
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
    if service.reload_off is not None:
        print(f"riskprofile serve: {service.reload_off}", file=sys.stderr)
    if web is not None:
        _mount_web(app, web)
    if args.check:
        return 0
    import uvicorn

    os.environ[SETTINGS_VARIABLE] = settings.to_json()
    if web is not None:
        from riskprofile.serve import WEB_SETTINGS_VARIABLE

        os.environ[WEB_SETTINGS_VARIABLE] = web.to_json()
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


def _web_settings(args: argparse.Namespace) -> Any:
    try:
        from riskprofile.serve.web import WebSettings
    except ImportError as exc:  # jinja2, argon2-cffi or babel not installed
        raise _args.usage_error(
            "serve",
            f"--web needs the serve extra: pip install 'riskprofile[serve]' ({exc.name} is "
            "missing)",
        ) from None
    # The same checks (and the same folder) as 'serve users add', which creates the store.
    store = _workbench.open_store("serve", args, create=True)
    store.close()
    _queue.check_queue_options(args)
    return WebSettings(
        queue_capacity=args.capacity,
        queue_control_rate=args.control_rate,
        queue_seed=args.seed,
        drop_folder=str(Path(args.drop_folder).resolve()) if args.drop_folder else None,
        history=args.history,
        data=str(Path(args.data or "riskprofile-data").resolve()),
        store=args.store,
        profiles=tuple(args.profiles or ()),
        country=args.country,
        secure_cookies=args.secure_cookies,
        max_body_mib=args.max_body,
    )


def _mount_web(app: Any, web: Any) -> None:
    from riskprofile.serve.web import mount_web

    context = mount_web(app, web)
    with context.store.read() as tx:
        from riskprofile.serve.web import list_users

        users = list_users(tx)
    print(f"riskprofile serve: the workbench's pages, {len(users)} users, store "
          f"{context.store.shown}", file=sys.stderr)  # fmt: skip
    if not any(u.role == "supervisor" and not u.disabled for u in users):
        print("riskprofile serve: warning: no supervisor can sign in: add one with "
              "'riskprofile serve users add NAME --role supervisor'", file=sys.stderr)  # fmt: skip


def _serve_web_only(args: argparse.Namespace, web: Any) -> int:
    from fastapi import FastAPI

    from riskprofile.serve import WEB_SETTINGS_VARIABLE, Limits
    from riskprofile.serve.shared import BodyLimit

    app = FastAPI(title="riskprofile workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limits=Limits(max_body_bytes=args.max_body * 1024 * 1024))
    _mount_web(app, web)
    if args.check:
        return 0
    import uvicorn

    os.environ[WEB_SETTINGS_VARIABLE] = web.to_json()
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    else:
        del app
        uvicorn.run("riskprofile.serve:app_from_environment", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level="info")  # fmt: skip
    return 0
