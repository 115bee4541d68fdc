"""Exchange in the browser: two PCUs' workbenches, each with its key and trusting the
other; a warning composed on a container's page, signed, sent to the partner's
service and shown in its inbox; feedback back; every refusal of the receiving endpoint
and of the pages (no session, wrong role, CSRF)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from riskprofile.exchange import (
    SigningKey,
    TrustStore,
    apply_key_statement,
    generate_keys,
    revocation,
    sign,
)
from riskprofile.io import write_json
from riskprofile.synth import generate_port_day
from riskprofile.workbench import WorkbenchConfig
from tests.exchange.conftest import make_warning
from tests.profile_memo import SERVE, TARGETS, load_once
from tests.serve.web.conftest import Workbench, csrf_of, make_workbench

AS_OF = "2026-11-02"
_UNIT = re.compile(r'href="/queue/units/([^"]+)"')


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workbench here scores with the bundled library: loaded once per process."""
    load_once(monkeypatch, *TARGETS, SERVE)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("day") / "day.json"
    write_json(generate_port_day(5, 40).manifests, path)
    return path.read_bytes()


@pytest.fixture
def pcus(tmp_path: Path) -> Iterator[dict[str, Workbench]]:
    """Karachi and Aktau: each its own store and key, each trusting the other, their
    services reaching each other through the test clients."""
    benches = {}
    for pcu in ("PK-KHI", "KZ-AKT"):
        bench = make_workbench(tmp_path / pcu, profiles=("bundled",), country="PK")
        bench.app.state.queue_config = WorkbenchConfig(capacity=6, control_rate="5%", seed=3)
        home = Path(bench.settings.data) / "exchange"
        generate_keys(pcu, home / "keys")
        benches[pcu] = bench
    for pcu, partner in (("PK-KHI", "KZ-AKT"), ("KZ-AKT", "PK-KHI")):
        home = Path(benches[pcu].settings.data) / "exchange"
        trust = TrustStore()
        trust.add(partner, (Path(benches[partner].settings.data) / "exchange" / "keys" /
                            f"{partner}.pub.pem").read_bytes())  # fmt: skip
        trust.save(home / "trust.json")
        (home / "partners.json").write_text(json.dumps({partner: f"http://{partner}.test:1"}))
    peers = {f"http://{p}.test:1": b.client() for p, b in benches.items()}

    def transport(url: str, data: bytes) -> tuple[int, str]:
        base, path = url.split("/exchange/", 1)
        answer = peers[base].post("/exchange/" + path, content=data)
        return answer.status_code, answer.text

    for bench in benches.values():
        client = bench.client("ana")
        client.get("/exchange")  # sets the exchange folder up
        bench.app.state.exchange.transport = transport
    yield benches
    for bench in benches.values():
        bench.store.close()


def _load(client: Any, day: bytes) -> list[str]:
    data = {"csrf_token": csrf_of(client, "/queue"), "as_of": AS_OF}
    response = client.post("/queue/upload", data=data, files={"file": ("day.json", day)})
    assert response.status_code == 303
    return _UNIT.findall(client.get(response.headers["location"]).text)


def _red_unit(client: Any, units: list[str]) -> tuple[str, str]:
    for unit in units:
        page = client.get(f"/queue/units/{unit}").text
        if '<h1 class="lane-red">' in page:
            number = re.search(r'<h1 class="lane-red">([A-Z0-9]+):', page)
            assert number
            return unit, number.group(1)
    raise AssertionError("no red container")


def _send(client: Any, unit: str, **form: Any) -> Any:
    token = csrf_of(client, f"/exchange/compose?unit={unit}&kind={form.get('kind', 'warning')}")
    return client.post("/exchange/send", data={"csrf_token": token, "unit": unit, **form})


