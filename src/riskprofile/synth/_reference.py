"""Reference tables of the synthetic manifest generator.

What is real: the UN/LOCODEs, HS codes (HS 2022, with a few HS 2017 codes that still
turn up), ISO 6346 size-type codes and owner prefixes, UN/ECE Rec. 21 package codes, SCAC
codes, tare masses, payloads and the shape of the trade lanes into the Arabian Sea.

What is invented: vessel names and IMO numbers (built with a valid check digit; any match
with a real ship is chance), trader names, addresses and identifiers, prices within
plausible bands, and every individual shipment.

The lanes model imports into Karachi (PKKHI) and Port Qasim (PKBQM): Far East and South
East Asia services, the Gulf shuttle from Jebel Ali and Salalah (which carries what was
transshipped from Europe, the Americas, Africa and India; Pakistan and India do not trade
directly), a Europe-Mediterranean service and an East/South Africa service. Afghan transit
cargo (Kabul) and Central Asian cargo (Tashkent, Almaty, Ashgabat) is delivered inland.
"""

from __future__ import annotations

from typing import NamedTuple

# --- ports ---------------------------------------------------------------------------------


class Port(NamedTuple):
    """A UN/LOCODE with its name and the trade region used to pick routes."""

    name: str
    region: str


# Regions: EAST_ASIA, SE_ASIA, SOUTH_ASIA, GULF, MED_EAST, EUROPE, AFRICA_E, AFRICA_S,
# AMERICAS_W (Pacific South America), AMERICAS_E (Atlantic Americas), US_W (North American
# Pacific coast), OCEANIA, HUB (Panama), DEST (ports of call and inland places of delivery).
PORTS: dict[str, Port] = {
    "CNSHA": Port("SHANGHAI", "EAST_ASIA"),
    "CNNGB": Port("NINGBO", "EAST_ASIA"),
    "CNTAO": Port("QINGDAO", "EAST_ASIA"),
    "CNYTN": Port("YANTIAN", "EAST_ASIA"),
    "CNXMN": Port("XIAMEN", "EAST_ASIA"),
    "CNTXG": Port("TIANJIN XINGANG", "EAST_ASIA"),
    "HKHKG": Port("HONG KONG", "EAST_ASIA"),
    "TWKHH": Port("KAOHSIUNG", "EAST_ASIA"),
    "KRPUS": Port("BUSAN", "EAST_ASIA"),
    "JPYOK": Port("YOKOHAMA", "EAST_ASIA"),
    "JPNGO": Port("NAGOYA", "EAST_ASIA"),
    "JPUKB": Port("KOBE", "EAST_ASIA"),
    "SGSIN": Port("SINGAPORE", "SE_ASIA"),
    "MYPKG": Port("PORT KLANG", "SE_ASIA"),
    "MYTPP": Port("TANJUNG PELEPAS", "SE_ASIA"),
    "THLCH": Port("LAEM CHABANG", "SE_ASIA"),
    "VNSGN": Port("HO CHI MINH CITY", "SE_ASIA"),
    "VNHPH": Port("HAIPHONG", "SE_ASIA"),
    "IDJKT": Port("JAKARTA", "SE_ASIA"),
    "INNSA": Port("NHAVA SHEVA", "SOUTH_ASIA"),
    "INMUN": Port("MUNDRA", "SOUTH_ASIA"),
    "LKCMB": Port("COLOMBO", "SOUTH_ASIA"),
    "BDCGP": Port("CHATTOGRAM", "SOUTH_ASIA"),
    "AEJEA": Port("JEBEL ALI", "GULF"),
    "OMSLL": Port("SALALAH", "GULF"),
    "SADMM": Port("DAMMAM", "GULF"),
    "SAJED": Port("JEDDAH", "GULF"),
    "IRBND": Port("BANDAR ABBAS", "GULF"),
    "TRMER": Port("MERSIN", "MED_EAST"),
    "EGPSD": Port("PORT SAID", "MED_EAST"),
    "GRPIR": Port("PIRAEUS", "MED_EAST"),
    "NLRTM": Port("ROTTERDAM", "EUROPE"),
    "BEANR": Port("ANTWERP", "EUROPE"),
    "DEHAM": Port("HAMBURG", "EUROPE"),
    "DEBRV": Port("BREMERHAVEN", "EUROPE"),
    "GBFXT": Port("FELIXSTOWE", "EUROPE"),
    "FRLEH": Port("LE HAVRE", "EUROPE"),
    "ESVLC": Port("VALENCIA", "EUROPE"),
    "ESALG": Port("ALGECIRAS", "EUROPE"),
    "ITGOA": Port("GENOA", "EUROPE"),
    "ITGIT": Port("GIOIA TAURO", "EUROPE"),
    "KEMBA": Port("MOMBASA", "AFRICA_E"),
    "TZDAR": Port("DAR ES SALAAM", "AFRICA_E"),
    "ZADUR": Port("DURBAN", "AFRICA_S"),
    "ECGYE": Port("GUAYAQUIL", "AMERICAS_W"),
    "COBUN": Port("BUENAVENTURA", "AMERICAS_W"),
    "PECLL": Port("CALLAO", "AMERICAS_W"),
    "PAMIT": Port("MANZANILLO", "HUB"),
    "COCTG": Port("CARTAGENA", "AMERICAS_E"),
    "BRSSZ": Port("SANTOS", "AMERICAS_E"),
    "USNYC": Port("NEW YORK", "AMERICAS_E"),
    "USSAV": Port("SAVANNAH", "AMERICAS_E"),
    "USHOU": Port("HOUSTON", "AMERICAS_E"),
    "USLAX": Port("LOS ANGELES", "US_W"),
    "CAVAN": Port("VANCOUVER", "US_W"),
    "AUMEL": Port("MELBOURNE", "OCEANIA"),
    "NZAKL": Port("AUCKLAND", "OCEANIA"),
    "PKKHI": Port("KARACHI", "DEST"),
    "PKBQM": Port("PORT QASIM", "DEST"),
    "AFKBL": Port("KABUL", "DEST"),
    "UZTAS": Port("TASHKENT", "DEST"),
    "KZALA": Port("ALMATY", "DEST"),
    "TMASB": Port("ASHGABAT", "DEST"),
}

# Where a country's exports are loaded, with relative weights.
COUNTRY_PORTS: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("CNSHA", 28), ("CNNGB", 30), ("CNTAO", 14), ("CNYTN", 14), ("CNXMN", 6),
           ("CNTXG", 8)),
    "HK": (("HKHKG", 1),),
    "TW": (("TWKHH", 1),),
    "KR": (("KRPUS", 1),),
    "JP": (("JPYOK", 45), ("JPNGO", 30), ("JPUKB", 25)),
    "SG": (("SGSIN", 1),),
    "MY": (("MYPKG", 65), ("MYTPP", 35)),
    "TH": (("THLCH", 1),),
    "VN": (("VNSGN", 65), ("VNHPH", 35)),
    "ID": (("IDJKT", 1),),
    "IN": (("INNSA", 60), ("INMUN", 40)),
    "LK": (("LKCMB", 1),),
    "BD": (("BDCGP", 1),),
    "AE": (("AEJEA", 1),),
    "OM": (("OMSLL", 1),),
    "SA": (("SADMM", 60), ("SAJED", 40)),
    "IR": (("IRBND", 1),),
    "TR": (("TRMER", 1),),
    "EG": (("EGPSD", 1),),
    "GR": (("GRPIR", 1),),
    "NL": (("NLRTM", 1),),
    "BE": (("BEANR", 1),),
    "DE": (("DEHAM", 70), ("DEBRV", 30)),
    "GB": (("GBFXT", 1),),
    "FR": (("FRLEH", 1),),
    "ES": (("ESVLC", 85), ("ESALG", 15)),
    "IT": (("ITGOA", 1),),
    "KE": (("KEMBA", 1),),
    "TZ": (("TZDAR", 1),),
    "ZA": (("ZADUR", 1),),
    "EC": (("ECGYE", 1),),
    "CO": (("COBUN", 50), ("COCTG", 50)),
    "PE": (("PECLL", 1),),
    "BR": (("BRSSZ", 1),),
    "US": (("USNYC", 35), ("USSAV", 30), ("USHOU", 20), ("USLAX", 15)),
    "CA": (("CAVAN", 1),),
    "AU": (("AUMEL", 1),),
    "NZ": (("NZAKL", 1),),
}  # fmt: skip

# Days at sea from a region to the Arabian Sea on a direct call (min, max); each
# transshipment adds TRANSSHIPMENT_DAYS.
REGION_DAYS: dict[str, tuple[float, float]] = {
    "EAST_ASIA": (16, 24),
    "SE_ASIA": (8, 13),
    "SOUTH_ASIA": (4, 8),
    "GULF": (2, 5),
    "MED_EAST": (12, 17),
    "EUROPE": (20, 27),
    "AFRICA_E": (8, 12),
    "AFRICA_S": (15, 20),
    "AMERICAS_W": (32, 42),
    "AMERICAS_E": (28, 36),
    "US_W": (28, 35),
    "OCEANIA": (17, 24),
    "HUB": (30, 38),
    "DEST": (1, 3),
}
TRANSSHIPMENT_DAYS = (2.0, 8.0)

# Inland places of delivery for transit cargo landed in a country: (place, consignee
# country, weight). Afghan transit trade goes through Karachi and Port Qasim.
TRANSIT_DELIVERY: dict[str, tuple[tuple[str, str, float], ...]] = {
    "PK": (("AFKBL", "AF", 75), ("UZTAS", "UZ", 12), ("TMASB", "TM", 7), ("KZALA", "KZ", 6)),
    "IR": (("AFKBL", "AF", 50), ("TMASB", "TM", 25), ("UZTAS", "UZ", 25)),
}
TRANSIT_SHARE = 0.12  # of B/Ls of transit-eligible goods, when the port of call has transit

# --- services (vessel rotations) -----------------------------------------------------------


class Service(NamedTuple):
    """A liner service into the port of call: the ports a vessel calls before it."""

    key: str
    weight: float
    direction: str  # voyage suffix: W (westbound), E, N
    calls: tuple[str, ...]
    hubs: tuple[str, ...]  # calls where transshipped cargo joins the vessel
    min_calls: int
    max_calls: int
    carriers: tuple[tuple[str, float], ...]
    call_size: int  # median containers discharged per call


SERVICES: tuple[Service, ...] = (
    Service(
        "FEX", 45, "W",
        ("KRPUS", "CNTAO", "CNSHA", "CNNGB", "CNXMN", "CNYTN", "HKHKG", "SGSIN", "MYPKG",
         "MYTPP", "LKCMB"),
        ("KRPUS", "HKHKG", "SGSIN", "MYPKG", "MYTPP", "LKCMB"),
        4, 8,
        (("MSCU", 18), ("MAEU", 12), ("CMDU", 14), ("COSU", 16), ("ONEY", 8), ("EGLV", 9),
         ("YMLU", 5), ("OOLU", 7), ("HDMU", 4), ("PCIU", 5), ("WHLC", 4)), 1100,
    ),
    Service(
        "SEA", 10, "W",
        ("VNHPH", "VNSGN", "THLCH", "IDJKT", "SGSIN", "MYPKG", "MYTPP", "LKCMB"),
        ("SGSIN", "MYPKG", "MYTPP", "LKCMB"),
        3, 6,
        (("PCIU", 20), ("WHLC", 15), ("ONEY", 10), ("MSCU", 15), ("MAEU", 10), ("CMDU", 15),
         ("EGLV", 10)), 600,
    ),
    Service(
        "GULF", 25, "E",
        ("AEJEA", "OMSLL"),
        ("AEJEA", "OMSLL"),
        1, 2,
        (("MSCU", 25), ("MAEU", 20), ("CMDU", 20), ("HLCU", 15), ("COSU", 8), ("ZIMU", 7),
         ("EGLV", 5)), 450,
    ),
    Service(
        "EUR", 12, "E",
        ("DEHAM", "NLRTM", "BEANR", "GBFXT", "FRLEH", "ESVLC", "ESALG", "ITGOA", "ITGIT",
         "GRPIR", "TRMER", "EGPSD", "SAJED"),
        ("ESALG", "ITGIT", "GRPIR", "EGPSD", "SAJED"),
        4, 8,
        (("MAEU", 25), ("MSCU", 25), ("CMDU", 20), ("HLCU", 20), ("ZIMU", 10)), 900,
    ),
    Service(
        "AFR", 8, "N",
        ("ZADUR", "TZDAR", "KEMBA", "OMSLL"),
        ("KEMBA", "OMSLL"),
        2, 4,
        (("MSCU", 35), ("MAEU", 25), ("CMDU", 25), ("PCIU", 15)), 450,
    ),
)  # fmt: skip

