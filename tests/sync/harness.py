"""What the branch sync fault tests share: the server, its logins, branches and the checks.

The checks are the fault tests' promise, after every fault and a final sync:

* :func:`assert_exactly_once`: every entry recorded anywhere is on the
  server once, by id and by count (a retry that stored a copy under a new id
  would show in the count);
* :func:`assert_verified`: ``history verify`` passes (every hash chain);
* :func:`assert_drained`: the branch's outbox is empty, nothing rejected;
* :func:`assert_in_step`: the branch holds the server's history entries, case
  states and tickets (status, answers) within its scope, and a partner's
  branch no other partner's row.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.services import identity
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner, User
from app.store.repositories import UnitOfWork

#: Customers per partner in the master data.
CUSTOMERS_PER_PARTNER = 4
PARTNER_CODES = ("KNU-A", "KNU-B")
_ENV_LOCK = threading.Lock()


@dataclass
class Server:
    """The shared server of one test: its database as the superuser, and its partners."""

    db: Database
    url: str
    #: Partner code -> partner id.
    partners: dict[str, uuid.UUID]

    def login_url(self, login: str) -> str:
        """A connected client's URL (directly, not through the proxy)."""
        return make_url(self.url).set(username=login, password=None).render_as_string(False)


def create_server(template: str) -> Server:
    """A fresh server database copied from the migrated ``template``, with master data."""
    from app.store.db import make_engine
    from tests.conftest import PG_ADMIN_URL

    name = f"aa_sync_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    return Server(db=db, url=url, partners=add_master_data(db))


def drop_server(server: Server) -> None:
    from app.store.db import make_engine
    from tests.conftest import PG_ADMIN_URL

    server.db.dispose()
    name = make_url(server.url).database
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def customer_numbers(partner_code: str | None = None) -> list[str]:
    codes = PARTNER_CODES if partner_code is None else (partner_code,)
    return [f"C-{code[-1]}{n}" for code in codes for n in range(1, CUSTOMERS_PER_PARTNER + 1)]


def add_master_data(db: Database) -> dict[str, uuid.UUID]:
    """Two partners with their customers on the server; partner code -> id."""
    partners: dict[str, uuid.UUID] = {}
    with UnitOfWork(db) as uow:
        for code in PARTNER_CODES:
            partner = Partner(code=code, name=f"Partner {code}")
            uow.add(partner)
            uow.flush()
            partners[code] = partner.id
            for n in range(1, CUSTOMERS_PER_PARTNER + 1):
                letter = code[-1]
                uow.add(
                    Customer(
                        customer_no=f"C-{letter}{n}",
                        msisdn=f"+41795{ord(letter)}{n:04d}",
                        name=f"Kunde {letter}{n}",
                        language="de",
                        partner_id=partner.id,
                    )
                )
        uow.commit()
    return partners


class ServerLogins:
    """Login roles on the server for one test (roles are cluster-wide: unique names)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.by_key: dict[str, str] = {}
        self.partner_by_key: dict[str, str | None] = {}
        self._stem = f"aa_sync_{uuid.uuid4().hex[:8]}"

    def add(self, role: str, *, key: str, partner_code: str | None = None) -> str:
        login = f"{self._stem}_{key.replace('-', '').lower()}"
        with self.server.db.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {login} LOGIN IN ROLE agent_assist_{role}"))
        self.by_key[key] = login
        self.partner_by_key[key] = partner_code
        partner_id = self.server.partners[partner_code] if partner_code else None
        with UnitOfWork(self.server.db) as uow:
            uow.add(User(login=login, display_name=login, role=role, partner_id=partner_id))
            uow.commit()
        return login

    def __getitem__(self, key: str) -> str:
        return self.by_key[key]

    def partner_of(self, key: str) -> str | None:
        return self.partner_by_key[key]

    def drop(self) -> None:
        with self.server.db.engine.begin() as conn:
            for login in self.by_key.values():
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"
                    ),
                    {"u": login},
                )
        for login in self.by_key.values():
            try:
                with self.server.db.engine.begin() as conn:
                    conn.execute(text(f"DROP OWNED BY {login}"))
                    conn.execute(text(f"DROP ROLE IF EXISTS {login}"))
            except Exception:  # still used elsewhere: dropped with the next cluster clean-up
                pass


def login_as(db: Database, login: str) -> identity.Identity:
    """Work on ``db`` as ``login`` (resolved as a process with ``AGENT_ASSIST_USER`` would)."""
    with _ENV_LOCK:
        before = os.environ.get(identity.ENV_USER)
        os.environ[identity.ENV_USER] = login
        try:
            identity.forget(db)
            who = identity.resolve(db)
        finally:
            if before is None:
                os.environ.pop(identity.ENV_USER, None)
            else:
                os.environ[identity.ENV_USER] = before
    identity.use(db, who)
    return who


@dataclass
class Branch:
    """A branch office's replica: a SQLite file that syncs with the server as ``login``."""

    path: Path
    db: Database
    login: str
    server_url: str
    partner_code: str | None = None
    recorded: list[uuid.UUID] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def customer_id(self, customer_no: str) -> uuid.UUID:
        return customer_id(self.db, customer_no)

    def record(self, customer_no: str, note: str) -> uuid.UUID:
        """A note by the branch's user, written locally (and queued for the server)."""
        from app.services.customers import add_note

        entry = add_note(self.db, self.customer_id(customer_no), note)
        self.recorded.append(entry.id)
        return entry.id

    def sync(self) -> Any:
        from app.sync import sync_now

        return sync_now(self.db)

    def status(self) -> Any:
        from app.sync import status

        return status(self.db)


