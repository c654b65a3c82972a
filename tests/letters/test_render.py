"""Every document renders in every language, with the facts, glyphs and fonts it needs."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.letters.fonts import font_runs, font_set, missing_glyphs
from app.letters.render import prepare_letter, render_letter
from app.letters.samples import sample_context
from app.letters.templates import document_ids
from tests.letters.helpers import (
    LANGS,
    embedded_fonts,
    key_facts,
    normalize,
    pdf_text,
    shown_texts,
)

DOCUMENTS = (
    "claim_acknowledgement",
    "contract_cancellation",
    "contract_change",
    "device_plan_agreement",
    "fair_use_migration",
    "fair_use_partner_note",
    "fair_use_termination",
    "goodwill_credit",
    "welcome",
)


def test_the_nine_documents_have_templates() -> None:
    assert document_ids() == DOCUMENTS


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_letter_renders_with_key_facts_glyphs_and_embedded_fonts(
    document: str, language: str
) -> None:
    context = sample_context(document, language)
    pdf = render_letter(document, language, context)
    assert pdf.startswith(b"%PDF-")

    text = normalize(pdf_text(pdf), language)
    for fact in key_facts(document, language, context):
        assert normalize(fact, language) in text, f"{fact!r} missing in {document}.{language}"

    content = prepare_letter(document, language, context)
    fonts = font_set(language)
    for shown, bold in shown_texts(content):
        for font, run in font_runs(shown, fonts.chain(bold=bold)):
            assert not missing_glyphs(run, font), (document, language, font, run)

    used = embedded_fonts(pdf)
    assert used, "no fonts found"
    assert all(used.values()), f"not embedded: {[n for n, e in used.items() if not e]}"


def test_amounts_follow_the_partner_country_not_the_language() -> None:
    de = normalize(
        pdf_text(render_letter("goodwill_credit", "de", sample_context("goodwill_credit", "de"))),
        "de",
    )
    assert "CHF 168.82" in de
    ru = normalize(
        pdf_text(render_letter("goodwill_credit", "ru", sample_context("goodwill_credit", "ru"))),
        "ru",
    )
    assert "168,82 ₽" in ru
    zh = normalize(
        pdf_text(render_letter("goodwill_credit", "zh", sample_context("goodwill_credit", "zh"))),
        "zh",
    )
    assert "¥168.82" in zh
    # An English customer of a Swiss partner is billed in francs, in English format.
    en = normalize(
        pdf_text(render_letter("goodwill_credit", "en", sample_context("goodwill_credit", "en"))),
        "en",
    )
    assert "CHF 168.82" in en
    # And German text for a Russian partner shows roubles in Swiss German format.
    context = sample_context("goodwill_credit", "de")
    context["partner"] = {"name": "ООО «Связь-Партнёр»", "country": "RU"}
    text = normalize(pdf_text(render_letter("goodwill_credit", "de", context)), "de")
    assert "RUB 168.82" in text


def test_goodwill_table_shows_every_month_and_the_total() -> None:
    content = prepare_letter("goodwill_credit", "de", sample_context("goodwill_credit", "de"))
    table = next(b for b in content.blocks if hasattr(b, "headers"))
    assert [row[0] for row in table.rows] == ["Januar 2026", "Februar 2026"]
    assert [row[-1] for row in table.rows] == ["CHF\xa00.00", "CHF\xa0168.82"]
    assert table.total[-1] == "CHF\xa0168.82"


def test_a_glyph_missing_from_the_main_font_falls_back_to_one_that_has_it() -> None:
    assert missing_glyphs("₽", "WenQuanYi") == {"₽"}
    assert missing_glyphs("₽", "DejaVuSans") == set()
    assert missing_glyphs("王芳", "DejaVuSans") == {"王", "芳"}
    runs = font_runs("余额 168,82 ₽", font_set("zh").chain())
    assert runs[-1] == ("DejaVuSans", "₽")
    # A Chinese letter quoting a rouble amount embeds DejaVu for the rouble sign.
    context = sample_context("claim_acknowledgement", "zh")
    context["claim"]["summary"] = "余额 168,82 ₽ 却被停机"
    pdf = render_letter("claim_acknowledgement", "zh", context)
    fonts = embedded_fonts(pdf)
    assert any("DejaVuSans" in name for name in fonts)
    assert all(fonts.values())
    # A German letter to a customer with a Chinese name sets the name in WenQuanYi.
    context = sample_context("welcome", "de")
    context["recipient"] = {"name": "王芳", "lines": ["Seestrasse 1", "8706 Meilen"]}
    pdf = render_letter("welcome", "de", context)
    assert any("WenQuanYi" in name for name in embedded_fonts(pdf))
    assert "王芳" in pdf_text(pdf)


def test_multi_page_letter_numbers_its_pages_and_a_single_page_does_not() -> None:
    pdf = render_letter(
        "device_plan_agreement", "de", sample_context("device_plan_agreement", "de")
    )
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 2
    for number in range(1, pages + 1):
        assert f"Seite {number} von {pages}" in reader.pages[number - 1].extract_text()
    single = render_letter(
        "claim_acknowledgement", "de", sample_context("claim_acknowledgement", "de")
    )
    assert len(PdfReader(io.BytesIO(single)).pages) == 1
    assert "Seite 1" not in pdf_text(single)


def test_pages_are_a4() -> None:
    pdf = render_letter("welcome", "zh", sample_context("welcome", "zh"))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_rendering_is_reproducible() -> None:
    context = sample_context("contract_change", "ru")
    assert render_letter("contract_change", "ru", context) == render_letter(
        "contract_change", "ru", context
    )


def test_address_sits_in_the_envelope_window() -> None:
    """The recipient's lines lie inside the DIN 5008 window (20/45 mm, 85 x 45 mm)."""
    pdf = render_letter("welcome", "en", sample_context("welcome", "en"))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    positions: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            positions.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    mm = 72 / 25.4
    height = float(page.mediabox.height)
    for line in ("Mr James O'Connor", "Dorfstrasse 5", "8802 Kilchberg"):
        x, y = next((x, y) for text, x, y in positions if text == line)
        assert 20 * mm <= x <= 105 * mm, line
        assert 45 * mm <= height - y <= 90 * mm, line


def test_optional_device_plan_rows_disappear_when_there_is_none() -> None:
    context = sample_context("contract_cancellation", "en")
    del context["device_plan"]
    context["cancellation"]["billed_until"] = None
    text = normalize(pdf_text(render_letter("contract_cancellation", "en", context)), "en")
    assert "Device plan" not in text
    assert "no further fees" in text
    assert str(Decimal("456.00")) not in text
