"""A desktop's SQLite file is copied before its schema is upgraded, and restored if that fails.

A new version of the program upgrades the local database on its first start
(:meth:`app.store.db.Database.ensure_schema`). Before the first migration runs,
:func:`upgrade_with_backup` takes a consistent copy of the file next to it
(``agent-assist.sqlite3.before-0005.bak``, named after the schema version it
holds); a migration that fails puts that copy back, so the agent keeps every
row, and says so. The copy is kept until the next start that finds the schema
up to date (:func:`forget_backups`): after one successful session on the new version.
A shared PostgreSQL server is never upgraded by a desktop; IT backs it up.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import _

if TYPE_CHECKING:
    from app.store.db import Database

log = logging.getLogger(__name__)

BACKUP_SUFFIX = ".bak"


def database_file(db: Database) -> Path | None:
    """The SQLite file of ``db`` (None for PostgreSQL and in-memory databases)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def backup_path(path: Path, revision: str) -> Path:
    return path.with_name(f"{path.name}.before-{revision}{BACKUP_SUFFIX}")


def _copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (also with WAL and open readers)."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def take_backup(path: Path, revision: str) -> Path:
    """Copy ``path`` (at schema ``revision``) next to it; returns the copy."""
    target = backup_path(path, revision)
    _copy(path, target)
    log.info("database backup before upgrade: %s (schema %s)", target.name, revision)
    return target


def restore_backup(backup: Path, path: Path) -> None:
    """Put ``backup`` back in place of ``path`` (its WAL and shared-memory files go)."""
    for extra in ("-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    _copy(backup, path)
    log.warning("database restored from %s after a failed upgrade", backup.name)


def forget_backups(db: Database) -> None:
    """Remove the copies of earlier upgrades: the schema is current and the file opens."""
    path = database_file(db)
    if path is None:
        return
    for old in path.parent.glob(f"{path.name}.before-*{BACKUP_SUFFIX}"):
        try:
            old.unlink()
            log.info("removed the database backup %s after a successful start", old.name)
        except OSError as exc:  # e.g. open in another program: try again next time
            log.warning("cannot remove the database backup %s: %s", old.name, exc)


def upgrade_with_backup(db: Database, current: str | None, head: str | None) -> None:
    """Upgrade ``db`` to ``head``; a SQLite file with data is copied first and restored on failure.

    Raises :class:`app.store.db.DatabaseError` saying the upgrade failed and
    that the database is as it was before.
    """
    from app.store.db import DatabaseError, describe_url, upgrade

    path = database_file(db)
    if path is None or current is None or not path.is_file():
        upgrade(db.engine)  # a new database: nothing to lose
        log.info("database schema created at %s: %s", head, describe_url(db.url))
        return
    db.engine.dispose()
    backup = take_backup(path, current)
    try:
        upgrade(db.engine)
    except Exception as exc:
        log.error("database upgrade %s -> %s failed", current, head, exc_info=True)
        db.engine.dispose()
        try:
            restore_backup(backup, path)
        except Exception as restore_exc:
            log.error("cannot restore %s", backup, exc_info=True)
            raise DatabaseError(
                _(
                    "The database {database} could not be upgraded to version {head} and "
                    "could not be restored either: the copy taken before the upgrade is "
                    "{backup} ({reason})."
                ).format(
                    database=describe_url(db.url), head=head, backup=backup, reason=restore_exc
                )
            ) from exc
        raise DatabaseError(
            _(
                "The database {database} could not be upgraded to version {head}; it was "
                "restored from the copy taken before the upgrade and is as it was: {reason}"
            ).format(
                database=describe_url(db.url),
                head=head,
                reason=(str(exc).strip().splitlines() or [type(exc).__name__])[0][:300],
            )
        ) from exc
    log.info("database upgraded %s -> %s, backup kept: %s", current, head, backup.name)
