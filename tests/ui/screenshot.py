"""Save a picture of the main window with a customer open, for looking at the layout.

    .venv/bin/python -m tests.ui.screenshot /tmp/main.png [--db URL] [--search C-]
        [--customer C-10001] [--lang de]

Without ``--db`` it builds a throw-away SQLite database with German, Russian
and Chinese customers. It opens the customer and saves ``window.grab()``
(offscreen; no display needed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--db")
    parser.add_argument("--search", default="C-")
    parser.add_argument("--customer", default="C-10001")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="agent-assist-shot-"))
    os.environ["AGENT_ASSIST_DATA_DIR"] = str(folder / "data")
    os.environ["AGENT_ASSIST_CONFIG_DIR"] = str(folder / "config")

    from app.i18n import set_ui_language
    from app.services.customers import add_note, search_customers
    from app.store.db import Database
    from app.ui.app import create_application
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication
    from app.ui.worker import Op
    from tests.ui.factories import add_history, seed_people

    set_ui_language(args.lang)
    db = Database(args.db or f"sqlite:///{folder / 'shot.sqlite3'}")
    if not args.db:
        ids = seed_people(db)
        add_history(db, ids["mueller"], 1200, start=datetime.now(UTC) - timedelta(days=30))
        add_note(db, ids["mueller"], "Kunde ruft wegen der Rechnung an; Rückruf am Montag.", "anna")
        add_note(db, ids["mueller"], "Клиентка просит перезвонить после 18:00.", "irina")
        add_note(db, ids["mueller"], "客户询问流量套餐到期后的资费。已解释并发送短信。", "王芳")

    app = create_application()
    Op.synchronous = True
    window = MainWindow()
    window.set_database(db)
    window.show()
    window.search.search_now(args.search)
    hits = [h for h in search_customers(db, args.customer) if h.customer_no == args.customer]
    if hits:
        window.open_customer(hits[0].id)
    for _ in range(20):
        QApplication.processEvents()
    window.grab().save(str(args.out))
    print(f"saved {args.out}")
    window.close()
    db.dispose()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
