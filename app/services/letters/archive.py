"""Reading issued letters back: exactly the archived bytes, or a refusal.

*Re-opening* reads the archived bytes back and refuses them if they no
longer match the recorded SHA-256, so what is shown is exactly what was
issued.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from app.config import data_dir
from app.i18n import _
from app.services.letters.records import (
    ArchiveTamperedError,
    LetterError,
    LetterInfo,
    letter_info,
    write_atomically,
)
from app.services.permissions import Action, require
from app.store.db import Database
from app.store.models import LetterStatus
from app.store.repositories import Letters


def get_letter(db: Database, letter_id: uuid.UUID) -> LetterInfo:
    with db.transaction() as session:
        row = Letters(session).get(letter_id)
        if row is None:
            raise LetterError(_("no letter {id}").format(id=letter_id))
        return letter_info(row)


def open_issued(db: Database, letter_id: uuid.UUID) -> bytes:
    """The archived PDF exactly as issued; :class:`ArchiveTamperedError` if it was changed."""
    info = get_letter(db, letter_id)
    if info.status != LetterStatus.ISSUED.value or not info.pdf_path or not info.sha256:
        raise LetterError(_("letter {id} has not been issued").format(id=letter_id))
    path = Path(info.pdf_path)
    if not path.is_absolute():
        path = data_dir() / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveTamperedError(
            _(
                "The archived letter cannot be read, so it is not shown. "
                "Tell IT: the file {path} is missing or unreadable."
            ).format(path=path),
            f"{path}: {exc}",
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != info.sha256:
        raise ArchiveTamperedError(
            _(
                "The archived letter was changed after it was issued, so it is not shown. "
                "Tell IT: the file {path} no longer matches its checksum."
            ).format(path=path),
            f"{path}: SHA-256 {actual}, recorded {info.sha256}",
        )
    return data


def save_issued_as(db: Database, letter_id: uuid.UUID, target: Path) -> Path:
    """Write the verified archived bytes to ``target`` ("Save as")."""
    write_atomically(target, open_issued(db, letter_id))
    return target


def letters_of_customer(db: Database, customer_id: uuid.UUID) -> list[LetterInfo]:
    require(db, Action.OPEN_CUSTOMERS)
    with db.transaction() as session:
        return [letter_info(r) for r in Letters(session).of_customer(customer_id)]
