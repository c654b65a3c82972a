"""Document names: every document that has a letter file, titled as its file titles it."""

from __future__ import annotations

from functools import cache

from app.i18n import ui_language
from app.letters.sandbox import LetterTemplateError
from app.letters.templates import document_ids, read_template_file

#: Every document that has a letter file (``resources/letters/<document>.yaml``).
DOCUMENTS: tuple[str, ...] = document_ids()


def document_name(document: str, language: str | None = None) -> str:
    """The document's name in the agent's language, as its letter file titles it
    ("Welcome letter"); the id when the file cannot be read."""
    titles = _titles(document)
    return titles.get(language or ui_language()) or titles.get("en") or document


@cache
def _titles(document: str) -> dict[str, str]:
    """Language -> the title of ``document``'s letter file (read once)."""
    try:
        data = read_template_file(document)
    except LetterTemplateError:
        return {}
    return {
        language: text["title"]
        for language, text in data.items()
        if isinstance(text, dict) and isinstance(text.get("title"), str)
    }
