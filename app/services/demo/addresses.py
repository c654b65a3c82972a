"""Postal addresses of demo customers, in the region of their partner and written its way.

Swiss customers live where their cable network is ("Bahnhofstrasse 12",
"3011", "Bern"), the Lhasa agent's customers in Lhasa ("北京东路88号",
"850000", "拉萨市"), the Moscow partner's in Moscow ("ул. Тверская, д. 7,
кв. 12", "125009", "Москва"). Each customer's address comes from a random
generator of its own, seeded by the demo seed and the customer number, so
addresses are deterministic without shifting any other demo data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    country: str


#: (postcode, town) where each Swiss partner's customers live.
_CH_TOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    "KNU-NW": (
        ("4051", "Basel"), ("4057", "Basel"), ("5000", "Aarau"), ("4410", "Liestal"),
        ("5400", "Baden"), ("4600", "Olten"), ("4133", "Pratteln"),
    ),
    "KNU-EM": (
        ("3550", "Langnau im Emmental"), ("3400", "Burgdorf"), ("3454", "Sumiswald"),
        ("3415", "Hasle bei Burgdorf"), ("3436", "Zollbrück"), ("3543", "Emmenmatt"),
    ),
    "KNU-BE": (
        ("3011", "Bern"), ("3013", "Bern"), ("3007", "Bern"), ("3084", "Wabern"),
        ("3123", "Belp"), ("3110", "Münsingen"), ("3073", "Gümligen"),
    ),
    "KNU-ZO": (
        ("8620", "Wetzikon"), ("8610", "Uster"), ("8630", "Rüti ZH"), ("8340", "Hinwil"),
        ("8330", "Pfäffikon ZH"), ("8001", "Zürich"), ("8400", "Winterthur"),
    ),
}  # fmt: skip
_CH_STREETS = (
    "Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse", "Kirchgasse", "Schulstrasse",
    "Seestrasse", "Lindenweg", "Gartenstrasse", "Rosenweg", "Feldstrasse", "Bergstrasse",
    "Mühlegasse", "Weiherweg", "Sonnenbergstrasse", "Alte Landstrasse", "Im Grüt",
)  # fmt: skip

_LHASA_STREETS = (
    "北京东路", "北京中路", "江苏路", "金珠西路", "林廓北路", "宇拓路", "朵森格路",
    "色拉路", "纳金路", "夺底路",
)  # fmt: skip

#: Moscow streets with a postcode of their area.
_MOSCOW_STREETS = (
    ("ул. Тверская", "125009"), ("ул. Арбат", "119019"), ("Ленинский пр-т", "119071"),
    ("ул. Большая Садовая", "123001"), ("Кутузовский пр-т", "121165"),
    ("ул. Мясницкая", "101000"), ("ул. Покровка", "105062"), ("ул. Профсоюзная", "117342"),
    ("пр-т Мира", "129090"), ("ул. Пятницкая", "115035"), ("ул. Новослободская", "127006"),
)  # fmt: skip


def demo_address(seed: int, customer_no: str, partner: str, country: str) -> Address:
    """The address of demo customer ``customer_no`` of ``partner`` (in ``country``)."""
    rng = random.Random(f"{seed}/address/{customer_no}")
    if country == "CN":
        street = f"{rng.choice(_LHASA_STREETS)}{rng.randrange(1, 300)}号"
        if rng.random() < 0.5:
            street += f"{rng.randrange(1, 7)}单元{rng.randrange(1, 7)}0{rng.randrange(1, 5)}室"
        return Address(street, "850000", "拉萨市", "CN")
    if country == "RU":
        name, postcode = rng.choice(_MOSCOW_STREETS)
        street = f"{name}, д. {rng.randrange(1, 60)}"
        if rng.random() < 0.3:
            street += f", корп. {rng.randrange(1, 4)}"
        street += f", кв. {rng.randrange(1, 250)}"
        return Address(street, postcode, "Москва", "RU")
    postcode, town = rng.choice(_CH_TOWNS.get(partner) or _CH_TOWNS["KNU-BE"])
    number = str(rng.randrange(1, 120))
    if rng.random() < 0.1:
        number += rng.choice("abc")
    return Address(f"{rng.choice(_CH_STREETS)} {number}", postcode, town, country)
