"""The warm-up behind the shown window: what the first search, customer and to-do list
need loads on a thread of its own, after the first paint, giving way to the agent."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.ui import warmup as wu
from app.ui.qt import QApplication, QEvent, QKeyEvent, Qt, QWidget
from app.ui.warmup import STEPS, AgentActivity, Warmup, warm_up_after_first_paint

pytestmark = pytest.mark.gui


def _warmup(steps: list[tuple[str, Any, bool]], **kwargs: Any) -> Warmup:
    kwargs.setdefault("busy", lambda: False)  # the agent does nothing
    kwargs.setdefault("reads", None)  # no database
    warmup = Warmup(steps, **kwargs)
    return warmup


def test_the_steps_run_in_order_on_a_thread_of_their_own() -> None:
    seen: list[tuple[str, bool]] = []

    def step(name: str) -> Any:
        return lambda: seen.append((name, threading.current_thread() is threading.main_thread()))

    warmup = _warmup([("a", step("a"), True), ("b", step("b"), False), ("c", step("c"), True)])
    warmup.start()
    assert warmup.wait(10)
    assert seen == [("a", False), ("b", False), ("c", False)]
    assert [name for name, _ms in warmup.timings] == ["a", "b", "c"]
    assert warmup.thread is not None and warmup.thread.daemon


def test_a_failing_step_is_logged_and_the_rest_still_load(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def broken() -> None:
        raise ImportError("no such module")

    warmup = _warmup([("broken", broken, True), ("next", lambda: seen.append("next"), True)])
    with caplog.at_level(logging.WARNING, logger="app.ui.warmup"):
        warmup.start()
        assert warmup.wait(10)
    assert warmup.failed == ["broken"]
    assert seen == ["next"]
    assert "warm-up step broken failed" in caplog.text


def test_what_is_not_urgent_waits_while_the_agent_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """An urgent step (what any first search or customer needs) runs regardless; the rest
    waits until the agent's work has been quiet for QUIET_S, also between the parts of
    a step."""
    monkeypatch.setattr(wu, "QUIET_S", 0.05)
    agent_busy = threading.Event()
    agent_busy.set()
    seen: list[str] = []

    def parts() -> Iterator[None]:
        seen.append("part 1")
        agent_busy.set()  # the agent starts a search meanwhile
        yield
        seen.append("part 2")

    warmup = _warmup(
        [("urgent", lambda: seen.append("urgent"), True), ("later", parts, False)],
        busy=agent_busy.is_set,
    )
    warmup.start()
    deadline = time.monotonic() + 10
    while seen != ["urgent"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert seen == ["urgent"]  # gives way: the agent works
    agent_busy.clear()
    while seen != ["urgent", "part 1"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert seen == ["urgent", "part 1"]  # gives way again between the parts
    agent_busy.clear()
    assert warmup.wait(10)
    assert seen == ["urgent", "part 1", "part 2"]
    assert warmup.gave_way_ms >= 300


def test_stop_ends_it_after_the_step_it_is_in() -> None:
    """The application ends: the warm-up stops also while it gives way."""
    seen: list[str] = []
    steps = [("first", lambda: seen.append("first"), True), ("x", lambda: seen.append("x"), False)]
    warmup = _warmup(steps, busy=lambda: True)  # the agent's work never ends
    warmup.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert warmup.stop(10)
    assert time.monotonic() - started < 1
    assert seen == ["first"]


def test_every_step_of_the_application_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The modules and functions the steps name exist (a rename would only be logged)."""
    warmup = _warmup(list(STEPS))
    warmup.start()
    assert warmup.wait(60)
    assert warmup.failed == []
    assert [name for name, _ms in warmup.timings] == [name for name, _step, _u in STEPS]


