"""Issued letters are archived: exact bytes, SHA-256, history entry; tampering is detected."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import data_dir
from app.letters.samples import sample_context
from app.services.letters import (
    ArchiveTamperedError,
    LetterError,
    issue_batch,
    issue_letter,
    issue_new,
    letters_of_customer,
    open_issued,
    preview_letter,
    request_letter,
    requested_letters,
    save_issued_as,
)
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Letter, Partner
from tests.letters.helpers import normalize, pdf_text


def _customer(db: Database, language: str = "de") -> uuid.UUID:
    with db.transaction() as session:
        partner = Partner(
            code=f"P{uuid.uuid4().hex[:6]}",
            name="Quickline Zürichsee AG",
            country="CH",
            language="de",
        )
        session.add(partner)
        session.flush()
        customer = Customer(
            customer_no=f"CH-{uuid.uuid4().hex[:7]}",
            msisdn="+41791234567",
            name="Anna Müller-Baumann",
            language=language,
            partner_id=partner.id,
            products=[],
        )
        session.add(customer)
        session.flush()
        return customer.id


def _facts(document: str = "contract_cancellation") -> dict:
    """What a process step knows: the document's facts and the postal address."""
    context = sample_context(document, "de")
    for key in ("customer", "partner", "letter"):
        context.pop(key)
    return context


def test_issue_then_open_gives_the_identical_bytes(db: Database) -> None:
    customer_id = _customer(db)
    requested = request_letter(
        db,
        customer_id=customer_id,
        document="contract_cancellation",
        language="de",
        context=_facts(),
        author="skeller",
    )
    assert requested.status == "requested"
    issued = issue_letter(db, requested.id, "skeller")
    assert issued.status == "issued"
    assert issued.template_version == "2026.2"
    assert issued.issued_by == "skeller"
    assert issued.pdf_path and issued.pdf_path.startswith("letters/")

    pdf = open_issued(db, issued.id)
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256
    assert (data_dir() / issued.pdf_path).read_bytes() == pdf
    text = normalize(pdf_text(pdf), "de")
    # The customer's facts came from the database, the address from the request.
    assert "Anna Müller-Baumann" in text and "Seestrasse 112" in text
    assert "CHF 456.00" in text
    assert f"L-{issued.id.hex[:8].upper()}" in text

    with db.transaction() as session:
        entries = session.scalars(
            select(HistoryEntry).where(HistoryEntry.customer_id == customer_id)
        ).all()
    assert [e.kind for e in entries] == ["letter"]
    assert entries[0].payload == {
        "letter_id": str(issued.id),
        "document": "contract_cancellation",
        "language": "de",
        "sha256": issued.sha256,
        "template_version": "2026.2",
    }
    assert entries[0].author == "skeller"
    assert entries[0].origin == db.origin

    target = save_issued_as(db, issued.id, Path(data_dir()) / "export" / "copy.pdf")
    assert target.read_bytes() == pdf


def test_a_tampered_or_missing_archive_file_is_detected(db: Database) -> None:
    issued = issue_new(
        db,
        customer_id=_customer(db),
        document="claim_acknowledgement",
        language="de",
        context=_facts("claim_acknowledgement"),
        author="a",
    )
    path = data_dir() / issued.pdf_path
    original = path.read_bytes()
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01  # one bit changed somewhere in the middle
    path.write_bytes(bytes(tampered))
    with pytest.raises(ArchiveTamperedError, match="changed after it was issued") as changed:
        open_issued(db, issued.id)
    # A sentence for the agent; the checksums are the detail, for IT.
    assert "SHA-256" not in str(changed.value) and "SHA-256" in (changed.value.detail or "")
    path.unlink()
    with pytest.raises(ArchiveTamperedError, match="cannot be read") as unreadable:
        open_issued(db, issued.id)
    assert str(path) in str(unreadable.value) and "Errno" in (unreadable.value.detail or "")


def test_a_letter_is_issued_once(db: Database) -> None:
    issued = issue_new(
        db,
        customer_id=_customer(db),
        document="welcome",
        language="de",
        context=_facts("welcome"),
        author="a",
    )
    with pytest.raises(LetterError, match="already issued"):
        issue_letter(db, issued.id, "b")
    assert open_issued(db, issued.id)


def test_a_bad_request_is_refused_and_nothing_is_recorded(db: Database) -> None:
    customer_id = _customer(db)
    facts = _facts()
    del facts["recipient"]
    with pytest.raises(LetterError, match=r"postal address \(street and city missing\)"):
        request_letter(
            db,
            customer_id=customer_id,
            document="contract_cancellation",
            language="de",
            context=facts,
            author="a",
        )
    with pytest.raises(LetterError, match="its template has an error") as unknown:
        request_letter(
            db,
            customer_id=customer_id,
            document="invoice",
            language="de",
            context=_facts(),
            author="a",
        )
    assert "unknown document" in (unknown.value.detail or "")
    assert letters_of_customer(db, customer_id) == []


