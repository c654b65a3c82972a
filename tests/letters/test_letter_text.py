"""What a reader sees in every letter, in every language: no typographic slips.

The class of defect: a placeholder's formatted value ending in a full stop
("31 марта 2026 г.") followed by the sentence's own ("г.."), in any document.
"""

from __future__ import annotations

import re

import pytest

from app.letters.content import BulletBlock, FactsBlock, LetterContent, TableBlock, TextBlock
from app.letters.render import prepare_letter
from app.letters.samples import sample_context
from app.letters.templates import document_ids
from tests.letters.helpers import LANGS

DOUBLED_STOP = re.compile(r"[^\W\d_]\.\.(?!\.)")


def _texts(content: LetterContent) -> list[str]:
    texts = [content.title, content.subject, content.salutation, content.closing]
    texts += [content.date_line, *content.signature]
    for block in content.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, BulletBlock):
            texts += block.items
        elif isinstance(block, FactsBlock):
            texts += [value for _label, value in block.rows]
        elif isinstance(block, TableBlock):
            texts += [cell for row in block.rows for cell in row]
    return texts


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("document", document_ids())
def test_no_full_stop_is_doubled(document: str, language: str) -> None:
    content = prepare_letter(document, language, sample_context(document, language))
    slips = [m.group() for t in _texts(content) for m in DOUBLED_STOP.finditer(t)]
    assert slips == []
    assert any(t.strip() for t in _texts(content))


def _fair_use_rule_ids() -> list[str]:
    """Every rule id of the fair-use rule file (what a stage-3 decision may cite)."""
    import tomllib

    from app.resources import resource_path

    text = (resource_path("rules") / "fair_use.toml").read_text(encoding="utf-8")
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("id", "rule_id") and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tomllib.loads(text))
    found |= set(re.findall(r"\bfair_use\.[a-z0-9_.]+[a-z0-9]", text))
    return sorted(i for i in found if i.startswith("fair_use.") and ".stage.0." not in i)


@pytest.mark.parametrize("language", LANGS)
def test_the_partner_note_words_every_rule_it_cites(language: str) -> None:
    """No rule id ("fair_use.stage.3.third_month") in a letter to a partner: each is worded."""
    rule_ids = [i for i in _fair_use_rule_ids() if not re.search(r"stage\.[12]\.", i)]
    assert "fair_use.measure.migration" in rule_ids
    context = sample_context("fair_use_partner_note", language)
    context["decision"] = {**context["decision"], "rule_ids": rule_ids}
    content = prepare_letter("fair_use_partner_note", language, context)
    leaked = [t for t in _texts(content) if "fair_use." in t]
    assert leaked == []
