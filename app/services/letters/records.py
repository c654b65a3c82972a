"""What every letter use case shares: the letter as callers see it, and its errors."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.i18n import _
from app.letters.address import AddressError
from app.letters.context import ContextError
from app.services.errors import ServiceError
from app.services.letters.names import document_name
from app.store.models import Letter


class LetterError(ServiceError):
    """A letter cannot be requested, issued or opened; the message says why.

    The message is a sentence in the agent's language; ``detail`` is the
    technical cause (file, placeholder) for whoever maintains the templates.
    """

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


def letter_problem(
    document: str, cause: Exception | str, *, requesting: bool, kind: str | None = None
) -> LetterError:
    """The agent's sentence for a letter that cannot be made from its facts or template.

    ``cause`` is the technical reason (a :class:`ContextError`, a template
    error, or its text with ``kind`` "context" or "template"); it is kept as
    the error's ``detail``.
    """
    name = document_name(document)
    if kind is None:
        kind = "context" if isinstance(cause, ContextError | AddressError) else "template"
    if kind == "context" and requesting:
        message = _(
            "The letter “{letter}” cannot be requested: some information it needs is "
            "missing. Check the answers of this step and the customer's data."
        )
    elif kind == "context":
        message = _(
            "The letter “{letter}” cannot be issued: it was requested without all the "
            "information it needs. Request it again from its process step."
        )
    else:
        message = _(
            "The letter “{letter}” cannot be made: its template has an error. "
            "Tell whoever maintains the letter templates."
        )
    return LetterError(message.format(letter=name), str(cause))


class ArchiveTamperedError(LetterError):
    """The archived PDF is missing or no longer matches its recorded SHA-256."""


@dataclass(frozen=True, slots=True)
class LetterInfo:
    """A letter as callers see it (requested or issued)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    document: str
    language: str
    status: str
    requested_at: datetime
    requested_by: str
    template_version: str | None
    issued_at: datetime | None
    issued_by: str | None
    pdf_path: str | None
    sha256: str | None


def letter_info(row: Letter) -> LetterInfo:
    return LetterInfo(
        id=row.id,
        customer_id=row.customer_id,
        case_id=row.case_id,
        document=row.document,
        language=row.language,
        status=str(row.status.value if hasattr(row.status, "value") else row.status),
        requested_at=row.requested_at,
        requested_by=row.requested_by,
        template_version=row.template_version,
        issued_at=row.issued_at,
        issued_by=row.issued_by,
        pdf_path=row.pdf_path,
        sha256=row.sha256,
    )


def write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path
