"""Fixtures of the sync engine's own tests: a seeded server, branch logins, replicas.

The server is the session's scratch PostgreSQL database (``pg_db``, emptied
after each test); branch logins are real login roles in the application's
group roles with a ``users`` row, dropped after the test; replicas are SQLite
files copied from the migrated template.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.services import identity
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner, Role, User
from app.store.repositories import UnitOfWork
from app.store.sync_tables import SyncOutbox


@dataclass
class Server:
    """The seeded server: two partners with one customer each."""

    db: Database
    partners: dict[str, uuid.UUID] = field(default_factory=dict)
    customers: dict[str, uuid.UUID] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)

    def login(self, role: str, partner: str | None = None) -> str:
        """A new login role of ``role`` (a users row too); its URL is :meth:`url`."""
        name = f"aa_s1_{uuid.uuid4().hex[:8]}_{role}"
        with self.db.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN IN ROLE agent_assist_{role}"))
        self.made.append(name)
        with UnitOfWork(self.db) as uow:
            uow.add(
                User(
                    login=name,
                    display_name=name,
                    role=Role(role),
                    partner_id=self.partners[partner] if partner else None,
                )
            )
            uow.commit()
        return name

    def url(self, login: str) -> str:
        return make_url(self.db.url).set(username=login, password=None).render_as_string(False)

    def count(self, entry_id: uuid.UUID) -> int:
        with self.db.engine.connect() as conn:
            query = select(func.count()).select_from(HistoryEntry)
            return int(conn.scalar(query.where(HistoryEntry.id == entry_id)) or 0)

    def drop_logins(self) -> None:
        with self.db.engine.begin() as conn:
            for name in self.made:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"
                    ),
                    {"u": name},
                )
                conn.execute(text(f"DROP ROLE IF EXISTS {name}"))


@pytest.fixture(name="server")
def server_fixture(pg_db: Database) -> Iterator[Server]:
    seeded = Server(pg_db)
    with UnitOfWork(pg_db) as uow:
        for code, country in (("P1", "CH"), ("P2", "CH")):
            partner = Partner(code=code, name=f"Partner {code}", country=country)
            uow.add(partner)
            uow.flush()
            seeded.partners[code] = partner.id
        for number, code, name in (("C-1", "P1", "Anna Muster"), ("C-2", "P2", "Boris Beispiel")):
            customer = Customer(
                customer_no=number,
                msisdn=f"+4179000000{number[-1]}",
                name=name,
                language="de",
                partner_id=seeded.partners[code],
            )
            uow.add(customer)
            uow.flush()
            seeded.customers[number] = customer.id
        uow.commit()
    yield seeded
    seeded.drop_logins()


class Replicas:
    """Branch replicas (SQLite files) made for one test."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template = template
        self.folder = folder
        self.opened: list[Database] = []

    def new(
        self, login: str | None = None, role: str = "agent", partner_id: uuid.UUID | None = None
    ) -> Database:
        """A new SQLite file; ``login`` works on it (as the branch's server login)."""
        path = self.folder / f"branch-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.template, path)
        db = Database(f"sqlite:///{path}")
        if login is not None:
            identity.use(db, identity.Identity(login, login, Role(role), partner_id))
        self.opened.append(db)
        return db

    def close(self) -> None:
        for db in self.opened:
            db.dispose()


@pytest.fixture(name="replicas")
def replicas_fixture(_sqlite_template: Path, tmp_path: Path) -> Iterator[Replicas]:
    made = Replicas(_sqlite_template, tmp_path)
    yield made
    made.close()


def outbox(db: Database) -> list[tuple[str, str]]:
    """The replica's outbox as (table, state) rows."""
    with db.engine.connect() as conn:
        return [
            (t, s) for t, s in conn.execute(select(SyncOutbox.table_name, SyncOutbox.state)).all()
        ]