def open_branch(
    path: Path, *, login: str, server_url: str, partner_code: str | None, sync: bool = True
) -> Branch:
    """A new replica at ``path`` configured for ``server_url``, synced once when ``sync``."""
    from app.sync import configure, sync_now

    db = Database(f"sqlite:///{path}")
    configure(db, server_url)
    if sync:
        sync_now(db)
    login_as(db, login)
    return Branch(path=path, db=db, login=login, server_url=server_url, partner_code=partner_code)


def customer_id(db: Database, customer_no: str) -> uuid.UUID:
    with db.transaction() as session:
        return session.execute(
            select(Customer.id).where(Customer.customer_no == customer_no)
        ).scalar_one()


def history_ids(db: Database, *, origin: str | None = None) -> list[uuid.UUID]:
    """Every history entry id in ``db`` (as its connection's login sees), duplicates kept."""
    query = select(HistoryEntry.id)
    if origin is not None:
        query = query.where(HistoryEntry.origin == origin)
    with db.transaction() as session:
        return list(session.execute(query).scalars())


# --- the checks ------------------------------------------------------------------------


def assert_exactly_once(server: Server, recorded: Iterable[uuid.UUID]) -> int:
    """Every id of ``recorded`` is on the server once, and the server holds nothing more."""
    wanted = Counter(recorded)
    assert wanted, "nothing was recorded: the test proves nothing"
    twice = [entry for entry, n in wanted.items() if n > 1]
    assert not twice, f"an id was recorded twice by the test itself: {twice[:3]}"
    on_server = Counter(history_ids(server.db))
    duplicates = [entry for entry, n in on_server.items() if n > 1]
    missing = set(wanted) - set(on_server)
    extra = set(on_server) - set(wanted)
    assert not duplicates, f"{len(duplicates)} ids twice on the server, e.g. {duplicates[:3]}"
    assert not missing, f"{len(missing)} of {len(wanted)} entries lost, e.g. {list(missing)[:3]}"
    assert not extra, f"{len(extra)} unexpected entries on the server, e.g. {list(extra)[:3]}"
    assert sum(on_server.values()) == len(wanted)
    return len(wanted)


def assert_verified(db: Database) -> None:
    """``history verify`` on ``db`` passes."""
    from app.store.chain import verify_database

    report = verify_database(db)
    assert report.ok, f"history verify fails on {db.dialect}: first bad entry {report.first_bad}"


def assert_drained(branch: Branch) -> None:
    """Nothing waits in the branch's outbox, nothing was rejected."""
    now = branch.status()
    assert now.pending == 0, f"{now.pending} entries still wait on {branch.path.name}"
    assert now.rejected == 0, f"{now.rejected} entries rejected on {branch.path.name}"


