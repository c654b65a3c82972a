"""Nothing the agent must read is cut off: the customer column beside an open script.

German words are long and Chinese text cannot be broken at spaces; with the
guided panel open the customer column is narrow. Every label and button of
the customer view must lie inside the visible column and show its whole
text (a label that cannot wrap is as wide as its text, or it says in a
tooltip what it hides).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from app.i18n import set_ui_language
from app.services.customers import search_customers
from app.services.demo import create_demo
from app.store.db import Database
from app.ui.main_window import MainWindow
from app.ui.qt import QAbstractButton, QLabel, QPoint, QWidget

#: Customers of the demo showing every section: products, plans, bundles, cases, to-dos.
CUSTOMERS = ("C-10001", "C-10005", "C-10009", "C-10012", "C-10025")
REFERENCE = date(2026, 12, 6)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('layout') / 'demo.sqlite3'}"
    create_demo(url, seed=7, reference=REFERENCE, customers=40)
    db = Database(url)
    yield db
    db.dispose()


def clipped(root: QWidget, visible: QWidget) -> list[str]:
    """Labels and buttons below ``root`` cut off by ``visible``'s edges or by their own width."""
    problems = []
    right = visible.width()
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton) or not widget.isVisibleTo(root):
            continue
        text = widget.text()
        if not text.strip():
            continue
        left_edge = widget.mapTo(visible, QPoint(0, 0)).x()
        right_edge = widget.mapTo(visible, QPoint(widget.width(), 0)).x()
        if left_edge < 0 or right_edge > right + 1:
            problems.append(f"{text!r} spans x={left_edge}..{right_edge}, visible 0..{right}")
            continue
        wraps = isinstance(widget, QLabel) and widget.wordWrap()
        if not wraps and widget.sizeHint().width() > widget.width() + 1 and not widget.toolTip():
            problems.append(
                f"{text!r} needs {widget.sizeHint().width()} px, has {widget.width()} px"
            )
    return problems


@pytest.mark.parametrize(
    ("language", "size"),
    [("de", (1360, 820)), ("zh", (1360, 820)), ("ru", (1360, 820)), ("en", (1360, 820)),
     ("de", (1280, 720)), ("zh", (1280, 720))],
)  # fmt: skip
def test_customer_column_beside_a_script_shows_every_text(
    qtbot, gui_app, demo_db: Database, sync_ops, language: str, size: tuple[int, int]
) -> None:
    set_ui_language(language)
    window = MainWindow()
    qtbot.addWidget(window)
    window.today = REFERENCE
    window.set_database(demo_db)
    window.resize(*size)
    window.show()
    problems: list[str] = []
    opened = 0
    for number in CUSTOMERS:
        (hit,) = [h for h in search_customers(demo_db, number) if h.customer_no == number]
        window.open_customer(hit.id)
        view = window.customer_view
        assert view.overview is not None
        rows = view.todo.rows
        if rows:
            rows[0].activate()
            opened += 1
        for _ in range(5):
            gui_app.processEvents()
        viewport = view.scroll_area.viewport()
        assert view.content.width() <= viewport.width(), f"{number}: column wider than shown"
        problems += [f"{number}: {p}" for p in clipped(view.content, viewport)]
        window.leave_guided(focus=False)
    assert opened, "no customer had anything to do: the script was never open"
    assert not problems, "\n".join(problems)


def test_check_finds_a_cut_off_label(qtbot, gui_app) -> None:
    """The check itself: a label wider than its column is reported."""
    outer = QWidget()
    qtbot.addWidget(outer)
    outer.resize(120, 40)
    label = QLabel("Prozess starten und weitermachen", outer)
    label.setGeometry(0, 0, 100, 20)
    outer.show()
    assert clipped(outer, outer) != []
    label.setToolTip(label.text())
    label.setGeometry(0, 0, 300, 20)
    assert clipped(outer, outer) != []  # beyond the visible edge, tooltip or not
