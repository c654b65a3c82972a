"""Search that stays fast on a million customers, on both engines.

Every statement a search runs must read its index in order and stop at its
``LIMIT``: no sort of all matches (a one-letter prefix matches a fifth of a
million customers) and no table scan, whatever the query. The plans are read
back from the engines themselves (``EXPLAIN QUERY PLAN`` / ``EXPLAIN``).
A search superseded by a newer keystroke is stopped on the server.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from app.services.customers import search_customers
from app.store.db import Database
from app.store.models import Customer, Partner
from app.store.repositories import UnitOfWork
from app.store.search import SearchCancel, SearchCancelledError

QUERIES = ["m", "mu", "mül", "Maria", "C-1", "C-10007", "079", "0791230", "+41791230007", "x"]


def _seed(db: Database) -> None:
    """Names with shared words, so terms repeat across customers and within one."""
    first = ["Maria", "Max", "Mia", "Anna", "Xaver"]
    last = ["Müller", "Meier", "Marti", "Keller", "Maria"]
    with UnitOfWork(db) as uow:
        partner = Partner(code="P-SCALE", name="Scale AG", country="CH", language="de")
        uow.add(partner)
        uow.flush()
        for i in range(60):
            uow.add(
                Customer(
                    customer_no=f"C-1{i:04d}",
                    msisdn=f"+4179123{i:04d}",
                    name=f"{first[i % 5]} {last[(i // 5) % 5]}",
                    language="de",
                    partner_id=partner.id,
                )
            )
        uow.commit()


@contextmanager
def _statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _plan(db: Database, statement: str, parameters: Any) -> str:
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # Tiny test tables: make a scan and a sort cost what they cost on a million rows.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(str(row[0]) for row in cursor.fetchall())
        raw.rollback()
        return plan


@pytest.mark.parametrize("query", QUERIES)
def test_every_search_statement_reads_an_index_in_order_and_stops(db: Database, query: str) -> None:
    _seed(db)
    with _statements(db) as seen:
        search_customers(db, query)
    searched = [(s, p) for s, p in seen if "customers" in s or "customer_search_terms" in s]
    assert searched
    for statement, parameters in searched:
        plan = _plan(db, statement, parameters)
        if db.engine.dialect.name == "sqlite":
            assert "TEMP B-TREE" not in plan, (statement, plan)  # a sort of every match
            for line in plan.splitlines():
                assert not line.startswith("SCAN"), (statement, plan)  # a table scan
        else:
            assert "Sort" not in plan, (statement, plan)
            assert "Seq Scan" not in plan, (statement, plan)
            if "LIMIT" in statement:  # a bitmap scan is unordered: all matches, then a sort
                assert "Bitmap" not in plan, (statement, plan)


def test_results_come_in_the_order_an_agent_expects(db: Database) -> None:
    _seed(db)
    hits = search_customers(db, "m")
    assert len(hits) == 50
    words = []
    for hit in hits:  # each customer once, at the first word starting with "m"
        word = min(w for w in hit.name.casefold().split() if w.startswith("m"))
        words.append((word, hit.name.casefold()))
    assert words == sorted(words)
    assert len({h.id for h in hits}) == len(hits)
    by_no = search_customers(db, "C-10007")
    assert by_no[0].customer_no == "C-10007"
    by_number = search_customers(db, "079 123 00 07")
    assert by_number[0].customer_no == "C-10007"
    prefix = [h.customer_no for h in search_customers(db, "C-1002")]
    assert prefix == sorted(prefix) and len(prefix) == 10


def test_a_renamed_customer_sorts_under_its_new_name(db: Database) -> None:
    _seed(db)
    with UnitOfWork(db) as uow:
        customer = uow.customers.by_no("C-10000")
        assert customer is not None
        customer.name = "Zora Zimmermann"
        uow.commit()
    names = [h.name for h in search_customers(db, "z")]
    assert names == ["Zora Zimmermann"]
    assert [h.name for h in search_customers(db, "zimm")] == ["Zora Zimmermann"]


def test_a_cancelled_search_never_runs(db: Database) -> None:
    _seed(db)
    cancel = SearchCancel()
    cancel.cancel()
    with pytest.raises(SearchCancelledError):
        search_customers(db, "m", cancel=cancel)


def _slow_statement(db: Database) -> str:
    if db.engine.dialect.name == "postgresql":
        return "SELECT pg_sleep(20)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000)"
        " SELECT count(*) FROM n"
    )


def test_cancel_stops_the_running_statement_on_the_server(db: Database) -> None:
    """What a superseded keystroke does: the server stops, the thread gets an error at once."""
    cancel = SearchCancel()
    outcome: list[BaseException | None] = []
    started = threading.Event()

    def run() -> None:
        try:
            with UnitOfWork(db) as uow:
                cancel.attach(uow.session)
                started.set()
                uow.session.execute(text(_slow_statement(db)))
            outcome.append(None)
        except BaseException as exc:  # the driver's "cancelled" / "interrupted"
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(10)
    time.sleep(0.3)
    begun = time.perf_counter()
    cancel.cancel()
    thread.join(10)
    assert not thread.is_alive()
    assert time.perf_counter() - begun < 5
    assert outcome and outcome[0] is not None


def test_search_panel_cancels_the_superseded_search(qtbot: Any, db: Database) -> None:
    from app.ui.search_panel import SearchPanel

    _seed(db)
    search_customers(db, "m")  # the first use of a database settles who works with it
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_database(db)
    cancels: list[SearchCancel] = []
    original = SearchCancel.__init__

    def remember(self: SearchCancel) -> None:
        original(self)
        cancels.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SearchCancel, "__init__", remember)
        panel.search_now("ma")
        panel.search_now("mar")
        qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    assert len(cancels) == 2
    assert cancels[0].cancelled and not cancels[1].cancelled
    assert uuid.UUID(str(panel.model.hit(0).id))  # type: ignore[union-attr]
