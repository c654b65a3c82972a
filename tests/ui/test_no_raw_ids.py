"""No internal id reaches the agent: case subjects, routes, categories and products are worded.

Every demo customer is opened in the customer view (with its "What to do now"
list), every worklist is filled and every history entry of the demo is read,
in two UI languages; nothing shown may look like an internal key: a subject
such as ``goodwill:B-7002`` or ``downgrade:2026-12-06``, a route such as
``second_line``, a category such as ``contact_centre.improper_service``, a
product such as ``mobile_tv``, or an empty list left as ``products: )``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.i18n import set_ui_language, ui_language
from app.services.customers import customer_overview, history_page
from app.services.playbooks import startable_flows
from app.services.todo_items import new_complaint_subject, started_target
from app.services.wording import case_words, row_words
from app.services.worklists import worklist
from app.store.db import Database
from app.store.models import Customer
from app.ui.qt import QAbstractButton, QGroupBox, QLabel, QWidget

pytestmark = pytest.mark.gui

REFERENCE = date(2026, 12, 6)
LANGUAGES = ("de", "zh")
WORKLISTS = ("fair-use", "reminders", "onboarding", "complaints")

#: ``goodwill:B-7002``, ``B-7005:month``, ``downgrade:2026-12-06``, ``complaint:20261206-3fa9c2``
KEYED = re.compile(r"(?<![\w-])[A-Za-z][\w-]*:[\w-]+")
#: ``second_line``, ``mobile_tv``, ``improper_service``
SNAKE = re.compile(r"(?<![\w-])[a-z][a-z0-9]*_[a-z0-9_]+")
#: ``contact_centre.improper_service``, ``dealer.incompetence``
DOTTED = re.compile(r"(?<![\w-])[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
#: A placeholder filled with nothing: ``products: ).``, ``(: ...``
EMPTY = re.compile(r"[:(]\s*[).,;]")


def raw_ids(text: str) -> list[str]:
    """What in ``text`` looks like an internal id."""
    return [m.group(0) for pattern in (KEYED, SNAKE, DOTTED, EMPTY) for m in pattern.finditer(text)]


def test_the_patterns_find_the_ids_the_window_used_to_show() -> None:
    for shown in (
        "goodwill:B-7002",
        "B-7005:month",
        "downgrade:2026-12-06",
        "contact_centre.improper_service",
        "dealer.incompetence",
        "Обращение направлено: second_line.",
        "products: ).",
    ):
        assert raw_ids(shown), shown
    for fine in ("Due 6 Dec 2026, 07:55", "C-10001 · 079 123 45 67", "z. B. 17:00", "CHF 79.00"):
        assert not raw_ids(fine), fine


@pytest.fixture(scope="module")
def _demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    built = datetime.combine(REFERENCE, time(9, 0), UTC)
    create_demo(f"sqlite:///{path}", reference=REFERENCE, now=built)
    return path


@pytest.fixture
def demo_db(_demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_demo_file, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = ui_language()
    set_ui_language(request.param)
    yield request.param
    set_ui_language(before)


def _shown(widget: QWidget) -> list[str]:
    """Every text a widget and its children show."""
    texts: list[str] = []
    for label in widget.findChildren(QLabel):
        texts.append(label.text())
    for button in widget.findChildren(QAbstractButton):
        texts.append(button.text())
    for box in widget.findChildren(QGroupBox):
        texts.append(box.title())
    for action in (a for child in widget.findChildren(QWidget) for a in child.actions()):
        texts.append(action.text())
    return [t for t in texts if t]


@pytest.mark.parametrize("language", LANGUAGES, indirect=True)
def test_customer_view_todo_and_history_show_no_internal_id(
    gui_app, qtbot, sync_ops, demo_db: Database, language: str
) -> None:
    from app.ui.customer_view import CustomerView

    view = CustomerView()
    qtbot.addWidget(view)
    view.resize(1200, 900)
    with demo_db.engine.connect() as conn:
        customers = list(conn.execute(select(Customer.id, Customer.customer_no)))
    assert len(customers) >= 300
    found: dict[str, str] = {}
    cases = 0
    for customer_id, customer_no in customers:
        overview = customer_overview(demo_db, customer_id)
        cases += len(overview.open_cases)
        view.show_overview(overview)
        view.todo.load(demo_db, customer_no, REFERENCE)
        texts = _shown(view)
        texts += [entry.text for entry in history_page(demo_db, customer_id, limit=10_000).items]
        for text in texts:
            for raw in raw_ids(text):
                found.setdefault(raw, f"{customer_no}: {text}")
    assert cases > 50  # the demo has open cases of every process to word
    assert not found, "\n".join(f"{raw!r} in {where}" for raw, where in sorted(found.items()))


@pytest.mark.parametrize("language", LANGUAGES, indirect=True)
def test_worklists_show_no_internal_id(demo_db: Database, language: str) -> None:
    found = {}
    for kind in WORKLISTS:
        rows = worklist(demo_db, kind, REFERENCE)
        assert rows, kind
        for row in rows:
            for raw in raw_ids(row_words(row)):
                found.setdefault(raw, f"{kind} {row.customer_no}: {row_words(row)}")
    assert not found, found


@pytest.mark.parametrize("language", LANGUAGES, indirect=True)
def test_subjects_of_started_flows_are_worded(language: str) -> None:
    """The subjects the app makes itself: a flow started on request, a new complaint."""
    for process, flow in startable_flows():
        target = started_target(process, flow.id, REFERENCE)
        words = case_words(process, target.subject)
        assert words is None or not raw_ids(words), (process, flow.id, words)
    words = case_words("complaint", new_complaint_subject(REFERENCE))
    assert words and not raw_ids(words), words
    for process, subject in (
        ("expiry", "goodwill:B-7002"),
        ("expiry", "B-7005:month"),
        ("contract", "downgrade:2026-12-06"),
        ("contract", "cancel"),
        ("fair_use", "2026-12"),
        ("complaint", "contact_centre.improper_service"),
    ):
        words = case_words(process, subject)
        assert words and not raw_ids(words), (subject, words)
