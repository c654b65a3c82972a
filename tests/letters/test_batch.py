"""Batches render on several processes and give exactly the letters one process gives."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from app.letters import batch, page
from app.letters.batch import RenderJob, render_all, render_job
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.styles import styles
from app.services.letters import (
    LetterError,
    issue_batch,
    letters_of_customer,
    open_issued,
    preview_requested,
    request_letter,
)
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Letter, Partner
from tests.letters.helpers import pdf_text

DOCUMENTS = ("fair_use_termination", "goodwill_credit", "welcome", "claim_acknowledgement")
DAY = date(2026, 3, 31)


@pytest.fixture
def small_batches_in_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes even for a handful of letters (the real threshold is higher)."""
    monkeypatch.setattr(batch, "PARALLEL_MIN", 4)
    monkeypatch.setattr(batch, "CHUNK", 2)


def _jobs(count: int) -> list[RenderJob]:
    pairs = [(d, lang) for d in DOCUMENTS for lang in ("de", "en", "ru", "zh")]
    return [RenderJob(uuid.uuid4(), d, lang, sample_context(d, lang)) for d, lang in pairs[:count]]


def test_parallel_rendering_gives_the_same_bytes_in_the_same_order(
    small_batches_in_parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = _jobs(10)
    serial = [render_job(job) for job in jobs]
    started: list[int] = []
    real_pool = batch._pool
    monkeypatch.setattr(batch, "_pool", lambda n: started.append(n) or real_pool(n))
    parallel = list(render_all(jobs, workers=2))
    assert started == [2], "the letters were not rendered in worker processes"
    assert [job.letter_id for job, _r in parallel] == [job.letter_id for job in jobs]
    assert [r.pdf for _job, r in parallel] == [r.pdf for r in serial]
    assert all(r.pdf.startswith(b"%PDF") and r.template_version for r in serial)


def test_workers_that_cannot_start_leave_it_to_this_process(
    small_batches_in_parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes(_count: int) -> None:
        raise OSError("no processes on this machine")

    monkeypatch.setattr(batch, "_pool", no_processes)
    jobs = _jobs(5)
    assert [r.pdf for _j, r in render_all(jobs, workers=2)] == [render_job(j).pdf for j in jobs]


def _customer(db: Database) -> uuid.UUID:
    with db.transaction() as session:
        partner = Partner(code=f"P{uuid.uuid4().hex[:6]}", name="Regio Kabel AG", country="CH")
        session.add(partner)
        session.flush()
        customer = Customer(
            customer_no=f"C-{uuid.uuid4().hex[:7]}",
            msisdn="+41791234567",
            name="Ruedi Gerber",
            language="de",
            partner_id=partner.id,
            products=[],
            street="Bahnhofstrasse 12",
            postcode="3400",
            city="Burgdorf",
            country="CH",
        )
        session.add(customer)
        session.flush()
        return customer.id


def _request(db: Database, customer_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    ids = []
    for i in range(count):
        document = DOCUMENTS[i % len(DOCUMENTS)]
        context = sample_context(document, "de")
        for key in ("customer", "partner", "letter", "recipient"):
            context.pop(key)
        ids.append(
            request_letter(
                db,
                customer_id=customer_id,
                document=document,
                language="de",
                context=context,
                author="a",
            ).id
        )
    return ids


def test_a_parallel_batch_archives_exactly_what_the_preview_showed(
    sqlite_db: Database, small_batches_in_parallel: None
) -> None:
    customer_id = _customer(sqlite_db)
    ids = _request(sqlite_db, customer_id, 9)
    previews = {i: preview_requested(sqlite_db, i, "batch", on=DAY) for i in ids}
    with sqlite_db.transaction() as session:  # one letter's frozen facts were damaged
        row = session.get(Letter, ids[5])  # a goodwill credit: its table of months
        row.context = {**row.context, "months": "none"}
    seen: list[tuple[int, uuid.UUID, LetterError | None]] = []
    result = issue_batch(
        sqlite_db,
        ids,
        "batch",
        lambda done, total, letter_id, error: seen.append((done, letter_id, error)),
        workers=2,
        on=DAY,
    )
    assert [(d, i) for d, i, _e in seen] == list(zip(range(1, 10), ids, strict=True))
    assert [i for i, _error in result.failed] == [ids[5]]
    error = seen[5][2]
    assert error is not None and "months" in (error.detail or "")
    assert str(error).startswith("The letter “Goodwill credit confirmation” cannot be issued")
    assert [info.id for info in result.issued] == ids[:5] + ids[6:]
    for info in result.issued:
        assert open_issued(sqlite_db, info.id) == previews[info.id]
    assert "Bahnhofstrasse 12\n3400 Burgdorf" in pdf_text(previews[ids[0]])
    with sqlite_db.transaction() as session:
        entries = session.scalar(
            select(func.count()).select_from(HistoryEntry).where(HistoryEntry.kind == "letter")
        )
    assert entries == 8 and not result.cancelled


def test_a_batch_stops_when_asked_and_the_rest_stay_requested(
    sqlite_db: Database, small_batches_in_parallel: None
) -> None:
    customer_id = _customer(sqlite_db)
    ids = _request(sqlite_db, customer_id, 8)
    done: list[int] = []
    result = issue_batch(
        sqlite_db,
        ids,
        "batch",
        lambda n, _total, _id, _error: done.append(n),
        workers=2,
        should_stop=lambda: len(done) >= 3,
    )
    assert result.cancelled and done == [1, 2, 3]
    statuses = {i.id: i.status for i in letters_of_customer(sqlite_db, customer_id)}
    assert [statuses[i] for i in ids] == ["issued"] * 3 + ["requested"] * 5


# --- the per-letter work that is done once ------------------------------------------------


def test_the_logo_made_once_gives_the_bytes_drawImage_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = sample_context("welcome", "de")
    reused = [render_letter("welcome", "de", context) for _ in range(2)]
    monkeypatch.setattr(page, "REUSE_LOGO", False)
    assert reused == [render_letter("welcome", "de", context)] * 2
    assert reused[0].count(b"/Subtype /Image") == 2  # the logo and its transparency, once


def test_a_furniture_line_too_wide_for_its_box_wraps() -> None:
    st = styles("de")
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    text = "Kundendienst für Geschäftskunden und Partner in der ganzen Schweiz"
    assert page._measure((text,), st.small, st.fonts, 120) is None
    height = page._draw_lines(canvas, [text], st.small, st.fonts, 50, 700, 120)
    assert height > 2 * st.small.leading  # wrapped onto several lines
    canvas.save()
    assert " ".join(pdf_text(buffer.getvalue()).split()) == text
    short = page._draw_lines(canvas, ["Kundendienst"], st.small, st.fonts, 50, 700, 200)
    assert short == st.small.leading
