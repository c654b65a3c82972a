"""The server becomes unreachable in the middle of a sync: the branch goes offline and works on.

The line slows down, ``agent-assist sync now`` starts, and the proxy cuts
the line while it runs: the command exits with 3 (server unreachable, work
kept), ``sync status`` says offline, and the branch keeps recording (the
service and ``agent-assist history add``). After the line heals, the queue
drains within 60 seconds and the fault tests' promise holds
(tests/sync/harness.py).

A line that hangs (the proxy holds every byte while the connection stays
up, as a stuck middlebox or server does; TCP keepalives are answered) must
not hold the sync forever either: it gives up as unreachable, work kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from app.cli import main
from app.services.errors import ServiceError
from app.services.identity import ENV_USER
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

EXIT_UNREACHABLE = 3
#: The queue drains within this many seconds of the line healing (issue 13).
DRAIN_SECONDS = 60
#: How long one exchange with the server may take, here (the product's default is 30 s) ...
EXCHANGE_SECONDS = 5
#: ... and the time a sync over a line that hangs may take in all before it gives up.
HUNG_LINE_SECONDS = 25


def _try_sync(branch: Branch) -> object | None:
    try:
        return branch.sync()
    except ServiceError:
        return None


def test_unreachable_server_mid_sync_keeps_recording_and_drains_after_healing(
    sync_server: Server,
    make_branch: Callable[..., Branch],
    proxy: PgProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    branch = make_branch("agent")
    monkeypatch.setenv(ENV_USER, branch.login)  # the commands' user on the branch
    customers = customer_numbers()
    for n in range(40):
        branch.record(customers[n % len(customers)], f"Before the line broke {n}")

    # The line slows down, the sync starts, and the line breaks in the middle of it.
    proxy.set_delay(0.02)
    codes: list[int] = []
    syncing = threading.Thread(
        target=lambda: codes.append(main(["sync", "now", "--json", "--db", branch.url]))
    )
    before = proxy.accepted
    syncing.start()
    while proxy.accepted == before:  # the sync has reached the server ...
        time.sleep(0.01)
    time.sleep(0.2)
    assert syncing.is_alive(), "the sync ended before the line broke"
    proxy.partition()  # ... and the line breaks while it runs
    syncing.join(timeout=120)
    assert codes == [EXIT_UNREACHABLE], codes

    now = branch.status()
    assert now.online is False
    # Offline, the branch keeps recording, through the command too.
    for n in range(10):
        branch.record(customers[n % len(customers)], f"While offline {n}")
    assert main(["history", "add", customers[0], "--text", "Offline too", "--db", branch.url]) == 0
    assert branch.status().pending >= 11
    assert main(["sync", "now", "--json", "--db", branch.url]) == EXIT_UNREACHABLE

    proxy.heal()
    healed = time.monotonic()
    while branch.status().pending:
        assert time.monotonic() - healed < DRAIN_SECONDS, "the queue did not drain in time"
        if _try_sync(branch) is None:
            time.sleep(1)
    drained = time.monotonic() - healed
    assert branch.status().online is True
    recorded = history_ids(branch.db, origin=branch.db.origin)
    assert len(recorded) == 51
    assert_exactly_once(sync_server, recorded)
    assert_verified(sync_server.db)
    assert_verified(branch.db)
    assert_drained(branch)
    assert_in_step(sync_server, branch)
    print(f"\nqueue drained {drained:.1f} s after healing")


def test_a_line_that_hangs_mid_sync_is_reported_unreachable_in_bounded_time(
    sync_server: Server,
    make_branch: Callable[..., Branch],
    proxy: PgProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proxy holds every byte (the connection stays up): no keepalive notices that."""
    from app.sync import ServerUnreachableError
    from app.sync.server import ENV_TIMEOUT

    monkeypatch.setenv(ENV_TIMEOUT, str(EXCHANGE_SECONDS))
    branch = make_branch("agent")
    customers = customer_numbers()
    for n in range(20):
        branch.record(customers[n % len(customers)], f"Before the line hung {n}")
    proxy.set_delay(0.02)
    outcome: list[BaseException | object] = []

    def sync() -> None:
        try:
            outcome.append(branch.sync())
        except BaseException as exc:
            outcome.append(exc)

    before = proxy.accepted
    syncing = threading.Thread(target=sync, daemon=True)
    syncing.start()
    try:
        while proxy.accepted == before:
            time.sleep(0.01)
        time.sleep(0.15)
        proxy.stall()
        syncing.join(timeout=HUNG_LINE_SECONDS)
        hung = syncing.is_alive()
    finally:
        proxy.heal()  # a sync still hanging finishes now
        syncing.join(timeout=60)
    assert not hung, f"the sync still waited {HUNG_LINE_SECONDS} s after the line hung"
    assert len(outcome) == 1 and isinstance(outcome[0], ServerUnreachableError), outcome
    assert branch.status().pending == 20  # kept
    branch.sync()
    assert_exactly_once(sync_server, branch.recorded)
    assert_drained(branch)
