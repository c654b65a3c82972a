"""Partners and customers files."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from app.i18n import _
from app.services.importing.base import Handler, reject
from app.services.importing.cells import (
    Column,
    integer_range,
    list_of,
    one_of,
    parse_bool,
    parse_country,
    parse_date,
    text,
)
from app.store.models import LANGUAGES, PRODUCTS, Customer, CustomerSearchTerm, Partner
from app.store.search import name_terms, normalize_msisdn


class Partners(Handler):
    kind = "partners"
    columns = (
        Column("code", text(32), required=True),
        Column("name", text(200), required=True),
        Column("country", parse_country, default="CH"),
        Column("language", one_of(LANGUAGES), default="de"),
    )
    key = ("code",)

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        codes = {row["code"] for row in rows}
        self.partners = self.store.partners_by_code(codes)

    def find(self, values: dict[str, Any]) -> Partner | None:
        return self.partners.get(values["code"])

    def current(self, record: Partner) -> dict[str, Any]:
        return {"name": record.name, "country": record.country, "language": record.language}

    def create(self, values: dict[str, Any]) -> Partner:
        partner = Partner(id=uuid.uuid4(), **values)
        self.session.add(partner)
        self.partners[partner.code] = partner
        return partner

    def customer_of(self, record: Any) -> None:
        return None

    def subject(self, values: dict[str, Any]) -> str:
        return _("Partner {code}").format(code=values["code"])


class Customers(Handler):
    kind = "customers"
    columns = (
        Column("customer_no", text(32), required=True),
        Column("msisdn", text(40), required=True),
        Column("name", text(200), required=True),
        Column("language", one_of(LANGUAGES), required=True),
        Column("partner", text(32), required=True),
        Column("customer_value", integer_range(1, 4), default=1),
        Column("vip", parse_bool, default=False),
        Column("vip_rated", parse_date),
        Column("products", list_of(PRODUCTS), default=[]),
        Column("activation_date", parse_date),
        # Postal address for letters (an extension of the published format).
        Column("street", text(200)),
        Column("postcode", text(16)),
        Column("city", text(100)),
        Column("country", parse_country),
    )
    key = ("customer_no",)

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # Partners are few: load them once, by code and by id.
        partners = self.store.partner_keys()
        self.partner_by_code = {code: (pid, country) for pid, code, country in partners}
        self.partner_code = {pid: code for pid, code, _country in partners}

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        numbers = {row["customer_no"] for row in rows}
        self.customers = self.store.customers_by_no(numbers)

    def find(self, values: dict[str, Any]) -> Customer | None:
        code = values["partner"]
        if code not in self.partner_by_code:
            reason = _("unknown partner {code!r}").format(code=code)
            raise reject("partner", self.ctx.unknown(reason, "partners"))
        _pid, country = self.partner_by_code[code]
        raw = values["msisdn"]
        try:
            values["msisdn"] = normalize_msisdn(raw, country)
        except ValueError:
            raise reject(
                "msisdn",
                _("{value!r} is not a valid phone number (default country {country})").format(
                    value=raw, country=country
                ),
            ) from None
        return self.customers.get(values["customer_no"])

    def current(self, record: Customer) -> dict[str, Any]:
        return {
            "msisdn": record.msisdn,
            "name": record.name,
            "language": record.language,
            "partner": self.partner_code.get(record.partner_id),
            "customer_value": record.customer_value,
            "vip": record.vip,
            "vip_rated": record.vip_rated,
            "products": list(record.products or []),
            "activation_date": record.activation_date,
            "street": record.street,
            "postcode": record.postcode,
            "city": record.city,
            "country": record.country,
        }

    def create(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new customer, inserted in bulk with its search terms.

        This is the bulk of a customer import, so it bypasses the ORM and
        does here what the model does on flush: the folded name and its terms.
        """
        row = {k: v for k, v in values.items() if k != "partner"}
        row.update(
            id=uuid.uuid4(),
            partner_id=self.partner_by_code[values["partner"]][0],
            search_name=values["name"].casefold()[:200],
        )
        self.ctx.insert(Customer.__table__, row)  # type: ignore[arg-type]
        for term in sorted(name_terms(values["name"])):
            self.ctx.insert(
                CustomerSearchTerm.__table__,  # type: ignore[arg-type]
                {"customer_id": row["id"], "term": term, "sort_key": row["search_name"]},
            )
        return row

    def assign(self, record: Customer, changes: dict[str, Any]) -> None:
        for column, value in changes.items():
            if column == "partner":
                record.partner_id = self.partner_by_code[value][0]
            else:
                setattr(record, column, value)

    def customer_of(self, record: Customer | dict[str, Any]) -> uuid.UUID:
        return record["id"] if isinstance(record, dict) else record.id

    def subject(self, values: dict[str, Any]) -> str:
        return _("Customer {number}").format(number=values["customer_no"])
