"""Save a picture of the main window with a customer open, for looking at the layout.

    .venv/bin/python -m tests.ui.screenshot /tmp/main.png [--db URL] [--search C-]
        [--customer C-10001] [--lang de] [--guided [N]] [--steps K] [--worklist KIND]
        [--size 1360x820]

Without ``--db`` it builds a throw-away SQLite database with German, Russian
and Chinese customers. It opens the customer and saves ``window.grab()``
(offscreen; no display needed). ``--guided N`` opens the customer's N-th
"what to do now" item (1 = the most urgent) in the guided panel, and
``--steps K`` then goes K steps on with Next (answering nothing: a step that
needs an answer shows its message). ``--worklist KIND`` also saves a picture
of that worklist's window next to ``out`` (``<out>-worklist.png``).
Try the stage-3 fair-use customer of the demo database:

    agent-assist demo --yes --db sqlite:////tmp/demo.sqlite3
    .venv/bin/python -m tests.ui.screenshot /tmp/guided.png \
        --db sqlite:////tmp/demo.sqlite3 --customer C-10003 --guided
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
    parser.add_argument("--guided", type=int, nargs="?", const=1, default=0)
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--worklist")
    parser.add_argument("--size", default="1360x820")
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
    width, height = (int(n) for n in args.size.split("x"))
    window.resize(width, height)
    window.show()
    window.search.search_now(args.search)
    hits = [h for h in search_customers(db, args.customer) if h.customer_no == args.customer]
    if hits:
        window.open_customer(hits[0].id)
    rows = window.customer_view.todo.rows
    if args.guided and len(rows) >= args.guided:
        rows[args.guided - 1].activate()
        for _ in range(args.steps):
            window.guided.next_step()
    elif args.guided:
        print(f"{args.customer} has {len(rows)} items to do; cannot open no. {args.guided}")
    for _ in range(20):
        QApplication.processEvents()
    window.grab().save(str(args.out))
    print(f"saved {args.out}")
    if args.worklist:
        window.show_worklist(args.worklist)
        for _ in range(20):
            QApplication.processEvents()
        out = args.out.with_name(f"{args.out.stem}-worklist{args.out.suffix}")
        window.worklist_window.grab().save(str(out))
        print(f"saved {out}")
    window.close()
    db.dispose()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
