"""Reference tables of what containers carry (see :mod:`._reference` for what is real and
what is invented): ISO 6346 equipment with tare masses and payloads, the LCL equipment and
origins, UN/ECE Rec. 21 packages, and the commodities with their HS lines, origins, values
and vague descriptions; currencies and exchange rates by country.
"""

from __future__ import annotations

from typing import NamedTuple


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
