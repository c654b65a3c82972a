"""Letters as use cases: request, preview, issue, archive, re-open.

A process step *requests* a letter (a ``Letter`` row with status
``requested`` and the facts it is filled from, frozen as JSON). *Issuing*
renders it, stores the PDF under ``<data dir>/letters/YYYY/MM/<id>.pdf``,
records its SHA-256, the template version, who issued it and when, and
appends a ``letter`` history entry, all in one transaction (the file is
removed again if the transaction fails). *Re-opening* reads the archived
bytes back and refuses them if they no longer match the recorded SHA-256, so
what is shown is exactly what was issued.

Callers (the GUI, ``agent-assist letters``) get plain frozen dataclasses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.lists import format_list
from sqlalchemy.orm import Session

from app.config import data_dir
from app.i18n import N_, _, babel_locale, ui_language
from app.letters.address import AddressError, PostalAddress, window_address
from app.letters.batch import Rendered, RenderJob, render_all, render_job
from app.letters.context import ContextError, to_json
from app.letters.operator import OperatorConfigError, load_operator
from app.letters.render import prepare_letter, render_letter
from app.letters.sandbox import LetterTemplateError
from app.letters.templates import document_ids, letters_folder, load_template, read_template_file
from app.services.errors import ServiceError
from app.services.identity import signature
from app.services.permissions import Action, check_customer, require
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Letter, LetterStatus, Partner
from app.store.repositories import Customers, Letters, UnitOfWork
from app.store.types import utcnow

ARCHIVE_FOLDER = "letters"
#: Postal addresses of partners (for letters to a partner), by partner code.
PARTNERS_FILE = "partners.toml"

#: The parts of a postal address, as the agent reads them.
ADDRESS_FIELDS = {"street": N_("street"), "city": N_("city"), "country": N_("country")}

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


@dataclass(frozen=True, slots=True)
class BatchResult:
    issued: tuple[LetterInfo, ...]
    #: The letters that failed, each with its error (a sentence; ``detail`` the cause).
    failed: tuple[tuple[uuid.UUID, LetterError], ...]
    #: Stopped on request before every letter was issued (the rest stay requested).
    cancelled: bool = False


def _info(row: Letter) -> LetterInfo:
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


# --- preview -------------------------------------------------------------------------------


def preview_letter(document: str, language: str, context: Mapping[str, Any]) -> bytes:
    """The PDF a letter would be, without recording anything (for the preview pane)."""
    try:
        return render_letter(document, language, context)
    except (ContextError, LetterTemplateError, OperatorConfigError) as exc:
        raise letter_problem(document, exc, requesting=False) from exc


# --- request ----------------------------------------------------------------------------------


def request_letter(
    db: Database,
    *,
    customer_id: uuid.UUID,
    document: str,
    language: str,
    context: Mapping[str, Any],
    author: str,
    case_id: uuid.UUID | None = None,
) -> LetterInfo:
    """Record a requested letter with its frozen facts; checked now, issued later."""
    me = require(db, Action.RECORD)
    author = signature(db, author)
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise LetterError(_("unknown customer {id}").format(id=customer_id))
        check_customer(me, customer.partner_id, Action.RECORD)
        frozen = letter_request_context(customer, document, language, context)
        row = Letter(
            customer_id=customer_id,
            case_id=case_id,
            document=document,
            language=language,
            context=frozen,
            status=LetterStatus.REQUESTED,
            requested_at=utcnow(),
            requested_by=author,
        )
        uow.add(row)
        uow.flush()
        info = _info(row)
        uow.commit()
    return info


def letter_language(customer: Customer, document: str) -> str:
    """The language a letter is written in: the partner's for a letter to the partner
    (as its tickets are), the customer's otherwise."""
    try:
        to_partner = load_template(document).recipient == "partner"
    except LetterTemplateError as exc:
        raise letter_problem(document, exc, requesting=True) from exc
    partner: Partner | None = customer.partner
    if to_partner and partner is not None and partner.language:
        return str(partner.language)
    return str(customer.language)


