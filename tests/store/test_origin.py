"""What a database handle creates once is created once, whoever asks for it first.

Background workers ask at the same moment (a search and opening a customer
on a new file), so each test lets eight threads ask together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.store.db import Database


def _ask_all_at_once(ask: Callable[[], str], threads: int = 8) -> set[str]:
    start = threading.Barrier(threads)
    seen: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            seen.append(ask())
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    return set(seen)


def test_threads_asking_for_the_origin_at_once_get_one_id(sqlite_db: Database) -> None:
    assert len(_ask_all_at_once(lambda: sqlite_db.origin)) == 1


def test_two_handles_on_one_file_agree_on_the_origin(sqlite_db: Database) -> None:
    other = Database(sqlite_db.url)
    try:
        first = other.origin
        assert sqlite_db.origin == first
    finally:
        other.dispose()


def test_workers_resolving_the_user_of_a_new_file_at_once_agree(sqlite_db: Database) -> None:
    from app.services import identity

    identity.forget(sqlite_db)
    assert len(_ask_all_at_once(lambda: identity.current(sqlite_db).login)) == 1
