"""Branches and connected clients work while the line breaks at random; in the end all agree.

A hypothesis state machine: four branch replicas (two agents' branches, one
per partner) and one connected agent, each behind its own proxy, record
notes, open complaint cases and advance the same cases (a case opened on
one branch reaches the others with a sync), the partners' branches answer
their tickets, while their lines are
partitioned and healed at random. A sync over a broken line must say the
server is unreachable (nothing lost). At the end every line heals and every
branch syncs twice; then every outbox is empty, every entry is on the server
exactly once, the server and every replica hold the same history entries
and case states within the replica's scope, ``history verify`` passes
everywhere, and a partner's replica holds no other partner's row.

``SYNC_STATEFUL_EXAMPLES`` and ``SYNC_STATEFUL_STEPS`` make it longer by hand.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from app.services import runs, tickets
from app.services.customers import add_note
from app.services.errors import ServiceError
from app.services.run_view import RunView
from app.store.db import Database
from app.store.models import Case, HistoryEntry, PartnerTicket
from tests.sync.harness import (
    Branch,
    Server,
    ServerLogins,
    add_tickets,
    assert_drained,
    assert_exactly_once,
    assert_in_step,
    assert_verified,
    create_server,
    customer_id,
    customer_numbers,
    drop_server,
    history_ids,
    open_branch,
)
from tests.sync.proxy import PgProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EXAMPLES = int(os.environ.get("SYNC_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("SYNC_STATEFUL_STEPS", "50"))
#: Branches: (login key, partner code); the agents' branches record and advance cases.
BRANCHES = (("agent1", None), ("agent2", None), ("KNU-A", "KNU-A"), ("KNU-B", "KNU-B"))
AGENT_BRANCHES = (0, 1)
PARTNER_BRANCHES = (2, 3)
#: Client index of the connected agent (its proxy follows the branches').
CONNECTED = len(BRANCHES)
CUSTOMERS = customer_numbers()
#: What the examples did, printed at the end (the figures of the note).
SEEN: Counter[str] = Counter()


def _answers(data: st.DataObject, view: RunView) -> dict[str, object]:
    answers: dict[str, object] = {}
    for item in view.inputs:
        if item.kind == "yes_no":
            answers[item.id] = data.draw(st.booleans())
        elif item.kind == "choice":
            ids = [option_id for option_id, _label in item.options] or ["none"]
            answers[item.id] = data.draw(st.sampled_from(ids))
        elif item.kind == "date":
            answers[item.id] = "2026-12-20"
        elif item.kind == "amount":
            answers[item.id] = data.draw(st.sampled_from(["0", "24.50"]))
        else:
            answers[item.id] = "Kunde ruft an"
    return answers


class SyncWorld(RuleBasedStateMachine):
    """One server, its branches and a connected agent, each behind its own proxy."""

    def __init__(self, template: str, folder: Path) -> None:
        super().__init__()
        self.folder = folder / uuid.uuid4().hex[:8]
        self.folder.mkdir(parents=True)
        self.server: Server = create_server(template)
        self.logins = ServerLogins(self.server)
        self.proxies = [PgProxy() for _ in range(len(BRANCHES) + 1)]
        self.branches: list[Branch] = []
        self.connected: Database | None = None
        self.connected_login = ""
        self.cases: list[uuid.UUID] = []

    @initialize()
    def start(self) -> None:
        for key, partner in BRANCHES:
            role = "partner" if partner else "agent"
            self.logins.add(role, key=key, partner_code=partner)
        self.connected_login = self.logins.add("agent", key="connected")
        self.ticket_ids = add_tickets(self.server, self.connected_login)
        for index, (key, partner) in enumerate(BRANCHES):
            login = self.logins[key]
            self.branches.append(
                open_branch(
                    self.folder / f"{key}.sqlite3",
                    login=login,
                    server_url=self.proxies[index].url(self.server.url, login),
                    partner_code=partner,
                )
            )
        self.connected = Database(
            self.proxies[CONNECTED].url(self.server.url, self.connected_login)
        )

    # --- what happens ------------------------------------------------------------------

    def _db(self, client: int) -> Database:
        if client == CONNECTED:
            assert self.connected is not None
            return self.connected
        return self.branches[client].db

    def _online(self, client: int) -> bool:
        return not self.proxies[client].partitioned

    @rule(client=st.sampled_from((*AGENT_BRANCHES, CONNECTED)), customer=st.sampled_from(CUSTOMERS))
    def record(self, client: int, customer: str) -> None:
        if client == CONNECTED:
            if not self._online(client):
                return  # a connected client cannot record without its server
            db = self._db(client)
            add_note(db, customer_id(db, customer), f"Connected note on {customer}")
            SEEN["connected notes"] += 1
            return
        self.branches[client].record(customer, f"Branch note on {customer}")
        SEEN["branch notes"] += 1

    @rule(client=st.sampled_from((*AGENT_BRANCHES, CONNECTED)), customer=st.sampled_from(CUSTOMERS))
    def open_case(self, client: int, customer: str) -> None:
        if client != CONNECTED or self._online(client):
            self._open(client, customer)

    def _open(self, client: int, customer: str) -> uuid.UUID:
        db = self._db(client)
        view = runs.open_run(db, customer_id(db, customer), "complaint", "intake")
        if view.case_id not in self.cases:
            self.cases.append(view.case_id)
            SEEN["cases"] += 1
        return view.case_id

    @precondition(lambda self: bool(self.cases))
    @rule(client=st.sampled_from((*AGENT_BRANCHES, CONNECTED)), data=st.data())
    def advance_case(self, client: int, data: st.DataObject) -> None:
        if client == CONNECTED and not self._online(client):
            return
        db = self._db(client)
        with db.transaction() as session:  # the cases this client has (others come with a sync)
            here = [case for case in self.cases if session.get(Case, case) is not None]
        if here:
            self._advance(client, data.draw(st.sampled_from(here)), data)

    def _advance(self, client: int, case_id: uuid.UUID, data: st.DataObject) -> None:
        """One to three steps of ``case_id`` on ``client``, with random answers."""
        db = self._db(client)
        for _step in range(data.draw(st.integers(1, 3))):
            try:
                view = runs.show_run(db, case_id)
                if view.finished:
                    return
                runs.complete_step(db, case_id, _answers(data, view))
                SEEN["case steps"] += 1
            except ServiceError:
                return  # refused (closed case, an answer that does not fit): nothing written

    @rule(customer=st.sampled_from(CUSTOMERS), data=st.data())
    def two_branches_advance_one_case(self, customer: str, data: st.DataObject) -> None:
        """A case opened on one branch reaches the other, and both advance it on their own."""
        first, second = AGENT_BRANCHES
        if not (self._online(first) and self._online(second)):
            return
        case_id = self._open(first, customer)
        self.sync(first)
        self.sync(second)
        for client in (first, second, first):
            self._advance(client, case_id, data)
        SEEN["cases advanced on two branches"] += 1

    @rule(branch=st.sampled_from(PARTNER_BRANCHES), data=st.data())
    def answer_ticket(self, branch: int, data: st.DataObject) -> None:
        partner = BRANCHES[branch][1]
        ticket_id = data.draw(st.sampled_from(self.ticket_ids[partner or ""]))
        db = self.branches[branch].db
        with db.transaction() as session:
            if session.get(PartnerTicket, ticket_id) is None:
                return  # not here yet: it comes with the next sync
        tickets.answer_ticket(db, ticket_id, "Wir haben den Kunden erreicht.", None)
        SEEN["ticket answers"] += 1

    @rule(branch=st.integers(0, len(BRANCHES) - 1))
    def sync(self, branch: int) -> None:
        from app.sync import ServerUnreachableError

        SEEN["syncs"] += 1
        if self._online(branch):
            self.branches[branch].sync()
            assert self.branches[branch].status().online is True
            return
        SEEN["syncs while cut off"] += 1
        with pytest.raises(ServerUnreachableError):
            self.branches[branch].sync()
        assert self.branches[branch].status().online is False

    @rule(client=st.integers(0, CONNECTED))
    def partition(self, client: int) -> None:
        self.proxies[client].partition()
        SEEN["partitions"] += 1
        if client != CONNECTED:
            self.sync(client)  # the branch's worker finds the line down

    @rule(client=st.integers(0, CONNECTED))
    def heal(self, client: int) -> None:
        self.proxies[client].heal()
        if client != CONNECTED:
            self.sync(client)  # ... and syncs when it is back

    @invariant()
    def nothing_recorded_is_lost_locally(self) -> None:
        for branch in self.branches:
            assert len(history_ids(branch.db, origin=branch.db.origin)) >= len(branch.recorded)

    # --- the end ---------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            if len(self.branches) == len(BRANCHES):
                self._check_agreement()
                SEEN["examples checked"] += 1
        finally:
            self._clean_up()

    def _check_agreement(self) -> None:
        for proxy in self.proxies:
            proxy.heal()
        for _round in range(2):
            for branch in self.branches:
                branch.sync()
        recorded: list[uuid.UUID] = []
        for branch in self.branches:
            assert_drained(branch)
            recorded += history_ids(branch.db, origin=branch.db.origin)
        with self.server.db.transaction() as session:
            recorded += session.execute(
                select(HistoryEntry.id).where(HistoryEntry.author == self.connected_login)
            ).scalars()
        if recorded:
            assert_exactly_once(self.server, recorded)
        assert_verified(self.server.db)
        for branch in self.branches:
            assert_verified(branch.db)
            assert_in_step(self.server, branch)

    def _clean_up(self) -> None:
        for proxy in self.proxies:
            proxy.close()
        for branch in self.branches:
            with contextlib.suppress(Exception):
                branch.db.dispose()
        if self.connected is not None:
            self.connected.dispose()
        self.logins.drop()
        drop_server(self.server)


def test_branches_and_connected_clients_agree_after_random_partitions(
    _sync_template: str, tmp_path: Path
) -> None:
    SEEN.clear()
    started = time.monotonic()
    run_state_machine_as_test(
        lambda: SyncWorld(_sync_template, tmp_path),  # type: ignore[arg-type]  # a factory works
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            # Each example builds a server and five clients: shrinking would take many minutes.
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"\nstateful sync: {dict(SEEN)} in {time.monotonic() - started:.0f} s")