def test_a_warning_goes_from_a_container_page_to_the_partners_inbox_and_back(
    pcus: dict[str, Workbench], day: bytes
) -> None:
    pk, kz = pcus["PK-KHI"].client("ana"), pcus["KZ-AKT"].client("ana")
    unit, container = _red_unit(pk, _load(pk, day))
    assert "/exchange/compose?unit=" in pk.get(f"/queue/units/{unit}").text
    form = pk.get(f"/exchange/compose?unit={unit}&kind=warning")
    assert form.status_code == 200
    assert "KZ-AKT" in form.text
    sent = _send(pk, unit, kind="warning", to="KZ-AKT", category="narcotics", urgency="high",
                 valid_days="20")  # fmt: skip
    assert sent.status_code == 303, sent.text
    assert "Delivered" in pk.get(sent.headers["location"]).text
    # Aktau's inbox: verified, with its expiry; the watch list holds the container
    inbox = kz.get("/exchange").text
    assert container in inbox
    assert "verified" in inbox
    assert "expired" not in inbox.split('id="inbox"')[1].split("</table>")[0]
    watch = (Path(pcus["KZ-AKT"].settings.data) / "exchange" / "inbox" /
             "partner_warnings.csv").read_text()  # fmt: skip
    assert container in watch
    message_id = re.search(r'href="/exchange/messages/([^"]+)"', inbox)
    assert message_id
    page = kz.get(f"/exchange/messages/{message_id.group(1)}").text
    assert "Signature verified" in page
    assert " - " in page  # the route travelled
    # Aktau has the same container on its list, and answers from its page
    kz_unit, _ = next((u, c) for u, c in [_red_unit(kz, _load(kz, day))] if c == container)
    compose = kz.get(f"/exchange/compose?unit={kz_unit}&kind=feedback").text
    assert message_id.group(1) in compose
    answer = _send(kz, kz_unit, kind="feedback", warning_id=message_id.group(1),
                   result="seizure", finding="heroin in the door panels")  # fmt: skip
    assert answer.status_code == 303, answer.text
    seizure = _send(kz, kz_unit, kind="seizure", warning_id=message_id.group(1),
                    goods_category="heroin", quantity="12.5", quantity_unit="kg",
                    concealment="door panels")  # fmt: skip
    assert seizure.status_code == 303, seizure.text
    back = pk.get("/exchange").text
    assert "heroin in the door panels" in back
    assert "12.5" in back
    outcomes = Path(pcus["PK-KHI"].settings.data) / "exchange" / "inbox" / "outcomes.csv"
    assert outcomes.read_text().count(message_id.group(1)) == 2
    # the audit log has each send
    with pcus["KZ-AKT"].store.read() as tx:
        actions = [r[0] for r in tx.rows("SELECT action FROM web_audit ORDER BY seq")]
    assert {"exchange.feedback", "exchange.seizure"} <= set(actions)


def _receive(bench: Workbench, data: bytes) -> tuple[int, dict[str, Any]]:
    answer = bench.client().post("/exchange/receive", content=data)
    return answer.status_code, answer.json()