# How much of a region's cargo reaches the port of call on each service.
AFFINITY: dict[str, dict[str, float]] = {
    "FEX": {"EAST_ASIA": 1.0, "SE_ASIA": 0.5, "SOUTH_ASIA": 0.3, "OCEANIA": 0.5,
            "US_W": 0.6, "AMERICAS_W": 0.12, "AFRICA_E": 0.05, "AFRICA_S": 0.1},
    "SEA": {"SE_ASIA": 1.0, "EAST_ASIA": 0.2, "SOUTH_ASIA": 0.5, "OCEANIA": 0.6},
    "GULF": {"GULF": 1.0, "EUROPE": 0.6, "MED_EAST": 0.6, "AMERICAS_E": 0.8,
             "AMERICAS_W": 0.8, "AFRICA_E": 0.5, "AFRICA_S": 0.5, "SOUTH_ASIA": 0.8,
             "EAST_ASIA": 0.08, "SE_ASIA": 0.08, "US_W": 0.3, "OCEANIA": 0.1},
    "EUR": {"EUROPE": 1.0, "MED_EAST": 1.0, "AMERICAS_E": 0.5, "AMERICAS_W": 0.4,
            "GULF": 0.15},
    "AFR": {"AFRICA_E": 1.0, "AFRICA_S": 1.0, "SOUTH_ASIA": 0.05},
}  # fmt: skip


class Feed(NamedTuple):
    """How cargo from a region not called by the vessel reaches one of its hubs."""

    before: tuple[str, ...]  # transshipments before the hub (e.g. Panama)
    hubs: tuple[str, ...]  # acceptable hubs; empty means any hub of the rotation
    weight: float


_ANY = Feed((), (), 1.0)
FEEDS: dict[str, dict[str, tuple[Feed, ...]]] = {
    "EAST_ASIA": {"FEX": (_ANY, Feed(("KRPUS",), ("SGSIN", "MYTPP", "MYPKG", "LKCMB"), 0.08),
                          Feed(("HKHKG",), ("SGSIN", "LKCMB"), 0.08)),
                  "SEA": (_ANY,), "GULF": (Feed((), ("AEJEA",), 1),)},
    "SE_ASIA": {"FEX": (Feed((), ("SGSIN", "MYPKG", "MYTPP", "LKCMB"), 1),), "SEA": (_ANY,),
                "GULF": (Feed((), ("AEJEA",), 1), Feed(("SGSIN",), ("AEJEA",), 0.5))},
    "SOUTH_ASIA": {"FEX": (Feed((), ("LKCMB", "SGSIN"), 1), Feed(("SGSIN",), ("LKCMB",), 0.1)),
                   "SEA": (Feed((), ("LKCMB",), 1),),
                   "GULF": (_ANY,), "AFR": (Feed((), ("OMSLL",), 1),)},
    "GULF": {"GULF": (Feed((), ("AEJEA",), 1),), "EUR": (Feed((), ("SAJED",), 1),)},
    "EUROPE": {"EUR": (_ANY,), "GULF": (_ANY, Feed(("ESALG",), ("AEJEA",), 0.3))},
    "MED_EAST": {"EUR": (_ANY,), "GULF": (_ANY,)},
    "AFRICA_E": {"AFR": (_ANY,), "GULF": (_ANY,), "FEX": (Feed((), ("LKCMB",), 1),)},
    "AFRICA_S": {"AFR": (_ANY,), "GULF": (_ANY,), "FEX": (Feed((), ("LKCMB", "SGSIN"), 1),)},
    "AMERICAS_W": {
        "GULF": (Feed(("PAMIT",), (), 1), Feed(("PAMIT", "ESALG"), ("AEJEA",), 0.3)),
        "EUR": (Feed(("PAMIT",), ("ESALG", "ITGIT", "GRPIR"), 1),),
        "FEX": (Feed((), ("KRPUS", "HKHKG", "SGSIN"), 1),),
    },
    "AMERICAS_E": {"GULF": (_ANY, Feed(("ESALG",), ("AEJEA",), 0.3)),
                   "EUR": (Feed((), ("ESALG", "ITGIT", "GRPIR"), 1),)},
    "US_W": {"FEX": (Feed((), ("KRPUS", "HKHKG", "SGSIN"), 1),),
             "GULF": (Feed(("KRPUS",), ("AEJEA",), 1),)},
    "OCEANIA": {"FEX": (Feed((), ("SGSIN", "MYTPP", "MYPKG", "LKCMB"), 1),),
                "SEA": (_ANY,), "GULF": (Feed(("SGSIN",), ("AEJEA",), 1),)},
}  # fmt: skip

# --- carriers, vessels, equipment ----------------------------------------------------------


class Carrier(NamedTuple):
    """A container line: SCAC, owner prefixes, seal and B/L numbering, fleet."""

    scac: str
    prefixes: tuple[str, ...]  # ISO 6346 owner codes of its own boxes
    reefer_prefixes: tuple[str, ...]
    seal_prefix: str
    bl_prefix: str
    bl_style: str  # tokens: p3 = loading port, dN = N digits, aN = N letters
    voyage_style: str  # YW (2645W), WK (645W), SEQ (087W)
    vessels: tuple[str, ...]


CARRIERS: dict[str, Carrier] = {
    c.scac: c
    for c in (
        Carrier("MAEU", ("MSKU", "MRKU", "MRSU", "SUDU"), ("MNBU",), "ML-", "MAEU", "d9", "WK",
                ("MAERSK KAMPALA", "MAERSK KOWLOON", "MAERSK SALALAH", "MAERSK DAMMAM",
                 "MAERSK NESTOS", "MAERSK GUAYAQUIL", "MAERSK SENTOSA", "MAERSK TANGIER")),
        Carrier("MSCU", ("MSCU", "MEDU", "MSDU"), ("MSCU", "MEDU"), "FX", "MEDU", "a2d6", "SEQ",
                ("MSC AURORA", "MSC ILARIA", "MSC NOA", "MSC ROSSELLA", "MSC SHIRIN",
                 "MSC TAMARA", "MSC VALENTINA", "MSC ZOHRA", "MSC ALIZEE", "MSC KATYAYNI")),
        Carrier("CMDU", ("CMAU", "CGMU", "APZU"), ("CMAU", "CGMU"), "C", "CMDU", "p3d7", "SEQ",
                ("CMA CGM INDUS", "CMA CGM RAVI", "CMA CGM SINDH", "CMA CGM TIGRIS",
                 "CMA CGM VOLGA", "CMA CGM ZAMBEZI", "APL CHARLESTON")),
        Carrier("COSU", ("CSNU", "CBHU", "CCLU"), ("CSNU", "CBHU"), "CD", "COSU", "d10", "SEQ",
                ("COSCO HARMONY", "COSCO PRIDE", "COSCO FORTUNE", "COSCO GLORY",
                 "COSCO SHIPPING LOTUS", "COSCO SHIPPING PEONY")),
        Carrier("HLCU", ("HLXU", "HLBU", "UACU"), ("HLXU",), "HLD", "HLCU", "p3d8", "YW",
                ("ESSEN EXPRESS", "KARACHI EXPRESS", "MUMBAI EXPRESS", "JEDDAH EXPRESS",
                 "AL ZUBARA", "AL NEFUD")),
        Carrier("ONEY", ("ONEU", "NYKU", "MOLU", "KKFU"), ("ONEU", "NYKU"), "ONE", "ONEY",
                "p3a1d8", "YW",
                ("ONE HARMONY", "ONE CRANE", "ONE FALCON", "ONE HERON", "ONE IBIS",
                 "ONE KESTREL")),
        Carrier("EGLV", ("EGHU", "EISU", "EMCU"), ("EMCU",), "EMC", "EGLV", "d12", "SEQ",
                ("EVER LASTING", "EVER LOGIC", "EVER LUCKY", "EVER LEGION", "EVER LIBRA",
                 "EVER LOVELY")),
        Carrier("YMLU", ("YMLU", "YMMU"), ("YMLU",), "YMA", "YMLU", "a1d9", "SEQ",
                ("YM WISDOM", "YM WARRANTY", "YM WELLNESS", "YM WHOLESOME", "YM UNANIMITY")),
        Carrier("OOLU", ("OOLU", "OOCU"), ("OOLU",), "OOL", "OOLU", "d10", "SEQ",
                ("OOCL CHONGQING", "OOCL NINGBO", "OOCL QINGDAO", "OOCL XIAMEN",
                 "OOCL COLOMBO")),
        Carrier("HDMU", ("HDMU", "HMMU"), ("HDMU",), "HMM", "HDMU", "p3d7", "YW",
                ("HMM BLESSING", "HMM DIAMOND", "HMM PEARL", "HMM RUBY", "HMM EMERALD")),
        Carrier("ZIMU", ("ZIMU", "ZCSU"), ("ZIMU",), "ZD", "ZIMU", "p3d7", "WK",
                ("ZIM ANTWERP", "ZIM CHICAGO", "ZIM KINGSTON", "ZIM MOMBASA", "ZIM PIRAEUS")),
        Carrier("PCIU", ("PCIU",), ("PCIU",), "PIL", "PCIU", "p3d9", "SEQ",
                ("KOTA KARIM", "KOTA LAYANG", "KOTA MEGAH", "KOTA NABIL", "KOTA PERMAI",
                 "KOTA SATRIA")),
        Carrier("WHLC", ("WHLU", "WHSU"), ("WHLU",), "WHL", "WHLC", "d9", "SEQ",
                ("WAN HAI 301", "WAN HAI 313", "WAN HAI 505", "WAN HAI 517", "WAN HAI 612",
                 "WAN HAI 625")),
    )
}  # fmt: skip

# Lessors' owner codes (Textainer, Triton, CAI, Seaco, Florens, Beacon...) and tank
# container operators.
LEASING_PREFIXES: tuple[str, ...] = (
    "TGHU", "TCNU", "TCLU", "TRHU", "TEMU", "SEGU", "CAIU", "FCIU", "BMOU", "GESU",
)  # fmt: skip
LEASING_REEFER_PREFIXES: tuple[str, ...] = ("SZLU", "TRIU")
TANK_PREFIXES: tuple[str, ...] = ("EXFU", "HOYU", "EURU")


def imo_with_check_digit(first_six: str) -> str:
    """Append the IMO check digit: sum(digit_i * (7 - i) for i in 0..5) mod 10."""
    return first_six + str(sum(int(d) * (7 - i) for i, d in enumerate(first_six)) % 10)


def _fleet() -> dict[str, str]:
    # A fixed spread of 6-digit stems in 920000-989999 (ships built since the 2000s).
    names = [name for carrier in CARRIERS.values() for name in carrier.vessels]
    return {
        name: imo_with_check_digit(str(920000 + (i * 104729 + 3517) % 70000))
        for i, name in enumerate(names)
    }


VESSEL_IMO: dict[str, str] = _fleet()


class Equipment(NamedTuple):
    """An ISO 6346 size-type with its usual tare masses and payload (kg)."""

    code: str
    length: int  # 20 or 40 (45' high cubes are 40' long in the code's first digit)
    group: str  # general, reefer, tank, open_top, platform
    tares: tuple[float, ...]
    payload: float


