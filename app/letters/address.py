"""The window address of a letter, written the way the recipient's country writes it.

* Switzerland and most of Europe: street / postcode and city on one line
  (``Bahnhofstrasse 12`` / ``8001 Zürich``).
* Russia (Russian Post): street, house and flat / city / postcode, each on
  its own line.
* China: from the largest unit to the smallest, as Chinese envelopes and
  window statements do: postcode / city and street written together
  (``拉萨市北京东路88号``) / the name last, followed by ``收`` ("to be
  received by"), because a name alone gives no form of address.

A recipient abroad (seen from the operator's country) gets the country's
name as the last line, in capitals and in the letter's language (UPU:
destination country last). The result is the ``recipient`` of a letter
context: ``{"name", "lines", "name_at"}``, ``name_at`` being the line the
name goes to (0, the first, unless the country writes it later).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.i18n import babel_locale


class AddressError(ValueError):
    """The postal address is incomplete; ``missing`` names the fields."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"the postal address lacks {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True, slots=True)
class PostalAddress:
    street: str | None
    postcode: str | None
    city: str | None
    country: str | None  # ISO 3166 alpha-2

    def missing(self) -> list[str]:
        """The fields a letter cannot do without (a postcode may be absent)."""
        return [name for name in ("street", "city", "country") if not getattr(self, name)]


def window_address(
    name: str, address: PostalAddress, *, language: str, sender_country: str
) -> dict[str, Any]:
    """The recipient block of a letter to ``name`` at ``address``.

    Raises :class:`AddressError` naming the missing fields.
    """
    missing = address.missing()
    if missing:
        raise AddressError(missing)
    street, city = _clean(address.street), _clean(address.city)
    postcode = _clean(address.postcode)
    country = str(address.country).upper()
    name_at = 0
    if country == "CN":
        lines = [line for line in (postcode, f"{city}{street}") if line]
        name, name_at = f"{name} 收", len(lines)
    elif country == "RU":
        lines = [street, city, postcode]
    else:
        lines = [street, f"{postcode} {city}".strip()]
    lines = [line for line in lines if line]
    if country != sender_country.upper():
        lines.append(country_name(country, language).upper())
    return {"name": name, "lines": lines, "name_at": name_at}


def country_name(country: str, language: str) -> str:
    """``country`` (ISO code) named in ``language``: ``RU`` in German is ``Russland``."""
    return babel_locale(language).territories.get(country.upper(), country.upper())


def recipient_block(recipient: dict[str, Any]) -> tuple[str, ...]:
    """The lines in the window, top to bottom, from a context's ``recipient``."""
    lines = list(recipient.get("lines") or ())
    at = min(max(int(recipient.get("name_at") or 0), 0), len(lines))
    return (*lines[:at], recipient["name"], *lines[at:])


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())
