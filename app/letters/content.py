"""What the page layout receives: a letter with every text already filled in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.letters.operator import Operator


@dataclass(frozen=True, slots=True)
class TextBlock:
    kind: str  # paragraph | heading
    text: str


@dataclass(frozen=True, slots=True)
class BulletBlock:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FactsBlock:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    aligns: tuple[str, ...]
    widths: tuple[float | None, ...]
    total: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    fields: tuple[tuple[str, str], ...]


LayoutBlock = TextBlock | BulletBlock | FactsBlock | TableBlock | SignatureBlock


@dataclass(frozen=True, slots=True)
class LetterContent:
    """A letter with every placeholder filled, ready to be set."""

    language: str
    title: str
    subject: str
    salutation: str
    blocks: tuple[LayoutBlock, ...]
    closing: str
    signature: tuple[str, ...]
    recipient: tuple[str, ...]  # name first, then the address lines
    info: tuple[tuple[str, str], ...]
    date_line: str
    operator: Operator
    footer: dict[str, str]
    page_label: Callable[[int, int], str]
    author: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)
