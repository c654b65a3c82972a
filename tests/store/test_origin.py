"""The installation's origin id is created once, whoever asks for it first."""

from __future__ import annotations

import threading

from app.store.db import Database


def test_threads_asking_for_the_origin_at_once_get_one_id(sqlite_db: Database) -> None:
    start = threading.Barrier(8)
    seen: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        start.wait()
        try:
            seen.append(sqlite_db.origin)
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(seen)) == 1


def test_two_handles_on_one_file_agree_on_the_origin(sqlite_db: Database) -> None:
    other = Database(sqlite_db.url)
    try:
        first = other.origin
        assert sqlite_db.origin == first
    finally:
        other.dispose()


def test_workers_resolving_the_user_of_a_new_file_at_once_agree(sqlite_db: Database) -> None:
    """A search and opening a customer ask who is working at the same moment."""
    from app.services import identity

    start = threading.Barrier(8)
    seen: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        start.wait()
        try:
            seen.append(identity.current(sqlite_db).login)
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    identity.forget(sqlite_db)
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(seen)) == 1
