"""Letters waiting to be issued, and issuing many of them at once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.i18n import _
from app.letters.batch import RenderJob, render_all
from app.services.identity import signature
from app.services.letters.issuing import issue_job, record_issued
from app.services.letters.records import LetterError, LetterInfo, letter_info
from app.services.permissions import Action, require
from app.store.db import Database
from app.store.repositories import Letters


@dataclass(frozen=True, slots=True)
class BatchResult:
    issued: tuple[LetterInfo, ...]
    #: The letters that failed, each with its error (a sentence; ``detail`` the cause).
    failed: tuple[tuple[uuid.UUID, LetterError], ...]
    #: Stopped on request before every letter was issued (the rest stay requested).
    cancelled: bool = False


def requested_letters(
    db: Database, *, document: str | None = None, month: str | None = None
) -> list[LetterInfo]:
    """Letters waiting to be issued, oldest first; optionally one document or request month."""
    between = _month_bounds(month) if month else None
    with db.transaction() as session:
        rows = Letters(session).requested(document=document, between=between)
        return [letter_info(r) for r in rows]


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    from datetime import UTC

    try:
        if not re.fullmatch(r"(19|2[0-9])[0-9]{2}-[0-9]{2}", month):  # ASCII digits, 1900–2999
            raise ValueError(month)
        year, mon = (int(part) for part in month.split("-"))
        start = datetime(year, mon, 1, tzinfo=UTC)
    except ValueError:
        raise LetterError(
            _("not a month: {month} (expected YYYY-MM)").format(month=month)
        ) from None
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


ProgressFn = Callable[[int, int, uuid.UUID, LetterError | None], None]


def issue_batch(
    db: Database,
    letter_ids: list[uuid.UUID],
    author: str,
    progress: ProgressFn | None = None,
    *,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    on: date | None = None,
) -> BatchResult:
    """Issue each letter in its own transaction; one failure does not stop the rest.

    Letters are rendered in parallel on ``workers`` processes (default: every
    core; see :mod:`app.letters.batch`) and recorded here, in the order given.
    ``progress(done, total, letter_id, error)`` is called after each letter
    (``error`` is the :class:`LetterError` of a letter that failed, else None);
    once ``should_stop()`` is true no further letter is issued and the result
    says ``cancelled`` (the rest stay requested).
    """
    require(db, Action.RECORD)
    author = signature(db, author)
    issued: list[LetterInfo] = []
    failed: list[tuple[uuid.UUID, LetterError]] = []
    total = len(letter_ids)
    done = 0

    def report(letter_id: uuid.UUID, error: LetterError | None) -> None:
        nonlocal done
        done += 1
        if error is not None:
            failed.append((letter_id, error))
        if progress is not None:
            progress(done, total, letter_id, error)

    jobs: list[RenderJob] = []
    problems: dict[uuid.UUID, LetterError] = {}
    with db.transaction() as session:
        for letter_id in letter_ids:
            try:
                jobs.append(issue_job(session, letter_id, author, on))
            except LetterError as exc:
                problems[letter_id] = exc
    stopped = False
    pending = render_all(jobs, workers=workers, should_stop=should_stop)
    for letter_id in letter_ids:
        if should_stop is not None and should_stop():
            stopped = True
            break
        if letter_id in problems:
            report(letter_id, problems[letter_id])
            continue
        item = next(pending, None)
        if item is None:  # the renderer stopped on request
            stopped = True
            break
        job, rendered = item
        try:
            issued.append(record_issued(db, job, rendered, author))
        except LetterError as exc:
            report(letter_id, exc)
        else:
            report(letter_id, None)
    pending.close()  # stops the workers if the batch ended early
    return BatchResult(tuple(issued), tuple(failed), cancelled=stopped)
