"""Every route of the service through FastAPI's test client, refusals included."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riskprofile.model import field_catalogue
from riskprofile.profiles import load_profiles
from riskprofile.serve import ServiceSettings, create_app
from tests.serve.conftest import ROOT, bill_documents, karachi_call


@cache
def _karachi() -> tuple[dict[str, Any], ...]:
    return tuple(bill_documents(karachi_call()))


def _documents() -> list[dict[str, Any]]:
    """The Karachi call, one document per B/L: read when a test first needs it, not on
    import (every pytest-xdist worker collects every file)."""
    return list(_karachi())


DOCUMENTARY = str(ROOT / "profiles" / "base" / "documentary.yaml")


@pytest.fixture
def client(keys_file: tuple[str, str], tmp_path: Any) -> tuple[TestClient, dict[str, str]]:
    """A service on one profile (fast), a pool of its own."""
    path, key = keys_file
    settings = ServiceSettings(keys=path, profiles=(DOCUMENTARY,),
                               pool=str(tmp_path / "pool.sqlite"))  # fmt: skip
    return TestClient(create_app(settings)), {"X-API-Key": key}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, str]]:
    """One service for the refusals (they change nothing)."""
    from riskprofile.serve import add_key

    base = tmp_path_factory.mktemp("refusals")
    key = add_key(base / "keys.txt", "asycuda")
    settings = ServiceSettings(keys=str(base / "keys.txt"), profiles=(DOCUMENTARY,))
    return TestClient(create_app(settings)), {"X-API-Key": key}


def _bodies() -> dict[str, Any]:
    """Bodies that would be accepted with a key; a route not named here is sent ``{}``
    (the key check comes before the body's)."""
    return {
        "/v1/score": {"as_of": "2026-11-02", "manifests": _documents()[:1]},
        "/v1/select": {"as_of": "2026-11-02", "capacity": "3%"},
        "/v1/outcomes": {"outcomes": [{"container_number": "X", "inspected": False}]},
        "/v1/screen": {"names": ["ZETA TRADING LLC"]},
    }


# The only routes a caller without a key may use.
PUBLIC = {("get", "/healthz")}


def _routes(test: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the service's OpenAPI document lists, so a new route cannot
    skip the key test; path parameters filled with ``x``."""
    paths = test.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method, re.sub(r"\{[^}]*\}", "x", path))
        for path, operations in paths.items()
        for method in operations
        if (method, path) not in PUBLIC
    ]


@pytest.mark.parametrize("key", [None, "", "rpk_wrong"])
def test_every_route_refuses_a_request_without_a_valid_key(
    shared: tuple[TestClient, dict[str, str]], key: str | None
) -> None:
    test, _ = shared
    headers = {} if key is None else {"X-API-Key": key}
    routes = _routes(test)
    assert ("post", "/v1/score") in routes
    assert ("get", "/v1/outcomes") in routes
    for method, path in routes:
        body = _bodies().get(path, {}) if method != "get" else None
        response = test.request(method, path, headers=headers, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert "X-API-Key" in response.json()["detail"]


def test_healthz_needs_no_key(keys_file: tuple[str, str]) -> None:
    """The bundled library with Pakistan's overlays, by default."""
    test = TestClient(create_app(ServiceSettings(keys=keys_file[0], country="PK")))
    taking_part = len(load_profiles(bundled=True, country="PK"))
    health = test.get("/healthz").json()
    warnings = health.pop("warnings")
    assert health == {"status": "ok", "profiles": taking_part, "worker": os.getpid(),
                      "reload_error": None, "reload_off": None}  # fmt: skip
    # The service is given no stow plan: the profile that reads one is said to be blind.
    [blind] = [w for w in warnings if "general.stowplan-crosscheck" in w]
    assert "stow plan's fields, which this run was not given: they cannot fire" in blind


def test_a_score_says_what_its_run_cannot_see(keys_file: tuple[str, str]) -> None:
    path, key = keys_file
    stowplan = str(ROOT / "profiles" / "base" / "stowplan.yaml")
    settings = ServiceSettings(keys=path, profiles=(DOCUMENTARY, stowplan))
    test, headers = TestClient(create_app(settings)), {"X-API-Key": key}
    body = {"as_of": "2026-11-02", "manifests": _documents()[:1]}
    response = test.post("/v1/score", headers=headers, json=body).json()
    [warning] = response["warnings"]
    assert warning.startswith("profile general.stowplan-crosscheck: ")
    assert "(give stowplan=)" in warning
    selection = test.post("/v1/select", headers=headers,
                          json={"as_of": "2026-11-02", "capacity": "3%"}).json()  # fmt: skip
    assert warning in selection["warnings"]
    assert test.get("/healthz").json()["warnings"] == [warning]
    # A profile set that reads no missing source: nothing to say.
    plain = TestClient(create_app(ServiceSettings(keys=path, profiles=(DOCUMENTARY,))))
    assert plain.post("/v1/score", headers=headers, json=body).json()["warnings"] == []


def test_profiles_and_fields(client: tuple[TestClient, dict[str, str]]) -> None:
    test, headers = client
    profiles = test.get("/v1/profiles", headers=headers).json()
    assert all(p["fingerprint"].startswith("sha256:") for p in profiles["profiles"])
    schema = test.get("/v1/fields", headers=headers).json()
    assert len(schema["properties"]) == len(field_catalogue())
    assert schema["properties"]["is_lcl"]["type"] == "boolean"
    assert schema["properties"]["container_type"]["anyOf"][0]["enum"][0] == "general"


def test_score_bill_by_bill_then_select_over_the_pool(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = client
    for document in _documents():
        response = test.post("/v1/score", headers=headers,
                             json={"as_of": "2026-11-02", "manifests": [document]})  # fmt: skip
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["pooled"]
        assert "can change as the call fills" in body["note"]
        assert body["containers"], "an addition returns the units its B/Ls name"
    [call] = test.get("/v1/calls", headers=headers).json()["calls"]
    assert (call["bills_of_lading"], call["shipments"], call["containers"]) == (273, 361, 251)
    selection = test.post("/v1/select", headers=headers,
                          json={"as_of": "2026-11-02", "capacity": "3%"}).json()  # fmt: skip
    # 3 % of the day's 251 units, not of one B/L's.
    assert selection["units"] == 251
    assert selection["capacity"] == 7
    units = test.get("/v1/calls", headers=headers,
                     params={"key": call["key"], "as_of": "2026-11-02"}).json()  # fmt: skip
    assert len(units["containers"]) == 251


def test_records_are_grouped_and_scored(client: tuple[TestClient, dict[str, str]]) -> None:
    test, headers = client
    records = [
        {"vessel_imo": "9321483", "voyage_number": "0425W", "bl_number": bl,
         "container_number": "MSKU1234565", "gross_weight_kg": 100}
        for bl in ("BL1", "BL2")
    ]  # fmt: skip
    body = test.post("/v1/score", headers=headers,
                     json={"as_of": "2026-11-02", "records": records}).json()  # fmt: skip
    [unit] = body["containers"]
    assert unit["bl_numbers"] == ["BL1", "BL2"]
    assert body["records_read"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"as_of": "yesterday", "manifests": _documents()[:1]}, "as_of"),
        ({"as_of": "2026-11-02"}, "manifests"),
        ({"as_of": "2026-11-02", "manifests": [{"consignments": [{"bl_number": None}]}]},
         "consignments[0].bl_number"),
        ({"as_of": "2026-11-02", "manifests": [{"consignments": [{"bl_number": "B",
          "goods": [{"description": "X" * 10_000_000}]}]}]},
         "manifests[0].consignments[0].goods[0].description"),
        ({"as_of": "2026-11-02", "records": [{"no_such_column": 1}]}, "no_such_column"),
        ({"as_of": "2026-11-02", "records": []}, "records"),
        ({"as_of": "2026-11-02", "manifests": []}, "manifests"),
        ({"as_of": "2026-11-02", "records": [{"shipper_name": "X"}]}, "records"),
        ({"as_of": "2026-11-02", "manifests": [{"vessel_name": "A", "consignments": [
          {"bl_number": "B"}, {"bl_number": "B"}]}]}, "consignments[1].bl_number"),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(
    shared: tuple[TestClient, dict[str, str]], body: dict[str, Any], field: str
) -> None:
    test, headers = shared
    response = test.post("/v1/score", headers={**headers, "content-type": "application/json"},
                         content=json.dumps(body))  # fmt: skip
    assert response.status_code in (413, 422), response.text
    fields = [p["field"] for p in response.json()["detail"]]
    assert field in fields


def test_a_10_mb_description_is_refused_quickly_and_briefly(
    shared: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = shared
    bill = {"bl_number": "B", "goods": [{"description": "X" * 10_000_000}]}
    document = {"consignments": [bill]}
    response = test.post("/v1/score", headers=headers,
                         json={"as_of": "2026-11-02", "manifests": [document]})  # fmt: skip
    assert response.status_code == 422
    assert len(response.content) < 1000


def test_an_oversize_body_is_413(keys_file: tuple[str, str]) -> None:
    from riskprofile.serve import Limits

    path, key = keys_file
    test = TestClient(create_app(ServiceSettings(keys=path, limits=Limits(max_body_bytes=1000))))
    response = test.post("/v1/score", headers={"X-API-Key": key},
                         json={"as_of": "2026-11-02", "manifests": _documents()[:20]})  # fmt: skip
    assert response.status_code == 413
    assert "limit" in response.json()["detail"][0]["reason"]


def test_a_deep_body_is_refused_before_parsing(shared: tuple[TestClient, dict[str, str]]) -> None:
    test, headers = shared
    response = test.post("/v1/score", headers={**headers, "content-type": "application/json"},
                         content=b"[" * 200_000)  # fmt: skip
    assert response.status_code == 422


def test_outcomes_are_recorded_or_returned_with_the_reason(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = client
    test.post(
        "/v1/score", headers=headers, json={"as_of": "2026-11-02", "manifests": _documents()[:3]}
    )
    number = _documents()[0]["containers"][0]["number"]
    body = test.post("/v1/outcomes", headers=headers, json={"outcomes": [
        {"container_number": number, "inspected": True, "finding": True, "category": "drugs"},
        {"container_number": "NOPE1234567", "inspected": True},
    ]}).json()  # fmt: skip
    assert [r["record"] for r in body["recorded"]] == [1]
    assert body["unmatched"][0]["record"] == 2
    refused = test.post("/v1/outcomes", headers=headers, json={"outcomes": [
        {"container_number": number, "inspected": False, "finding": True}]})  # fmt: skip
    assert refused.status_code == 422
    seized = {
        "container_number": number,
        "inspected": True,
        "finding": True,
        "category": "drugs",
        "quantity": "12.5",
        "quantity_unit": "kg",
        "seizure": True,
    }
    assert test.post("/v1/outcomes", headers=headers,
                     json={"outcomes": [seized]}).status_code == 200  # fmt: skip
    [*_, last] = test.get("/v1/outcomes", headers=headers).json()["outcomes"]
    assert (last["quantity"], last["quantity_unit"], last["seizure"]) == ("12.5", "kg", True)
    unfound = test.post("/v1/outcomes", headers=headers, json={"outcomes": [
        {"container_number": number, "inspected": True, "seizure": True}]})  # fmt: skip
    assert unfound.status_code == 422
    assert unfound.json()["detail"][0]["field"] == "seizure"


def test_screen_lists_matches_with_scores_and_reasons(tmp_path: Any, keys_file: Any) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "id: t.names\nversion: 1\ntitle: T\ncategory: other\nowner: t\n"
        "lists:\n  watched: {values: ['ZETA TRADING LLC']}\n"
        "indicators:\n  - {id: w, title: W, when: consignee_name in $watched, weight: 1}\n",
        encoding="utf-8",
    )
    path, key = keys_file
    test = TestClient(create_app(ServiceSettings(keys=path, profiles=(str(profile),))))
    body = test.post("/v1/screen", headers={"X-API-Key": key},
                     json={"names": ["Zeta Trading", "ACME"]}).json()  # fmt: skip
    [zeta, acme] = body["results"]
    assert zeta["matches"][0]["entry"] == "ZETA TRADING LLC"
    assert zeta["matches"][0]["score"] >= 99
    assert acme["matches"] == []


PROFILE = """\
id: t.reload
version: {version}
title: Reload
category: other
owner: tests
indicators:
  - {{id: any, title: Any B/L, when: bl_number != null, weight: {weight}}}
bands:
  - {{min_score: 1, lane: yellow}}
"""


def test_profiles_reload_without_a_restart_and_a_broken_set_is_never_used(
    tmp_path: Any, keys_file: tuple[str, str]
) -> None:
    from riskprofile.profiles import lock_profiles

    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = folder / "t.yaml"
    profile.write_text(PROFILE.format(version=1, weight=5), encoding="utf-8")
    lock_profiles(folder)
    path, key = keys_file
    settings = ServiceSettings(keys=path, profiles=(str(folder),), reload_seconds=0)
    test, headers = TestClient(create_app(settings)), {"X-API-Key": key}
    assert test.get("/healthz").json()["reload_off"] is None
    body = {"as_of": "2026-11-02", "manifests": _documents()[:1], "keep": False}

    def scored() -> tuple[float, str]:
        response = test.post("/v1/score", headers=headers, json=body).json()
        return response["containers"][0]["score"], response["profiles"][0]["fingerprint"]

    first_score, first_print = scored()
    assert first_score == 5
    profile.write_text(PROFILE.format(version=2, weight=7), encoding="utf-8")
    lock_profiles(folder)
    second_score, second_print = scored()
    assert (second_score, second_print != first_print) == (7, True)
    # Half-written: the set that loaded last goes on scoring, and the worker says why.
    profile.write_text(PROFILE.format(version=3, weight=9)[:60], encoding="utf-8")
    assert scored() == (second_score, second_print)
    health = test.get("/healthz").json()
    assert "t.yaml" in health["reload_error"]
    assert "t.yaml" in test.get("/v1/profiles", headers=headers).json()["reload_error"]
    # Cut where the rest still parses (no lane bands): it loads alone, but not its lock.
    cut = PROFILE.format(version=3, weight=9)
    profile.write_text(cut[: cut.index("bands:")], encoding="utf-8")
    assert scored() == (second_score, second_print)
    assert "t.yaml" in test.get("/healthz").json()["reload_error"]
    profile.write_text(PROFILE.format(version=3, weight=9), encoding="utf-8")
    lock_profiles(folder)
    assert scored()[0] == 9
    assert test.get("/healthz").json()["reload_error"] is None
    # The lock removed while running: no reload until it is back.
    (folder / "profiles.lock").unlink()
    profile.write_text(PROFILE.format(version=4, weight=11), encoding="utf-8")
    assert scored()[0] == 9
    assert "profiles.lock" in test.get("/healthz").json()["reload_error"]


def test_an_unlocked_folder_is_loaded_once_and_a_cut_file_never_swapped_in(
    tmp_path: Any, keys_file: tuple[str, str]
) -> None:
    """A cut of a profile that still parses (documentary.yaml without its lane bands)
    loads on its own; in an unlocked folder the service never reloads, and says so."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = folder / "documentary.yaml"
    whole = (ROOT / "profiles" / "base" / "documentary.yaml").read_text(encoding="utf-8")
    profile.write_text(whole, encoding="utf-8")
    path, key = keys_file
    settings = ServiceSettings(keys=path, profiles=(str(folder),), reload_seconds=0)
    test, headers = TestClient(create_app(settings)), {"X-API-Key": key}
    reload_off = test.get("/healthz").json()["reload_off"]
    assert "hot reload is off" in reload_off
    assert str(folder) in reload_off
    assert "profiles.lock" in reload_off
    before = test.get("/v1/profiles", headers=headers).json()["profiles"]
    cut = whole[: whole.rindex("\nbands:") + 1]
    profile.write_text(cut, encoding="utf-8")
    assert len(load_profiles(str(folder))) == 1  # the cut alone would load
    assert test.get("/v1/profiles", headers=headers).json()["profiles"] == before
    assert test.get("/healthz").json()["reload_error"] is None


def test_a_rejected_record_is_named_by_its_place_even_after_a_line_break(
    tmp_path: Any, keys_file: tuple[str, str]
) -> None:
    path, key = keys_file
    settings = ServiceSettings(keys=path, profiles=(DOCUMENTARY,), strictness="strict")
    test = TestClient(create_app(settings))
    call = {"vessel_imo": "9321483", "voyage_number": "0425W"}
    records = [
        {**call, "bl_number": "B1", "container_number": "MSKU1234565",
         "shipper_address": "1 HARBOUR ROAD\nKARACHI"},
        {**call, "bl_number": "B2", "container_number": "MSKU1234560"},  # check digit
    ]  # fmt: skip
    body = test.post("/v1/score", headers={"X-API-Key": key},
                     json={"as_of": "2026-11-02", "records": records}).json()  # fmt: skip
    assert [(r["record"], r["field"]) for r in body["rejected"]] == [(2, "container_number")]
    assert [c["bl_numbers"] for c in body["containers"]] == [["B1"]]
    assert body["records_read"] == 2


def test_recorded_outcomes_read_back_in_the_outcome_layout(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = client
    test.post(
        "/v1/score", headers=headers, json={"as_of": "2026-11-02", "manifests": _documents()[:2]}
    )
    number = _documents()[0]["containers"][0]["number"]
    found = {"container_number": number, "inspected": True, "finding": True, "category": "drugs"}
    test.post("/v1/outcomes", headers=headers, json={"outcomes": [found]})
    [outcome] = test.get("/v1/outcomes", headers=headers).json()["outcomes"]
    assert outcome["unit"].endswith("/" + number)
    assert (outcome["finding"], outcome["category"], outcome["recorded_by"]) == (
        True, "drugs", "asycuda")  # fmt: skip


@pytest.mark.parametrize("route", ["/v1/score", "/v1/outcomes", "/v1/screen"])
def test_a_lone_surrogate_is_422_not_500(
    shared: tuple[TestClient, dict[str, str]], route: str
) -> None:
    """JSON allows "\\ud800"; no UTF-8 writer can write it back, not even the 422 that
    names it (it was a UnicodeEncodeError: 500)."""
    test, headers = shared
    body = {"as_of": "2026-11-02", "manifests": [{"consignments": [{"bl_number": "B\ud800"}]}],
            "names": ["\udfff"], "outcomes": [{"unit": "\ud800", "inspected": False}]}  # fmt: skip
    response = test.post(route, headers={**headers, "content-type": "application/json"},
                         content=json.dumps(body))  # fmt: skip
    assert response.status_code == 422
    assert "surrogate" in response.json()["detail"][0]["reason"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": "3%", "control_rate": "1%"}, "seed"),
        ({"capacity": "3%", "control_rate": "150%", "seed": 1}, "control_rate"),
        ({"capacity": {"purple": 1}}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"capacity": "3%", "calls": ["NO/SUCH"]}, "calls"),
    ],
)
def test_a_bad_selection_is_422_naming_its_field(
    client: tuple[TestClient, dict[str, str]], body: dict[str, Any], field: str
) -> None:
    test, headers = client
    test.post(
        "/v1/score", headers=headers, json={"as_of": "2026-11-02", "manifests": _documents()[:3]}
    )
    response = test.post("/v1/select", headers=headers, json={"as_of": "2026-11-02", **body})
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"][0]["field"]


def test_no_profile_taking_part_is_422_saying_why(
    shared: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = shared
    response = test.post("/v1/score", headers=headers,
                         json={"as_of": "1990-01-01", "manifests": _documents()[:1]})  # fmt: skip
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == "as_of"
    assert "general.documentary-anomalies: " in problem["reason"]


def test_an_outcome_for_a_bl_without_a_container_is_recorded_under_its_call(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test, headers = client
    document = {"vessel_imo": "9321483", "voyage_number": "0425W",
                "consignments": [{"bl_number": "NOBOX1"}]}  # fmt: skip
    test.post("/v1/score", headers=headers, json={"as_of": "2026-11-02", "manifests": [document]})
    outcome = {"bl_number": "NOBOX1", "inspected": True}
    recorded = test.post("/v1/outcomes", headers=headers, json={"outcomes": [outcome]}).json()
    assert recorded["recorded"] == [{"record": 1, "unit": "9321483/0425W/B/L NOBOX1"}]
    [kept] = test.get("/v1/outcomes", headers=headers, params={"call": "9321483/0425W"}).json()[
        "outcomes"
    ]
    assert kept["call"] == "9321483/0425W"


def test_outcomes_and_select_keep_the_field_and_count_limits(keys_file: tuple[str, str]) -> None:
    """/v1/outcomes and /v1/select's ``calls`` used to store and return any size."""
    from riskprofile.serve import Limits

    path, key = keys_file
    settings = ServiceSettings(keys=path, profiles=(DOCUMENTARY,),
                               limits=Limits(max_documents=3))  # fmt: skip
    test, headers = TestClient(create_app(settings)), {"X-API-Key": key}
    huge = {"container_number": "X", "inspected": True, "finding": True,
            "category": "X" * 10_000_000}  # fmt: skip
    response = test.post("/v1/outcomes", headers=headers, json={"outcomes": [huge]})
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["field"] == "outcomes[0].category"
    assert "more than the limit of 10,000" in problem["reason"]
    assert len(response.content) < 1000
    assert test.get("/v1/outcomes", headers=headers).json()["outcomes"] == []
    many = [{"container_number": "X", "inspected": False}] * 4
    response = test.post("/v1/outcomes", headers=headers, json={"outcomes": many})
    assert response.status_code == 413, response.text
    assert response.json()["detail"][0]["field"] == "outcomes"
    calls = {"as_of": "2026-11-02", "capacity": "3%"}
    response = test.post("/v1/select", headers=headers, json={**calls, "calls": ["K"] * 4})
    assert response.status_code == 413, response.text
    assert response.json()["detail"][0]["field"] == "calls"
    response = test.post("/v1/select", headers=headers, json={**calls, "calls": ["K" * 20_000]})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "calls[0]"


def test_serve_says_at_start_that_an_unlocked_folder_is_not_reloaded(
    tmp_path: Any, keys_file: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.cli import main
    from riskprofile.profiles import lock_profiles

    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "t.yaml").write_text(PROFILE.format(version=1, weight=5), encoding="utf-8")
    command = ["serve", "--keys", keys_file[0], "--profiles", str(folder),
               "--pool", str(tmp_path / "pool.sqlite"), "--check"]  # fmt: skip
    assert main(command) == 0
    assert f"hot reload is off: {folder} is not a folder with a profiles.lock" in (
        capsys.readouterr().err
    )
    lock_profiles(folder)
    assert main(command) == 0
    assert "hot reload" not in capsys.readouterr().err