EQUIPMENT: dict[str, Equipment] = {
    e.code: e
    for e in (
        Equipment("22G1", 20, "general", (2200, 2220, 2230, 2250, 2280, 2300, 2330), 28200),
        Equipment("2200", 20, "general", (2180, 2200, 2230, 2250, 2300), 28000),
        Equipment("42G1", 40, "general", (3700, 3720, 3750, 3780, 3800), 26700),
        Equipment("45G1", 40, "general", (3800, 3850, 3880, 3900, 3940, 3960), 26580),
        Equipment("4500", 40, "general", (3850, 3900, 3950), 26500),
        Equipment("4510", 40, "general", (3850, 3880, 3900), 26500),
        Equipment("45R1", 40, "reefer", (4480, 4550, 4600, 4680, 4750, 4800), 29500),
        Equipment("42R1", 40, "reefer", (4300, 4400, 4500), 28000),
        Equipment("22R1", 20, "reefer", (2950, 3000, 3050, 3080), 27400),
        Equipment("22U1", 20, "open_top", (2350, 2380, 2400, 2450), 28000),
        Equipment("42P1", 40, "platform", (5000, 5200, 5500, 5700), 39000),
        Equipment("22T1", 20, "tank", (3600, 3700, 3800, 3950, 4100), 26000),
    )
}

# Size-types written as words by some exporters (not ISO 6346: flagged as a format error).
SIZE_TYPE_WORDS: dict[str, str] = {
    "22G1": "20GP", "2200": "20DC", "42G1": "40GP", "45G1": "40HC", "4500": "40HQ",
    "4510": "40HC", "45R1": "40RH", "42R1": "40RF", "22R1": "20RF", "22U1": "20OT",
    "42P1": "40FR", "22T1": "20TK",
}  # fmt: skip

LCL_EQUIPMENT: tuple[tuple[str, float], ...] = (("45G1", 50), ("42G1", 20), ("22G1", 30))

# Where LCL cargo for the Arabian Sea is consolidated (Jebel Ali above all, then the big
# Chinese and South East Asian hubs), with relative weights.
LCL_ORIGINS: tuple[tuple[str, float], ...] = (
    ("AEJEA", 30), ("CNSHA", 15), ("CNNGB", 12), ("CNYTN", 12), ("HKHKG", 4), ("SGSIN", 8),
    ("MYPKG", 4), ("KRPUS", 2), ("THLCH", 2), ("INNSA", 3), ("LKCMB", 2), ("TRMER", 2),
    ("DEHAM", 2), ("NLRTM", 2), ("BEANR", 2), ("GBFXT", 2), ("ITGOA", 1),
)  # fmt: skip
# Countries whose traders re-export goods made elsewhere (origin differs from shipper).
REEXPORT_COUNTRIES = frozenset({"AE", "SG", "HK"})

# --- commodities ---------------------------------------------------------------------------


class Package(NamedTuple):
    """A UN/ECE Rec. 21 package type with a gross mass per package (kg).

    ``kg_min == 0`` means the whole load of the container is one package (a flexitank, a
    tank, bulk scrap).
    """

    code: str
    weight: float
    kg_min: float
    kg_max: float


class HsLine(NamedTuple):
    """An HS subheading with how it is described; ``packages`` overrides the commodity's."""

    code: str
    weight: float
    descriptions: tuple[str, ...]
    packages: tuple[Package, ...] = ()


class Commodity(NamedTuple):
    """A line of trade: HS subheadings, packing, equipment, weights, prices, origins."""

    key: str
    share: float  # relative share of bills of lading
    trades: tuple[str, ...]  # words for trader names
    lines: tuple[HsLine, ...]
    packages: tuple[Package, ...]
    equipment: tuple[tuple[str, float], ...]
    fill20: tuple[float, float]  # cargo kg in a 20' box
    fill40: tuple[float, float]  # cargo kg in a 40' box
    net: tuple[float, float]  # net / gross
    usd_per_kg: tuple[float, float]
    origins: tuple[tuple[str, float], ...]  # ISO 3166 country, weight
    multi: float  # share of FCL B/Ls spanning 2-5 containers
    lcl: bool  # travels in consolidated (LCL) containers too
    transit: bool  # Afghan / Central Asian transit trade
    reexport: float = 0.0  # share shipped from Jebel Ali by a UAE trader (re-export)


_CT = Package("CT", 1, 8, 18)