def test_the_receiving_endpoint_refuses_what_it_must(pcus: dict[str, Workbench]) -> None:
    kz = pcus["KZ-AKT"]
    home = Path(pcus["PK-KHI"].settings.data) / "exchange"
    pk_key = SigningKey.load(home / "keys" / "PK-KHI.key.pem")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    good = sign(make_warning("w-web-000001", created=now, expires=now + dt.timedelta(days=3)),
                pk_key)  # fmt: skip
    assert _receive(kz, good) == (200, {"status": "imported", "kind": "warning",
                                        "message_id": "w-web-000001",
                                        "already_imported": False})  # fmt: skip
    assert _receive(kz, good)[1]["already_imported"] is True
    tampered = good.replace(b"Afghan", b"Afghen")
    assert _receive(kz, tampered)[0] == 400
    assert _receive(kz, tampered)[1]["reason"] == "tampered"
    stranger = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
    forged = sign(make_warning("w-web-000002", created=now,
                               expires=now + dt.timedelta(days=3)), stranger)  # fmt: skip
    status, answer = _receive(kz, forged)
    assert (status, answer["status"], answer["reason"]) == (403, "rejected", "unknown_sender")
    other = sign(make_warning("w-web-000003", created=now, expires=now + dt.timedelta(days=3),
                              recipients=["TM-ASB"]), pk_key)  # fmt: skip
    assert _receive(kz, other)[1]["reason"] == "not_addressed"
    replay = sign(make_warning("w-web-000001", created=now, expires=now + dt.timedelta(days=4)),
                  pk_key)  # fmt: skip
    assert _receive(kz, replay)[0] == 409
    assert _receive(kz, b"[" * 20 + b"]" * 20)[1]["reason"] == "too_large"
    assert _receive(kz, b"[" * 5000)[0] == 422  # the service's own limit, before it
    assert _receive(kz, b"x" * (2 << 20))[0] == 413
    # Karachi revokes its key: Aktau applies the signed revocation, and then refuses it
    trust_path = Path(kz.settings.data) / "exchange" / "trust.json"
    trust = TrustStore.load(trust_path)
    apply_key_statement(revocation(pk_key, pk_key.key_id, created=now, reason="compromised"),
                        trust, now=now)  # fmt: skip
    trust.save(trust_path)
    late = sign(make_warning("w-web-000004", created=now, expires=now + dt.timedelta(days=3)),
                pk_key)  # fmt: skip
    status, answer = _receive(kz, late)
    assert (status, answer["reason"]) == (403, "revoked_key")
    assert pk_key.key_id in answer["detail"]
    # the inbox now says the warning received before is signed with a revoked key
    assert "revoked_key" in kz.client("ana").get("/exchange").text


def test_an_expired_warning_is_marked_in_the_inbox(pcus: dict[str, Workbench]) -> None:
    kz = pcus["KZ-AKT"]
    pk_key = SigningKey.load(Path(pcus["PK-KHI"].settings.data) / "exchange" / "keys" /
                             "PK-KHI.key.pem")  # fmt: skip
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # received while in force, expired since
    received = Path(kz.settings.data) / "exchange" / "received"
    received.joinpath("w-old-0000001.json").write_bytes(
        sign(make_warning("w-old-0000001", created=old, expires=old + dt.timedelta(days=2)),
             pk_key))  # fmt: skip
    page = kz.client("otto").get("/exchange").text
    row = page.split("w-old-0000001")[1].split("</tr>")[0]
    assert "expired" in row


def test_the_pages_refuse_without_a_session_a_role_or_a_csrf_token(
    pcus: dict[str, Workbench], day: bytes
) -> None:
    bench = pcus["PK-KHI"]
    assert bench.client().get("/exchange").status_code == 303  # to the login page
    ana = bench.client("ana")
    unit, _ = _red_unit(ana, _load(ana, day))
    no_token = ana.post("/exchange/send", data={"unit": unit, "kind": "warning", "to": "KZ-AKT"})
    assert no_token.status_code == 403
    officer = bench.client("otto")
    refused = _send(officer, unit, kind="warning", to="KZ-AKT")
    assert refused.status_code == 403
    assert _send(ana, unit, kind="warning", to="TM-ASB").status_code == 422
    assert _send(ana, unit, kind="feedback", warning_id="w-none-0001").status_code == 422
    assert ana.get("/exchange/compose?unit=nope&kind=warning").status_code == 404
    assert ana.get(f"/exchange/compose?unit={unit}&kind=letter").status_code == 404
    assert ana.get("/exchange/messages/nothing-here").status_code == 404