def _scope_customers(server: Server, partner_code: str | None) -> set[uuid.UUID]:
    query = select(Customer.id)
    if partner_code is not None:
        query = query.where(Customer.partner_id == server.partners[partner_code])
    with server.db.transaction() as session:
        return set(session.execute(query).scalars())


def _entries(db: Database, customers: set[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, ...]]:
    with db.transaction() as session:
        rows = session.execute(
            select(
                HistoryEntry.id,
                HistoryEntry.customer_id,
                HistoryEntry.origin,
                HistoryEntry.hash,
                HistoryEntry.text,
            )
        ).all()
    return {row.id: tuple(row[1:]) for row in rows if row.customer_id in customers}


def _case_states(db: Database, customers: set[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, ...]]:
    from app.store.models import Case

    with db.transaction() as session:
        rows = session.execute(
            select(Case.id, Case.customer_id, Case.stage, Case.state, Case.facts)
        ).all()
    return {row.id: tuple(row[1:]) for row in rows if row.customer_id in customers}


def _tickets(db: Database, customers: set[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Each ticket of ``customers``: its status and its answers' ids."""
    from app.store.models import PartnerTicket, TicketFeedback

    with db.transaction() as session:
        tickets = session.execute(
            select(PartnerTicket.id, PartnerTicket.customer_id, PartnerTicket.status)
        ).all()
        answers = session.execute(select(TicketFeedback.ticket_id, TicketFeedback.id)).all()
    answered: dict[uuid.UUID, set[uuid.UUID]] = {}
    for ticket_id, answer_id in answers:
        answered.setdefault(ticket_id, set()).add(answer_id)
    return {
        row.id: (str(row.status), frozenset(answered.get(row.id, ())))
        for row in tickets
        if row.customer_id in customers
    }


def assert_in_step(server: Server, branch: Branch) -> None:
    """The branch holds the server's history and case states within its scope, nothing else."""
    scope = _scope_customers(server, branch.partner_code)
    server_entries = _entries(server.db, scope)
    branch_entries = _entries(branch.db, scope)
    missing = set(server_entries) - set(branch_entries)
    extra = set(branch_entries) - set(server_entries)
    assert not missing, f"{len(missing)} server entries not on {branch.path.name}"
    assert not extra, f"{len(extra)} entries on {branch.path.name} the server lacks"
    differ = [k for k in server_entries if server_entries[k] != branch_entries[k]]
    assert not differ, f"{len(differ)} entries differ between server and {branch.path.name}"
    assert _case_states(server.db, scope) == _case_states(branch.db, scope)
    assert _tickets(server.db, scope) == _tickets(branch.db, scope)
    if branch.partner_code is not None:
        assert_no_foreign_rows(server, branch)


def assert_no_foreign_rows(server: Server, branch: Branch) -> None:
    """A partner's replica holds no row of another partner's customers."""
    own = server.partners[branch.partner_code or ""]
    own_customers = _scope_customers(server, branch.partner_code)
    from app.store.models import Base

    with branch.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = table.c
            if "customer_id" in columns:
                rows = conn.execute(select(columns.customer_id)).scalars()
                foreign = {c for c in rows if c is not None and c not in own_customers}
                assert not foreign, f"{table.name}: {len(foreign)} foreign customers' rows"
            if "partner_id" in columns and table.name != "users":
                rows = conn.execute(select(columns.partner_id)).scalars()
                foreign = {p for p in rows if p is not None and p != own}
                assert not foreign, f"{table.name}: rows of another partner"


def add_tickets(server: Server, by: str, per_partner: int = 2) -> dict[str, list[uuid.UUID]]:
    """Open tickets to each partner on the server (asking no agreement); partner -> ids."""
    from app.store.models import PartnerTicket

    made: dict[str, list[uuid.UUID]] = {}
    with UnitOfWork(server.db) as uow:
        for code, partner_id in server.partners.items():
            for number in customer_numbers(code)[:per_partner]:
                ticket = PartnerTicket(
                    customer_id=customer_id(server.db, number),
                    partner_id=partner_id,
                    kind="fair_use_contact",
                    subject=f"Kontakt {number}",
                    body="Bitte den Kunden kontaktieren.",
                    created_by=by,
                )
                uow.add(ticket)
                uow.flush()
                made.setdefault(code, []).append(ticket.id)
        uow.commit()
    return made