COMMODITIES: tuple[Commodity, ...] = (
    Commodity(
        "bananas", 2.0, ("FRUITS", "FRESH PRODUCE", "AGRO"),
        (HsLine("080390", 1, ("FRESH BANANAS", "FRESH CAVENDISH BANANAS",
                              "FRESH BANANAS CAVENDISH VALERY 22XU", "GREEN BANANAS FRESH",
                              "BANANAS FRESH 18.14 KG NET PER BOX")),),
        (Package("CT", 1, 19.2, 19.9),),
        (("45R1", 85), ("42R1", 10), ("22R1", 5)), (9800, 10600), (19800, 21600), (0.92, 0.94),
        (0.35, 0.62), (("EC", 75), ("CO", 20), ("PE", 5)), 0.35, False, False,
    ),
    Commodity(
        "citrus", 1.5, ("FRUITS", "FRESH PRODUCE", "CITRUS"),
        (HsLine("080510", 5, ("FRESH ORANGES", "FRESH NAVEL ORANGES", "FRESH VALENCIA ORANGES")),
         HsLine("080521", 2, ("FRESH MANDARINS", "FRESH TANGERINES")),
         HsLine("080522", 1, ("FRESH CLEMENTINES",)),
         HsLine("080550", 2, ("FRESH LEMONS", "FRESH LIMES"))),
        (Package("CT", 1, 15, 17.5),),
        (("45R1", 80), ("22R1", 20)), (10500, 12500), (20500, 23500), (0.9, 0.94),
        (0.55, 1.1), (("ZA", 45), ("EG", 25), ("TR", 20), ("ES", 10)), 0.25, False, False,
    ),
    Commodity(
        "tea", 5.0, ("TEA", "TEA PACKERS", "TEA EXPORTERS"),
        (HsLine("090240", 8, ("KENYA BLACK TEA CTC BP1", "BLACK TEA PF1 IN PAPER SACKS",
                              "BLACK TEA CTC GRADE PD", "BLACK TEA BP1/PF1",
                              "CEYLON BLACK TEA BOPF IN PAPER SACKS", "BLACK TEA DUST D1"),
                (Package("BG", 1, 60, 70),)),
         HsLine("090230", 2, ("BLACK TEA IN PACKETS OF 200 G", "TEA BAGS BLACK TEA 100 BAGS",
                              "BLACK TEA IN TINS OF 450 G"),
                (_CT,))),
        (Package("BG", 1, 60, 70),),
        (("22G1", 80), ("2200", 5), ("42G1", 10), ("45G1", 5)), (19000, 21500), (23500, 26000),
        (0.98, 0.99), (2.0, 3.4), (("KE", 70), ("LK", 15), ("TZ", 6), ("VN", 5), ("ID", 4)),
        0.4, False, True,
    ),
    Commodity(
        "rice", 0.8, ("RICE", "FOODS", "AGRO"),
        (HsLine("100630", 8, ("LONG GRAIN WHITE RICE 5% BROKEN", "THAI HOM MALI RICE",
                              "PARBOILED RICE 5% BROKEN", "JASMINE RICE")),
         HsLine("100640", 2, ("BROKEN RICE 100%",))),
        (Package("BG", 3, 25.05, 25.2), Package("BG", 2, 50.1, 50.3)),
        (("22G1", 85), ("2200", 5), ("42G1", 10)), (24000, 26000), (26000, 26400),
        (0.994, 0.997), (0.45, 0.85), (("TH", 45), ("VN", 55)), 0.5, False, True,
    ),
    Commodity(
        "palm_oil", 5.0, ("OILS & FATS", "EDIBLE OILS", "PLANTATION"),
        (HsLine("151190", 8, ("RBD PALM OLEIN CP10", "RBD PALM OLEIN IN FLEXITANK",
                              "REFINED BLEACHED DEODORIZED PALM OIL", "RBD PALM STEARIN")),
         HsLine("151110", 2, ("CRUDE PALM OIL",))),
        (Package("FE", 1, 0, 0),),
        (("22G1", 80), ("22T1", 20)), (20000, 22500), (20000, 22500), (1.0, 1.0),
        (0.85, 1.1), (("MY", 55), ("ID", 45)), 0.6, False, True,
    ),
    Commodity(
        "solvents", 1.2, ("CHEMICAL", "CHEMICALS", "PETROCHEMICAL"),
        (HsLine("291521", 4, ("GLACIAL ACETIC ACID 99.85% MIN", "ACETIC ACID 99.8%")),
         HsLine("291411", 4, ("ACETONE 99.5% MIN", "ACETONE TECHNICAL GRADE")),
         HsLine("291412", 2, ("METHYL ETHYL KETONE (MEK)", "BUTANONE (MEK) 99.8%"))),
        (Package("DR", 4, 160, 215), Package("WA", 1, 900, 1050)),
        (("22G1", 80), ("22T1", 20)), (14000, 20000), (18000, 24000), (0.92, 0.95),
        (0.6, 1.3), (("CN", 40), ("SA", 15), ("KR", 15), ("TW", 10), ("DE", 5)), 0.2, True,
        False, 0.1,
    ),
    Commodity(
        "acetic_anhydride", 0.15, ("CHEMICAL", "CHEMICALS", "FINE CHEMICALS"),
        (HsLine("291524", 1, ("ACETIC ANHYDRIDE 99% MIN", "ACETIC ANHYDRIDE (AA)")),),
        (Package("DR", 1, 215, 240),),
        (("22G1", 80), ("22T1", 20)), (15000, 19000), (18000, 22000), (0.93, 0.95),
        (0.9, 1.4), (("CN", 50), ("DE", 15), ("BE", 10), ("KR", 15)), 0.1, False, True, 0.1,
    ),
    Commodity(
        "phenylacetic_acid", 0.03, ("CHEMICAL", "FINE CHEMICALS"),
        (HsLine("291634", 1, ("PHENYLACETIC ACID 99%", "PHENYL ACETIC ACID (PAA)")),),
        (Package("BG", 1, 25, 25.3), Package("DR", 1, 25, 50)),
        (("22G1", 100),), (4000, 12000), (4000, 12000), (0.96, 0.98), (2.0, 4.0),
        (("CN", 80), ("DE", 20)), 0.0, True, False,
    ),
    Commodity(
        "medicaments", 1.5, ("PHARMACEUTICAL", "PHARMA", "LIFE SCIENCES"),
        (HsLine("300490", 6, ("PHARMACEUTICAL PRODUCTS (MEDICINES)", "PARACETAMOL TABLETS 500MG",
                              "METFORMIN HCL TABLETS 500MG", "OMEPRAZOLE CAPSULES 20MG",
                              "ORS ORAL REHYDRATION SALTS SACHETS")),
         HsLine("300420", 2, ("CEFIXIME CAPSULES 400MG", "AZITHROMYCIN TABLETS 500MG")),
         HsLine("300410", 2, ("AMOXICILLIN CAPSULES 500MG",
                              "AMOXICILLIN AND CLAVULANATE POTASSIUM TABLETS"))),
        (Package("CT", 4, 8, 20), Package("PX", 1, 250, 500)),
        (("22G1", 40), ("42G1", 20), ("45G1", 30), ("22R1", 10)), (3000, 9000), (5000, 12000),
        (0.8, 0.9), (6.0, 40.0), (("IN", 45), ("CN", 20), ("DE", 8), ("BD", 10), ("TR", 7),
                                  ("GB", 5), ("KR", 5)),
        0.05, True, True, 0.05,
    ),
    Commodity(
        "polymers", 7.0, ("POLYMERS", "PETROCHEMICAL", "PLASTICS"),
        (HsLine("390110", 3, ("LOW DENSITY POLYETHYLENE (LDPE) FILM GRADE", "LDPE 2420H")),
         HsLine("390120", 3, ("HIGH DENSITY POLYETHYLENE (HDPE) BLOW MOULDING GRADE",
                              "HDPE PIPE GRADE PE100")),
         HsLine("390140", 2, ("LINEAR LOW DENSITY POLYETHYLENE (LLDPE) C4 FILM GRADE",
                              "LLDPE BUTENE FILM GRADE")),
         HsLine("390210", 3, ("POLYPROPYLENE HOMOPOLYMER RAFFIA GRADE",
                              "PP INJECTION MOULDING GRADE"))),
        (Package("BG", 85, 25.0, 25.1), Package("JB", 15, 1000, 1250)),
        (("22G1", 30), ("42G1", 35), ("45G1", 30), ("4500", 5)), (16500, 24750),
        (24750, 26400), (0.99, 0.995), (0.9, 1.4),
        (("SA", 40), ("AE", 20), ("KR", 10), ("SG", 10), ("TH", 5), ("CN", 5), ("IN", 5),
         ("OM", 5)),
        0.5, False, False,
    ),
    Commodity(
        "fabrics", 6.0, ("TEXTILE", "TEXTILES", "FABRICS"),
        (HsLine("520812", 2, ("GREY COTTON FABRIC 100% COTTON", "UNBLEACHED COTTON FABRIC")),
         HsLine("520832", 2, ("DYED COTTON FABRIC 100% COTTON", "COTTON POPLIN DYED")),
         HsLine("520852", 2, ("PRINTED COTTON FABRIC", "PRINTED COTTON LAWN FABRIC")),
         HsLine("540752", 4, ("100% POLYESTER DYED FABRIC", "POLYESTER WOVEN FABRIC DYED",
                              "POLYESTER CHIFFON FABRIC DYED"))),
        (Package("RO", 4, 40, 120), Package("BE", 1, 150, 250)),
        (("45G1", 50), ("42G1", 30), ("22G1", 20)), (8000, 16000), (14000, 22000),
        (0.94, 0.97), (2.0, 5.5), (("CN", 85), ("KR", 5), ("TW", 5), ("ID", 5)),
        0.15, True, True, 0.1,
    ),
    Commodity(
        "garments", 2.0, ("GARMENTS", "APPAREL", "KNITWEAR"),
        (HsLine("610910", 3, ("100% COTTON KNITTED T-SHIRTS", "MEN'S T-SHIRTS 100% COTTON")),
         HsLine("611020", 2, ("COTTON KNITTED PULLOVERS", "COTTON SWEATSHIRTS")),
         HsLine("620342", 3, ("MEN'S COTTON DENIM TROUSERS", "MEN'S COTTON TROUSERS")),
         HsLine("620462", 2, ("LADIES COTTON TROUSERS", "WOMEN'S COTTON DENIM JEANS"))),
        (Package("CT", 1, 8, 18),),
        (("45G1", 70), ("42G1", 20), ("22G1", 10)), (3000, 6000), (6000, 11000), (0.88, 0.92),
        (6.0, 18.0), (("CN", 55), ("BD", 35), ("VN", 5), ("TR", 5)), 0.1, True, True, 0.15,
    ),
    Commodity(
        "used_clothing", 4.0, ("RECYCLING", "TEXTILE RECYCLING", "CLOTHING"),
        (HsLine("630900", 1, ("USED CLOTHING", "WORN CLOTHING AND OTHER WORN ARTICLES",
                              "USED CLOTHING IN BALES", "USED SHOES AND CLOTHING MIXED",
                              "USED CLOTHING CREAM GRADE")),),
        (Package("BL", 7, 45, 55), Package("BL", 3, 400, 550)),
        (("45G1", 70), ("42G1", 25), ("4510", 5)), (14000, 20000), (24000, 26400),
        (0.99, 1.0), (0.35, 1.0),
        (("US", 35), ("GB", 20), ("DE", 10), ("NL", 8), ("BE", 8), ("CA", 7), ("AU", 5),
         ("KR", 7)),
        0.4, False, True,
    ),
    Commodity(
        "footwear", 1.5, ("FOOTWEAR", "SHOES"),
        (HsLine("640399", 3, ("MEN'S LEATHER SHOES", "LEATHER SANDALS")),
         HsLine("640299", 4, ("PVC SLIPPERS", "EVA SANDALS AND SLIPPERS", "RUBBER CHAPPALS")),
         HsLine("640411", 3, ("SPORTS SHOES TEXTILE UPPER", "RUNNING SHOES"))),
        (Package("CT", 1, 8, 16),),
        (("45G1", 70), ("42G1", 20), ("22G1", 10)), (2500, 5000), (5000, 9000), (0.85, 0.9),
        (6.0, 20.0), (("CN", 80), ("VN", 15), ("ID", 5)), 0.1, True, True, 0.15,
    ),
    Commodity(
        "steel", 5.0, ("STEEL", "METAL", "IRON & STEEL"),
        (HsLine("720839", 3, ("HOT ROLLED STEEL COILS", "PRIME HOT ROLLED STEEL COILS SAE1006")),
         HsLine("720827", 2, ("HOT ROLLED PICKLED AND OILED STEEL COILS",)),
         HsLine("721049", 3, ("HOT DIP GALVANIZED STEEL COILS", "GI COILS Z120")),
         HsLine("721070", 2, ("PREPAINTED GALVANIZED STEEL COILS (PPGI)",))),
        (Package("CL", 8, 4500, 9000), Package("BE", 2, 2000, 4000)),
        (("22G1", 85), ("2200", 5), ("22U1", 10)), (24000, 27500), (26000, 26500),
        (0.995, 1.0), (0.55, 0.95), (("CN", 60), ("KR", 10), ("JP", 10), ("TW", 5), ("VN", 10),
                                     ("TR", 5)),
        0.6, False, False,
    ),
    Commodity(
        "scrap", 5.0, ("METALS", "RECYCLING", "SCRAP METAL"),
        (HsLine("720449", 1, ("HMS 1&2 80:20 HEAVY MELTING SCRAP", "SHREDDED STEEL SCRAP 211",
                              "IRON AND STEEL SCRAP", "MIXED FERROUS SCRAP")),),
        (Package("VS", 1, 0, 0),),
        (("22G1", 90), ("2200", 10)), (23500, 27000), (26000, 26500), (1.0, 1.0), (0.33, 0.48),
        (("US", 30), ("GB", 25), ("ZA", 10), ("AE", 10), ("NL", 8), ("BE", 5), ("DE", 5),
         ("AU", 5), ("SA", 2)),
        0.7, False, False,
    ),
    Commodity(
        "waste_paper", 2.0, ("FIBRE", "PAPER RECYCLING", "RECYCLING"),
        (HsLine("470790", 7, ("WASTE PAPER OCC 11", "MIXED WASTE PAPER",
                              "OLD CORRUGATED CONTAINERS (OCC) IN BALES")),
         HsLine("470710", 3, ("UNBLEACHED KRAFT PAPER WASTE", "DOUBLE SORTED OCC"))),
        (Package("BL", 1, 400, 900),),
        (("45G1", 60), ("42G1", 40)), (16000, 20000), (20000, 26000), (1.0, 1.0), (0.12, 0.25),
        (("US", 50), ("GB", 20), ("NL", 10), ("DE", 10), ("AE", 10)), 0.6, False, False,
    ),
    Commodity(
        "computers", 1.2, ("ELECTRONICS", "TECHNOLOGY", "DIGITAL"),
        (HsLine("847130", 4, ("LAPTOP COMPUTERS", "NOTEBOOK COMPUTERS 14 INCH", "USED LAPTOPS")),
         HsLine("847150", 2, ("DESKTOP COMPUTER PROCESSING UNITS", "MINI PC")),
         HsLine("847160", 2, ("COMPUTER KEYBOARDS AND MOUSE",)),
         HsLine("847170", 2, ("SOLID STATE DRIVES (SSD)", "HARD DISK DRIVES"))),
        (Package("CT", 4, 5, 15), Package("BX", 2, 8, 20), Package("PX", 1, 150, 400)),
        (("45G1", 50), ("42G1", 20), ("22G1", 30)), (2000, 6000), (4000, 9000), (0.75, 0.85),
        (15.0, 60.0), (("CN", 80), ("TW", 10), ("HK", 10)), 0.05, True, True, 0.25,
    ),
    Commodity(
        "phones", 0.8, ("ELECTRONICS", "TELECOM", "DIGITAL"),
        (HsLine("851713", 8, ("MOBILE PHONES (SMART PHONES)", "SMARTPHONES 4G 128GB",
                              "CELLULAR MOBILE PHONES")),
         HsLine("851712", 2, ("MOBILE PHONES", "CELLULAR PHONES WITH ACCESSORIES")),
         HsLine("851762", 2, ("WIFI ROUTERS", "NETWORK SWITCHES"))),
        (Package("CT", 2, 8, 20), Package("BX", 1, 10, 25)),
        (("22G1", 40), ("42G1", 20), ("45G1", 40)), (1500, 5000), (3000, 8000), (0.7, 0.8),
        (40.0, 200.0), (("CN", 75), ("HK", 10), ("VN", 15)), 0.05, True, True, 0.3,
    ),
    Commodity(
        "cars", 1.5, ("AUTO", "MOTORS", "AUTO TRADING"),
        (HsLine("870321", 4, ("USED CAR DAIHATSU MIRA 660CC", "USED CAR SUZUKI ALTO 660CC",
                              "USED CAR NISSAN DAYZ 660CC")),
         HsLine("870322", 2, ("USED CAR TOYOTA YARIS 1300CC", "USED CAR SUZUKI SWIFT 1200CC")),
         HsLine("870323", 2, ("USED CAR TOYOTA LAND CRUISER PRADO 2700CC",
                              "USED CAR TOYOTA HARRIER 2000CC")),
         HsLine("870340", 2, ("USED HYBRID CAR TOYOTA AQUA 1500CC",
                              "USED HYBRID CAR TOYOTA PRIUS 1800CC"))),
        (Package("VN", 1, 800, 1700),),
        (("45G1", 60), ("42G1", 40)), (1600, 3400), (2400, 6000), (1.0, 1.0), (3.0, 9.0),
        (("JP", 90), ("KR", 5), ("GB", 5)), 0.2, False, False,
    ),
    Commodity(
        "auto_parts", 4.0, ("AUTO PARTS", "AUTOMOTIVE", "MOTOR PARTS"),
        (HsLine("870899", 4, ("AUTO PARTS", "AUTOMOTIVE SPARE PARTS", "RADIATORS FOR CARS")),
         HsLine("870830", 2, ("BRAKE PADS", "BRAKE DRUMS AND DISCS")),
         HsLine("870880", 2, ("SHOCK ABSORBERS",)),
         HsLine("871410", 3, ("MOTORCYCLE SPARE PARTS 70CC", "MOTORCYCLE PARTS"))),
        (Package("CT", 5, 10, 30), Package("PX", 2, 300, 800), Package("CS", 1, 80, 300)),
        (("45G1", 40), ("42G1", 20), ("22G1", 40)), (8000, 18000), (10000, 22000), (0.85, 0.95),
        (2.5, 9.0), (("CN", 60), ("JP", 10), ("TH", 10), ("KR", 5), ("TW", 5), ("DE", 5)),
        0.1, True, True, 0.1,
    ),
    Commodity(
        "tyres", 3.0, ("TYRE", "RUBBER", "TIRE"),
        (HsLine("401110", 7, ("NEW PNEUMATIC RADIAL TYRES FOR PASSENGER CARS 185/65R15",
                              "PCR TYRES 195/65R15", "PASSENGER CAR TYRES 175/70R13"),
                (Package("TE", 1, 7, 12),)),
         HsLine("401120", 3, ("TBR TYRES 12R22.5 FOR TRUCKS AND BUSES", "TRUCK TYRES 315/80R22.5"),
                (Package("TE", 1, 50, 70),))),
        (Package("TE", 1, 7, 12),),
        (("45G1", 80), ("42G1", 20)), (4500, 9000), (9000, 18000), (1.0, 1.0), (2.2, 4.0),
        (("CN", 70), ("TH", 15), ("JP", 5), ("KR", 5), ("ID", 5)), 0.2, False, True, 0.1,
    ),
    Commodity(
        "toys", 1.5, ("TOYS", "PLASTIC PRODUCTS"),
        (HsLine("950300", 1, ("PLASTIC TOYS ASSORTED", "TOYS FOR CHILDREN",
                              "BATTERY OPERATED TOY CARS", "STUFFED TOYS")),),
        (Package("CT", 1, 5, 15),),
        (("45G1", 80), ("42G1", 10), ("22G1", 10)), (2000, 5000), (4000, 8000), (0.8, 0.9),
        (2.5, 7.0), (("CN", 95), ("VN", 5)), 0.05, True, True, 0.2,
    ),
    Commodity(
        "solar", 5.0, ("NEW ENERGY", "SOLAR", "PHOTOVOLTAIC"),
        (HsLine("854143", 8, ("SOLAR PV MODULES 550W MONO PERC",
                              "SOLAR PANELS 580W N-TYPE TOPCON BIFACIAL",
                              "PHOTOVOLTAIC MODULES 545W")),
         HsLine("854140", 2, ("SOLAR PANELS 450W", "SOLAR PV MODULES"))),
        (Package("PX", 1, 800, 1000),),
        (("45G1", 90), ("4500", 5), ("42G1", 5)), (8000, 11000), (17000, 22000), (0.9, 0.93),
        (1.6, 2.8), (("CN", 95), ("MY", 3), ("VN", 2)), 0.5, False, True,
    ),
    Commodity(
        "inverters_batteries", 2.0, ("NEW ENERGY", "POWER TECHNOLOGY", "ELECTRIC"),
        (HsLine("850440", 5, ("SOLAR INVERTERS 6KW HYBRID", "STATIC CONVERTERS (UPS)")),
         HsLine("850760", 5, ("LITHIUM-ION BATTERIES 48V 100AH (LIFEPO4)",
                              "LITHIUM BATTERY PACKS"))),
        (Package("CT", 3, 15, 40), Package("PX", 1, 500, 900)),
        (("45G1", 50), ("42G1", 20), ("22G1", 30)), (8000, 16000), (10000, 18000), (0.85, 0.9),
        (5.0, 15.0), (("CN", 100),), 0.15, True, True, 0.05,
    ),
    Commodity(
        "machinery", 3.0, ("MACHINERY", "ENGINEERING", "INDUSTRIAL EQUIPMENT"),
        (HsLine("844630", 3, ("SHUTTLELESS AIR JET WEAVING LOOMS",
                              "WATER JET LOOMS WITH STANDARD ACCESSORIES")),
         HsLine("847989", 4, ("INDUSTRIAL MACHINERY WITH PARTS", "PACKING MACHINE",
                              "INJECTION MOULDING MACHINE")),
         HsLine("848180", 3, ("INDUSTRIAL VALVES", "BALL VALVES STAINLESS STEEL"))),
        (Package("CS", 3, 500, 3000), Package("PX", 2, 200, 800), Package("SK", 1, 300, 1500)),
        (("42G1", 30), ("45G1", 30), ("22G1", 15), ("42P1", 15), ("22U1", 10)), (5000, 18000),
        (8000, 24000), (0.85, 0.95), (6.0, 25.0),
        (("CN", 55), ("JP", 10), ("DE", 12), ("IT", 10), ("KR", 5), ("TR", 4), ("BE", 4)),
        0.3, True, False,
    ),
    Commodity(
        "pulses", 3.0, ("GRAIN", "COMMODITIES", "PULSES"),
        (HsLine("071340", 5, ("RED LENTILS WHOLE", "CRIMSON RED LENTILS", "RED SPLIT LENTILS")),
         HsLine("071320", 5, ("KABULI CHICKPEAS 9MM", "DESI CHICKPEAS"))),
        (Package("BG", 2, 25.05, 25.2), Package("BG", 3, 50.1, 50.3)),
        (("22G1", 90), ("2200", 10)), (24000, 26000), (26000, 26400), (0.994, 0.997),
        (0.55, 1.0), (("AU", 40), ("CA", 35), ("US", 5), ("TZ", 10), ("TR", 10)), 0.6, False,
        True,
    ),
    Commodity(
        "milk_powder", 1.0, ("DAIRY", "FOODS", "NUTRITION"),
        (HsLine("040221", 6, ("FULL CREAM MILK POWDER 26% FAT", "WHOLE MILK POWDER")),
         HsLine("040210", 4, ("SKIMMED MILK POWDER",))),
        (Package("BG", 1, 25.1, 25.3),),
        (("22G1", 90), ("42G1", 10)), (18000, 25000), (24000, 26000), (0.99, 0.995),
        (2.6, 4.2), (("NZ", 50), ("AU", 15), ("NL", 10), ("FR", 10), ("BE", 5), ("DE", 10)),
        0.3, False, True,
    ),
    Commodity(
        "cotton", 3.0, ("COTTON", "FIBRES", "COMMODITIES"),
        (HsLine("520100", 1, ("RAW COTTON", "RAW COTTON STRICT LOW MIDDLING 1-1/8 INCH",
                              "RAW COTTON IN BALES")),),
        (Package("BL", 1, 215, 230),),
        (("45G1", 60), ("42G1", 40)), (18000, 21000), (21000, 24500), (0.99, 0.995),
        (1.6, 2.3), (("US", 40), ("BR", 45), ("AU", 10), ("TZ", 5)), 0.7, False, False,
    ),
    Commodity(
        "industrial_chemicals", 3.0, ("CHEMICAL", "CHEMICALS", "PETROCHEMICAL"),
        (HsLine("291736", 4, ("PURIFIED TEREPHTHALIC ACID (PTA)",),
                (Package("JB", 1, 1000, 1100),)),
         HsLine("290531", 4, ("MONOETHYLENE GLYCOL (MEG) FIBRE GRADE",),
                (Package("DR", 1, 225, 235), Package("FE", 1, 0, 0))),
         HsLine("281511", 2, ("CAUSTIC SODA FLAKES 99%",), (Package("BG", 1, 25, 25.2),))),
        (Package("BG", 1, 25, 25.2),),
        (("22G1", 80), ("22T1", 10), ("42G1", 10)), (20000, 25000), (24000, 26000),
        (0.98, 1.0), (0.4, 1.0),
        (("CN", 30), ("SA", 20), ("AE", 10), ("KR", 15), ("TW", 10), ("TH", 5), ("OM", 10)),
        0.4, False, False,
    ),
    Commodity(
        "bitumen", 0.6, ("PETROLEUM PRODUCTS", "BITUMEN", "PETROCHEMICAL"),
        (HsLine("271320", 1, ("BITUMEN 60/70 IN NEW STEEL DRUMS",
                              "PENETRATION GRADE BITUMEN 60/70 IN JUMBO BAGS")),),
        (Package("DR", 3, 150, 185), Package("JB", 1, 1000, 1100)),
        (("22G1", 100),), (20000, 26000), (24000, 26000), (0.95, 0.97), (0.25, 0.45),
        (("IR", 60), ("AE", 40)), 0.7, False, True,
    ),
    Commodity(
        "general_merchandise", 4.0, ("INDUSTRIAL", "HOUSEWARE", "HOUSEHOLD"),
        (HsLine("392490", 3, ("HOUSEHOLD ARTICLES OF PLASTIC", "PLASTIC KITCHENWARE")),
         HsLine("732393", 2, ("STAINLESS STEEL KITCHENWARE", "STAINLESS STEEL COOKWARE SET")),
         HsLine("940542", 2, ("LED LIGHTS AND FIXTURES", "LED PANEL LIGHTS")),
         HsLine("731815", 2, ("STEEL SCREWS AND BOLTS",)),
         HsLine("392690", 1, ("PLASTIC ARTICLES ASSORTED",))),
        (Package("CT", 5, 8, 25), Package("PK", 1, 10, 40)),
        (("45G1", 60), ("42G1", 20), ("22G1", 20)), (3000, 9000), (6000, 14000), (0.85, 0.92),
        (1.5, 5.0), (("CN", 85), ("TR", 5), ("VN", 5), ("TH", 5)), 0.05, True, True, 0.25,
    ),
    Commodity(
        "paper", 2.0, ("PAPER", "PULP & PAPER", "PAPER PRODUCTS"),
        (HsLine("480257", 5, ("WOODFREE UNCOATED PAPER 70GSM IN REELS",
                              "UNCOATED WRITING PAPER IN SHEETS")),
         HsLine("481013", 5, ("COATED ART PAPER IN REELS", "GLOSS ART PAPER 128GSM"))),
        (Package("RL", 3, 500, 1200), Package("PX", 1, 800, 1100)),
        (("22G1", 50), ("42G1", 30), ("45G1", 20)), (18000, 24000), (22000, 26000),
        (0.98, 0.99), (0.8, 1.3), (("CN", 40), ("ID", 25), ("DE", 10), ("TH", 10), ("KR", 15)),
        0.3, False, False,
    ),
)  # fmt: skip

