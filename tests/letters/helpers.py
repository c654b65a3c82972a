"""Shared helpers of the letter tests: extracted text, key facts, fonts in a PDF."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from pypdf import PdfReader

from app.i18n import babel_locale, format_money
from app.letters.content import (
    BulletBlock,
    FactsBlock,
    LetterContent,
    SignatureBlock,
    TableBlock,
    TextBlock,
)
from app.letters.render import currency_for

LANGS = ("de", "en", "ru", "zh")


def pdf_text(pdf: bytes) -> str:
    """The text of ``pdf`` as pdftotext (poppler) extracts it."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def normalize(text: str, language: str) -> str:
    """Spaces unified (NBSP, line breaks); Chinese without any whitespace."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if language == "zh":
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


def money(amount: str, context: dict[str, Any], language: str) -> str:
    currency = currency_for(context["partner"]["country"])
    return format_money(Decimal(amount), currency, language)


def long_date(value: str, language: str) -> str:
    from datetime import date

    return format_date(date.fromisoformat(value), format="long", locale=babel_locale(language))


def rule_words(rule_id: str, language: str) -> str:
    """How the fair-use cover note words ``rule_id`` (its ``terms.rule``)."""
    from app.letters.templates import load_template

    return load_template("fair_use_partner_note").text(language).terms["rule"][rule_id]


def key_facts(document: str, language: str, context: dict[str, Any]) -> list[str]:
    """What a reader must find in the letter: names, dates and amounts in the locale's format."""
    d = lambda v: long_date(v, language)  # noqa: E731
    m = lambda v: money(v, context, language)  # noqa: E731
    facts = [context["recipient"]["name"], d(context["letter"]["date"])]
    if document != "fair_use_partner_note":
        facts.append(context["customer"]["customer_no"])
    c = context
    by_document = {
        "contract_cancellation": lambda: [
            d(c["cancellation"]["effective_date"]),
            d(c["cancellation"]["billed_until"]),
            m(c["device_plan"]["remaining_amount"]),
        ],
        "contract_change": lambda: [
            d(c["change"]["effective_date"]),
            m(c["change"]["new_monthly_fee"]),
            d(c["change"]["earliest_downgrade"]),
        ],
        "device_plan_agreement": lambda: [
            c["plan"]["plan_no"],
            m(c["plan"]["financed_amount"]),
            m(c["plan"]["instalment"]),
            m(c["plan"]["down_payment"]),
        ],
        "fair_use_migration": lambda: [
            d(c["decision"]["effective_date"]),
            m(c["decision"]["new_monthly_fee"]),
            c["decision"]["new_tariff"],
        ],
        "fair_use_termination": lambda: [d(c["decision"]["effective_date"])],
        "fair_use_partner_note": lambda: [
            c["customer"]["name"],
            c["ticket_no"],
            d(c["decision"]["effective_date"]),
            rule_words(c["decision"]["rule_ids"][0], language),  # worded, never the id
        ],
        "goodwill_credit": lambda: [
            m(c["goodwill"]["total"]),
            m("0.00"),
            m(c["months"][1]["out_of_bundle_data"]),
        ],
        "claim_acknowledgement": lambda: [c["claim"]["number"], d(c["claim"]["filed_on"])],
        "welcome": lambda: [
            m(c["subscription"]["monthly_fee"]),
            m(c["subscription"]["first_invoice"]),
            d(c["subscription"]["activation_date"]),
        ],
    }
    return facts + by_document[document]()


def shown_texts(content: LetterContent) -> list[tuple[str, bool]]:
    """Every text the letter sets, with whether it is set in the bold chain."""
    texts: list[tuple[str, bool]] = [(content.subject, True), (content.salutation, False)]
    for block in content.blocks:
        if isinstance(block, TextBlock):
            texts.append((block.text, block.kind == "heading"))
        elif isinstance(block, BulletBlock):
            texts += [(t, False) for t in block.items]
        elif isinstance(block, FactsBlock):
            for label, value in block.rows:
                texts += [(label, False), (value, True)]
        elif isinstance(block, TableBlock):
            texts += [(h, True) for h in block.headers]
            texts += [(v, False) for row in block.rows for v in row]
            texts += [(v, True) for v in block.total or ()]
        elif isinstance(block, SignatureBlock):
            texts += [(t, False) for pair in block.fields for t in pair]
    texts += [(content.closing, False)] + [(s, False) for s in content.signature]
    texts += [(line, False) for line in content.recipient]
    texts += [(t, False) for pair in content.info for t in pair]
    op = content.operator
    texts += [
        (content.date_line, False),
        (op.return_address, False),
        (op.name, True),
        (op.department, False),
        (op.country_name, False),
        (content.page_label(2, 3), False),
    ]
    texts += [
        (f"{label} {op.phone} {op.email} {op.web} {op.iban} {op.vat} {op.bank}", False)
        for label in content.footer.values()
    ]
    return texts


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Font name -> embedded (a /FontFile2 in its descriptor), for every font used."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, bool] = {}
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found
