"""The people and products of the demo world: partners, staff, names, numbers, tariffs.

Everything here is data in the language of the market it belongs to (a
Chinese customer has a Chinese name, a Russian dealer a Russian one); these
strings are stored in the database, they are not the app's own words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers


@dataclass(frozen=True)
class PartnerSpec:
    code: str
    name: str
    country: str
    language: str


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec("KNU-NW", "Kabelnetz Nordwest AG", "CH", "de"),
    PartnerSpec("KNU-EM", "Regio Kabel Emmental", "CH", "de"),
    PartnerSpec("KNU-BE", "Gemeinschaftsantenne Bern-Mittelland AG", "CH", "de"),
    PartnerSpec("KNU-ZO", "Kabelnetz Zürcher Oberland AG", "CH", "de"),
    PartnerSpec("CN-LS", "拉萨通信代理", "CN", "zh"),
    PartnerSpec("RU-SP", "Связь-Плюс", "RU", "ru"),
)

#: Which partners serve customers of each language (customers of a Chinese or
#: Russian partner have that country's numbers).
PARTNERS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "de": ("KNU-NW", "KNU-EM", "KNU-BE", "KNU-ZO"),
    "en": ("KNU-NW", "KNU-ZO", "KNU-BE"),
    "zh": ("CN-LS",),
    "ru": ("RU-SP",),
}
COUNTRY_OF_PARTNER = {p.code: p.country for p in PARTNERS}


@dataclass(frozen=True)
class StaffSpec:
    login: str
    display_name: str
    role: str
    language: str
    partner: str | None = None


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("m.keller", "Martin Keller", "agent", "de"),
    StaffSpec("s.frei", "Sandra Frei", "agent", "de"),
    StaffSpec("j.taylor", "Jessica Taylor", "agent", "en"),
    StaffSpec("l.wang", "王丽", "agent", "zh"),
    StaffSpec("h.chen", "陈浩", "agent", "zh"),
    StaffSpec("i.petrova", "Ирина Петрова", "agent", "ru"),
    StaffSpec("a.volkov", "Алексей Волков", "agent", "ru"),
    StaffSpec("r.baumann", "Regula Baumann", "supervisor", "de"),
    StaffSpec("y.graf", "Yves Graf", "admin", "de"),
    StaffSpec("p.hofer", "Peter Hofer (Kabelnetz Nordwest)", "partner", "de", "KNU-NW"),
    StaffSpec("u.zaugg", "Ueli Zaugg (Regio Kabel Emmental)", "partner", "de", "KNU-EM"),
    StaffSpec("c.wenger", "Claudia Wenger (Gemeinschaftsantenne)", "partner", "de", "KNU-BE"),
    StaffSpec("t.bachmann", "Thomas Bachmann (KZO)", "partner", "de", "KNU-ZO"),
    StaffSpec("zhang.wei", "张伟（拉萨通信代理）", "partner", "zh", "CN-LS"),
    StaffSpec("d.orlov", "Дмитрий Орлов (Связь-Плюс)", "partner", "ru", "RU-SP"),
)

#: Agents who serve customers of each language (history authors).
AGENTS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "de": ("m.keller", "s.frei", "r.baumann"),
    "en": ("j.taylor", "m.keller", "s.frei"),
    "zh": ("l.wang", "h.chen"),
    "ru": ("i.petrova", "a.volkov"),
}
PARTNER_STAFF = {s.partner: s.login for s in STAFF if s.partner}

# --- names -------------------------------------------------------------------

DE_FIRST = (
    "Hans", "Peter", "Ursula", "Beat", "Reto", "Daniela", "Sandra", "Corinne", "Urs",
    "Ruedi", "Käthi", "Jürg", "Marco", "Nicole", "Simone", "Thomas", "Andrea", "Stefan",
    "Monika", "Lukas", "Lea", "Noah", "Mia", "Luca", "Elena", "Vreni", "Heidi", "Fritz",
    "Rahel", "Fabienne", "Adrian", "Matthias", "Barbara", "Priska", "Yves", "Chantal",
)  # fmt: skip
DE_LAST = (
    "Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Brändli", "Nussbaumer",
    "Zürcher", "Bühler", "Gerber", "Wyss", "Baumann", "Frei", "Steiner", "Moser", "Graf",
    "Sutter", "Egli", "Schär", "Hürlimann", "Bösch", "Tschanz", "Zbinden", "Lüthi",
    "Rüegg", "Aebischer", "Stämpfli", "Känzig", "Gysin", "Imhof", "Brunner", "Bieri",
    "Hänni", "Jost", "Kälin", "Marti", "Oberli", "Roth", "Vogt",
)  # fmt: skip
EN_FIRST = (
    "James", "Olivia", "Emily", "Oliver", "Charlotte", "Daniel", "Sarah", "Michael",
    "Grace", "Thomas", "Hannah", "Jack", "Sophie", "William", "Chloe", "Henry", "Amelia",
    "George", "Isla", "Ethan",
)  # fmt: skip
EN_LAST = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Clarke",
    "Walker", "Wright", "Robinson", "Hughes", "O'Brien", "Patel", "Murphy", "Thompson",
    "Fletcher", "MacLeod",
)  # fmt: skip
RU_FIRST_M = (
    "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Иван", "Николай", "Павел",
    "Владимир", "Юрий", "Артём", "Фёдор",
)  # fmt: skip
RU_FIRST_F = (
    "Ирина", "Ольга", "Наталья", "Елена", "Татьяна", "Анна", "Мария", "Светлана",
    "Екатерина", "Юлия", "Людмила", "Дарья",
)  # fmt: skip
#: Surnames in their masculine form; the feminine adds "а" (Смирнов -> Смирнова).
RU_LAST = (
    "Смирнов", "Иванов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
    "Новиков", "Морозов", "Петров", "Волков", "Фёдоров", "Орлов", "Ёлкин", "Васильев",
    "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов",
)  # fmt: skip
ZH_LAST = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "林", "高", "罗",
)  # fmt: skip
ZH_GIVEN = (
    "建国", "芳", "伟", "秀英", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "志强", "海燕", "春梅",
    "国华",
)  # fmt: skip
#: Tibetan names (customers of the Lhasa agent), written without a family name.
ZH_TIBETAN = ("扎西次仁", "索朗卓玛", "次仁多吉", "格桑拉姆", "达瓦顿珠", "尼玛央金", "旦增平措")


def person_name(rng: random.Random, language: str) -> str:
    """A realistic full name as it is written in ``language``."""
    if language == "de":
        return f"{rng.choice(DE_FIRST)} {rng.choice(DE_LAST)}"
    if language == "en":
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    if language == "ru":
        last = rng.choice(RU_LAST)
        if rng.random() < 0.5:
            return f"{rng.choice(RU_FIRST_F)} {last}а"
        return f"{rng.choice(RU_FIRST_M)} {last}"
    if language == "zh":
        if rng.random() < 0.15:
            return rng.choice(ZH_TIBETAN)
        return rng.choice(ZH_LAST) + rng.choice(ZH_GIVEN)
    raise ValueError(f"no names for language {language!r}")


# --- phone numbers ----------------------------------------------------------------

#: Mobile prefixes (after the country code) and how many digits follow.
MOBILE_PLANS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "CH": ("41", ("79", "76", "78", "77", "75"), 7),
    "CN": ("86", ("136", "138", "139", "135", "150", "151", "158", "159", "188"), 8),
    "RU": ("7", ("916", "926", "903", "905", "915", "985", "999", "961"), 7),
}


def mobile_number(rng: random.Random, country: str, taken: set[str]) -> str:
    """A new, valid E.164 mobile number of ``country`` not in ``taken`` (added to it)."""
    code, prefixes, digits = MOBILE_PLANS[country]
    while True:
        rest = "".join(str(rng.randrange(10)) for _ in range(digits))
        candidate = f"+{code}{rng.choice(prefixes)}{rest}"
        if candidate in taken:
            continue
        number = phonenumbers.parse(candidate)
        if phonenumbers.is_valid_number(number) and (
            phonenumbers.region_code_for_number(number) == country
        ):
            taken.add(candidate)
            return candidate


# --- tariffs --------------------------------------------------------------------


@dataclass(frozen=True)
class Tariff:
    name: str
    monthly_fee: Decimal
    data_mb: int | None  # None: unlimited
    minutes: int | None  # None: unlimited
    flat: bool = False  # subject to the fair-use policy
    rank: int = 0  # higher is more: an upgrade goes up, a downgrade down


def _t(name: str, fee: str, data: int | None, minutes: int | None, **kw: object) -> Tariff:
    return Tariff(name, Decimal(fee), data, minutes, **kw)  # type: ignore[arg-type]


TARIFFS: dict[str, tuple[Tariff, ...]] = {
    "CH": (
        _t("Mobile Talk", "29.00", 2048, 300, rank=1),
        _t("Smart Abo S", "35.00", 5120, None, rank=2),
        _t("Smart Abo M", "49.00", 10240, None, rank=3),
        _t("Smart Abo L", "69.00", 51200, None, rank=4),
        _t("Mobile Flat", "79.00", None, None, flat=True, rank=5),
    ),
    "CN": (
        _t("4G飞享套餐 38元", "38.00", 3072, 200, rank=1),
        _t("畅享套餐 58元", "58.00", 10240, 500, rank=2),
        _t("全球通无限量 128元", "128.00", None, None, flat=True, rank=3),
    ),
    "RU": (
        _t("Мой разговор", "350.00", 5120, 600, rank=1),
        _t("Тарифище", "650.00", 30720, 1000, rank=2),
        _t("Безлимит+", "990.00", None, None, flat=True, rank=3),
    ),
}
AIO_DISCOUNT = {"CH": Decimal("10.00"), "CN": Decimal("10.00"), "RU": Decimal("100.00")}


def flat_tariff(country: str) -> Tariff:
    return next(t for t in TARIFFS[country] if t.flat)


def tariff_named(country: str, name: str) -> Tariff:
    return next(t for t in TARIFFS[country] if t.name == name)


#: Bundles and promotions with an end date, by market.
BUNDLES: dict[str, tuple[tuple[str, Decimal | None], ...]] = {
    "CH": (
        ("Datenpaket Europa 5 GB", Decimal("15.00")),
        ("Aktion Mobile-TV 3 Monate gratis", None),
        ("Option Ausland Talk 100", Decimal("9.90")),
        ("Aktion Smart Abo -50% 12 Monate", None),
    ),
    "CN": (
        ("5元GPRS数据流量套餐", Decimal("5.00")),
        ("预存话费送手机活动", None),
        ("10元100M流量包", Decimal("10.00")),
    ),
    "RU": (
        ("Пакет интернета 10 ГБ", Decimal("200.00")),
        ("Акция «Домашний интернет в подарок»", None),
        ("Опция «Везде как дома»", Decimal("150.00")),
    ),
}
CURRENCY = {"CH": "CHF", "CN": "CNY", "RU": "RUB"}
