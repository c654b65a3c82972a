"""Small pieces the process guides share: facts that word themselves.

A fact value is usually plain (a date, an amount, a number) and the run
service formats it for the reader's language. Some values need words of
their own: a month ("März 2026"), a date spelled out in a sentence the agent
reads aloud ("30. April 2026"), a product or option worded by the playbook's
own label. :class:`Worded` carries both: ``str()`` is the plain value (what
conditions compare and letters freeze), ``format_for(language)`` the words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.playbook_schema import Localized, Playbook
from app.i18n import format_date


@dataclass(frozen=True)
class Worded:
    """A fact value that words itself per language; ``str()`` is its plain value
    (what conditions compare and letters freeze)."""

    plain: str
    words: Callable[[str], str]

    def format_for(self, language: str) -> str:
        return self.words(language)

    def __str__(self) -> str:
        return self.plain


def worded(plain: str, text: Localized | None) -> Worded:
    """``plain`` worded by ``text`` (the plain value itself when there is no text)."""
    if text is None:
        return Worded(plain, lambda _language: plain)
    return Worded(plain, text.get)


def fact_label(playbook: Playbook, key: str) -> Worded:
    """An id (a product, a charge kind) worded by the playbook's label of the fact of that name."""
    return worded(key, playbook.facts.get(key))


def option_label(playbook: Playbook, input_id: str, option_id: str) -> Worded:
    """A choice's option worded by its label in the playbook."""
    labels = {
        option.id: option.label
        for flow in playbook.flows
        for step in flow.steps
        for item in step.inputs
        if item.id == input_id
        for option in item.options
    }
    return worded(option_id, labels.get(option_id))


def long_date(value: date | None) -> Worded | None:
    """A date as said in a sentence: "30. April 2026", "30 апреля 2026 г.", "2026年4月30日";
    plain ISO for conditions and letters."""
    if value is None:
        return None
    return Worded(value.isoformat(), lambda language: format_date(value, language, "long"))


def month_key(day: date) -> str:
    """``2026-03`` for any day in March 2026 (the form of a fair-use subject)."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month_key(text: str) -> date | None:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None


def parse_iso_date(value: Any) -> date | None:
    """A date from a case fact (ISO text or a date); None when it is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