def test_it_starts_after_the_window_first_painted(
    gui_app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(wu.ENV_NO_WARMUP, raising=False)
    window = QWidget()
    qtbot.addWidget(window)
    ran = threading.Event()
    warmup = _warmup([("step", ran.set, True)])
    assert warm_up_after_first_paint(window, warmup) is warmup
    QApplication.processEvents()
    assert warmup.thread is None  # not shown, not painted: not started
    window.show()
    qtbot.waitUntil(lambda: warmup.thread is not None, timeout=5000)
    assert warmup.wait(10) and ran.is_set()


def test_the_switch_turns_it_off(
    gui_app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(wu.ENV_NO_WARMUP, "1")
    window = QWidget()
    qtbot.addWidget(window)
    assert warm_up_after_first_paint(window) is None


def test_typing_counts_as_the_agent_at_work_until_it_finishes(
    gui_app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wu, "_agents_work_runs", lambda: False)
    activity = AgentActivity(gui_app)
    edit = QWidget()
    qtbot.addWidget(edit)
    assert not activity.busy()
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_M, Qt.KeyboardModifier.NoModifier, "m")
    QApplication.sendEvent(edit, key)
    assert activity.busy()
    monkeypatch.setattr(wu, "TYPING_S", 0.0)
    assert not activity.busy()
    # Finished (from the warm-up's thread): the application's input is no longer watched.
    finisher = threading.Thread(target=activity.finish)
    finisher.start()
    finisher.join()
    monkeypatch.setattr(wu, "TYPING_S", 10.0)
    activity.last_input = float("-inf")
    qtbot.waitUntil(lambda: not _filters(activity), timeout=5000)
    QApplication.sendEvent(edit, key)
    assert not activity.busy()


def _filters(activity: AgentActivity) -> bool:
    """Whether ``activity`` still watches (it is deleted once it stopped)."""
    from app.ui.qt import isValid

    return isValid(activity)


def test_the_reads_run_once_the_database_is_open_before_what_is_not_urgent() -> None:
    order: list[str] = []

    def reads(db: Any) -> Iterator[None]:
        order.append(f"reads on {db}")
        yield

    steps = [("urgent", lambda: order.append("urgent"), True)]
    steps.append(("later", lambda: order.append("later"), False))
    warmup = _warmup(steps, reads=reads)
    warmup.use_database("the database")  # type: ignore[arg-type]
    warmup.start()
    assert warmup.wait(10)
    assert order == ["urgent", "reads on the database", "later"]


def test_a_database_still_opening_does_not_hold_up_the_other_steps() -> None:
    order: list[str] = []

    def reads(db: Any) -> Iterator[None]:
        order.append(f"reads on {db}")
        yield

    steps = [("urgent", lambda: order.append("urgent"), True)]
    steps.append(("later", lambda: order.append("later"), False))
    warmup = _warmup(steps, reads=reads)
    warmup.start()
    deadline = time.monotonic() + 10
    while order != ["urgent", "later"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert order == ["urgent", "later"]  # the reads wait for the database
    assert not warmup.done.is_set()
    warmup.use_database("the database")  # type: ignore[arg-type]
    assert warmup.wait(10)
    assert order == ["urgent", "later", "reads on the database"]


def test_a_database_that_never_opens_does_not_hold_the_exit() -> None:
    warmup = _warmup([("urgent", lambda: None, True)], reads=lambda db: iter(()))
    warmup.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert warmup.stop(10)
    assert time.monotonic() - started < 1


def test_the_reads_find_a_customer_and_change_nothing(sqlite_db: Any) -> None:
    from app.services.customers import history_page, search_customers
    from app.ui.warmup import read_once
    from tests.ui.factories import seed_people

    people = seed_people(sqlite_db)
    before = {name: len(history_page(sqlite_db, cid).items) for name, cid in people.items()}
    hits = search_customers(sqlite_db, "a", 50)
    parts = list(read_once(sqlite_db))
    assert len(parts) == 3  # gives way between its reads
    assert {name: len(history_page(sqlite_db, cid).items) for name, cid in people.items()} == before
    assert search_customers(sqlite_db, "a", 50) == hits


def test_the_reads_skip_what_the_user_may_not_do(
    sqlite_db: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.services import customers
    from app.services.permissions import PermissionDenied
    from app.ui.warmup import read_once

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionDenied("no")

    monkeypatch.setattr(customers, "search_customers", refuse)
    with caplog.at_level(logging.INFO, logger="app.ui.warmup"):
        assert list(read_once(sqlite_db)) == []
    assert "warm-up read nothing: PermissionDenied" in caplog.text


def test_the_agents_input_is_watched_from_the_first_paint_until_it_is_done(
    gui_app: QApplication, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.qt import isValid

    monkeypatch.delenv(wu.ENV_NO_WARMUP, raising=False)
    release = threading.Event()
    monkeypatch.setattr(wu, "STEPS", (("wait", release.wait, True),))
    window = QWidget()
    qtbot.addWidget(window)
    usual = warm_up_after_first_paint(window)
    assert usual is not None
    usual.reads = None
    assert usual.busy is wu._agents_work_runs  # nothing watched while the window paints
    window.show()
    qtbot.waitUntil(lambda: usual.thread is not None, timeout=5000)
    activity = getattr(usual.busy, "__self__", None)
    assert isinstance(activity, AgentActivity) and isValid(activity)
    release.set()
    assert usual.wait(10)
    qtbot.waitUntil(lambda: not isValid(activity), timeout=5000)  # and no longer
