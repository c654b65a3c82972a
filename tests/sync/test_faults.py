"""Branch sync under a failing line: lost acknowledgements, late commits, ten branches at once.

Each test ends with the fault tests' promise (tests/sync/harness.py): every
entry recorded is on the server exactly once, ``history verify`` passes on
the server and the branch, the outbox is empty and the branch holds the
server's history within its scope.

``SYNC_LOST_ACK_CYCLES`` sets the lost-acknowledgement cycles (CI: 50; by hand: 500).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.services.errors import ServiceError
from tests.sync.harness import (
    Branch,
    Server,
    assert_drained,
    assert_exactly_once,
    assert_in_step,
    assert_verified,
    customer_numbers,
    history_ids,
)
from tests.sync.proxy import PgProxy

pytestmark = pytest.mark.postgres

SYNC_LOST_ACK_CYCLES = int(os.environ.get("SYNC_LOST_ACK_CYCLES", "50"))


def _server_count(server: Server) -> int:
    return len(history_ids(server.db))


def _try_sync(branch: Branch) -> object | None:
    """Sync; ``None`` when the engine reports the server gone (as it must after a cut)."""
    try:
        return branch.sync()
    except ServiceError:
        return None


@pytest.mark.slow
def test_a_lost_acknowledgement_is_retried_and_stores_nothing_twice(
    sync_server: Server, make_branch: Callable[..., Branch], proxy: PgProxy
) -> None:
    branch = make_branch("agent")
    customers = customer_numbers()
    started = time.monotonic()
    for cycle in range(SYNC_LOST_ACK_CYCLES):
        for n in range(2):
            branch.record(customers[(cycle + n) % len(customers)], f"Lost answer {cycle}.{n}")
        # The push's transaction writes history entries: its COMMIT goes unanswered.
        proxy.lose_ack(when=b"HISTORY_ENTRIES")
        _try_sync(branch)
        assert proxy.lost_acks == cycle + 1, "the push never committed through the proxy"
        assert branch.status().pending > 0 or _server_count(sync_server) == len(branch.recorded)
        branch.sync()  # the retry
        assert _server_count(sync_server) == len(branch.recorded), f"cycle {cycle}"
    seconds = time.monotonic() - started
    assert_exactly_once(sync_server, branch.recorded)
    assert_verified(sync_server.db)
    assert_verified(branch.db)
    assert_drained(branch)
    assert_in_step(sync_server, branch)
    print(f"\nlost acknowledgements: {proxy.lost_acks} cycles in {seconds:.1f} s")


def test_ten_branches_pushing_at_once_store_the_sum(
    sync_server: Server, make_branch: Callable[..., Branch]
) -> None:
    branches = [make_branch("agent") for _ in range(10)]
    customers = customer_numbers()
    for index, branch in enumerate(branches):
        for n in range(20 + index):  # a different count per branch
            branch.record(customers[(index + n) % len(customers)], f"Branch {index}, note {n}")
    start = threading.Barrier(len(branches))
    errors: list[BaseException] = []

    def push(branch: Branch) -> None:
        start.wait()
        try:
            branch.sync()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(b,)) for b in branches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    expected = sum(len(b.recorded) for b in branches)
    assert expected == sum(20 + i for i in range(10))
    assert _server_count(sync_server) == expected
    assert_exactly_once(sync_server, [e for b in branches for e in b.recorded])
    assert_verified(sync_server.db)
    for branch in branches:
        branch.sync()  # fetches the others' entries
    for branch in branches:
        assert_verified(branch.db)
        assert_drained(branch)
        assert_in_step(sync_server, branch)


def test_a_row_committed_late_by_an_earlier_transaction_is_pulled(
    sync_server: Server, make_branch: Callable[..., Branch]
) -> None:
    from app.store.models import Customer
    from app.store.repositories import UnitOfWork

    branch = make_branch("agent")
    partner = sync_server.partners["KNU-A"]
    early = UnitOfWork(sync_server.db).__enter__()  # starts first, commits last
    early.add(
        Customer(
            customer_no="C-EARLY",
            msisdn="+41790000001",
            name="Früh",
            language="de",
            partner_id=partner,
        )
    )
    early.flush()
    with UnitOfWork(sync_server.db) as late:
        late.add(
            Customer(
                customer_no="C-LATE",
                msisdn="+41790000002",
                name="Spät",
                language="de",
                partner_id=partner,
            )
        )
        late.commit()
    branch.sync()  # may or may not bring C-LATE yet, never skips what commits later
    early.commit()
    early.__exit__(None, None, None)
    branch.sync()
    with branch.db.transaction() as session:
        numbers = set(session.execute(select(Customer.customer_no)).scalars())
    assert {"C-EARLY", "C-LATE"} <= numbers
