"""What the history browser loads off the GUI thread: pages, filter choices, and
the words of processes and stages (read from the playbooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import _
from app.services import history_browser as hb
from app.services.history_browser import Cursor, FilterChoices, HistoryFilter, Page
from app.store.search import SearchCancel

if TYPE_CHECKING:
    from app.store.db import Database

#: (process, stage) -> how the table words them.
Words = dict[tuple[str | None, str | None], tuple[str, str]]


def process_words(process: str | None) -> str:
    """A process's name as the agent reads it ("Fair use"), else its id."""
    from app.processes import spec_of

    if not process:
        return ""
    spec = spec_of(process)
    return _(spec.label) if spec is not None and spec.label else process


def words_for(pairs: set[tuple[str | None, str | None]]) -> Words:
    """The words of these (process, stage) pairs (worker thread: reads the playbooks)."""
    from app.services.playbooks import load_all
    from app.services.wording import stage_words

    load_all()
    return {
        (process, stage): (
            process_words(process),
            stage_words(process or "", stage) if stage else "",
        )
        for process, stage in pairs
    }


def load_page(
    db: Database, flt: HistoryFilter, after: Cursor | None, limit: int, cancel: SearchCancel
) -> tuple[Page, Words]:
    """A page and the words of its processes and stages (worker thread)."""
    page = hb.browse_page(db, flt, after, None, limit, cancel)
    return page, words_for({(r.process, r.stage) for r in page.rows})


def load_choices(db: Database) -> tuple[FilterChoices, Words]:
    """The filter choices and the words of their processes and stages (worker thread)."""
    choices = hb.filter_choices(db)
    pairs: set[tuple[str | None, str | None]] = {(p, None) for p in choices.processes}
    pairs |= set(choices.process_stages)
    return choices, words_for(pairs)