# Descriptions that say nothing (indicator 2 of the domain primer).
VAGUE_DESCRIPTIONS: tuple[str, ...] = (
    "GENERAL CARGO", "FAK", "SPARE PARTS", "PERSONAL EFFECTS", "FOODSTUFF",
    "HOUSEHOLD GOODS", "ASSORTED GOODS", "MACHINERY PARTS", "CHEMICALS", "SAID TO CONTAIN",
)  # fmt: skip

# Currencies of declared values by shipper country: (ISO 4217, share); the rest is USD.
CURRENCY_BY_COUNTRY: dict[str, tuple[str, float]] = {
    "DE": ("EUR", 0.55), "NL": ("EUR", 0.55), "BE": ("EUR", 0.55), "FR": ("EUR", 0.55),
    "ES": ("EUR", 0.55), "IT": ("EUR", 0.55), "GR": ("EUR", 0.5), "CN": ("CNY", 0.05),
    "AE": ("AED", 0.35), "JP": ("JPY", 0.25), "GB": ("GBP", 0.3),
}  # fmt: skip
UNITS_PER_USD: dict[str, float] = {
    "USD": 1.0, "EUR": 0.92, "CNY": 7.2, "AED": 3.6725, "JPY": 150.0, "GBP": 0.79,
}  # fmt: skip
EU_COUNTRIES = frozenset({"DE", "NL", "BE", "FR", "ES", "IT", "GR"})

# --- traders -------------------------------------------------------------------------------


class Locale(NamedTuple):
    """How traders of a country are named and addressed.

    ``formats`` and ``addresses`` are ``str.format`` templates over: word, word2 (from
    ``words``), trade (what the trader deals in), city (first part of a ``cities`` entry
    for names, the whole entry for addresses), suffix, street, n, m, k (small numbers), box
    (P.O. box), zip (5 digits).
    """

    country: str  # as written in addresses
    words: tuple[str, ...]
    formats: tuple[str, ...]
    suffixes: tuple[str, ...]
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    addresses: tuple[str, ...]


_PLAIN = ("{word} {trade} {suffix}", "{word} {word2} {suffix}", "{word} {trade} {suffix}")

_CHINESE_WORDS = (
    "HUAXIN", "JINLONG", "HONGDA", "XINYUAN", "TIANYI", "HENGRUI", "DONGFANG", "YONGSHENG",
    "RUNFENG", "KAIDA", "MINGYANG", "ZHONGXING", "HAITIAN", "BOYUAN", "LONGSHENG", "JIAHE",
    "SHENGTAI", "HUAYANG", "XINHE", "YUANDA", "JINHUI", "FUDA", "SANHE", "HONGYUAN", "TAIHE",
    "WANLI", "XINGDA", "RUIXIANG", "GUANGYU", "ZHENGDA",
)  # fmt: skip

