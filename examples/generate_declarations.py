"""A declaration-level export, as most administrations can produce it: one row per import
declaration, no vessel and no container, with the inspection result.

Writes ``examples/data/declarations.csv`` (seed 2026): 400 import declarations over eight
weeks at Karachi with importer, seller, HS code, description, origin, gross mass, invoice
value, how the declaration was selected for inspection (the legacy system's ``risk``
channel or a ``random`` draw), and the fraud label and type the inspection recorded.

The fraud is planted: about one declaration in eight undervalues phones, laptops,
garments, cigarettes or steel far below the usual price per kg (the bundled revenue
profile knows these floors); a few others misdeclare the origin, which no profile sees
in this data. A few honest declarations are cheap too (end-of-line stock). Nothing else
is random, so the same seed gives the same bytes.

Both the batch and the outcomes are read from this one file through column mappings
alone (``examples/mappings/declarations.yaml`` and
``examples/mappings/declarations.outcomes.yaml``):

    riskprofile evaluate examples/data/declarations.csv examples/data/declarations.csv \\
        --mapping examples/mappings/declarations.yaml \\
        --outcomes-mapping examples/mappings/declarations.outcomes.yaml \\
        --as-of 2026-11-02 --by month -o /tmp/declarations-report.html

    python examples/generate_declarations.py      # rewrites the checked-in file
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "data" / "declarations.csv"
SEED = 2026
COUNT = 400
FIRST_DAY = dt.date(2026, 9, 7)

COLUMNS = ("Declaration No", "Date", "Importer", "Importer NTN", "Seller", "Seller Country",
           "HS Code", "Description", "Origin", "Gross Mass (kg)", "Invoice Value", "Currency",
           "Channel", "Fraud", "Fraud Type")  # fmt: skip

# HS code, description, usual USD per kg (low, high), the floor below which the bundled
# revenue profile flags it (None: no floor), usual origins.
GOODS = [
    ("851713", "SMARTPHONES", (150, 400), 50, ["CN", "VN", "KR"]),
    ("847130", "LAPTOP COMPUTERS", (90, 250), 40, ["CN", "TW"]),
    ("610910", "COTTON T-SHIRTS", (6, 15), 2, ["BD", "CN", "TR"]),
    ("620342", "MEN'S COTTON TROUSERS", (7, 18), 2, ["BD", "CN"]),
    ("240220", "CIGARETTES", (25, 60), 10, ["AE", "ID"]),
    ("720839", "HOT-ROLLED STEEL COILS", (0.55, 0.8), 0.3, ["CN", "JP", "UA"]),
    ("940360", "WOODEN FURNITURE", (2, 6), None, ["MY", "CN", "TR"]),
    ("080390", "FRESH BANANAS", (0.5, 1.0), None, ["EC", "PH"]),
    ("390110", "POLYETHYLENE GRANULES", (1.0, 1.6), None, ["SA", "AE", "KR"]),
    ("520100", "RAW COTTON", (1.6, 2.4), None, ["AU", "US", "BR"]),
]
IMPORTERS = [
    ("INDUS TRADING CO", "6891610-3"), ("RAHIM TRADERS", "4471122-8"),
    ("KARACHI ELECTRONICS HOUSE", "3310975-1"), ("SITE TEXTILE MILLS", "2290114-6"),
    ("NEW HORIZON ENTERPRISES", "7781203-9"), ("MEHRAN STEEL", "1187734-2"),
    ("CLIFTON IMPEX", "9902217-4"), ("AL-NOOR GENERAL TRADING", "5520961-0"),
]  # fmt: skip
SELLERS = {
    "CN": "SHENZHEN BRIGHT STAR CO LTD", "VN": "SAIGON MOBILE JSC", "KR": "HANSOL TRADING CO",
    "TW": "TAIPEI COMPUTE LTD", "BD": "DHAKA APPAREL LTD", "TR": "ISTANBUL TEKSTIL AS",
    "AE": "GULF STAR GENERAL TRADING LLC", "ID": "SURABAYA TOBACCO PT",
    "JP": "KANSAI STEEL KK", "UA": "AZOV METAL LLC", "MY": "PENANG WOODCRAFT SDN BHD",
    "EC": "GLOBAL FRUITS SA", "PH": "MINDANAO PRODUCE INC", "SA": "JUBAIL POLYMERS CO",
    "AU": "DARLING GOLDEN PLAINS PTY LTD", "US": "MEMPHIS COTTON LLC",
    "BR": "MATO GROSSO ALGODAO LTDA",
}  # fmt: skip


def declarations_csv(seed: int = SEED, count: int = COUNT) -> str:
    """The export's text."""
    rng = random.Random(seed)  # example data: reproducible, not secret
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for number in range(1, count + 1):
        hs, description, (low, high), floor, origins = rng.choice(GOODS)
        importer, ntn = rng.choice(IMPORTERS)
        source = rng.choice(origins)  # where the goods really come from
        origin = source
        mass = round(rng.uniform(800, 24_000), 1)
        price = rng.uniform(low, high)
        fraud = ""
        draw = rng.random()
        if floor is not None and draw < 0.20:
            price = floor * rng.uniform(0.1, 0.6)  # undervalued, far below the floor
            fraud = "undervaluation"
        elif floor is not None and draw < 0.23:
            price = floor * rng.uniform(0.6, 0.95)  # cheap, but honest end-of-line stock
        elif draw > 0.96:
            origin = rng.choice(["MY", "VN", "TR"])  # misdeclared origin: invisible here
            fraud = "origin"
        value = round(price * mass, 2)
        # Every declaration of the export was inspected: most through the legacy
        # system's risk channel, some as a random draw.
        channel = "random" if rng.random() < 0.15 else "risk"
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, 55))
        writer.writerow(
            (f"KAPE-HC-{number:05d}-{day:%y}", day.strftime("%d/%m/%Y"), importer, ntn,
             SELLERS[source], source, hs, description, origin,
             f"{mass:.1f}".replace(".", ","), f"{value:.2f}".replace(".", ","), "USD",
             channel, "1" if fraud else "0", fraud)
        )  # fmt: skip
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.output.write_text(declarations_csv(args.seed), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
