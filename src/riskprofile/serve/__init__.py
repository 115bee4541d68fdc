"""The scoring service: ``riskprofile serve`` (``pip install 'riskprofile[serve]'``).

An HTTP API for customs systems that are not written in Python (docs/serve.md): score
manifests or flat records as they arrive, bill of lading by bill of lading, within the
pool of their vessel call; select over the pool of a day; record outcomes; screen party
names; the profiles and the field catalogue. Every worker process builds its own
application (:func:`app_from_environment`): it reads the keys file and loads and
compiles the profiles itself, after it has started, so nothing compiled crosses a fork
or a pickle.

    >>> from riskprofile.serve import ServiceSettings
    >>> ServiceSettings(keys="keys.txt").pool
    ':memory:'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from riskprofile.serve._app import POOL_NOTE, ServiceSettings, create_app, fields_schema
from riskprofile.serve._keys import ApiKeys, KeysFileError, add_key, hash_key, new_key
from riskprofile.serve._limits import Limits
from riskprofile.serve._pool import Arrival, CallPool, CallSummary, DocumentsRefusedError
from riskprofile.serve._store import PoolStore, PoolStoreError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "POOL_NOTE",
    "SETTINGS_VARIABLE",
    "WEB_SETTINGS_VARIABLE",
    "ApiKeys",
    "Arrival",
    "CallPool",
    "CallSummary",
    "DocumentsRefusedError",
    "KeysFileError",
    "Limits",
    "PoolStore",
    "PoolStoreError",
    "ServiceSettings",
    "add_key",
    "app_from_environment",
    "create_app",
    "fields_schema",
    "hash_key",
    "new_key",
]

SETTINGS_VARIABLE = "RISKPROFILE_SERVE_SETTINGS"
"""The environment variable through which ``riskprofile serve`` hands its settings (JSON)
to each worker process."""


WEB_SETTINGS_VARIABLE = "RISKPROFILE_WEB_SETTINGS"
"""The same for the workbench's pages (``riskprofile serve --web``)."""


def app_from_environment() -> FastAPI:
    """The application of one worker, from the settings in :data:`SETTINGS_VARIABLE`
    and :data:`WEB_SETTINGS_VARIABLE` (uvicorn's ``--factory`` target:
    ``riskprofile.serve:app_from_environment``)."""
    text = os.environ.get(SETTINGS_VARIABLE)
    web_text = os.environ.get(WEB_SETTINGS_VARIABLE)
    if not text and not web_text:
        raise RuntimeError(
            f"{SETTINGS_VARIABLE} is not set: start the service with 'riskprofile serve'"
        )
    if not web_text:
        return create_app(ServiceSettings.from_json(text or ""))
    from riskprofile.serve.web import WebSettings, create_web_app, mount_web

    web = WebSettings.from_json(web_text)
    if not text:
        return create_web_app(web)
    app = create_app(ServiceSettings.from_json(text))
    mount_web(app, web)
    return app