LOCALES: dict[str, Locale] = {
    "CN": Locale(
        "CHINA", _CHINESE_WORDS,
        ("{city} {word} {trade} {suffix}", "{word} {trade} {suffix}",
         "{city} {word} IMPORT & EXPORT {suffix}", "{city} {word} {word2} {trade} {suffix}"),
        ("CO., LTD.", "CO.,LTD", "CO LTD", "CO., LIMITED"),
        ("NINGBO, ZHEJIANG", "SHANGHAI", "QINGDAO, SHANDONG", "XIAMEN, FUJIAN",
         "SHENZHEN, GUANGDONG", "GUANGZHOU, GUANGDONG", "YIWU, ZHEJIANG", "HANGZHOU, ZHEJIANG",
         "SUZHOU, JIANGSU", "TIANJIN", "FOSHAN, GUANGDONG", "DONGGUAN, GUANGDONG",
         "WENZHOU, ZHEJIANG", "CHANGZHOU, JIANGSU", "TANGSHAN, HEBEI"),
        ("ZHONGSHAN", "JIEFANG", "RENMIN", "JIANGNAN", "BINHAI", "XINGYE", "GONGYE",
         "CHANGJIANG", "HUANGHE", "KEJI", "JINQIAO", "HUAIHAI"),
        ("NO. {n} {street} ROAD, ECONOMIC AND TECHNOLOGICAL DEVELOPMENT ZONE, {city}, CHINA",
         "NO. {n} {street} ROAD, {city}, CHINA",
         "ROOM {m}0{k}, BUILDING {k}, NO. {n} {street} ROAD, {city}, CHINA",
         "NO. {n} {street} ROAD, HI-TECH INDUSTRIAL PARK, {city}, CHINA"),
    ),
    "HK": Locale(
        "HONG KONG", _CHINESE_WORDS, _PLAIN, ("LIMITED", "CO., LIMITED", "(HK) LIMITED"),
        ("KWUN TONG, KOWLOON", "TSIM SHA TSUI, KOWLOON", "SHEUNG WAN", "KWAI CHUNG, N.T."),
        ("GOLDEN", "WING ON", "PROSPERITY", "HARBOUR CENTRE", "PACIFIC TRADE"),
        ("UNIT {m}0{k}, {m}/F, {street} BUILDING, {n} HOI BUN ROAD, {city}, HONG KONG",
         "FLAT {k}, {m}/F, {street} CENTRE, {city}, HONG KONG"),
    ),
    "TW": Locale(
        "TAIWAN", ("TAI", "YUNG", "CHANG", "HSIN", "FU", "KAO", "SHENG", "HUA", "JUI", "TA"),
        ("{word}{word2} {trade} {suffix}", "{word} {word2} {trade} {suffix}"),
        ("CO., LTD.", "ENTERPRISE CO., LTD.", "INDUSTRIAL CO., LTD."),
        ("KAOHSIUNG CITY", "TAICHUNG CITY", "TAIPEI CITY", "TAINAN CITY"),
        ("CHUNG SHAN", "MIN TSU", "CHUNG CHENG", "KUANG FU", "HSIN SHENG"),
        ("NO. {n}, {street} RD., {city}, TAIWAN",
         "{m}F., NO. {n}, SEC. {k}, {street} RD., {city}, TAIWAN"),
    ),
    "KR": Locale(
        "REPUBLIC OF KOREA",
        ("HANIL", "DAEWON", "SEOHAN", "DONGYANG", "SUNGWOO", "JINYANG", "SAMIL", "HANSUNG",
         "KUKJE", "SEJIN", "DAEHAN"),
        _PLAIN, ("CO., LTD.", "CORPORATION"),
        ("BUSAN", "INCHEON", "SEOUL", "ULSAN", "CHANGWON", "YEOSU"),
        ("JUNGANG", "HAEUNDAE", "SINSEON", "CHUNGJANG", "GONGDAN", "SANDAN"),
        ("{n}, {street}-RO, {city}, KOREA", "{n}-{k}, {street}-RO {m}BEON-GIL, {city}, KOREA"),
    ),
    "JP": Locale(
        "JAPAN",
        ("NISHIKAWA", "YAMATO", "SAKURA", "HAYASHI", "KOBAYASHI", "NAKAMURA", "OGAWA",
         "SHIMIZU", "TAKAHASHI", "UEDA", "YOSHIDA", "FUJIMOTO", "MORIYAMA"),
        ("{word} {trade} {suffix}", "{word} {suffix}"),
        ("CO., LTD.", "CORPORATION", "TRADING CO., LTD.", "SHOJI CO., LTD."),
        ("YOKOHAMA", "NAGOYA", "KOBE", "OSAKA", "TOKYO", "CHIBA"),
        ("HONCHO", "MINATOMACHI", "SAKAEMACHI", "KAIGANDORI", "SHINMACHI"),
        ("{n}-{m}-{k} {street}, {city}, JAPAN", "{m}-{k} {street}, {city}, JAPAN"),
    ),
    "SG": Locale(
        "SINGAPORE",
        ("ASIA PACIFIC", "STRAITS", "ORCHID", "EASTERN", "SINGA", "HARBOURFRONT", "MARINA",
         "KEPPEL BAY", "JURONG"),
        _PLAIN, ("PTE. LTD.", "PTE LTD"),
        ("SINGAPORE",),
        ("TUAS AVENUE 1", "PIONEER ROAD", "JURONG PORT ROAD", "CHANGI SOUTH LANE",
         "UBI AVENUE 4"),
        ("{n} {street}, #0{k}-{m}{k}, SINGAPORE 6{zip}",),
    ),
    "MY": Locale(
        "MALAYSIA",
        ("PERMATA", "SURIA", "MUTIARA", "SEJAHTERA", "BUMI", "GEMILANG", "JAYA", "SETIA",
         "INTAN", "KENCANA"),
        _PLAIN, ("SDN. BHD.", "SDN BHD", "BERHAD"),
        ("PORT KLANG, SELANGOR", "SHAH ALAM, SELANGOR", "PASIR GUDANG, JOHOR",
         "JOHOR BAHRU, JOHOR", "PRAI, PULAU PINANG"),
        ("INDUSTRI 2", "PERUSAHAAN 3", "KEMAJUAN", "PELABUHAN", "TASEK"),
        ("LOT {n}, JALAN {street}, {zip} {city}, MALAYSIA",
         "NO. {n}, JALAN {street} {k}, {zip} {city}, MALAYSIA"),
    ),
    "ID": Locale(
        "INDONESIA",
        ("SINAR", "MAKMUR", "JAYA", "ABADI", "SENTOSA", "MULIA", "PRIMA", "INDAH", "BUMI",
         "NUSANTARA", "CAHAYA", "SUMBER"),
        ("PT {word} {word2}", "PT {word} {word2} {trade}", "PT. {word} {trade} INDONESIA"),
        ("",),
        ("JAKARTA UTARA", "BEKASI", "MEDAN", "DUMAI", "SURABAYA", "TANGERANG"),
        ("RAYA CAKUNG CILINCING", "GATOT SUBROTO", "INDUSTRI RAYA", "PELABUHAN", "SUDIRMAN"),
        ("JL. {street} NO. {n}, {city}, INDONESIA",
         "KAWASAN INDUSTRI, JL. {street} KAV. {n}, {city}, INDONESIA"),
    ),
    "TH": Locale(
        "THAILAND",
        ("CHAO PHRAYA", "RATCHA", "SRI", "SAHA", "THAI", "SUWAN", "KASEM", "PATTANA", "CHAROEN"),
        _PLAIN, ("CO., LTD.", "PUBLIC CO., LTD."),
        ("BANGKOK", "SAMUT PRAKAN", "CHONBURI", "AYUTTHAYA", "RAYONG"),
        ("SUKHUMVIT", "BANGNA-TRAD", "RAMA III", "PHAHONYOTHIN", "SRINAKARIN"),
        ("{n}/{m} MOO {k}, {street} ROAD, {city}, THAILAND",
         "{n} {street} ROAD, {city} {zip}, THAILAND"),
    ),
    "VN": Locale(
        "VIETNAM",
        ("VIET", "SAIGON", "MEKONG", "TAN PHAT", "THANH CONG", "PHUC THINH", "MINH ANH",
         "HOANG LONG", "AN PHU", "DAI PHAT"),
        ("{word} {trade} JOINT STOCK COMPANY", "{word} {word2} COMPANY LIMITED",
         "{word} {trade} {suffix}"),
        ("CO., LTD", "JSC"),
        ("HO CHI MINH CITY", "BINH DUONG", "DONG NAI", "HAI PHONG", "HANOI"),
        ("NGUYEN VAN LINH", "LE DUAN", "TRAN HUNG DAO", "VO VAN KIET", "DT743"),
        ("{n} {street} STREET, {city}, VIETNAM", "LOT {k}-{n}, {street} ROAD, {city}, VIETNAM"),
    ),
    "IN": Locale(
        "INDIA",
        ("SHREE", "GANESH", "LAKSHMI", "SAI", "BHARAT", "NAVKAR", "KRISHNA", "SIDDHI",
         "AMBIKA", "SUPREME", "JAY", "AMAR", "OM", "VARDHMAN"),
        _PLAIN, ("PVT. LTD.", "PRIVATE LIMITED", "LIMITED", "EXPORTS"),
        ("MUMBAI, MAHARASHTRA", "AHMEDABAD, GUJARAT", "HYDERABAD, TELANGANA",
         "VADODARA, GUJARAT", "PUNE, MAHARASHTRA", "NAVI MUMBAI, MAHARASHTRA"),
        ("MIDC INDUSTRIAL AREA", "GIDC ESTATE", "PHARMA CITY", "SEZ", "INDUSTRIAL ESTATE"),
        ("PLOT NO. {n}, {street}, {city}, INDIA",
         "{n}, {street}, PHASE {k}, {city} 4{zip}, INDIA"),
    ),
    "BD": Locale(
        "BANGLADESH",
        ("BENGAL", "PADMA", "MEGHNA", "JAMUNA", "RUPSHA", "DESH", "SONAR", "ANANTA", "NAHAR",
         "SHAPLA"),
        _PLAIN, ("LTD.", "LIMITED"),
        ("CHATTOGRAM", "DHAKA", "GAZIPUR", "NARAYANGANJ", "SAVAR"),
        ("CEPZ", "DEPZ", "BSCIC INDUSTRIAL AREA", "TONGI INDUSTRIAL AREA", "KALURGHAT"),
        ("PLOT {n}, {street}, {city}, BANGLADESH", "{n}/{k} {street}, {city}, BANGLADESH"),
    ),
    "LK": Locale(
        "SRI LANKA",
        ("CEYLON", "LANKA", "KANDY", "UVA", "HIGHLAND", "EMERALD", "SERENDIB", "RUHUNA",
         "DIMBULA"),
        _PLAIN, ("(PVT) LTD", "PLC"),
        ("COLOMBO 02", "COLOMBO 03", "COLOMBO 10", "COLOMBO 14", "KELANIYA"),
        ("GALLE", "UNION PLACE", "DUPLICATION", "HAVELOCK", "BASELINE", "NAWALA"),
        ("NO. {n}, {street} ROAD, {city}, SRI LANKA",),
    ),
    "AE": Locale(
        "UNITED ARAB EMIRATES",
        ("AL BARAKA", "AL SAQR", "GULF STAR", "DESERT ROSE", "AL NOOR", "EMIRATES LINK",
         "FALCON", "CRESCENT MOON", "PEARL", "AL ZAHRA", "AL RAWDA", "SILVER SANDS",
         "BLUE OCEAN", "AL MAHA"),
        ("{word} {trade} {suffix}", "{word} {suffix}", "{word} GENERAL TRADING {suffix}"),
        ("LLC", "L.L.C", "FZE", "FZCO", "FZ LLC"),
        ("DUBAI", "SHARJAH", "AJMAN"),
        ("AL RAS", "NAIF", "AL QUSAIS INDUSTRIAL AREA 2", "RAS AL KHOR", "AL SABKHA"),
        ("WAREHOUSE NO. {n}, JEBEL ALI FREE ZONE SOUTH, DUBAI, UNITED ARAB EMIRATES",
         "OFFICE {m}0{k}, {street}, DEIRA, DUBAI, UNITED ARAB EMIRATES",
         "P.O. BOX {box}, {city}, UNITED ARAB EMIRATES",
         "SHOP NO. {k}, {street}, {city}, UNITED ARAB EMIRATES"),
    ),
    "OM": Locale(
        "SULTANATE OF OMAN",
        ("DHOFAR", "AL BATINAH", "MUSCAT", "SALALAH", "AL WUSTA", "OMAN", "SOHAR"),
        _PLAIN, ("LLC", "TRADING & CONTRACTING LLC", "SAOG"),
        ("SALALAH", "MUSCAT", "SOHAR"),
        ("SALALAH FREE ZONE", "RUSAYL INDUSTRIAL ESTATE", "AL MABELA"),
        ("P.O. BOX {box}, P.C. {k}{m}1, {city}, SULTANATE OF OMAN",
         "PLOT {n}, {street}, {city}, SULTANATE OF OMAN"),
    ),
    "SA": Locale(
        "SAUDI ARABIA",
        ("AL RASHID", "NAJD", "TIHAMA", "ARABIAN", "EASTERN", "AL KHALEEJ", "AL SHARQIYA",
         "AL YAMAMA", "HIJAZ"),
        _PLAIN, ("TRADING EST.", "CO. LTD.", "INDUSTRIAL CO.", "COMPANY"),
        ("JUBAIL", "DAMMAM", "RIYADH", "JEDDAH", "YANBU"),
        ("KING FAHD ROAD", "2ND INDUSTRIAL CITY", "PRINCE MOHAMMED BIN FAHD ROAD"),
        ("P.O. BOX {box}, {city} {zip}, SAUDI ARABIA", "{street}, {city}, SAUDI ARABIA"),
    ),
    "IR": Locale(
        "IRAN",
        ("PARS", "KAVEH", "ARYA", "SEPAHAN", "HORMOZ", "TOOS", "ALBORZ", "ZAGROS"),
        _PLAIN, ("CO.", "TRADING CO.", "PJS"),
        ("TEHRAN", "BANDAR ABBAS", "ISFAHAN", "SHIRAZ"),
        ("VALIASR", "MOTAHARI", "BEHESHTI", "ENGHELAB"),
        ("NO. {n}, {street} ST., {city}, IRAN",),
    ),
    "TR": Locale(
        "TURKIYE",
        ("ANADOLU", "EGE", "AKDENIZ", "YILDIZ", "OZTURK", "KAYA", "DEMIR", "TOROS", "CUKUROVA",
         "MARMARA"),
        ("{word} {trade} {suffix}", "{word} {word2} {suffix}"),
        ("SAN. VE TIC. A.S.", "DIS TIC. LTD. STI.", "A.S."),
        ("MERSIN", "ISTANBUL", "IZMIR", "ADANA", "GAZIANTEP", "BURSA"),
        ("ATATURK", "CUMHURIYET", "ORGANIZE SANAYI", "ISTIKLAL"),
        ("{street} MAH. {n}. SOK. NO:{k}, {city}, TURKIYE",),
    ),
    "EG": Locale(
        "EGYPT",
        ("AL NASR", "DELTA", "NILE", "EL OBOUR", "MISR", "SINAI", "PHARAOH", "EL WADI"),
        ("{word} {trade} FOR IMPORT & EXPORT", "{word} {word2} {suffix}"),
        ("S.A.E.", "CO."),
        ("ALEXANDRIA", "CAIRO", "MANSOURA", "10TH OF RAMADAN CITY", "BEHEIRA"),
        ("EL HORREYA", "GAMAL ABDEL NASSER", "INDUSTRIAL ZONE A{k}", "PORT SAID"),
        ("{n} {street} ST., {city}, EGYPT",),
    ),
    "GR": Locale(
        "GREECE",
        ("HELLENIC", "AEGEAN", "OLYMPIC", "ATTICA", "IONIAN", "MACEDONIAN", "PAPADOPOULOS"),
        _PLAIN, ("S.A.", "LTD"),
        ("PIRAEUS", "ATHENS", "THESSALONIKI"),
        ("AKTI MIAOULI", "SYNGROU", "VASILISSIS SOFIAS"),
        ("{n} {street} STR., {zip} {city}, GREECE",),
    ),
    "NL": Locale(
        "NETHERLANDS",
        ("VAN DER BERG", "DE VRIES", "JANSEN", "BAKKER", "HOLLAND", "MAAS", "NOORD", "DELTA"),
        _PLAIN, ("B.V.",),
        ("ROTTERDAM", "AMSTERDAM", "VENLO", "TILBURG", "MOERDIJK"),
        ("HAVEN", "INDUSTRIE", "DIJK", "POLDER", "KADE"),
        ("{street}WEG {n}, {k}0{m}{k} AB {city}, NETHERLANDS",),
    ),
    "BE": Locale(
        "BELGIUM",
        ("PEETERS", "JANSSENS", "MAES", "SCHELDE", "FLANDERS", "KEMPEN", "BRABANT"),
        _PLAIN, ("NV", "BV", "BVBA"),
        ("ANTWERPEN", "GENT", "KORTRIJK", "GEEL"),
        ("HAVEN", "NIJVERHEID", "KANAAL", "INDUSTRIE"),
        ("{street}STRAAT {n}, {k}0{m}0 {city}, BELGIUM",),
    ),
    "DE": Locale(
        "GERMANY",
        ("MUELLER", "SCHMIDT", "HOFFMANN", "BECKER", "WAGNER", "KRAUSE", "HANSEATIC",
         "NORDSEE", "ELBE", "RHEIN"),
        _PLAIN, ("GMBH", "GMBH & CO. KG", "AG"),
        ("HAMBURG", "BREMEN", "DUESSELDORF", "STUTTGART", "MUENCHEN", "FRANKFURT AM MAIN"),
        ("HAFEN", "INDUSTRIE", "BAHNHOF", "HAUPT", "KAISER", "MUEHLEN"),
        ("{street}STRASSE {n}, {zip} {city}, GERMANY",),
    ),
    "GB": Locale(
        "UNITED KINGDOM",
        ("THAMES", "PENNINE", "ALBION", "BRITANNIA", "HARRISON", "WALKER", "MORGAN", "CROWN",
         "MERSEY", "SEVERN"),
        _PLAIN, ("LTD", "LIMITED"),
        ("LONDON", "MANCHESTER", "BIRMINGHAM", "LEEDS", "BRADFORD", "FELIXSTOWE"),
        ("TRAFFORD PARK", "PARK ROYAL", "CASTLE", "RIVERSIDE", "CANAL"),
        ("UNIT {n}, {street} INDUSTRIAL ESTATE, {city}, UNITED KINGDOM",
         "{n} {street} ROAD, {city}, UNITED KINGDOM"),
    ),
    "FR": Locale(
        "FRANCE",
        ("DUPONT", "MARTIN", "LEROY", "ATLANTIQUE", "NORMANDIE", "PROVENCE", "LOIRE"),
        _PLAIN, ("SAS", "SARL", "SA"),
        ("LE HAVRE", "LYON", "PARIS", "ROUEN", "MARSEILLE"),
        ("LA REPUBLIQUE", "L'INDUSTRIE", "LA GARE", "VERDUN"),
        ("{n} RUE DE {street}, {zip} {city}, FRANCE",),
    ),
    "ES": Locale(
        "SPAIN",
        ("GARCIA", "MARTINEZ", "LEVANTE", "MEDITERRANEO", "IBERICA", "VALENCIANA", "AZAHAR"),
        _PLAIN, ("S.L.", "S.A."),
        ("VALENCIA", "BARCELONA", "MADRID", "CASTELLON", "ALGECIRAS"),
        ("DEL PUERTO", "COLON", "DE LA INDUSTRIA", "MAYOR"),
        ("CALLE {street} {n}, {zip} {city}, SPAIN",
         "POLIGONO INDUSTRIAL {k}, NAVE {n}, {city}, SPAIN"),
    ),
    "IT": Locale(
        "ITALY",
        ("ROSSI", "BIANCHI", "RICCI", "ADRIATICA", "LOMBARDA", "TESSILE", "LIGURE", "EMILIANA"),
        _PLAIN, ("S.R.L.", "S.P.A."),
        ("MILANO", "BIELLA", "PRATO", "GENOVA", "BERGAMO", "VICENZA"),
        ("ROMA", "GARIBALDI", "DELL'INDUSTRIA", "MAZZINI"),
        ("VIA {street} {n}, {zip} {city}, ITALY",),
    ),
    "KE": Locale(
        "KENYA",
        ("KERICHO", "NANDI", "MT KENYA", "SAVANNAH", "RIFT VALLEY", "CHAI", "KILINDINI",
         "MAASAI", "TANA", "NYAYO"),
        _PLAIN, ("LIMITED", "LTD"),
        ("MOMBASA", "NAIROBI", "KERICHO"),
        ("MOI AVENUE", "NKRUMAH ROAD", "MAKUPA ROAD", "SHIMANZI ROAD", "KIPANDE ROAD"),
        ("P.O. BOX {box}-80100, {street}, MOMBASA, KENYA",
         "P.O. BOX {box}-00100, {street}, NAIROBI, KENYA", "P.O. BOX {box}-20200, KERICHO, KENYA"),
    ),
    "TZ": Locale(
        "TANZANIA",
        ("KILIMANJARO", "ZANZIBAR", "TANGANYIKA", "SERENGETI", "USAMBARA", "RUVUMA"),
        _PLAIN, ("LIMITED", "LTD"),
        ("DAR ES SALAAM", "ARUSHA"),
        ("NYERERE ROAD", "SAMORA AVENUE", "PUGU ROAD"),
        ("P.O. BOX {box}, {street}, {city}, TANZANIA",),
    ),
    "ZA": Locale(
        "SOUTH AFRICA",
        ("SOUTHERN CROSS", "KAROO", "CAPE", "DRAKENSBERG", "LIMPOPO", "VAAL", "SUNDAYS RIVER",
         "HIGHVELD", "BOLAND"),
        _PLAIN, ("(PTY) LTD", "PTY LTD"),
        ("DURBAN", "JOHANNESBURG", "CAPE TOWN", "GQEBERHA", "NELSPRUIT", "PIETERMARITZBURG"),
        ("SOUTH COAST", "MAYDON", "VOORTREKKER", "CHURCH", "INDUSTRY"),
        ("{n} {street} ROAD, {city}, {k}0{m}{k}, SOUTH AFRICA",),
    ),
    "EC": Locale(
        "ECUADOR",
        ("COSTA VERDE", "LOS RIOS", "EL ORO", "PACIFICO", "ANDINA", "GUAYAS", "TROPICAL",
         "SAN ISIDRO", "LA JOYA"),
        ("EXPORTADORA {word} S.A.", "{word} EXPORT S.A.", "FRUTAS {word} {suffix}"),
        ("S.A.", "CIA. LTDA."),
        ("GUAYAQUIL", "MACHALA", "QUEVEDO"),
        ("DAULE", "SAMBORONDON", "LAS AMERICAS", "FRANCISCO DE ORELLANA"),
        ("KM {k}.5 VIA A {street}, {city}, ECUADOR",
         "AV. {street} {n} Y CALLE {m}, {city}, ECUADOR"),
    ),
    "CO": Locale(
        "COLOMBIA",
        ("URABA", "MAGDALENA", "CARIBE", "ANTIOQUIA", "SIERRA NEVADA", "BANACOL"),
        ("C.I. {word} {suffix}", "{word} {trade} {suffix}"),
        ("S.A.S.", "S.A."),
        ("SANTA MARTA", "MEDELLIN", "APARTADO", "BOGOTA", "CARTAGENA"),
        ("CALLE", "CARRERA"),
        ("{street} {n} # {m}-{k}{k}, {city}, COLOMBIA",),
    ),
    "PE": Locale(
        "PERU",
        ("INCA", "ANDES", "PIURA", "SOL", "MACHU", "COSTA"),
        _PLAIN, ("S.A.C.", "S.A."),
        ("LIMA", "CALLAO", "PIURA"),
        ("ARGENTINA", "JAVIER PRADO", "LA MARINA"),
        ("AV. {street} {n}, {city}, PERU",),
    ),
    "BR": Locale(
        "BRAZIL",
        ("CERRADO", "MATO GROSSO", "PAULISTA", "SANTISTA", "NORDESTE", "IPIRANGA", "PARANA"),
        ("{word} {trade} {suffix}", "{word} COMERCIO E EXPORTACAO {suffix}"),
        ("LTDA", "S.A."),
        ("SAO PAULO - SP", "SANTOS - SP", "CUIABA - MT", "RONDONOPOLIS - MT", "BARREIRAS - BA"),
        ("DAS INDUSTRIAS", "XV DE NOVEMBRO", "DO COMERCIO", "AMADOR BUENO"),
        ("RUA {street}, {n}, {city}, BRAZIL", "AV. {street}, {n}, SALA {m}{k}, {city}, BRAZIL"),
    ),
    "US": Locale(
        "USA",
        ("LIBERTY", "PIONEER", "EAGLE", "SUMMIT", "KEYSTONE", "HERITAGE", "ATLANTIC",
         "PACIFIC", "MIDWEST", "GREAT LAKES", "LONE STAR", "BLUE RIDGE"),
        _PLAIN, ("INC.", "LLC", "CORP."),
        ("HOUSTON, TX", "NEWARK, NJ", "SAVANNAH, GA", "MEMPHIS, TN", "LOS ANGELES, CA",
         "CHICAGO, IL", "DALLAS, TX", "LUBBOCK, TX"),
        ("INDUSTRIAL PKWY", "COMMERCE DR", "MAIN ST", "HARBOR BLVD", "PORT AVE",
         "WAREHOUSE RD"),
        ("{n}{k} {street}, {city}, USA", "{n} {street}, SUITE {m}0{k}, {city}, USA"),
    ),
    "CA": Locale(
        "CANADA",
        ("MAPLE", "PRAIRIE", "NORTHERN", "CANUCK", "ROCKY MOUNTAIN", "GREAT PLAINS"),
        _PLAIN, ("INC.", "LTD."),
        ("SASKATOON, SK", "REGINA, SK", "WINNIPEG, MB", "VANCOUVER, BC", "TORONTO, ON"),
        ("INDUSTRIAL DRIVE", "FIRST AVENUE", "RAILWAY STREET", "MARKET STREET"),
        ("{n} {street}, {city}, CANADA",),
    ),
    "AU": Locale(
        "AUSTRALIA",
        ("SOUTHERN", "OUTBACK", "MURRAY", "RIVERINA", "WIMMERA", "GOLDEN PLAINS", "DARLING"),
        _PLAIN, ("PTY LTD",),
        ("MELBOURNE VIC", "HORSHAM VIC", "ADELAIDE SA", "TOOWOOMBA QLD", "SYDNEY NSW"),
        ("INDUSTRIAL DRIVE", "GRAIN STREET", "HIGH STREET", "PORT ROAD"),
        ("{n} {street}, {city} 3{k}0{m}, AUSTRALIA",),
    ),
    "NZ": Locale(
        "NEW ZEALAND",
        ("KIWI", "AOTEAROA", "CANTERBURY", "WAIKATO", "TARANAKI", "SOUTHERN ALPS"),
        _PLAIN, ("LIMITED",),
        ("AUCKLAND", "HAMILTON", "TAURANGA", "CHRISTCHURCH"),
        ("GREAT SOUTH ROAD", "QUAY STREET", "HIGH STREET"),
        ("{n} {street}, {city}, NEW ZEALAND",),
    ),
    # Importers, agents and forwarders at the port of call and inland.
    "PK": Locale(
        "PAKISTAN",
        ("AL-NOOR", "AL-MADINA", "MADINA", "MAKKAH", "BISMILLAH", "AL-REHMAN", "AL-HAMD",
         "ZAM ZAM", "HABIB", "FAISAL", "IQBAL", "RAZA", "SIDDIQUI", "CHAUDHRY", "MEHRAN",
         "INDUS", "RAVI", "CHENAB", "KHYBER", "QUAID", "SHAHEEN", "FALCON", "STAR", "GOLDEN",
         "NOOR", "HAMZA", "USMAN", "BILAL", "ARSHAD", "TARIQ", "YOUSUF", "SALEEM", "HASSAN",
         "ABDULLAH", "ZUBAIR", "GHAZI", "UNITED", "NATIONAL", "PAK", "ORIENT", "DYNAMIC",
         "PREMIER", "PRIME", "ROYAL", "MODERN", "AL-FATAH", "SADIQ", "AWAN", "MALIK"),
        ("{word} {trade} {suffix}", "{word} {suffix}", "{word} {word2} {suffix}",
         "{word} {trade} {suffix}"),
        ("TRADERS", "ENTERPRISES", "(PVT) LTD", "(PRIVATE) LIMITED", "CORPORATION", "& CO.",
         "IMPEX", "INTERNATIONAL", "INDUSTRIES (PVT) LTD", "IMPORTERS"),
        ("KARACHI", "KARACHI", "KARACHI", "KARACHI", "KARACHI", "KARACHI", "LAHORE", "LAHORE",
         "FAISALABAD", "SIALKOT", "ISLAMABAD", "PESHAWAR", "MULTAN", "GUJRANWALA"),
        ("SHAHRAH-E-FAISAL", "I.I. CHUNDRIGAR ROAD", "M.A. JINNAH ROAD", "TARIQ ROAD",
         "MAIN BOULEVARD", "G.T. ROAD"),
        ("PLOT NO. {n}, SECTOR {k}, KORANGI INDUSTRIAL AREA, KARACHI, PAKISTAN",
         "PLOT NO. {n}, SECTOR {k}-A, NORTH KARACHI INDUSTRIAL AREA, KARACHI, PAKISTAN",
         "PLOT NO. {n}, LANDHI INDUSTRIAL AREA, KARACHI, PAKISTAN",
         "OFFICE NO. {n}, {m}TH FLOOR, BOLTON MARKET, KARACHI, PAKISTAN",
         "PLOT NO. F-{n}, S.I.T.E. AREA, KARACHI, PAKISTAN",
         "OFFICE NO. {m}0{k}, {m}TH FLOOR, {street}, KARACHI, PAKISTAN",
         "SHOP NO. {n}, JODIA BAZAR, KARACHI, PAKISTAN",
         "{n}/{k}, BLOCK 6, P.E.C.H.S., KARACHI, PAKISTAN",
         "P.O. BOX {box}, KARACHI, PAKISTAN",
         "{n}-{k}, GULBERG III, LAHORE, PAKISTAN",
         "PLOT {n}, SUNDAR INDUSTRIAL ESTATE, LAHORE, PAKISTAN",
         "P-{n}, SARGODHA ROAD, FAISALABAD, PAKISTAN",
         "SMALL INDUSTRIES ESTATE, SIALKOT, PAKISTAN",
         "PLOT {n}, I-9 INDUSTRIAL AREA, ISLAMABAD, PAKISTAN",
         "{n}, {street}, {city}, PAKISTAN"),
    ),
    "AF": Locale(
        "AFGHANISTAN",
        ("ARIANA", "BAKHTAR", "KABUL", "HERAT", "AMU", "HINDUKUSH", "SAFI", "WARDAK", "POPAL",
         "NOORZAI", "AHMADZAI", "PAMIR", "SALANG", "SPINGHAR"),
        ("{word} {trade} {suffix}", "{word} {word2} {suffix}", "{word} {suffix}"),
        ("LTD", "TRADING COMPANY", "IMPORT & EXPORT CO.", "LOGISTICS SERVICES CO."),
        ("KABUL",),
        ("SHAHR-E NAW", "DEH AFGHANAN", "KARTE PARWAN", "MANDAWI MARKET", "WAZIR AKBAR KHAN"),
        ("{street}, KABUL, AFGHANISTAN", "HOUSE {n}, STREET {k}, {street}, KABUL, AFGHANISTAN"),
    ),
    "UZ": Locale(
        "UZBEKISTAN",
        ("SAMARKAND", "BUKHARA", "TURON", "NUR", "IPAK YULI", "ZAMIN", "BARAKA", "ORIENT"),
        ("{word} {trade} {suffix}", "{word} SAVDO {suffix}"),
        ("LLC", "MCHJ"),
        ("TASHKENT",),
        ("AMIR TEMUR STREET", "NAVOI STREET", "MUSTAQILLIK AVENUE"),
        ("{n} {street}, TASHKENT, UZBEKISTAN",),
    ),
    "KZ": Locale(
        "KAZAKHSTAN",
        ("ALTYN", "NUR", "DALA", "TENGRI", "ZHETYSU", "KAZ", "ALATAU", "SARYARKA"),
        _PLAIN, ("LLP", "TOO"),
        ("ALMATY",),
        ("ABAY AVENUE", "DOSTYK AVENUE", "RAIYMBEK AVENUE"),
        ("{n} {street}, ALMATY, KAZAKHSTAN",),
    ),
    "TM": Locale(
        "TURKMENISTAN",
        ("ALTYN ASYR", "BERKARAR", "GUNESH", "DOSTLUK", "ASHGABAT", "MARY", "GARAGUM"),
        ("{word} {trade} {suffix}", "{word} {suffix}"),
        ("HJ", "LLC"),
        ("ASHGABAT",),
        ("MAGTYMGULY AVENUE", "ATATURK STREET", "BITARAPLYK AVENUE"),
        ("{n} {street}, ASHGABAT, TURKMENISTAN",),
    ),
}  # fmt: skip