def test_an_unreachable_partner_is_said(pcus: dict[str, Workbench], day: bytes) -> None:
    bench = pcus["PK-KHI"]
    bench.app.state.exchange.transport = lambda url, data: (0, "not reached: refused")
    ana = bench.client("ana")
    unit, _ = _red_unit(ana, _load(ana, day))
    answer = _send(ana, unit, kind="warning", to="KZ-AKT")
    assert answer.status_code == 502
    assert "not delivered" in answer.text
    assert "not reached" in answer.text


def test_without_a_key_the_pcu_is_told_how_to_make_one(tmp_path: Path, day: bytes) -> None:
    bench = make_workbench(tmp_path, profiles=("bundled",), country="PK")
    try:
        ana = bench.client("ana")
        assert "exchange keygen" in ana.get("/exchange").text
        assert bench.client().post("/exchange/receive", content=b"{}").status_code == 503
        unit, _ = _red_unit(ana, _load(ana, day))
        answer = _send(ana, unit, kind="warning", to="KZ-AKT")
        assert answer.status_code == 409
        assert "exchange keygen" in answer.text
    finally:
        bench.store.close()


def _policy(bench: Workbench, partner: str, text: str) -> None:
    folder = Path(bench.settings.data) / "exchange" / "policies"
    folder.mkdir(exist_ok=True)
    (folder / f"{partner}.yaml").write_text(f"partner: {partner}\n{text}", encoding="utf-8")


def test_a_party_warning_composed_on_a_container_page_reaches_the_partner(
    pcus: dict[str, Workbench], day: bytes
) -> None:
    """Issue 20: party warnings composed in the browser, readable or matched through the
    key the two PCUs share, like container warnings; the partner's inbox shows them and
    its import puts them in the party watch lists."""
    from riskprofile.exchange import party_key

    pk, kz = pcus["PK-KHI"].client("ana"), pcus["KZ-AKT"].client("ana")
    unit, _container = _red_unit(pk, _load(pk, day))
    assert "kind=party" in pk.get(f"/queue/units/{unit}").text
    # no policy for Aktau: a party name would be dropped, so the warning is refused
    form = pk.get(f"/exchange/compose?unit={unit}&kind=party")
    assert form.status_code == 200
    assert "the partner&#39;s policy would leave the party nameless" in form.text
    parties = re.findall(
        r'name="party" value="(\d+)"[^>]*> <span class="role">([a-z_]+)</span>: '
        r'<span class="name">([^<]+)</span>',
        form.text,
    )
    assert parties, form.text
    index, role, name = parties[0]
    name = html.unescape(name)
    refused = _send(pk, unit, kind="party", to="KZ-AKT", party=index, reason="fronts for X",
                    category="fraud")  # fmt: skip
    assert refused.status_code == 422
    assert "would name no one it can match" in refused.text
    # hashed with the salt the two PCUs share: the name does not travel, its key does
    _policy(pcus["PK-KHI"], "KZ-AKT", "hash: [parties.name]\nsalt: shared-secret-1\n")
    assert "matched through the shared key" in pk.get(
        f"/exchange/compose?unit={unit}&kind=party").text  # fmt: skip
    for missing in ({"reason": ""}, {"party": "999"}, {"category": ""}):
        bad = _send(pk, unit, **{"kind": "party", "to": "KZ-AKT", "party": index,
                                 "reason": "fronts", "category": "fraud", **missing})  # fmt: skip
        assert bad.status_code == 422, missing
    sent = _send(pk, unit, kind="party", to="KZ-AKT", party=index, reason="fronts for ZZ",
                 category="fraud", urgency="immediate", valid_days="10")  # fmt: skip
    assert sent.status_code == 303, sent.text
    inbox = kz.get("/exchange").text
    row = inbox.split('id="inbox"')[1].split("</table>")[0]
    assert f"{role}: by shared key" in row
    assert name not in row
    received = Path(pcus["KZ-AKT"].settings.data) / "exchange"
    (data,) = [p.read_bytes() for p in (received / "received").glob("*.json")]
    assert name.encode() not in data
    keys = (received / "inbox" / "partner_warning_party_keys.csv").read_text()
    expected = party_key(name, "shared-secret-1")
    assert expected is not None
    assert expected in keys
    assert "fronts for ZZ" in keys
    message_id = re.search(r'href="/exchange/messages/([^"]+)"', inbox)
    assert message_id
    assert "matched through the shared key" in kz.get(
        f"/exchange/messages/{message_id.group(1)}").text  # fmt: skip
    # readable: the partner's policy keeps names
    _policy(pcus["PK-KHI"], "KZ-AKT", "keep: [parties.name]\n")
    sent = _send(pk, unit, kind="party", to="KZ-AKT", party=index, reason="fronts again",
                 category="fraud")  # fmt: skip
    assert sent.status_code == 303, sent.text
    readable = (received / "inbox" / "partner_warning_parties.csv").read_text()
    assert name in readable
    assert f"{role}: {html.escape(name, quote=False)}" in kz.get("/exchange").text
    # an officer does not warn; the audit log has each party warning sent
    officer = pcus["PK-KHI"].client("otto")
    assert _send(officer, unit, kind="party", to="KZ-AKT", party=index, reason="x",
                 category="fraud").status_code == 403  # fmt: skip
    with pcus["PK-KHI"].store.read() as tx:
        actions = [r[0] for r in tx.rows("SELECT action FROM web_audit ORDER BY seq")]
    assert actions.count("exchange.party") == 2