def test_a_letter_that_cannot_render_leaves_no_file_and_stays_requested(db: Database) -> None:
    customer_id = _customer(db)
    requested = request_letter(
        db,
        customer_id=customer_id,
        document="contract_change",
        language="en",
        context=_facts("contract_change"),
        author="a",
    )
    with db.transaction() as session:  # the frozen facts were damaged after the request
        row = session.get(Letter, requested.id)
        row.context = {**row.context, "change": {**row.context["change"], "kind": "sideways"}}
    with pytest.raises(LetterError, match="“Contract change confirmation” cannot be issued") as bad:
        issue_letter(db, requested.id, "a")
    assert "change.kind" in (bad.value.detail or "")  # the cause, for whoever maintains it
    assert requested_letters(db)[0].id == requested.id
    assert not list(data_dir().rglob("*.pdf"))


def test_batch_issues_the_requested_letters_of_a_month(db: Database) -> None:
    customer_id = _customer(db)
    ids = []
    for document in ("fair_use_migration", "fair_use_termination", "fair_use_migration"):
        ids.append(
            request_letter(
                db,
                customer_id=customer_id,
                document=document,
                language="de",
                context=_facts(document),
                author="a",
            ).id
        )
    with db.transaction() as session:  # one was requested in an earlier month
        session.get(Letter, ids[2]).requested_at = datetime(2026, 1, 5, tzinfo=UTC)
    this_month = datetime.now(UTC).strftime("%Y-%m")
    pending = requested_letters(db, document="fair_use_migration", month=this_month)
    assert [p.id for p in pending] == [ids[0]]
    assert len(requested_letters(db)) == 3

    seen: list[tuple[int, int]] = []
    result = issue_batch(
        db,
        [p.id for p in requested_letters(db)],
        "batch",
        lambda done, total, _id, _err: seen.append((done, total)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(result.issued) == 3 and not result.failed
    assert requested_letters(db) == []
    assert {i.status for i in letters_of_customer(db, customer_id)} == {"issued"}


def test_preview_records_nothing(sqlite_db: Database) -> None:
    pdf = preview_letter("welcome", "zh", sample_context("welcome", "zh"))
    assert pdf.startswith(b"%PDF")
    bad = sample_context("welcome", "zh")
    del bad["subscription"]["tariff"]
    with pytest.raises(LetterError, match="“Welcome letter” cannot be issued") as refused:
        preview_letter("welcome", "zh", bad)
    assert "subscription.tariff" in (refused.value.detail or "")


# --- the command ------------------------------------------------------------------------------


def _run(*args: str, env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    if env_db:
        env["AGENT_ASSIST_DB"] = env_db
    return subprocess.run(
        [sys.executable, "-m", "app", "letters", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_command_batch_then_show(sqlite_db: Database, tmp_path: Path) -> None:
    customer_id = _customer(sqlite_db)
    for document in ("fair_use_termination", "goodwill_credit"):
        request_letter(
            sqlite_db,
            customer_id=customer_id,
            document=document,
            language="de",
            context=_facts(document),
            author="a",
        )
    done = _run("batch", "--document", "goodwill_credit", env_db=sqlite_db.url)
    assert done.returncode == 0, done.stderr
    assert "1 of 1 letters processed: 1 issued, 0 failed" in done.stderr
    assert "1 of 1 letters issued, 0 failed" in done.stdout
    issued = [i for i in letters_of_customer(sqlite_db, customer_id) if i.status == "issued"]
    assert [i.document for i in issued] == ["goodwill_credit"]

    out = tmp_path / "copy.pdf"
    done = _run("show", str(issued[0].id), "--out", str(out), env_db=sqlite_db.url)
    assert done.returncode == 0, done.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == issued[0].sha256

    done = _run("show", str(uuid.uuid4()), "--out", str(out), env_db=sqlite_db.url)
    assert done.returncode == 2 and "no letter" in done.stderr


def test_command_batch_counts_a_failed_letter_as_failed_never_as_issued(
    sqlite_db: Database,
) -> None:
    customer_id = _customer(sqlite_db)
    ids = [
        request_letter(
            sqlite_db,
            customer_id=customer_id,
            document=document,
            language="de",
            context=_facts(document),
            author="a",
        ).id
        for document in ("goodwill_credit", "welcome")
    ]
    with sqlite_db.transaction() as session:  # the first one's facts were damaged
        row = session.get(Letter, ids[0])
        row.context = {key: value for key, value in row.context.items() if key != "goodwill"}
    done = _run("batch", env_db=sqlite_db.url)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"Not issued: Goodwill credit confirmation ({ids[0]}): The letter")
    assert "goodwill" in lines[1]  # the cause, indented below the sentence
    assert lines[2] == "1 of 2 letters processed: 0 issued, 1 failed"
    assert lines[3] == "2 of 2 letters processed: 1 issued, 1 failed"
    assert not any(line.startswith("issued") for line in lines)
    assert "1 of 2 letters issued, 1 failed" in done.stdout


def test_command_samples_writes_every_document_in_every_language(tmp_path: Path) -> None:
    done = _run("samples", "--out", str(tmp_path / "s"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert len(names) == 9 * 4
    assert "goodwill_credit.zh.pdf" in names and "welcome.de.pdf" in names
    done = _run("samples", "--out", str(tmp_path / "t"), "--lang", "ru", "--document", "welcome")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["welcome.ru.pdf"]
    done = _run("samples", "--out", str(tmp_path / "u"), "--document", "invoice")
    assert done.returncode == 2 and "unknown document(s): invoice" in done.stderr