# Cities a Chinese or American exporter sits in, by the port it ships from (cities as in
# the country's locale).
HINTERLAND: dict[str, tuple[str, ...]] = {
    "CNSHA": ("SHANGHAI", "SUZHOU, JIANGSU", "CHANGZHOU, JIANGSU", "HANGZHOU, ZHEJIANG"),
    "CNNGB": ("NINGBO, ZHEJIANG", "YIWU, ZHEJIANG", "HANGZHOU, ZHEJIANG", "WENZHOU, ZHEJIANG"),
    "CNTAO": ("QINGDAO, SHANDONG",),
    "CNYTN": ("SHENZHEN, GUANGDONG", "GUANGZHOU, GUANGDONG", "FOSHAN, GUANGDONG",
              "DONGGUAN, GUANGDONG"),
    "CNXMN": ("XIAMEN, FUJIAN",),
    "CNTXG": ("TIANJIN", "TANGSHAN, HEBEI"),
    "USNYC": ("NEWARK, NJ",),
    "USSAV": ("SAVANNAH, GA", "MEMPHIS, TN"),
    "USHOU": ("HOUSTON, TX", "DALLAS, TX", "LUBBOCK, TX"),
    "USLAX": ("LOS ANGELES, CA",),
}  # fmt: skip

# Names for a port of call's country that has no locale of its own.
GENERIC_WORDS: tuple[str, ...] = (
    "UNITED", "GLOBAL", "PRIME", "ORIENT", "STAR", "CROWN", "HORIZON", "GOLDEN", "ROYAL",
    "NATIONAL", "CONTINENTAL", "PREMIER", "ALLIANCE", "METRO",
)  # fmt: skip

