"""SIGKILL of the syncing process at random points of push and pull: nothing lost, nothing twice.

A branch agent records notes and runs ``agent-assist sync now``, and the
process is killed with SIGKILL after a random delay, cycle after cycle
(tests/sync/killloop.py), while a connected agent keeps recording on the
server so that every pull has rows to fetch. Then the branch syncs again
unharmed: every entry recorded on the branch or on the server is on the
server exactly once, the branch holds the server's history, ``history
verify`` passes on both, and the outbox is empty.

``SYNC_KILL_CYCLES`` sets the number of kills (CI: 200; by hand: 1000).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from app.services.customers import add_note
from app.store.db import Database
from tests.sync.harness import (
    Branch,
    Server,
    ServerLogins,
    assert_drained,
    assert_exactly_once,
    assert_in_step,
    assert_verified,
    customer_id,
    customer_numbers,
    history_ids,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SYNC_KILL_CYCLES = int(os.environ.get("SYNC_KILL_CYCLES", "200"))
#: Notes a branch records per cycle before it syncs.
ENTRIES_PER_CYCLE = 3
ROOT = Path(__file__).resolve().parents[2]


class ConnectedAgent:
    """An agent on the server itself, recording every few milliseconds until stopped."""

    def __init__(self, server: Server, login: str) -> None:
        self.db = Database(server.login_url(login))
        self.customers = [customer_id(self.db, n) for n in customer_numbers()]
        self.recorded: list[uuid.UUID] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ConnectedAgent:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.db.dispose()

    def _run(self) -> None:
        rng = random.Random(7)
        while not self._stop.is_set():
            entry = add_note(self.db, rng.choice(self.customers), "At the call centre")
            self.recorded.append(entry.id)
            self._stop.wait(0.05)


def test_sigkill_during_push_and_pull_loses_and_doubles_nothing(
    sync_server: Server,
    server_logins: ServerLogins,
    make_branch: Callable[..., Branch],
) -> None:
    branch = make_branch("agent")
    connected_login = server_logins.add("agent", key="connected")
    spec = {
        "url": branch.url,
        "customers": customer_numbers(),
        "cycles": SYNC_KILL_CYCLES,
        "entries": ENTRIES_PER_CYCLE,
        "seed": 13,
    }
    env = {**os.environ, "AGENT_ASSIST_USER": branch.login, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    with ConnectedAgent(sync_server, connected_login) as connected:
        done = subprocess.run(
            [sys.executable, "-m", "tests.sync.killloop", json.dumps(spec)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60 + SYNC_KILL_CYCLES * 3,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    failed = {code: n for code, n in figures["exit_codes"].items() if code != "0"}
    assert not failed, f"syncs that failed on their own: {failed}\n{done.stderr[-3000:]}"

    # Restart: the branch syncs again, twice (the second has nothing left to do).
    branch.sync()
    branch.sync()
    recorded_here = history_ids(branch.db, origin=branch.db.origin)
    assert len(recorded_here) >= 3 * ENTRIES_PER_CYCLE  # at least the unkilled cycles
    total = assert_exactly_once(sync_server, [*recorded_here, *connected.recorded])
    assert_verified(sync_server.db)
    assert_verified(branch.db)
    assert_drained(branch)
    assert_in_step(sync_server, branch)

    kills = figures["kills"]
    print(
        f"\nkill cycles: {figures['cycles']}, kills by phase {kills}, "
        f"finished before the kill {figures['completed']}, phases start at "
        f"{figures['usual_phase_starts']} s, loop {figures['seconds']} s, "
        f"entries checked {total} ({len(recorded_here)} from the branch), "
        f"test {time.monotonic() - started:.1f} s, exit codes {figures['exit_codes']}"
    )
    # The kills did hit the sync, not only the recording before it.
    assert sum(n for phase, n in kills.items() if phase in ("sync", "push", "pull")) > 0
    for phase in ("push", "pull"):
        if any(p in kills for p in ("push", "pull")):
            assert kills.get(phase, 0) > 0, f"no kill landed while {phase}ing: {kills}"