def letter_request_context(
    customer: Customer,
    document: str,
    language: str,
    context: Mapping[str, Any],
    *,
    require_address: bool = True,
) -> dict[str, Any]:
    """The facts a request for ``document`` freezes, checked now against its template.

    Every placeholder the template needs must be there with the right type,
    or :class:`LetterError` says so in a sentence for the agent: a letter is
    never requested that its facts cannot fill. The postal address is read
    when the letter is issued (a customer may move meanwhile); with
    ``require_address`` false a customer without a complete one yet may still
    have a letter requested (a process step must not stall on it: issuing says
    it is missing). Every path that requests a letter goes through here.
    """
    frozen = to_json(_with_customer(context, customer))
    letter = dict(frozen.get("letter") or {})
    letter.setdefault("reference", "L-00000000")
    letter.setdefault("author", "-")
    try:
        probe = {**_with_address(frozen, customer, document, language), "letter": letter}
    except LetterError:
        if require_address:
            raise
        stand_in = {"name": customer.name, "lines": ["-"], "name_at": 0}
        probe = {**frozen, "recipient": frozen.get("recipient") or stand_in, "letter": letter}
    try:
        prepare_letter(document, language, probe)
    except (ContextError, LetterTemplateError, OperatorConfigError) as exc:
        raise letter_problem(document, exc, requesting=True) from exc
    return frozen


def _with_customer(context: Mapping[str, Any], customer: Customer) -> dict[str, Any]:
    """``context`` with the customer's and partner's facts filled in where absent."""
    result = dict(context)
    result.setdefault(
        "customer",
        {"name": customer.name, "customer_no": customer.customer_no, "msisdn": customer.msisdn},
    )
    partner: Partner | None = customer.partner
    if partner is not None:
        result.setdefault("partner", {"name": partner.name, "country": partner.country})
    return result


def _with_address(
    context: Mapping[str, Any], customer: Customer, document: str, language: str
) -> dict[str, Any]:
    """``context`` with the customer's postal address as recipient, when it names none.

    Only letters to the customer take it; the address is read when the letter
    is issued, so a customer who moved meanwhile gets it at the new address.
    """
    result = dict(context)
    if result.get("recipient"):
        return result
    try:
        to_customer = load_template(document).recipient == "customer"
    except LetterTemplateError as exc:
        raise letter_problem(document, exc, requesting=False) from exc
    partner: Partner | None = customer.partner
    partner_country = partner.country if partner is not None else None
    try:
        sender_country = load_operator(language, None, partner_country).country
    except OperatorConfigError as exc:
        raise letter_problem(document, exc, requesting=False) from exc
    if not to_customer:
        if partner is not None:
            result["recipient"] = partner_address(partner, language, sender_country)
        return result
    address = PostalAddress(
        customer.street, customer.postcode, customer.city, customer.country or partner_country
    )
    try:
        result["recipient"] = window_address(
            customer.name, address, language=language, sender_country=sender_country
        )
    except AddressError as exc:
        raise LetterError(
            _(
                "The letter cannot be issued: customer {number} has no complete postal "
                "address ({fields} missing). Import the customer's address, then issue it."
            ).format(
                number=customer.customer_no,
                fields=format_list(
                    [_(ADDRESS_FIELDS.get(f, f)) for f in exc.missing],
                    locale=babel_locale(ui_language()),
                ),
            ),
            str(exc),
        ) from exc
    return result


def partner_address(partner: Partner, language: str, sender_country: str) -> dict[str, Any]:
    """The recipient block of a letter to ``partner``.

    Partners' postal addresses are kept in ``resources/letters/partners.toml``
    by partner code; a partner without one gets its name (and its country,
    when abroad), so the letter still reaches it through the partner channel.
    """
    entry = _partner_addresses().get(partner.code) or {}
    address = PostalAddress(
        entry.get("street"), entry.get("postcode"), entry.get("city"), partner.country
    )
    try:
        return window_address(
            partner.name, address, language=language, sender_country=sender_country
        )
    except AddressError:
        lines = []
        if partner.country and partner.country.upper() != sender_country.upper():
            from app.letters.address import country_name

            lines.append(country_name(partner.country, language).upper())
        return {"name": partner.name, "lines": lines, "name_at": 0}


