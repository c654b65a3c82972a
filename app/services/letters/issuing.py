"""Issuing a requested letter: render it, archive the PDF, record it as issued.

*Issuing* renders the letter, stores the PDF under
``<data dir>/letters/YYYY/MM/<id>.pdf``, records its SHA-256, the template
version, who issued it and when, and appends a ``letter`` history entry, all
in one transaction (the file is removed again if the transaction fails).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.config import data_dir
from app.i18n import _
from app.letters.batch import Rendered, RenderJob, render_job
from app.services.identity import signature
from app.services.letters.records import (
    LetterError,
    LetterInfo,
    letter_info,
    letter_problem,
    write_atomically,
)
from app.services.letters.requests import request_letter, with_address, with_customer
from app.services.permissions import Action, require
from app.store.db import Database
from app.store.models import HistoryEntry, LetterStatus
from app.store.repositories import Customers, Letters, UnitOfWork
from app.store.types import utcnow

ARCHIVE_FOLDER = "letters"


def issue_letter(
    db: Database, letter_id: uuid.UUID, author: str, *, on: date | None = None
) -> LetterInfo:
    """Render a requested letter, archive the PDF and record it as issued."""
    require(db, Action.RECORD)
    author = signature(db, author)
    job = _job_in_own_transaction(db, letter_id, author, on)
    return record_issued(db, job, render_job(job), author)


def preview_requested(
    db: Database, letter_id: uuid.UUID, author: str, *, on: date | None = None
) -> bytes:
    """The PDF a requested letter becomes when ``author`` issues it ``on`` (today)."""
    job = _job_in_own_transaction(db, letter_id, author, on)
    rendered = render_job(job)
    if rendered.error:
        raise letter_problem(
            job.document, rendered.error, requesting=False, kind=rendered.error_kind
        )
    return rendered.pdf


def _job_in_own_transaction(
    db: Database, letter_id: uuid.UUID, author: str, on: date | None
) -> RenderJob:
    with db.transaction() as session:
        return issue_job(session, letter_id, author, on)


def issue_job(session: Session, letter_id: uuid.UUID, author: str, on: date | None) -> RenderJob:
    """What issuing ``letter_id`` renders: the frozen facts, the current address, today."""
    row = Letters(session).get(letter_id)
    if row is None:
        raise LetterError(_("no letter {id}").format(id=letter_id))
    if row.status == LetterStatus.ISSUED:
        raise LetterError(
            _("letter {id} was already issued on {date}").format(
                id=letter_id, date=f"{row.issued_at:%Y-%m-%d}"
            )
        )
    customer = Customers(session).get(row.customer_id)
    assert customer is not None
    context = with_customer(row.context or {}, customer)
    context = with_address(context, customer, row.document, row.language)
    letter = dict(context.get("letter") or {})
    letter.setdefault("date", (on or date.today()).isoformat())
    letter.setdefault("reference", f"L-{letter_id.hex[:8].upper()}")
    letter.setdefault("author", author)
    context["letter"] = letter
    return RenderJob(letter_id, row.document, row.language, context)


def record_issued(db: Database, job: RenderJob, rendered: Rendered, author: str) -> LetterInfo:
    """Archive a rendered letter and record it as issued, in one transaction.

    The file is written first and removed again if the transaction fails.
    """
    if rendered.error:
        raise letter_problem(
            job.document, rendered.error, requesting=False, kind=rendered.error_kind
        )
    letter_id, pdf = job.letter_id, rendered.pdf
    path: Path | None = None
    origin = db.origin  # read before the transaction: SQLite allows one writer at a time
    try:
        with UnitOfWork(db) as uow:
            now = utcnow()
            relative = Path(ARCHIVE_FOLDER, f"{now:%Y}", f"{now:%m}", f"{letter_id}.pdf")
            path = write_atomically(data_dir() / relative, pdf)
            digest = hashlib.sha256(pdf).hexdigest()
            changed = uow.letters.mark_issued(
                letter_id,
                template_version=rendered.template_version,
                issued_at=now,
                issued_by=author,
                pdf_path=relative.as_posix(),
                sha256=digest,
            )
            if not changed:
                raise LetterError(
                    _("letter {id} was issued meanwhile by someone else").format(id=letter_id)
                )
            row = uow.letters.get(letter_id)
            assert row is not None
            uow.history.append(
                HistoryEntry(
                    customer_id=row.customer_id,
                    case_id=row.case_id,
                    author=author,
                    created_at=now,
                    kind="letter",
                    text=_("Letter issued: %(title)s (%(language)s)")
                    % {"title": rendered.title, "language": job.language},
                    payload={
                        "letter_id": str(letter_id),
                        "document": job.document,
                        "language": job.language,
                        "sha256": digest,
                        "template_version": rendered.template_version,
                    },
                    rule_ids=_rule_ids(job.context),
                    origin=origin,
                )
            )
            uow.flush()
            uow.session.expire(row)
            info = letter_info(uow.letters.get(letter_id))  # type: ignore[arg-type]
            uow.commit()
        path = None  # committed: the file belongs to the archive now
        logging.getLogger("app.services.letters").info(
            "letter issued id=%s document=%s language=%s customer=%s",
            letter_id,
            job.document,
            job.language,
            info.customer_id,
        )
        return info
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


def issue_new(
    db: Database,
    *,
    customer_id: uuid.UUID,
    document: str,
    language: str,
    context: Mapping[str, Any],
    author: str,
    case_id: uuid.UUID | None = None,
) -> LetterInfo:
    """Request and issue in one go (the agent previewed the letter and issues it)."""
    requested = request_letter(
        db,
        customer_id=customer_id,
        document=document,
        language=language,
        context=context,
        author=author,
        case_id=case_id,
    )
    return issue_letter(db, requested.id, author)


def _rule_ids(context: Mapping[str, Any]) -> list[str]:
    for value in context.values():
        if isinstance(value, Mapping) and isinstance(value.get("rule_ids"), list):
            return [str(r) for r in value["rule_ids"]]
    return []
