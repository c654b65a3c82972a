"""Kill the syncing process again and again: ``python -m tests.sync.killloop SPEC_JSON``.

Starting ``agent-assist`` takes over a second on this machine, so a cycle
does not start a new interpreter: this process imports everything once and
then, per cycle, forks a child that records a few notes on the branch
replica and runs ``agent-assist sync now --json`` (``app.cli.main``, the
command's own code), and kills it with SIGKILL after a random delay. The
parent records and syncs once before the first fork, so that the children
start warm (a first sync in a new interpreter spends most of its time
compiling statements).

The child tells where it stands through a pipe, one mark per phase with the
time it started: ``r`` recording, ``s`` the sync command started, ``p``
pushing and ``l`` pulling (the engine's ``push`` and ``pull`` are watched),
``d`` done. The last mark before the kill names the phase it hit. The first
three cycles and every eighth after them are not killed: they measure how
long each phase usually takes. In the others the parent waits for the mark
of the phase to hit and kills a random moment within that phase's usual
length after it: two kills in five while pushing, two while pulling, one at
any moment of the cycle. The loop runs until ``cycles`` kills were made.

SPEC_JSON: ``{"url", "customers": [customer numbers], "cycles" (kills to make),
"entries", "seed"}``; the login comes from ``AGENT_ASSIST_USER``. Prints one JSON
object: cycles, kills per phase, completed cycles, seconds, exit codes seen.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import struct
import sys
import time
import traceback
from collections import Counter, deque
from typing import Any

PHASES = {b"r": "record", b"s": "sync", b"p": "push", b"l": "pull", b"d": "done"}
_MARK = struct.Struct("!cd")
#: Every this many cycles one is not killed: it measures when the phases start.
MEASURE_EVERY = 8


def _mark(marker: int, phase: bytes) -> None:
    """Tell the parent that ``phase`` starts now (the clock is the machine's monotonic one)."""
    os.write(marker, _MARK.pack(phase, time.monotonic()))


def _watch_phases(marker: int) -> None:
    """Write ``p``/``l`` to ``marker`` when the sync engine starts pushing and pulling."""
    import importlib

    sync = importlib.import_module("app.sync")
    for loaded in ("app.sync.push", "app.sync.pull"):  # loaded, so that they can be watched
        importlib.import_module(loaded)
    for name, byte in (("push", b"p"), ("pull", b"l")):
        for module in _modules_with(sync, name):
            original = getattr(module, name)

            def watched(*args: Any, _f: Any = original, _b: bytes = byte, **kw: Any) -> Any:
                _mark(marker, _b)
                return _f(*args, **kw)

            setattr(module, name, watched)


def _modules_with(package: Any, name: str) -> list[Any]:
    """``package`` and its loaded submodules that define a callable ``name``."""
    found = []
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(package.__name__):
            continue
        if callable(getattr(module, name, None)):
            found.append(module)
    return found


def _child(spec: dict[str, Any], cycle: int, marker: int, customer_ids: list[Any]) -> int:
    from app.cli import main
    from app.services.customers import add_note
    from app.store.db import Database

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # errors still reach the test, on stderr
    _mark(marker, b"r")
    db = Database(spec["url"])
    rng = random.Random(spec["seed"] * 100_003 + cycle)
    for n in range(spec["entries"]):
        add_note(db, rng.choice(customer_ids), f"Kill cycle {cycle}, note {n}")
    db.dispose()
    _mark(marker, b"s")
    _watch_phases(marker)
    code = main(["sync", "now", "--json", "--db", spec["url"]])
    _mark(marker, b"d")
    return code


Kill = tuple[bytes, float]  # after the mark of this phase, wait this long, then kill


def _cycle(
    spec: dict[str, Any], cycle: int, customer_ids: list[Any], kill: Kill | None
) -> tuple[str, int | None, dict[str, float]]:
    """One child, killed ``kill[1]`` seconds after it marked phase ``kill[0]`` (``None``: never).

    Returns the phase the kill hit (``completed`` when the child finished
    first), the child's exit code (``None`` when killed) and when each phase
    started, in seconds after the fork.
    """
    read, write = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 99
        try:
            code = _child(spec, cycle, write, customer_ids)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    markers = b""
    if kill is not None:
        target, delay = kill
        while True:  # wait for the phase to start (or the child to end without it)
            chunk = os.read(read, 4096)
            if not chunk:
                break
            markers += chunk
            whole = len(markers) - len(markers) % _MARK.size
            at = [m for p, m in _MARK.iter_unpack(markers[:whole]) if p == target]
            if at:
                time.sleep(max(0.0, at[0] + delay - time.monotonic()))
                os.kill(pid, signal.SIGKILL)
                break
    _pid, status = os.waitpid(pid, 0)
    while chunk := os.read(read, 4096):  # the writing end is closed now: no waiting
        markers += chunk
    os.close(read)
    whole = len(markers) - len(markers) % _MARK.size
    phases = {
        PHASES[phase]: moment - started for phase, moment in _MARK.iter_unpack(markers[:whole])
    }
    last = max(phases, key=lambda name: phases[name]) if phases else "start"
    if os.WIFSIGNALED(status):
        return last, None, phases
    return "completed", os.WEXITSTATUS(status), phases


def _kill(rng: random.Random, usual: dict[str, float]) -> Kill:
    """Where to kill: two in five while pushing, two while pulling, one at any moment."""
    push = usual.get("push", usual["sync"])
    pull = usual.get("pull", push)
    end = usual["done"]
    window = rng.random()
    if window < 0.4:
        return b"p", rng.uniform(0, max(pull - push, 0.001))
    if window < 0.8:
        return b"l", rng.uniform(0, max(end - pull, 0.001))
    return b"r", rng.uniform(0, end)


def _warm_up(spec: dict[str, Any], customer_ids: list[Any]) -> None:
    """Record and sync once here, so that each child starts with warm caches.

    A fresh interpreter spends most of its first sync compiling statements
    and loading the drivers' types; the children inherit all that. Nothing
    stays open: the databases are closed before the first fork.
    """
    import contextlib
    import gc
    import io

    from app.cli import main
    from app.services.customers import add_note
    from app.store.db import Database

    db = Database(spec["url"])
    add_note(db, customer_ids[0], "Before the kills")
    db.dispose()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["sync", "now", "--json", "--db", spec["url"]])
    if code != 0:
        raise SystemExit(f"the first sync failed with exit code {code}")
    gc.collect()
    gc.freeze()  # the children share these pages instead of copying them


