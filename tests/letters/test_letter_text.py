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
