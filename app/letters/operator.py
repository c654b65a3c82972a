"""The sender of every letter: name, address, contacts, bank and logo, in one file.

``resources/letters/operator.toml`` holds the operator's details once; a
``[localized.<lang>]`` table may override any text field for one language
(a Chinese company name, say). Country names come from babel in the letter's
language, so the address reads "Schweiz", "Switzerland", "Швейцария", "瑞士".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from app.i18n import babel_locale
from app.resources import resource_path

OPERATOR_FILE = "operator.toml"


@dataclass(frozen=True, slots=True)
class Operator:
    """The operator's details as letters show them (one language)."""

    name: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166 code
    country_name: str
    phone: str
    email: str
    web: str
    vat: str
    register: str
    bank: str
    iban: str
    bic: str
    place: str
    department: str
    signature: str
    logo: Path | None
    colour: str

    @property
    def return_address(self) -> str:
        """The one-line sender above the window address (DIN 5008 return line)."""
        return f"{self.name} · {self.street} · {self.country}-{self.postcode} {self.city}"

    def placeholders(self) -> dict[str, str]:
        """The text fields templates may use as ``operator.<field>``."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), str)
        }


TEXT_FIELDS = (
    "name",
    "street",
    "postcode",
    "city",
    "country",
    "phone",
    "email",
    "web",
    "vat",
    "register",
    "bank",
    "iban",
    "bic",
    "place",
    "department",
    "signature",
    "colour",
)


class OperatorConfigError(ValueError):
    pass


@cache
def _raw(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OperatorConfigError(f"{path}: {exc}") from exc
    missing = [name for name in TEXT_FIELDS if not isinstance(data.get(name), str)]
    if missing:
        raise OperatorConfigError(f"{path}: missing text field(s): {', '.join(missing)}")
    return data


@cache
def load_operator(language: str, folder: Path | None = None) -> Operator:
    """The operator as a letter in ``language`` shows it."""
    base = folder or resource_path("letters")
    data = dict(_raw(base / OPERATOR_FILE))
    localized = data.get("localized", {}).get(language, {})
    unknown = set(localized) - set(TEXT_FIELDS)
    if unknown:
        raise OperatorConfigError(
            f"{base / OPERATOR_FILE}: localized.{language}: unknown field(s) "
            f"{', '.join(sorted(unknown))}"
        )
    data.update(localized)
    logo = data.get("logo")
    logo_path = (base / logo) if logo else None
    if logo_path is not None and not logo_path.is_file():
        raise OperatorConfigError(f"{base / OPERATOR_FILE}: logo {logo!r} not found")
    country = data["country"].upper()
    country_name = babel_locale(language).territories.get(country, country)
    values = {name: str(data[name]) for name in TEXT_FIELDS}
    values["country"] = country
    return Operator(**values, country_name=country_name, logo=logo_path)
