"""The sender of every letter: name, address, contacts, bank and logo, in one file.

``resources/letters/operator.toml`` holds the operator's details once; a
``[localized.<lang>]`` table may override any text field for one language
(a Chinese company name, say). The operator trades through a company of its
own in each partner country: a ``[countries.<CC>]`` table gives that
company's details (address, VAT number, bank) and may have its own
``[countries.<CC>.localized.<lang>]``, so a letter to a customer of a Chinese
partner is sent by the Chinese company, whatever its language. A field left
empty (``iban = ""`` where there is no IBAN) is left out of the footer.
Country names come from babel in the letter's language, so the address reads
"Schweiz", "Switzerland", "Швейцария", "瑞士".
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
    countries = data.get("countries", {})
    if not isinstance(countries, dict):
        raise OperatorConfigError(f"{path}: countries: expected tables [countries.<CC>]")
    for code, table in countries.items():
        if not isinstance(table, dict) or len(code) != 2 or not code.isupper():
            raise OperatorConfigError(f"{path}: countries.{code}: expected a table per ISO code")
        _check_fields(path, f"countries.{code}", table, allowed=frozenset({"localized"}))
        for lang, texts in (table.get("localized") or {}).items():
            _check_fields(path, f"countries.{code}.localized.{lang}", texts)
    for lang, texts in (data.get("localized") or {}).items():
        _check_fields(path, f"localized.{lang}", texts)
    return data


def _check_fields(
    path: Path, where: str, table: Any, allowed: frozenset[str] = frozenset()
) -> None:
    if not isinstance(table, dict):
        raise OperatorConfigError(f"{path}: {where}: expected a table")
    unknown = set(table) - set(TEXT_FIELDS) - allowed
    if unknown:
        raise OperatorConfigError(f"{path}: {where}: unknown field(s) {', '.join(sorted(unknown))}")
    wrong = [k for k, v in table.items() if k not in allowed and not isinstance(v, str)]
    if wrong:
        raise OperatorConfigError(f"{path}: {where}: not text: {', '.join(sorted(wrong))}")


def operator_countries(folder: Path | None = None) -> tuple[str, ...]:
    """The countries with a company of their own (besides the main one)."""
    base = folder or resource_path("letters")
    return tuple(sorted(_raw(base / OPERATOR_FILE).get("countries", {})))


@cache
def load_operator(
    language: str, folder: Path | None = None, country: str | None = None
) -> Operator:
    """The operator as a letter in ``language`` shows it, sent to a customer in ``country``.

    ``country`` is the partner's country (ISO code): the operator's company
    there is the sender; a country without a company of its own gets the main one.
    """
    base = folder or resource_path("letters")
    raw = _raw(base / OPERATOR_FILE)
    data = dict(raw)
    data.update((raw.get("localized") or {}).get(language, {}))
    own = (raw.get("countries") or {}).get((country or "").upper())
    if own is not None:
        data.update({k: v for k, v in own.items() if k != "localized"})
        data.update((own.get("localized") or {}).get(language, {}))
    logo = data.get("logo")
    logo_path = (base / logo) if logo else None
    if logo_path is not None and not logo_path.is_file():
        raise OperatorConfigError(f"{base / OPERATOR_FILE}: logo {logo!r} not found")
    sender = data["country"].upper()
    country_name = babel_locale(language).territories.get(sender, sender)
    values = {name: str(data[name]) for name in TEXT_FIELDS}
    values["country"] = sender
    return Operator(**values, country_name=country_name, logo=logo_path)