def run(spec: dict[str, Any]) -> dict[str, Any]:
    # Everything the children use is imported here, once.
    import app.cli
    import app.commands.history
    import app.services.customers
    import app.sync
    from app.cli import build_parser
    from app.store.db import Database
    from tests.sync.harness import customer_id

    del app.cli, app.commands.history, app.services.customers, app.sync
    build_parser()
    db = Database(spec["url"])
    customer_ids = [customer_id(db, number) for number in spec["customers"]]
    db.dispose()
    _warm_up(spec, customer_ids)
    began = time.monotonic()
    codes: Counter[int] = Counter()
    calibration = []
    for n in range(3):  # when each phase starts when nobody kills the child
        _phase, code, phases = _cycle(spec, -1 - n, customer_ids, None)
        codes[code or 0] += 1
        calibration.append(phases)
    seen: dict[str, deque[float]] = {
        name: deque((p[name] for p in calibration if name in p), maxlen=15)
        for name in calibration[0]
    }
    rng = random.Random(spec["seed"])
    hits: Counter[str] = Counter()
    cycle = 0
    while sum(n for name, n in hits.items() if name != "completed") < spec["cycles"]:
        cycle += 1
        if cycle % MEASURE_EVERY == 0:  # unkilled: keeps the phases' usual starts current
            _phase, code, phases = _cycle(spec, cycle, customer_ids, None)
            codes[code or 0] += 1
            for name, at in phases.items():
                seen.setdefault(name, deque(maxlen=15)).append(at)
            continue
        usual = {name: statistics.median(times) for name, times in seen.items() if times}
        phase, code, phases = _cycle(spec, cycle, customer_ids, _kill(rng, usual))
        if os.environ.get("KILLLOOP_DEBUG"):
            print(cycle, phase, code, phases, file=sys.stderr)
        hits[phase] += 1
        if code is not None:
            codes[code] += 1
    return {
        "cycles": cycle,
        "kills": {k: v for k, v in hits.items() if k != "completed"},
        "completed": hits["completed"],
        "usual_phase_starts": {
            name: round(statistics.median(times), 3) for name, times in seen.items() if times
        },
        "seconds": round(time.monotonic() - began, 1),
        "exit_codes": {str(k): v for k, v in codes.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
