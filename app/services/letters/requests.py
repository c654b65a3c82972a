"""Requesting a letter: its facts frozen and checked now against its template.

A process step *requests* a letter (a ``Letter`` row with status
``requested`` and the facts it is filled from, frozen as JSON); the postal
address is filled in when it is issued. The preview renders a letter without
recording anything.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Mapping
from typing import Any

from babel.lists import format_list

from app.i18n import N_, _, babel_locale, ui_language
from app.letters.address import AddressError, PostalAddress, window_address
from app.letters.context import ContextError, to_json
from app.letters.operator import OperatorConfigError, load_operator
from app.letters.render import prepare_letter, render_letter
from app.letters.sandbox import LetterTemplateError
from app.letters.templates import letters_folder, load_template
from app.services.identity import signature
from app.services.letters.records import LetterError, LetterInfo, letter_info, letter_problem
from app.services.permissions import Action, check_customer, require
from app.store.db import Database
from app.store.models import Customer, Letter, LetterStatus, Partner
from app.store.repositories import UnitOfWork
from app.store.types import utcnow

#: Postal addresses of partners (for letters to a partner), by partner code.
PARTNERS_FILE = "partners.toml"

#: The parts of a postal address, as the agent reads them.
ADDRESS_FIELDS = {"street": N_("street"), "city": N_("city"), "country": N_("country")}

# --- preview -------------------------------------------------------------------------------


def preview_letter(document: str, language: str, context: Mapping[str, Any]) -> bytes:
    """The PDF a letter would be, without recording anything (for the preview pane)."""
    try:
        return render_letter(document, language, context)
    except (ContextError, LetterTemplateError, OperatorConfigError) as exc:
        raise letter_problem(document, exc, requesting=False) from exc


# --- request ----------------------------------------------------------------------------------


def request_letter(
    db: Database,
    *,
    customer_id: uuid.UUID,
    document: str,
    language: str,
    context: Mapping[str, Any],
    author: str,
    case_id: uuid.UUID | None = None,
) -> LetterInfo:
    """Record a requested letter with its frozen facts; checked now, issued later."""
    me = require(db, Action.RECORD)
    author = signature(db, author)
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise LetterError(_("unknown customer {id}").format(id=customer_id))
        check_customer(me, customer.partner_id, Action.RECORD)
        frozen = letter_request_context(customer, document, language, context)
        row = Letter(
            customer_id=customer_id,
            case_id=case_id,
            document=document,
            language=language,
            context=frozen,
            status=LetterStatus.REQUESTED,
            requested_at=utcnow(),
            requested_by=author,
        )
        uow.add(row)
        uow.flush()
        info = letter_info(row)
        uow.commit()
    return info


def letter_language(customer: Customer, document: str) -> str:
    """The language a letter is written in: the partner's for a letter to the partner
    (as its tickets are), the customer's otherwise."""
    try:
        to_partner = load_template(document).recipient == "partner"
    except LetterTemplateError as exc:
        raise letter_problem(document, exc, requesting=True) from exc
    partner: Partner | None = customer.partner
    if to_partner and partner is not None and partner.language:
        return str(partner.language)
    return str(customer.language)


def letter_request_context(
    customer: Customer,
    document: str,
    language: str,
    context: Mapping[str, Any],
    *,
    require_address: bool = True,
) -> dict[str, Any]:
    """The facts a request for ``document`` freezes, checked now against its template.

    Every placeholder the template needs must be there with the right type,
    or :class:`LetterError` says so in a sentence for the agent: a letter is
    never requested that its facts cannot fill. The postal address is read
    when the letter is issued (a customer may move meanwhile); with
    ``require_address`` false a customer without a complete one yet may still
    have a letter requested (a process step must not stall on it: issuing says
    it is missing). Every path that requests a letter goes through here.
    """
    frozen = to_json(with_customer(context, customer))
    letter = dict(frozen.get("letter") or {})
    letter.setdefault("reference", "L-00000000")
    letter.setdefault("author", "-")
    try:
        probe = {**with_address(frozen, customer, document, language), "letter": letter}
    except LetterError:
        if require_address:
            raise
        stand_in = {"name": customer.name, "lines": ["-"], "name_at": 0}
        probe = {**frozen, "recipient": frozen.get("recipient") or stand_in, "letter": letter}
    try:
        prepare_letter(document, language, probe)
    except (ContextError, LetterTemplateError, OperatorConfigError) as exc:
        raise letter_problem(document, exc, requesting=True) from exc
    return frozen


