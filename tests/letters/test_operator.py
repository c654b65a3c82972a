"""The sender of a letter is the operator's company in the partner's country.

The class of defect: a letter to a customer of a Chinese (or Russian)
partner carrying the Swiss letterhead, IBAN and VAT number. Every document,
in every language, is checked for the sender of the partner's country.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from app.letters.operator import OperatorConfigError, load_operator, operator_countries
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.templates import document_ids
from app.resources import resource_path
from tests.letters.helpers import LANGS, normalize, pdf_text

SWISS = load_operator("de")
SWISS_ONLY = (SWISS.iban, SWISS.vat, SWISS.street)


def test_every_partner_country_of_the_demo_and_samples_has_a_company() -> None:
    assert set(operator_countries()) >= {"CN", "RU"}
    for country in operator_countries():
        for language in LANGS:
            operator = load_operator(language, None, country)
            assert operator.country == country
            assert operator.vat and operator.bank and operator.phone
            assert operator.iban != SWISS.iban and operator.vat != SWISS.vat


@pytest.mark.parametrize("document", document_ids())
@pytest.mark.parametrize("country", ["CN", "RU", "CH"])
def test_the_sender_is_the_company_of_the_partners_country(document: str, country: str) -> None:
    language = {"CN": "zh", "RU": "ru", "CH": "en"}[country]
    context = copy.deepcopy(sample_context(document, language))
    context["partner"]["country"] = country
    text = normalize(pdf_text(render_letter(document, language, context)), language)
    operator = load_operator(language, None, country)
    assert normalize(operator.name, language) in text
    assert normalize(operator.vat, language) in text
    for swiss in SWISS_ONLY:
        assert (normalize(swiss, language) in text) == (country == "CH"), swiss


def test_a_chinese_letter_of_a_swiss_partner_keeps_the_swiss_sender() -> None:
    context = copy.deepcopy(sample_context("welcome", "zh"))
    context["partner"]["country"] = "CH"
    text = normalize(pdf_text(render_letter("welcome", "zh", context)), "zh")
    assert normalize(SWISS.iban, "zh") in text


def test_an_unknown_field_in_a_country_is_refused_naming_it(tmp_path: Path) -> None:
    source = resource_path("letters") / "operator.toml"
    raw = source.read_text(encoding="utf-8") + '\n[countries.FR]\nname = "X"\nfax = "1"\n'
    (tmp_path / "operator.toml").write_text(raw, encoding="utf-8")
    (tmp_path / "logo.png").write_bytes((resource_path("letters") / "logo.png").read_bytes())
    with pytest.raises(OperatorConfigError, match=r"countries\.FR: unknown field\(s\) fax"):
        load_operator("de", tmp_path, "FR")
    assert tomllib.loads(raw)["countries"]["FR"]["fax"] == "1"
