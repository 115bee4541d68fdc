"""Exchange between PCUs, end to end, in a temporary folder.

Pakistan's PCU at Karachi (PK-KHI) scores a port day with the bundled profiles and warns
the PCUs of Aktau (KZ-AKT) and Ashgabat (TM-ASB) about a transit container discharged
at Karachi and heading their way. Kazakhstan verifies the signed warning against its
trust store, imports it into a watch list, and its next scoring run, with a small profile
using ``container_number in $partner_warnings``, selects that container for inspection
with the warning as the reason.

    python examples/exchange_demo.py
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

from riskprofile import load_profiles, read_batch, score, select
from riskprofile.exchange import (
    ExchangeLog,
    RedactionPolicy,
    SigningKey,
    TrustStore,
    generate_keys,
    import_message,
    send,
    to_warning,
    verify,
)
from riskprofile.profiles import bundled_profiles_path

SAMPLE = Path(__file__).resolve().parent / "data" / "karachi-sample.csv"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

PARTNER_PROFILE = """\
id: kz.partner-warnings
version: 1
title: Containers a partner PCU has warned about
category: narcotics
owner: PCU Aktau
countries: [KZ]
rationale: Signed warnings from partner PCUs, verified and imported by riskprofile exchange.
lists:
  partner_warnings:
    description: Containers under a partner warning still in force.
    file: partner_warnings.csv
indicators:
  - id: partner-warning
    title: A partner PCU has warned about this container
    when: container_number in $partner_warnings
    weight: 100
    lane: red
    explain: "partner warning on container {container_number}"
bands:
  - {min_score: 100, lane: red}
"""


def main(workdir: Path) -> int:
    pk_home, kz_home = workdir / "pk", workdir / "kz"

    # 1. Each PCU makes its key pair and trusts the other's public key.
    generate_keys("PK-KHI", pk_home / "keys")
    generate_keys("KZ-AKT", kz_home / "keys")
    kz_trust = TrustStore()
    kz_trust.add("PK-KHI", (pk_home / "keys" / "PK-KHI.pub.pem").read_bytes())
    kz_trust.save(kz_home / "trust.json")
    pk_trust = TrustStore()
    pk_trust.add("KZ-AKT", (kz_home / "keys" / "KZ-AKT.pub.pem").read_bytes())
    pk_trust.save(pk_home / "trust.json")

    # 2. Karachi scores its port day and picks a transit container discharged there and
    #    bound for Central Asia (Kazakhstan or, through it, Turkmenistan), with hits.
    batch = read_batch(SAMPLE)
    run = score(batch.shipments, load_profiles([bundled_profiles_path()]), as_of=NOW)
    transit = [
        c for c in run.containers
        if c.hits and c.container_number
        and any((s.shipment.place_of_delivery or "")[:2] in ("KZ", "TM") for s in c.shipments)
    ]  # fmt: skip
    container = transit[0]
    delivery = next(
        s.shipment.place_of_delivery for s in container.shipments
        if (s.shipment.place_of_delivery or "")[:2] in ("KZ", "TM")
    )  # fmt: skip
    print(f"PK-KHI: {container.container_number} (lane {container.lane}, score "
          f"{container.score}) discharged at PKKHI, in transit to {delivery}")  # fmt: skip

    # 3. Karachi warns Aktau and Ashgabat: one copy each, redacted per partner, signed.
    warning = to_warning(container, sender="PK-KHI", recipients=["KZ-AKT", "TM-ASB"],
                         created=NOW, message_id="pk-khi-2026-0001")  # fmt: skip
    kz_policy = RedactionPolicy(partner="KZ-AKT", hash=["parties.name", "parties.identifier"],
                                salt="agreed by PK-KHI and KZ-AKT")  # fmt: skip
    sent = send(warning, key=SigningKey.load(pk_home / "keys" / "PK-KHI.key.pem"),
                log=ExchangeLog(pk_home / "log.sqlite"), now=NOW,
                policies={"KZ-AKT": kz_policy})  # fmt: skip
    for entry in ExchangeLog(pk_home / "log.sqlite").query(direction="sent"):
        print(f"PK-KHI: sent {entry.message_id} to {entry.partner}; redacted: "
              f"{', '.join(entry.redacted)}")  # fmt: skip
    inbox = kz_home / "inbox" / "pk-khi-2026-0001.KZ-AKT.json"
    inbox.parent.mkdir(parents=True)
    inbox.write_bytes(sent["KZ-AKT"])

    # 4. Aktau verifies and imports it into its watch list, next to its profile.
    an_hour_later = NOW + dt.timedelta(hours=1)
    kz_log = ExchangeLog(kz_home / "log.sqlite")
    trust = TrustStore.load(kz_home / "trust.json")
    verified = verify(inbox.read_bytes(), trust, now=an_hour_later, log=kz_log)
    print(f"KZ-AKT: verified {verified.message.kind} {verified.message.message_id} "
          f"from {verified.sender}")  # fmt: skip
    profiles_dir = kz_home / "profiles"
    result = import_message(inbox.read_bytes(), trust=trust, log=kz_log, into=profiles_dir,
                            now=an_hour_later)  # fmt: skip
    print(f"KZ-AKT: imported; {result.active_warnings} partner warning(s) in force")
    (profiles_dir / "partner-warnings.yaml").write_text(PARTNER_PROFILE, encoding="utf-8")

    # 5. Aktau's next scoring run selects the container, with the warning as the reason.
    with (profiles_dir / "partner_warnings.csv").open(encoding="utf-8") as f:
        why = {row["value"]: row for row in csv.DictReader(f)}
    kz_run = score(batch.shipments, load_profiles([profiles_dir]), as_of=an_hour_later)
    selection = select(kz_run, capacity=5)
    chosen = [s for s in selection.selected if s.container.container_number in why]
    for item in chosen:
        number = item.container.container_number
        assert number is not None
        hit = item.container.hits[0]
        reason = why[number]
        print(f"KZ-AKT: selected {number} (rank {item.rank}, lane {item.container.lane}): "
              f"{hit.explanation}; warned by {reason['sender']} in {reason['message_id']}: "
              f"{reason['category']}, {reason['reason'][:120]}")  # fmt: skip
    return (
        0 if [s.container.container_number for s in chosen] == [container.container_number] else 1
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sys.exit(main(Path(tmp)))