def with_customer(context: Mapping[str, Any], customer: Customer) -> dict[str, Any]:
    """``context`` with the customer's and partner's facts filled in where absent."""
    result = dict(context)
    result.setdefault(
        "customer",
        {"name": customer.name, "customer_no": customer.customer_no, "msisdn": customer.msisdn},
    )
    partner: Partner | None = customer.partner
    if partner is not None:
        result.setdefault("partner", {"name": partner.name, "country": partner.country})
    return result


def with_address(
    context: Mapping[str, Any], customer: Customer, document: str, language: str
) -> dict[str, Any]:
    """``context`` with the customer's postal address as recipient, when it names none.

    Only letters to the customer take it; the address is read when the letter
    is issued, so a customer who moved meanwhile gets it at the new address.
    """
    result = dict(context)
    if result.get("recipient"):
        return result
    try:
        to_customer = load_template(document).recipient == "customer"
    except LetterTemplateError as exc:
        raise letter_problem(document, exc, requesting=False) from exc
    partner: Partner | None = customer.partner
    partner_country = partner.country if partner is not None else None
    try:
        sender_country = load_operator(language, None, partner_country).country
    except OperatorConfigError as exc:
        raise letter_problem(document, exc, requesting=False) from exc
    if not to_customer:
        if partner is not None:
            result["recipient"] = partner_address(partner, language, sender_country)
        return result
    address = PostalAddress(
        customer.street, customer.postcode, customer.city, customer.country or partner_country
    )
    try:
        result["recipient"] = window_address(
            customer.name, address, language=language, sender_country=sender_country
        )
    except AddressError as exc:
        raise LetterError(
            _(
                "The letter cannot be issued: customer {number} has no complete postal "
                "address ({fields} missing). Import the customer's address, then issue it."
            ).format(
                number=customer.customer_no,
                fields=format_list(
                    [_(ADDRESS_FIELDS.get(f, f)) for f in exc.missing],
                    locale=babel_locale(ui_language()),
                ),
            ),
            str(exc),
        ) from exc
    return result


def partner_address(partner: Partner, language: str, sender_country: str) -> dict[str, Any]:
    """The recipient block of a letter to ``partner``.

    Partners' postal addresses are kept in ``resources/letters/partners.toml``
    by partner code; a partner without one gets its name (and its country,
    when abroad), so the letter still reaches it through the partner channel.
    """
    entry = _partner_addresses().get(partner.code) or {}
    address = PostalAddress(
        entry.get("street"), entry.get("postcode"), entry.get("city"), partner.country
    )
    try:
        return window_address(
            partner.name, address, language=language, sender_country=sender_country
        )
    except AddressError:
        lines = []
        if partner.country and partner.country.upper() != sender_country.upper():
            from app.letters.address import country_name

            lines.append(country_name(partner.country, language).upper())
        return {"name": partner.name, "lines": lines, "name_at": 0}


def _partner_addresses() -> dict[str, dict[str, str]]:
    path = letters_folder() / PARTNERS_FILE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LetterError(
            _("The partners' addresses cannot be read: {error}").format(error=exc)
        ) from exc
    return {
        str(code): {str(k): str(v) for k, v in entry.items()}
        for code, entry in data.items()
        if isinstance(entry, dict)
    }
