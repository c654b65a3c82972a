"""The screens' shared pieces: the table-model base and "only the newest op delivers"."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app.i18n import N_
from app.ui.changes import Changes, change_bus
from app.ui.latest import Latest
from app.ui.qt import QModelIndex, Qt, QWidget
from app.ui.table_model import RowRole, RowTableModel
from app.ui.worker import Op, pending_ops

pytestmark = pytest.mark.gui


class _Pairs(RowTableModel[tuple[str, int]]):
    columns = (N_("Name"), N_("Count"))

    def cell(self, row: tuple[str, int], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row[column] if column == 0 else str(row[column])
        return None


def test_a_row_table_shows_its_rows_columns_and_headers(qapp) -> None:
    model = _Pairs()
    rows = [("a", 1), ("b", 2)]
    model.set_rows(rows)
    rows.append(("c", 3))  # the model keeps its own list
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Count"
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(model.index(1, 1)) == "2"
    assert model.data(model.index(1, 0), RowRole) == ("b", 2)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(QModelIndex()) is None
    assert model.row_at(1) == ("b", 2)
    assert model.row_at(2) is None and model.row_at(-1) is None


def test_retranslating_a_row_table_says_headers_and_cells_again(qapp) -> None:
    model = _Pairs()
    headers: list[tuple[int, int]] = []
    cells: list[tuple[Any, Any]] = []
    model.headerDataChanged.connect(lambda _o, first, last: headers.append((first, last)))
    model.dataChanged.connect(lambda first, last, _roles=(): cells.append((first, last)))
    model.retranslate()
    assert (headers, cells) == ([(0, 1)], [])  # no rows: no cells to say
    model.set_rows([("a", 1), ("b", 2), ("c", 3)])
    model.retranslate()
    assert len(headers) == 2 and len(cells) == 1
    first, last = cells[0]
    assert (first.row(), first.column(), last.row(), last.column()) == (0, 0, 2, 1)


def test_a_row_table_with_paging_serves_only_the_rows_it_counts(qapp) -> None:
    class Paged(_Pairs):
        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else min(len(self.rows), 2)

    model = Paged()
    model.set_rows([("a", 1), ("b", 2), ("c", 3)])
    assert model.row_at(1) == ("b", 2) and model.row_at(2) is None
    assert model.data(model.createIndex(2, 0)) is None


# -- only the newest op of a slot delivers ------------------------------------------------


def _gated(gate: threading.Event, value: object) -> object:
    assert gate.wait(10)
    if isinstance(value, BaseException):
        raise value
    return value


@pytest.mark.parametrize("outcome", ["old", ValueError("old")])
def test_an_older_op_ending_after_a_newer_one_calls_nothing_back(qtbot, qapp, outcome) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    slot = Latest()
    seen: list[object] = []
    reported: list[Changes] = []
    change_bus().operation_did_execute.connect(lambda changes, _by: reported.append(changes))
    gate = threading.Event()
    Op(owner, _gated, gate, outcome).latest(slot).success(seen.append).failure(
        seen.append
    ).finished(lambda: seen.append("old finished")).changes(Changes(notes=True)).run()
    assert slot.pending
    Op(owner, lambda: "new").latest(slot).success(seen.append).finished(
        lambda: seen.append("new finished")
    ).run()
    qtbot.waitUntil(lambda: "new finished" in seen)
    assert not slot.pending
    gate.set()
    qtbot.waitUntil(lambda: pending_ops() == 0)
    assert seen == ["new", "new finished"]
    if outcome == "old":
        assert Changes(notes=True) in reported  # what the stale op changed is still said


def test_joined_work_delivers_until_a_newer_op_starts(qapp, sync_ops) -> None:
    owner = QWidget()
    slot = Latest()
    seen: list[object] = []
    Op(owner, lambda: 1).latest(slot).success(seen.append).run()
    Op(owner, lambda: 2).latest(slot, join=True).success(seen.append).run()
    assert seen == [1, 2]
    number = slot.join()
    slot.start()
    assert not slot.delivers(number)
    slot.drop()
    assert not slot.pending
    owner.deleteLater()


def test_a_slot_stops_the_newest_work_when_superseded_or_asked(qapp) -> None:
    slot = Latest()
    stopped: list[int] = []
    first = slot.start(stop=lambda: stopped.append(1))
    slot.join(stop=lambda: stopped.append(2))  # the next page's work replaces the first's
    slot.stop()  # stopped, not dropped: its outcome still comes
    assert stopped == [2] and slot.delivers(first)
    slot.start(stop=lambda: stopped.append(3))
    slot.start(stop=lambda: stopped.append(4))
    slot.drop()
    assert stopped == [2, 3, 4]
    slot.drop()  # nothing left to stop
    assert stopped == [2, 3, 4] and not slot.pending


# -- the small shared pieces of the screens -----------------------------------------------


def test_list_items_words_take_the_selections_colour_when_selected(qapp) -> None:
    from app.ui.common import item_pen
    from app.ui.qt import QPalette, QStyle, QStyleOptionViewItem

    option = QStyleOptionViewItem()
    palette = option.palette
    assert item_pen(option) == palette.color(QPalette.ColorRole.Text)
    assert item_pen(option, muted=True) == palette.color(QPalette.ColorRole.PlaceholderText)
    option.state |= QStyle.StateFlag.State_Selected
    for muted in (False, True):
        assert item_pen(option, muted) == palette.color(QPalette.ColorRole.HighlightedText)


def test_a_list_status_says_loading_the_error_or_what_is_in(qapp) -> None:
    from app.ui.common import list_status, with_overdue

    def loaded() -> str:
        return with_overdue("5 rows", 2)

    assert list_status("loading", "", loaded) == "Loading…"
    assert list_status("loading", "", loaded, loading="Making…") == "Making…"
    assert list_status("error", "No database", loaded) == "No database"
    assert list_status("loaded", "", loaded) == "5 rows · 2 overdue"
    assert list_status("idle", "", loaded) == ""
    assert with_overdue("5 rows", 0) == "5 rows"


def test_keys_and_date_fields_of_the_screens(qtbot, qapp) -> None:
    from app.ui.common import add_keys, date_edit
    from app.ui.qt import QShortcut

    window = QWidget()
    qtbot.addWidget(window)
    pressed: list[str] = []
    add_keys(window, {"F5": lambda: pressed.append("F5"), "Esc": window.close})
    keys = sorted(s.key().toString() for s in window.findChildren(QShortcut))
    assert keys == ["Esc", "F5"]
    month = date_edit(window, "month", "yyyy-MM", popup=False)
    assert (month.objectName(), month.displayFormat(), month.calendarPopup()) == (
        "month",
        "yyyy-MM",
        False,
    )
    assert date_edit(window, "day").calendarPopup()


def test_search_results_are_painted_in_two_lines_with_the_selection(
    qtbot, gui_app, sync_ops, sqlite_db
) -> None:
    from app.ui.search_panel import SearchPanel
    from tests.ui.factories import seed_people

    seed_people(sqlite_db)
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 400)
    panel.set_database(sqlite_db)
    panel.search_now("C-")
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.model.rowCount() > 1
    image = panel.results.grab().toImage()  # paints every visible row (the first selected)
    assert not image.isNull()
    rect = panel.results.visualRect(panel.model.index(0, 0))
    highlight = panel.results.palette().color(panel.results.palette().ColorRole.Highlight)
    colours = {image.pixelColor(x, rect.center().y()).rgb() for x in range(rect.width())}
    assert highlight.rgb() in colours  # the style drew the selection under the words


def test_timeline_entries_are_painted_with_the_selection_under_their_words(qtbot, gui_app) -> None:
    import uuid
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from app.ui.qt import QListView
    from app.ui.timeline_delegate import ItemRole, TimelineDelegate

    view = QListView()
    qtbot.addWidget(view)
    model = QStandardItemModel(view)
    for text in ("Called back", "Sent the letter\nand a reminder"):
        row = QStandardItem()
        entry = SimpleNamespace(
            id=uuid.uuid4(), kind="note", created_at=datetime.now(UTC), author="anna", text=text
        )
        row.setData(entry, ItemRole)
        model.appendRow(row)
    view.setModel(model)
    view.setItemDelegate(TimelineDelegate(view))
    view.resize(360, 300)
    view.setCurrentIndex(model.index(0, 0))
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    rect = view.visualRect(model.index(0, 0))
    highlight = view.palette().color(view.palette().ColorRole.Highlight)
    colours = {image.pixelColor(x, rect.bottom() - 2).rgb() for x in range(rect.width())}
    assert highlight.rgb() in colours
    assert rect.height() > view.fontMetrics().lineSpacing() * 2  # a heading, then the text


def test_a_hint_label_says_an_error_in_red_and_the_next_words_grey_again(qtbot, qapp) -> None:
    from app.ui.common import hint_label, say

    label = hint_label()
    qtbot.addWidget(label)
    say(label, "The database cannot be reached", error=True)
    assert (label.text(), label.property("role")) == ("The database cannot be reached", "error")
    say(label, "3 rows")
    assert (label.text(), label.property("role")) == ("3 rows", "hint")
