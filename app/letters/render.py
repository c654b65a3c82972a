"""From document, language and context to PDF bytes; no database, no files written.

:func:`render_letter` is the whole pipeline: load the (cached) template, check
and type the context, fill every text in the sandbox, set the page. The
currency of amounts follows the partner's country (babel's territory
currencies), not the letter's language, unless the context names one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from babel.numbers import get_territory_currencies
from jinja2 import TemplateError

from app.letters.address import recipient_block
from app.letters.content import (
    BulletBlock,
    FactsBlock,
    LayoutBlock,
    LetterContent,
    SignatureBlock,
    TableBlock,
    TextBlock,
)
from app.letters.context import ContextError, coerce
from app.letters.operator import load_operator
from app.letters.sandbox import LetterTemplateError
from app.letters.templates import (
    Bullets,
    Facts,
    Heading,
    LetterTemplate,
    Paragraph,
    Signatures,
    Table,
    load_template,
)


def build_pdf(content: LetterContent) -> bytes:
    """The letter as PDF bytes; reportlab is imported on the first letter, not on start."""
    from app.letters.layout import build_pdf as build

    return build(content)


__all__ = ["ContextError", "LetterTemplateError", "currency_for", "prepare_letter", "render_letter"]


def currency_for(country: str, on: date | None = None) -> str:
    """The currency of ``country`` (ISO 3166 code) on ``on``: ``CH`` -> ``CHF``."""
    currencies = get_territory_currencies(country.upper(), start_date=on or date.today())
    if not currencies:
        raise ContextError("partner.country", f"no currency known for country {country!r}")
    return str(currencies[0])


def render_letter(
    document: str, language: str, context: Mapping[str, Any], *, folder: Path | None = None
) -> bytes:
    """The letter ``document`` in ``language`` filled from ``context``, as PDF bytes.

    Raises :class:`ContextError` naming a missing or mistyped placeholder and
    :class:`LetterTemplateError` for a template that cannot be used.
    """
    return build_pdf(prepare_letter(document, language, context, folder=folder))


def prepare_letter(
    document: str, language: str, context: Mapping[str, Any], *, folder: Path | None = None
) -> LetterContent:
    """Every text of the letter filled in, before it is set on pages."""
    template = load_template(document, folder)
    text = template.text(language)
    raw = dict(context)
    letter = dict(raw.get("letter") or {})
    letter.setdefault("date", date.today())
    raw["letter"] = letter
    ctx = coerce(template.schema, raw, template.term_keys)
    if not ctx.get("currency"):
        ctx["currency"] = currency_for(ctx["partner"]["country"], ctx["letter"]["date"])
    operator = load_operator(language, folder, ctx["partner"]["country"])
    scope = {**ctx, "operator": operator.placeholders(), "terms": text.terms}
    fill = _Filler(template, language, scope)
    recipient = ctx["recipient"]
    return LetterContent(
        language=language,
        title=fill(text.title, "title"),
        subject=fill(text.subject, "subject"),
        salutation=fill(text.salutation, "salutation"),
        blocks=tuple(b for i, block in enumerate(text.body) if (b := fill.block(block, i))),
        closing=fill(text.closing, "closing"),
        signature=tuple(s for i, t in enumerate(text.signature) if (s := fill(t, "signature"))),
        recipient=recipient_block(recipient),
        info=tuple((fill(a, "info"), fill(b, "info")) for a, b in text.info),
        date_line=fill(text.date_line, "date_line"),
        operator=operator,
        footer=dict(text.footer),
        page_label=lambda page, pages: text.page_label.render(page=page, pages=pages),
        author=ctx["letter"].get("author") or "",
        keywords=(template.id, f"v{template.version}", language),
    )


#: A sentence's full stop right after an abbreviation's (a Russian date ends in "г.")
#: is one too many: "31 марта 2026 г.." reads "31 марта 2026 г.". An ellipsis stays.
_DOUBLED_STOP = re.compile(r"(?<=[^\W\d_]\.)\.(?!\.)")
#: Whitespace between two CJK characters (a line break folded by YAML) is not a space.
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])")


class _Filler:
    """Renders a template's compiled texts with one letter's values."""

    def __init__(self, template: LetterTemplate, language: str, scope: dict[str, Any]) -> None:
        self.where = f"{template.path.name}, {language}"
        self.scope = scope
        self.cjk = language == "zh"

    def __call__(self, compiled: Any, place: str, scope: Mapping[str, Any] | None = None) -> str:
        try:
            text = str(compiled.render(scope or self.scope)).strip()
        except TemplateError as exc:
            raise LetterTemplateError(f"{self.where}, {place}: {exc}") from exc
        text = _DOUBLED_STOP.sub("", text)
        return _CJK_GAP.sub("", text) if self.cjk else text

    def block(self, block: Any, index: int) -> LayoutBlock | None:
        place = f"body[{index}]"
        if block.when is not None and not self(block.when, f"{place}.when"):
            return None
        if isinstance(block, Paragraph | Heading):
            value = self(block.text, place)
            kind = "heading" if isinstance(block, Heading) else "paragraph"
            return TextBlock(kind, value) if value else None
        if isinstance(block, Bullets):
            items = tuple(v for t in block.items if (v := self(t, place)))
            return BulletBlock(items) if items else None
        if isinstance(block, Facts):
            rows = tuple((self(a, place), v) for a, b in block.rows if (v := self(b, place)))
            return FactsBlock(rows) if rows else None
        if isinstance(block, Signatures):
            return SignatureBlock(tuple((self(a, place), self(b, place)) for a, b in block.fields))
        assert isinstance(block, Table)
        return self.table(block, place)

    def table(self, block: Table, place: str) -> TableBlock:
        rows: Any = self.scope
        for part in block.rows.split("."):
            rows = rows[part] if rows is not None else None
        body = []
        for row in rows or []:
            row_scope = {**self.scope, "row": row}
            body.append(tuple(self(c.value, place, row_scope) for c in block.columns))
        return TableBlock(
            headers=tuple(self(c.header, place) for c in block.columns),
            rows=tuple(body),
            aligns=tuple(c.align for c in block.columns),
            widths=tuple(c.width for c in block.columns),
            total=tuple(self(t, place) for t in block.total) if block.total else None,
        )