def _partner_addresses() -> dict[str, dict[str, str]]:
    path = letters_folder() / PARTNERS_FILE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LetterError(
            _("The partners' addresses cannot be read: {error}").format(error=exc)
        ) from exc
    return {
        str(code): {str(k): str(v) for k, v in entry.items()}
        for code, entry in data.items()
        if isinstance(entry, dict)
    }


# --- issue -----------------------------------------------------------------------------------


def issue_letter(
    db: Database, letter_id: uuid.UUID, author: str, *, on: date | None = None
) -> LetterInfo:
    """Render a requested letter, archive the PDF and record it as issued."""
    require(db, Action.RECORD)
    author = signature(db, author)
    job = _issue_job(db, letter_id, author, on)
    return _record(db, job, render_job(job), author)


def preview_requested(
    db: Database, letter_id: uuid.UUID, author: str, *, on: date | None = None
) -> bytes:
    """The PDF a requested letter becomes when ``author`` issues it ``on`` (today)."""
    job = _issue_job(db, letter_id, author, on)
    rendered = render_job(job)
    if rendered.error:
        raise letter_problem(
            job.document, rendered.error, requesting=False, kind=rendered.error_kind
        )
    return rendered.pdf


def _issue_job(db: Database, letter_id: uuid.UUID, author: str, on: date | None) -> RenderJob:
    with db.transaction() as session:
        return _job(session, letter_id, author, on)


def _job(session: Session, letter_id: uuid.UUID, author: str, on: date | None) -> RenderJob:
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
    context = _with_customer(row.context or {}, customer)
    context = _with_address(context, customer, row.document, row.language)
    letter = dict(context.get("letter") or {})
    letter.setdefault("date", (on or date.today()).isoformat())
    letter.setdefault("reference", f"L-{letter_id.hex[:8].upper()}")
    letter.setdefault("author", author)
    context["letter"] = letter
    return RenderJob(letter_id, row.document, row.language, context)


def _record(db: Database, job: RenderJob, rendered: Rendered, author: str) -> LetterInfo:
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
            path = _write_atomically(data_dir() / relative, pdf)
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
            info = _info(uow.letters.get(letter_id))  # type: ignore[arg-type]
            uow.commit()
        path = None  # committed: the file belongs to the archive now
        logging.getLogger(__name__).info(
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


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path


# --- read back ------------------------------------------------------------------------------


def get_letter(db: Database, letter_id: uuid.UUID) -> LetterInfo:
    with db.transaction() as session:
        row = Letters(session).get(letter_id)
        if row is None:
            raise LetterError(_("no letter {id}").format(id=letter_id))
        return _info(row)


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
    _write_atomically(target, open_issued(db, letter_id))
    return target


def letters_of_customer(db: Database, customer_id: uuid.UUID) -> list[LetterInfo]:
    require(db, Action.OPEN_CUSTOMERS)
    with db.transaction() as session:
        return [_info(r) for r in Letters(session).of_customer(customer_id)]


# --- worklists ---------------------------------------------------------------------------------


def requested_letters(
    db: Database, *, document: str | None = None, month: str | None = None
) -> list[LetterInfo]:
    """Letters waiting to be issued, oldest first; optionally one document or request month."""
    between = _month_bounds(month) if month else None
    with db.transaction() as session:
        rows = Letters(session).requested(document=document, between=between)
        return [_info(r) for r in rows]


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
                jobs.append(_job(session, letter_id, author, on))
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
            issued.append(_record(db, job, rendered, author))
        except LetterError as exc:
            report(letter_id, exc)
        else:
            report(letter_id, None)
    pending.close()  # stops the workers if the batch ended early
    return BatchResult(tuple(issued), tuple(failed), cancelled=stopped)
