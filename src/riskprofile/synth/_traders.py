"""Reference tables of the traders on a manifest (see :mod:`._reference` for what is real and
what is invented): per country a locale (how names, addresses and identifiers are
written), the inland hinterland, the words trader names are made of, the banks a B/L is
made out to order of, and the countries with AEO programmes.
"""

from __future__ import annotations

from typing import NamedTuple

EU_COUNTRIES = frozenset({"DE", "NL", "BE", "FR", "ES", "IT", "GR"})


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
