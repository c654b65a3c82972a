"""Everything the customer hears or reads exists in all four languages.

Playbook texts (what to say, titles, inputs, rule explanations), the SMS
templates and every letter template are checked in every shipped file, and
the three places that name the languages agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from app import i18n
from app.domain import playbook_schema
from app.domain.playbook_schema import Localized, Playbook
from app.letters import templates
from app.letters.operator import load_operator
from app.resources import resource_path
from app.services.playbooks import read_playbook

FOUR = {"de", "en", "ru", "zh"}
PLAYBOOK_FILES = sorted(resource_path("playbooks").glob("*.yaml"))
LETTER_DOCUMENTS = templates.document_ids()


def test_the_languages_are_named_the_same_everywhere() -> None:
    assert set(i18n.LANGUAGES) == FOUR
    assert set(playbook_schema.LANGUAGES) == FOUR
    assert set(templates.LANGUAGES) == FOUR
    assert set(i18n.CATALOG_FOLDERS) == FOUR


def _localized(node: object, place: str) -> Iterator[tuple[str, Localized]]:
    """Every :class:`Localized` text below ``node``, with where it is."""
    if isinstance(node, Localized):
        yield place, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _localized(getattr(node, name), f"{place}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _localized(value, f"{place}.{key}")
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _localized(value, f"{place}[{index}]")


@pytest.mark.parametrize("path", PLAYBOOK_FILES, ids=lambda p: p.name)
def test_every_playbook_text_and_sms_is_in_four_languages(path: Path) -> None:
    playbook: Playbook = read_playbook(path)
    texts = list(_localized(playbook, path.stem))
    assert len(texts) > 10, "the walk finds the playbook's texts"
    gaps = [
        f"{place}: {sorted(FOUR - {k for k, v in text.root.items() if v.strip()})}"
        for place, text in texts
        if {k for k, v in text.root.items() if v.strip()} != FOUR
    ]
    assert not gaps, "\n".join(gaps)
    for sms_id, text in playbook.sms.items():
        assert set(text.root) == FOUR, f"{path.name}: sms.{sms_id}"


def test_the_shipped_playbooks_have_sms_templates() -> None:
    templates_found = {
        f"{path.stem}.{sms_id}" for path in PLAYBOOK_FILES for sms_id in read_playbook(path).sms
    }
    assert len(templates_found) >= 2, templates_found


@pytest.mark.parametrize("document", LETTER_DOCUMENTS)
def test_every_letter_template_is_in_four_languages(document: str) -> None:
    template = templates.load_template(document)
    assert set(template.languages) == FOUR
    raw = yaml.safe_load(template.path.read_text(encoding="utf-8"))
    for language in FOUR:
        block = raw[language]
        for key in ("title", "subject", "body"):
            assert block.get(key), f"{template.path.name}: {language}.{key} is empty"


def test_shared_letter_texts_and_the_sender_exist_in_four_languages() -> None:
    assert len(LETTER_DOCUMENTS) >= 5
    common = yaml.safe_load(resource_path("letters", templates.COMMON_FILE).read_text("utf-8"))
    assert set(common) >= FOUR, f"common.yaml lacks {sorted(FOUR - set(common))}"
    names = {language: load_operator(language).country_name for language in FOUR}
    assert len(set(names.values())) == 4, names  # the country named in each language
