"""Stages, routes, products, months and document names are worded in one place: every
screen says what the to-do list says, and letters are named as their files title them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from app.i18n import LANGUAGES, format_month, set_ui_language, ui_language
from app.letters.sandbox import _filters
from app.letters.templates import read_template_file
from app.services.letters import DOCUMENTS, document_name
from app.services.playbooks import playbook_for
from app.services.rules import load_ruleset
from app.services.wording import product_words, route_words, stage_words
from app.ui.labels import product_label, stage_label


@pytest.fixture(params=sorted(LANGUAGES))
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = ui_language()
    set_ui_language(request.param)
    try:
        yield request.param
    finally:
        set_ui_language(before)


def test_the_customer_view_words_a_stage_as_the_to_do_list_does(language: str) -> None:
    rules = load_ruleset()
    for route in ("mass_incident", "consultation", "second_line", "retained", "claim"):
        assert stage_label("complaint", route) == route_words(route)
    flows = {flow.id for flow in playbook_for("onboarding").flows}
    for stage in [s for s in rules.onboarding.stages if s.id in flows]:
        assert stage_label("onboarding", stage.id) == stage_words("onboarding", stage.id)
        title = playbook_for("onboarding").flow(stage.id).title.get(language)
        assert stage_label("onboarding", stage.id) == title
    assert stage_label("fair_use", "2") == stage_words("fair_use", "2")
    for product in ("mobile_tv", "combo", "internet", "aio"):
        assert product_label(product) == product_words(product)
        assert product_label(product) == playbook_for("fair_use").facts[product].get(language)


def test_a_document_is_named_as_its_letter_file_titles_it(language: str) -> None:
    assert set(DOCUMENTS) >= {"welcome", "contract_change", "fair_use_migration"}
    for document in DOCUMENTS:
        title = read_template_file(document)[language]["title"]
        assert document_name(document) == title


def test_letters_word_a_month_as_the_one_month_format_does(language: str) -> None:
    month = _filters(language)["month"]
    for day in (date(2026, 3, 1), date(2026, 12, 31)):
        assert month(day) == format_month(day, language, in_sentence=False)
        assert format_month(day, language).rstrip(".") in month(day)