FORWARDER_TRADES: tuple[str, ...] = (
    "LOGISTICS", "SHIPPING & LOGISTICS", "FREIGHT SYSTEMS", "CARGO SERVICES",
    "INTERNATIONAL LOGISTICS", "FREIGHT FORWARDERS",
)  # fmt: skip
AGENT_TRADES: tuple[str, ...] = (
    "CUSTOMS CLEARING AGENCY", "CLEARING & FORWARDING", "CLEARING AGENCY", "CUSTOMS SERVICES",
)  # fmt: skip
GENERIC_TRADES: tuple[str, ...] = ("IMPORT & EXPORT", "TRADING", "INTERNATIONAL", "GROUP")

# Banks a Pakistani "to order" bill of lading is made out to (letters of credit).
ORDER_BANKS: tuple[str, ...] = (
    "HABIB BANK LIMITED", "MCB BANK LIMITED", "UNITED BANK LIMITED", "MEEZAN BANK LIMITED",
    "BANK ALFALAH LIMITED", "NATIONAL BANK OF PAKISTAN", "ALLIED BANK LIMITED",
    "FAYSAL BANK LIMITED",
)  # fmt: skip

# Countries whose traders are often AEO-certified (mutual recognition with many customs).
AEO_COUNTRIES = frozenset({"CN", "JP", "KR", "SG", "MY", "US", "CA", "NZ", "AU"} | EU_COUNTRIES)
