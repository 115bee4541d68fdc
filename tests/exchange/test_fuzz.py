"""Fuzzing verification and import: whatever the bytes, only an ExchangeError escapes,
and every message that is not the one signed is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ExchangeError
from riskprofile.exchange import (
    ExchangeLog,
    SigningKey,
    TrustStore,
    canonicalize,
    import_message,
    sign,
    verify,
)
from tests.depth import depth
from tests.exchange.conftest import NOW, make_warning

_FUZZ = settings(
    max_examples=depth(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _signed(pk_key: SigningKey) -> bytes:
    return sign(make_warning(), pk_key)


def _mutate(node: Any, path: list[Any], change: str, value: Any) -> Any:
    """``node`` with the member at ``path`` replaced, deleted, or wrapped."""
    if not path:
        return {"replace": value, "wrap": [node], "delete": None}[change]
    key, rest = path[0], path[1:]
    if isinstance(node, dict):
        out = dict(node)
        if change == "delete" and not rest:
            out.pop(key, None)
        else:
            out[key] = _mutate(node[key], rest, change, value)
        return out
    out_list = list(node)
    if change == "delete" and not rest:
        del out_list[key]
    else:
        out_list[key] = _mutate(node[key], rest, change, value)
    return out_list


def _paths(node: Any, prefix: list[Any]) -> list[list[Any]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, item in node.items():
            found += _paths(item, [*prefix, key])
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _paths(item, [*prefix, index])
    return found


def _refused(data: bytes, original: bytes, trust: TrustStore) -> None:
    try:
        verify(data, trust, now=NOW)
    except ExchangeError:
        return
    # nothing but ExchangeError may escape; and only the signed bytes pass
    assert data == original


@_FUZZ
@given(data=st.data())
def test_changed_structures_are_refused(
    pk_key: SigningKey, kz_trust: TrustStore, data: st.DataObject
) -> None:
    original = _signed(pk_key)
    envelope = json.loads(original)
    path = data.draw(st.sampled_from(_paths(envelope, [])), label="path")
    change = data.draw(st.sampled_from(["replace", "wrap", "delete"]), label="change")
    value = data.draw(json_values, label="value")
    changed = _mutate(envelope, path, change, value)
    encoding = data.draw(st.sampled_from(["canonical", "json", "json-indent"]), label="form")
    if encoding == "canonical":
        try:
            mutated = canonicalize(changed)
        except ValueError:
            return
    elif encoding == "json":
        mutated = json.dumps(changed, ensure_ascii=False).encode("utf-8", "surrogatepass")
    else:
        mutated = json.dumps(changed, indent=1).encode()
    _refused(mutated, original, kz_trust)


@_FUZZ
@given(data=st.data())
def test_changed_bytes_are_refused(
    pk_key: SigningKey, kz_trust: TrustStore, data: st.DataObject
) -> None:
    original = _signed(pk_key)
    start = data.draw(st.integers(0, len(original)), label="start")
    end = data.draw(st.integers(start, min(len(original), start + 8)), label="end")
    inserted = data.draw(st.binary(max_size=8), label="inserted")
    mutated = original[:start] + inserted + original[end:]
    _refused(mutated, original, kz_trust)


@settings(max_examples=depth(40), deadline=None)
@given(
    opener=st.sampled_from([b"[", b'{"a":', b'{"payload":', b'{"payload":{"x":']),
    depth=st.integers(17, 20_000),
    filler=st.sampled_from([b"", b"1", b'"x"']),
)
def test_deep_nesting_is_refused(opener: bytes, depth: int, filler: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}"
    data = opener * depth + filler + closer * depth * (2 if b"x" in opener else 1)
    with pytest.raises(ExchangeError):
        verify(data, TrustStore(), now=NOW)


@settings(
    max_examples=depth(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(junk=st.binary(max_size=200), tail=st.sampled_from([b"", b" " * (1024 * 1024)]))
def test_import_refuses_junk_and_logs_it(
    junk: bytes, tail: bytes, kz_trust: TrustStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    log = ExchangeLog(folder / "log.sqlite")
    with pytest.raises(ExchangeError) as info:
        import_message(junk + tail, trust=kz_trust, log=log, into=folder, now=NOW)
    (entry,) = log
    assert (entry.direction, entry.note.split(":")[0]) == ("rejected", info.value.reason)
    assert not (folder / "partner_warnings.csv").exists()
