"""``agent-assist --smoke``: start the program end to end once, offscreen, and exit 0.

CI runs it on the frozen build (``dist/agent-assist/agent-assist --smoke``) to
prove that the frozen layout finds everything it needs at run time: it creates
and opens the demo database (migrations, rules, playbooks), renders one letter
(templates, fonts), loads every gettext catalog, asks the rules engine one
question, and shows the main window on the demo database. Sync has no
implementation yet and is reported as skipped.

Works on a throw-away data and configuration folder (a temporary one unless
``AGENT_ASSIST_DATA_DIR`` is set), so it never touches a user's data. Prints one
line per step with its time and the time since start, and returns 1 if a step failed.
``AGENT_ASSIST_SMOKE_T0`` (epoch seconds, set by the caller right before starting the
program) adds the time from launch to the main window, bootloader and imports included.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def _database(state: dict[str, Any]) -> str:
    from sqlalchemy import func, select

    from app.config import demo_db_url
    from app.services.demo import ensure_demo_database
    from app.store.db import Database, current_revision
    from app.store.models import Customer

    url = demo_db_url()
    ensure_demo_database(url)
    db = Database(url)
    state["db"] = db
    with db.transaction() as session:
        customers = session.scalar(select(func.count()).select_from(Customer))
    if not customers:
        raise RuntimeError("the demo database has no customers")
    return f"demo database with {customers} customers, schema {current_revision(db.engine)}"


def _letter(_state: dict[str, Any]) -> str:
    from app.letters.samples import sample_context, sample_documents
    from app.services.letters import preview_letter

    document = sample_documents()[0]
    pdf = preview_letter(document, "de", sample_context(document, "de"))
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError(f"{document} did not render as a PDF")
    return f"{document} (de) rendered, {len(pdf)} bytes"


def _catalogs(_state: dict[str, Any]) -> str:
    import gettext

    from app.i18n import CATALOG_FOLDERS, translator

    loaded = []
    for language in CATALOG_FOLDERS:
        catalog = translator(language)
        if not isinstance(catalog, gettext.GNUTranslations):
            raise RuntimeError(f"no {language} catalog was found or it cannot be read")
        loaded.append(f"{language} ({len(getattr(catalog, '_catalog', {}))} messages)")
    return ", ".join(loaded)


def _rules(_state: dict[str, Any]) -> str:
    from app.services.rules import load_ruleset
    from app.services.rules_api import evaluate

    question = {
        "month": "2026-03",
        "exceeded_months": ["2026-01", "2026-02", "2026-03"],
        "mobile_tv": False,
        "combo": False,
        "decision": None,
    }
    answer = evaluate("fair-use", question, load_ruleset())
    if not answer:
        raise RuntimeError("the rules engine gave no answer")
    return f"fair-use answered with {', '.join(sorted(answer))}"


def _sync(state: dict[str, Any]) -> str:
    """The branch sync engine is in the build (push, pull and the server's driver with its
    COPY support) and reads the demo database's state: a desktop, nothing queued."""
    import importlib

    from app.sync import status

    for module in ("app.sync.push", "app.sync.pull", "app.sync.server", "psycopg.copy"):
        importlib.import_module(module)
    found = status(state["db"], probe=False)
    if found.mode != "desktop" or found.pending or found.rejected:
        raise RuntimeError(f"the demo database should be a desktop with nothing queued: {found}")
    return f"sync engine present; the demo database is a {found.mode}, nothing queued"


def _window(state: dict[str, Any]) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.app import create_application
    from app.ui.main_window import MainWindow

    app = create_application([sys.argv[0]])
    window = MainWindow()
    window.show()
    window.set_database(state["db"])
    app.processEvents()
    shown = time.perf_counter() - STARTED
    launched = os.environ.get("AGENT_ASSIST_SMOKE_T0")  # epoch seconds when the caller started us
    if launched:
        state["since_launch"] = time.time() - float(launched)
    window.close()
    window.deleteLater()
    app.processEvents()
    since = state.get("since_launch")
    launch = f" ({since:.2f} s after the process was launched)" if since else ""
    return f"main window shown {shown:.2f} s after start{launch}, on {app.platformName()}"


STEPS: dict[str, Callable[[dict[str, Any]], str]] = {
    "database": _database,
    "letter": _letter,
    "catalogs": _catalogs,
    "rules": _rules,
    "sync": _sync,
    "window": _window,
}


def main() -> int:
    from app import APP_NAME, __version__

    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    print(f"{APP_NAME} {__version__} smoke test ({frozen}, {sys.executable})", flush=True)
    with tempfile.TemporaryDirectory(prefix="agent-assist-smoke-") as folder:
        for variable in ("AGENT_ASSIST_DATA_DIR", "AGENT_ASSIST_CONFIG_DIR"):
            os.environ.setdefault(variable, str(Path(folder, variable.rsplit("_", 2)[-2].lower())))
        os.environ.setdefault("AGENT_ASSIST_AGENT_NAME", "Smoke Test")
        state: dict[str, Any] = {}
        failed = 0
        for name, step in STEPS.items():
            began = time.perf_counter()
            try:
                result = step(state)
            except Exception:
                failed += 1
                print(f"FAILED {name}:\n{traceback.format_exc()}", flush=True)
                continue
            now = time.perf_counter()
            print(
                f"ok     {name}: {result} [{now - began:.2f} s, {now - STARTED:.2f} s]", flush=True
            )
        if "db" in state:
            state["db"].dispose()
    print(
        f"{'FAILED' if failed else 'passed'} in {time.perf_counter() - STARTED:.2f} s", flush=True
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
