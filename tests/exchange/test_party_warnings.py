"""Warnings about parties: readable to the partner, or matched through a key the two PCUs
share (HMAC of the normalised name), so that the partner matches without the name
travelling."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.exchange import party_key
from tests.depth import depth

SAMPLE = "examples/data/karachi-sample.csv"
AS_OF = "2026-11-02T09:00:00Z"
SECRET = "agreed by PK-KHI and KZ-AKT"


def _faisal() -> int:
    """The sample's parties named FAISAL TRADING, however spelt, in any role (a trader
    warned about as a consignee is as much of interest as a notify party): one per
    container, B/L and role."""
    import polars as pl

    from riskprofile.history._keys import trader_name_expr
    from riskprofile.io import read_frame

    frame = read_frame(SAMPLE).frame
    return sum(
        frame.filter(trader_name_expr(pl.col(f"{role}_name")) == "FAISAL TRADING")
        .select("container_number", "bl_number")
        .unique()
        .height
        for role in ("shipper", "consignee", "notify", "freight_payer")
    )


def test_a_party_key_ignores_spelling_case_and_legal_form() -> None:
    key = party_key("Khan Logistics (Pvt.) Ltd.", SECRET)
    assert key is not None
    assert key.startswith("pk1:")
    assert key == party_key("KHAN LOGISTICS PRIVATE LIMITED", SECRET)
    assert key == party_key("khan  logistics", SECRET)
    assert key != party_key("Khan Logistics (Pvt.) Ltd.", "another secret")
    assert key != party_key("Khan Logistic", SECRET)
    assert party_key("...", SECRET) is None  # nothing left to name anyone
    with pytest.raises(ValueError, match="secret"):
        party_key("Khan Logistics", "")


@settings(max_examples=depth(50))
@given(words=st.lists(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=8),
                      min_size=1, max_size=3),
       form=st.sampled_from(["", " LLC", " (PVT) LTD", " Private Limited", " F.Z.E."]))  # fmt: skip
def test_party_keys_are_stable_under_variants(words: list[str], form: str) -> None:
    name = " ".join(words)
    assert party_key(name.lower() + form, SECRET) == party_key(name, SECRET)
    assert party_key(name.replace(" ", "  ") + ".", SECRET) == party_key(name, SECRET)


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["exchange", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def pcus(tmp_path: Path) -> dict[str, str]:
    keys = tmp_path / "keys"
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys)]) == 0
    kz = tmp_path / "kz"
    assert main(["exchange", "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"),
                 "--home", str(kz)]) == 0  # fmt: skip
    return {"key": str(keys / "PK-KHI.key.pem"), "kz": str(kz), "tmp": str(tmp_path)}


def _warn_party(
    capsys: pytest.CaptureFixture[str], pcus: dict[str, str], policy: str, out: str
) -> tuple[int, str, str]:
    path = Path(pcus["tmp"]) / "policy.yaml"
    path.write_text(policy)
    return _main(capsys, "warn", "--party", "Faisal Trading Co. Ltd.", "--role", "consignee",
                 "--reason", "undervalued textiles through three ports", "--category",
                 "fraud", "--to", "KZ-AKT", "--key", pcus["key"], "--policy", str(path),
                 "-o", out, "--home", pcus["tmp"] + "/pk", "--as-of", AS_OF)  # fmt: skip


def test_a_party_warning_matched_through_the_shared_key(
    pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = Path(pcus["tmp"])
    policy = f'partner: KZ-AKT\nhash: [parties.name]\nsalt: "{SECRET}"\n'
    code, _, err = _warn_party(capsys, pcus, policy, str(tmp / "out"))
    assert code == 0, err
    (sent,) = (tmp / "out").glob("*.json")
    assert b"FAISAL" not in sent.read_bytes().upper()  # the name did not travel
    payload = json.loads(sent.read_bytes())["payload"]
    assert payload["container_number"] is None
    assert payload["parties"][0]["name_key"] == party_key("FAISAL TRADING", SECRET)
    wl = str(tmp / "wl")
    assert _main(capsys, "import", str(sent), "--into", wl, "--home", pcus["kz"],
                 "--as-of", AS_OF)[0] == 0  # fmt: skip
    with (tmp / "wl" / "partner_warning_party_keys.csv").open() as f:
        (row,) = csv.DictReader(f)
    assert (row["value"], row["role"], row["source"]) == (
        party_key("Faisal Trading", SECRET), "consignee", "PK-KHI")  # fmt: skip
    # Aktau matches its batch through the key, with the same secret (its policy for PK-KHI)
    mine = tmp / "kz-policy.yaml"
    mine.write_text(f'partner: PK-KHI\nhash: [parties.name]\nsalt: "{SECRET}"\n')
    code, out, err = _main(capsys, "match", SAMPLE, "--into", wl, "--policy", str(mine),
                           "--as-of", AS_OF)  # fmt: skip
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == _faisal() > 0
    assert all("by key: warned by PK-KHI on 2026-11-02: undervalued" in ln for ln in lines)
    assert any("\tconsignee\tFAISAL TRADING\t" in ln for ln in lines)
    # without the secret, or after expiry, nothing matches
    assert _main(capsys, "match", SAMPLE, "--into", wl, "--as-of", AS_OF)[0] == 0
    later = "2027-01-01T00:00:00Z"
    assert _main(capsys, "match", SAMPLE, "--into", wl, "--policy", str(mine), "--as-of",
                 later)[0] == 0  # fmt: skip


def test_a_readable_party_warning_is_matched_by_name(
    pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = Path(pcus["tmp"])
    code, _, err = _warn_party(capsys, pcus, "partner: KZ-AKT\nkeep: [parties.name]\n",
                               str(tmp / "out"))  # fmt: skip
    assert code == 0, err
    (sent,) = (tmp / "out").glob("*.json")
    wl = str(tmp / "wl")
    assert _main(capsys, "import", str(sent), "--into", wl, "--home", pcus["kz"],
                 "--as-of", AS_OF)[0] == 0  # fmt: skip
    with (tmp / "wl" / "partner_warning_parties.csv").open() as f:
        assert [r["value"] for r in csv.DictReader(f)] == ["Faisal Trading Co. Ltd."]
    code, out, _ = _main(capsys, "match", SAMPLE, "--into", wl, "--as-of", AS_OF)
    assert code == 1
    assert len(out.splitlines()) == _faisal()
    assert "by name" in out


def test_a_party_warning_that_would_name_no_one_is_refused(
    pcus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(Path(pcus["tmp"]) / "out")
    code, _, err = _warn_party(capsys, pcus, "partner: KZ-AKT\n", out)
    assert code == 2
    assert "drops party names" in err
    code, _, err = _warn_party(capsys, pcus, "partner: KZ-AKT\nhash: [parties.name]\n", out)
    assert code == 2
    assert "without a salt" in err
    code, _, err = _main(capsys, "warn", "--party", "X Y", "--to", "KZ-AKT", "--key",
                         pcus["key"])  # fmt: skip
    assert code == 2
    assert "--reason" in err
    code, _, err = _main(capsys, "warn", "--party", "X Y", "--container", "MSKU1234565",
                         "--to", "KZ-AKT", "--key", pcus["key"])  # fmt: skip
    assert code == 2
    assert not Path(out).exists()
