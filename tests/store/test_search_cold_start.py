"""Start-up cost: what opening a current database and importing the window load.

A database whose schema is current is opened without importing Alembic (its
version is read from ``alembic_version``, the program's from the migration
files), and importing the window does not import reportlab (the letters load
it on the first letter). Both agree with Alembic's own answers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.store.db import Database, _alembic_config, current_revision, head_revision

ROOT = Path(__file__).resolve().parents[2]


def test_head_revision_is_alembics_head() -> None:
    from sqlalchemy import create_engine

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    assert head_revision() == script.get_current_head()


def test_current_revision_is_alembics(db: Database) -> None:
    with db.engine.connect() as conn:
        assert (
            current_revision(db.engine) == MigrationContext.configure(conn).get_current_revision()
        )
    assert current_revision(db.engine) == head_revision()


def test_a_new_database_has_no_revision(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    assert current_revision(create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")) is None


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return set(done.stdout.split())


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.sqlite3'}"
    Database(url).dispose()  # created and migrated: Alembic needed here
    modules = _modules_after(f"from app.store.db import Database\nDatabase({url!r}).dispose()")
    assert "alembic" not in modules


def test_importing_the_window_loads_neither_reportlab_nor_alembic() -> None:
    modules = _modules_after("import app.ui.app")
    assert "reportlab" not in modules
    assert "alembic" not in modules
