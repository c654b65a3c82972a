"""What the agent reads on the screens: one date format, clean punctuation, worded keys.

Every demo customer is opened in every UI language with each of its to-do
items in the script; every text of the customer column, the to-do list, the
history headings, the script's labels and the worklists is collected and
checked for the classes of defect agents noticed: dates in more than one
format ("6 Dec 2026" beside "05/12/2026"), a doubled period ("2026 г.."),
currency letters on digits ("CHF79.00"), "?:" and "(…) (optional)", and
English key letters on German buttons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from app.i18n import LANGUAGES, _, format_date, set_ui_language
from app.services.customers import search_customers
from app.services.demo import create_demo
from app.services.run_view import InputView
from app.store.db import Database
from app.ui.guided_step import input_label
from app.ui.input_widgets import DateInput, YesNoInput
from app.ui.main_window import MainWindow
from app.ui.qt import QAbstractButton, QKeySequence, QLabel, Qt, QWidget
from app.ui.shortcuts_dialog import ShortcutsDialog
from app.ui.timeline_delegate import entry_heading
from app.ui.worklists import KIND_TITLES
from tests.i18n.test_formats import date_regex, sentence_date_regex
from tests.ui.conftest import type_text

REFERENCE = date(2026, 12, 6)
#: The showcase customers of the demo (every process and stage).
CUSTOMERS = tuple(f"C-{n}" for n in range(10001, 10030))

#: Anything that looks like a date, in any of the formats babel could write.
ANY_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?![\d:])"  # ISO (only in ids and entry texts, never on its own)
    r"|\d{1,4}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日"
    r"|\d{1,2}\.? [^\W\d_]{3,}\.? \d{4}"
)
TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('words') / 'demo.sqlite3'}"
    create_demo(url, seed=7, reference=REFERENCE, customers=40)
    db = Database(url)
    yield db
    db.dispose()


def texts_of(root: QWidget) -> list[str]:
    found = []
    for widget in root.findChildren(QWidget):
        shown = isinstance(widget, QLabel | QAbstractButton) and widget.isVisibleTo(root)
        if shown and widget.text().strip():
            found.append(widget.text())
    return found


def problems_in(text: str, language: str, sentences: tuple[str, ...] = ()) -> list[str]:
    """The defects of one text shown in the UI ``language``.

    Dates are in the language's one format; in a script (``sentences``: the
    languages of its texts) a date may also be said in a sentence, "30. Juni 2026".
    """
    found = []
    one_date = date_regex(language)
    said = [sentence_date_regex(code) for code in sentences]
    for match in ANY_DATE.finditer(text):
        token = match.group()
        if not one_date.fullmatch(token) and not any(r.fullmatch(token) for r in said):
            found.append(f"date {token!r} is not in the one format")
    for match in TIME.finditer(text):
        before = text[: match.start()].rstrip(", ")
        if not one_date.search(before[-16:]):
            found.append(f"time {match.group()!r} without a date in the one format before it")
    if re.search(r"(?<!\.)\.\.(?!\.)", text):
        found.append("doubled period")
    if re.search(r"[?？][:：]", text):
        found.append("'?:'")
    if re.search(r"[)）]\s*[(（]", text):
        found.append("two remarks in parentheses in a row")
    if re.search(r"\b[A-Z]{3}\d|\d[A-Z]{3}\b", text):
        found.append("currency letters on digits")
    return [f"{problem}: {text!r}" for problem in found]


def _window(qtbot, db: Database, language: str) -> MainWindow:
    set_ui_language(language)
    window = MainWindow()
    qtbot.addWidget(window)
    window.today = REFERENCE
    window.set_database(db)
    window.resize(1360, 820)
    window.show()
    return window


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_screen_of_the_demo_customers_reads_cleanly(
    qtbot, gui_app, demo_db: Database, sync_ops, language: str
) -> None:
    window = _window(qtbot, demo_db, language)
    problems: list[str] = []
    scripts = 0
    for number in CUSTOMERS:
        hits = [h for h in search_customers(demo_db, number) if h.customer_no == number]
        if not hits:
            continue
        window.open_customer(hits[0].id)
        view = window.customer_view
        overview = view.overview
        assert overview is not None
        shown = texts_of(view.content)
        if overview.subscription is not None:
            assert _("No products") not in shown, f"{number}: 'No products' beside a subscription"
        shown += [entry_heading(window.timeline.model.item(row))
                  for row in range(window.timeline.model.rowCount())]  # fmt: skip
        problems += [f"{number}: {p}" for text in shown for p in problems_in(text, language)]
        in_script: list[str] = []
        for row_no in range(len(view.todo.rows)):
            view.todo.rows[row_no].activate()
            in_script += texts_of(window.guided)
            scripts += 1
            window.leave_guided(focus=False)
        sentences = (language, overview.language)
        problems += [
            f"{number} (script): {p}"
            for text in in_script
            for p in problems_in(text, language, sentences)
        ]
    for kind in KIND_TITLES:
        window.show_worklist(kind)
        model = window.worklist_window.model
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                text = model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
                if isinstance(text, str):
                    problems += [f"worklist {kind}: {p}" for p in problems_in(text, language)]
    assert scripts, "no to-do item was opened"
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize(
    "text",
    [
        "Due 6 Dec 2026 · opened 05/12/2026, 12:56",
        "Fällig am 06.12.2026 · eröffnet am 05.12.26, 12:56",
        "28 ноября 2026 г..",
        "Kündigung möglich?:",
        "Decision date (empty = today) (optional)",
        "CHF79.00 per month",
    ],
)
def test_the_scan_finds_each_class_of_defect(text: str) -> None:
    language = "de" if "Fällig" in text else "ru" if "ноября" in text else "en"
    assert problems_in(text, language)


def test_the_scan_passes_clean_texts() -> None:
    assert problems_in("Fällig am 06.12.2026 · eröffnet am 05.12.2026, 12:56", "de") == []
    assert problems_in("Due 06/12/2026 · CHF\u00a079.00 · Customer C-10001 … ok.", "en") == []
    assert problems_in("2026年12月6日 到期 · 2026年12月5日 12:56 创建", "zh") == []


@pytest.mark.parametrize(("language", "yes", "no"), [("de", "J", "N"), ("ru", "Д", "Н")])
def test_yes_and_no_show_and_take_the_keys_of_the_ui_language(
    qtbot, gui_app, language: str, yes: str, no: str
) -> None:
    set_ui_language(language)
    widget = YesNoInput(InputView("reached", "yes_no", "?", True, (), None))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.buttons[0].text().endswith(f"({yes})")
    assert widget.buttons[1].text().endswith(f"({no})")
    assert "(Y)" not in widget.buttons[0].text()
    type_text(widget.buttons[0], no.lower())
    assert widget.value() is False
    type_text(widget.buttons[1], yes.lower())
    assert widget.value() is True


def test_chinese_yes_and_no_show_digits(qtbot, gui_app) -> None:
    set_ui_language("zh")
    widget = YesNoInput(InputView("reached", "yes_no", "?", True, (), None))
    qtbot.addWidget(widget)
    assert widget.buttons[0].text().endswith("(1)") and widget.buttons[1].text().endswith("(2)")


@pytest.mark.parametrize("language", ["de", "zh"])
def test_shortcuts_are_a_table_listing_every_shortcut_of_the_window(
    qtbot, window: MainWindow, language: str
) -> None:
    set_ui_language(language)
    window.show_shortcuts()
    (dialog,) = [d for d in window.findChildren(ShortcutsDialog) if d.isVisible()]
    table = dialog.table
    assert table.columnCount() == 2 and table.rowCount() > 10
    cells = [[table.item(r, c).text() for c in range(2)] for r in range(table.rowCount())]
    assert all(keys.strip() and what.strip() and "\t" not in keys + what for keys, what in cells)
    listed = {piece for keys, _what in cells for piece in keys.split(", ")}
    native = QKeySequence.SequenceFormat.NativeText
    for action in window.actions():
        keys = action.shortcut().toString(native)
        assert not keys or keys in listed, f"{keys} ({action.text()}) is missing"
    if language == "de":
        assert any(keys.startswith("Strg+") for keys, _what in cells)
    dialog.close()


@pytest.mark.parametrize(
    ("label", "kind", "shown"),
    [
        ("Callback", "date", "Callback (optional)"),
        ("Decision date (empty = today)", "date", "Decision date (empty = today)"),
        ("Customer's concern (a few words)", "text", "Customer's concern (a few words; optional)"),
        ("客户诉求（简要）", "text", "客户诉求（简要; optional）"),
    ],
)
def test_an_optional_input_says_so_once(label: str, kind: str, shown: str) -> None:
    set_ui_language("en")
    item = InputView("x", kind, label, False, (), None)
    assert input_label(item, locked=False) == shown
    assert input_label(InputView("x", kind, label, True, (), None), locked=False) == label
    assert not problems_in(shown, "en")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_date_field_shows_the_date_as_every_screen_does(qtbot, gui_app, language: str) -> None:
    set_ui_language(language)
    widget = DateInput(InputView("when", "date", "?", False, (), "2026-03-05"))
    qtbot.addWidget(widget)
    assert widget.edit.text() == format_date(date(2026, 3, 5))
    widget.set_value("2026-12-06")
    assert widget.edit.text() == format_date(date(2026, 12, 6))
