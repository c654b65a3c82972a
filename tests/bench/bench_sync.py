"""Benchmark of the branch sync: push N pending entries, pull N new ones.

``python -m tests.bench sync [--entries N] [--server URL]`` creates a scratch
database on the PostgreSQL server (default: the tests' 127.0.0.1:5432), a
branch login and a replica, records N notes on the branch and times one
``sync now`` that pushes them; then records N entries at the centre and times
the ``sync now`` that pulls them. The database and the login are dropped at
the end. Target (issue 13): each under 5 s for 10,000 entries.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

DEFAULT_SERVER = os.environ.get(
    "AGENT_ASSIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _notes(customers: list[uuid.UUID], n: int, origin: str, author: str) -> list[dict[str, object]]:
    start = datetime.now(UTC) - timedelta(minutes=1)
    return [
        {
            "id": uuid.uuid4(),
            "customer_id": customers[i % len(customers)],
            "author": author,
            "created_at": start + timedelta(microseconds=i),
            "kind": "note",
            "text": f"note {i}: the customer called about the bill",
            "payload": {},
            "rule_ids": [],
            "origin": origin,
        }
        for i in range(n)
    ]


def run(entries: int, server_url: str = DEFAULT_SERVER) -> dict[str, float]:
    """Push and pull ``entries`` entries; returns the seconds each took."""
    from app import sync
    from app.services import identity
    from app.store.db import Database, make_engine
    from app.store.models import Customer, HistoryEntry, Partner, Role, User
    from app.store.repositories import UnitOfWork

    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"agent_assist_bench_sync_{uuid.uuid4().hex[:8]}"
    login = f"aa_bench_sync_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="agent-assist-bench-sync-"))
    figures: dict[str, float] = {}
    try:
        server = Database(url, migrate=True)
        with server.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {login} LOGIN IN ROLE agent_assist_agent"))
        with UnitOfWork(server) as uow:
            partner = Partner(code="P1", name="Partner")
            uow.add(partner)
            uow.flush()
            customers = [
                Customer(
                    customer_no=f"C-{i}",
                    msisdn=f"+41790000{i:03d}",
                    name=f"Customer {i}",
                    language="de",
                    partner_id=partner.id,
                )
                for i in range(100)
            ]
            for customer in customers:
                uow.add(customer)
            uow.add(User(login=login, display_name=login, role=Role.AGENT))
            uow.commit()
        ids = [c.id for c in customers]
        branch_url = make_url(url).set(username=login, password=None)
        replica = Database(f"sqlite:///{folder / 'branch.sqlite3'}")
        identity.use(replica, identity.Identity(login, login, Role.AGENT))
        sync.configure(replica, branch_url.render_as_string(hide_password=False))

        with UnitOfWork(replica) as uow:
            uow.session.execute(insert(HistoryEntry), _notes(ids, entries, replica.origin, login))
            uow.commit()
        began = time.perf_counter()
        result = sync.sync_now(replica)
        figures["push_seconds"] = time.perf_counter() - began
        assert result.pushed == entries and result.pending == 0, result

        with UnitOfWork(server) as uow:
            uow.session.execute(insert(HistoryEntry), _notes(ids, entries, "centre", "centre"))
            uow.commit()
        began = time.perf_counter()
        result = sync.sync_now(replica)
        figures["pull_seconds"] = time.perf_counter() - began
        assert result.pulled >= entries, result
        replica.dispose()
        server.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {login}"))
        admin.dispose()
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench sync")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    figures = run(args.entries, args.server)
    print(f"push {args.entries} pending entries: {figures['push_seconds']:.2f} s")
    print(f"pull {args.entries} new entries:     {figures['pull_seconds']:.2f} s")
    return 0