def test_a_seizure_of_our_own_is_reported_to_a_named_partner_from_the_recorded_result(
    pcus: dict[str, Workbench], day: bytes
) -> None:
    """No warning was received about the container: the seizure report goes to the
    partner named, pre-filled from the case's recorded finding, and is audited (the CLI's
    ``exchange seizure --to``)."""
    from tests.serve.web.test_queue import post

    pk, kz = pcus["PK-KHI"].client("ana"), pcus["KZ-AKT"].client("ana")
    unit, container = _red_unit(pk, _load(pk, day))
    officer = pcus["PK-KHI"].client("otto")
    assert post(pk, unit, "assign", officer="otto").status_code == 303
    assert post(officer, unit, "dispose", disposition="physical").status_code == 303
    done = post(officer, unit, "result", result="finding", category="cocaine",
                quantity="41.5 kg", seizure="true", on="2026-11-03")  # fmt: skip
    assert done.status_code == 303
    form = officer.get(f"/exchange/compose?unit={unit}&kind=seizure").text
    assert 'name="goods_category" required maxlength="200" value="cocaine"' in form
    assert 'value="41.5"' in form
    assert 'name="quantity_unit" required maxlength="30" value="kg"' in form
    assert '<option value="KZ-AKT" selected>' in form
    # neither a warning nor a partner: said; an unknown warning id: said
    assert _send(officer, unit, kind="seizure", goods_category="cocaine", quantity="41.5",
                 quantity_unit="kg", concealment="x").status_code == 422  # fmt: skip
    assert _send(officer, unit, kind="seizure", warning_id="nope", to="KZ-AKT",
                 goods_category="cocaine", quantity="41.5", quantity_unit="kg",
                 concealment="x").status_code == 422  # fmt: skip
    sent = _send(officer, unit, kind="seizure", to="KZ-AKT", goods_category="cocaine",
                 quantity="41.5", quantity_unit="kg", concealment="false floor")  # fmt: skip
    assert sent.status_code == 303, sent.text
    inbox = kz.get("/exchange").text
    assert container in inbox
    assert "41.5" in inbox
    with pcus["PK-KHI"].store.read() as tx:
        rows = tx.rows("SELECT actor, action, after FROM web_audit WHERE action = "
                       "'exchange.seizure'")  # fmt: skip
    [(actor, _action, after)] = rows
    assert actor == "otto"
    assert json.loads(after)["to"] == ["KZ-AKT"]
    assert json.loads(after)["container"] == container
