"""The log file: where it is, its level, and never a full phone number, a name or a password.

The end-to-end test works as an agent would: customers with known phone numbers
and names are searched for and opened in the window, a command runs for one
of them, background work fails with a number in its message, an exception
nobody caught reaches the window; then the log file is searched for every
number (in every notation) and every name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import config, logs
from app.logs import PersonalDataFilter, mask
from tests.ui.conftest import gui_app, sync_ops, window  # noqa: F401 - fixtures

CUSTOMERS = {  # tests/ui/factories.seed_people
    "+41791234567": "Hans Müller",
    "+8613612346712": "王芳",
    "+79161234567": "Ирина Смирнова",
}


def _notations(e164: str) -> list[str]:
    number = phonenumbers.parse(e164)
    formats = (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    )
    found = [phonenumbers.format_number(number, f) for f in formats]
    return [*found, re.sub(r"\D", "", found[0]), re.sub(r"\D", "", found[2])]


def _leaks(text: str) -> list[str]:
    """Every number (any notation, or its digits alone) and name found in ``text``."""
    # The digits of each run of digits and phone separators, e.g. "079 123 45 67".
    runs = [re.sub(r"\D", "", run) for run in re.findall(r"\d[\d ./()-]*\d", text)]
    found = []
    for e164, name in CUSTOMERS.items():
        for notation in _notations(e164):
            if notation in text:
                found.append(notation)
        national = str(phonenumbers.parse(e164).national_number)
        if any(national in run for run in runs):
            found.append(f"digits of {e164}")
        if name in text:
            found.append(name)
    return found


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The log set up as at start, in a folder of this test, at DEBUG."""
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(tmp_path / "logs"))
    monkeypatch.setenv(logs.ENV_LOG_LEVEL, "DEBUG")
    root = logging.getLogger()
    level = root.level
    logs.shutdown_logging()
    path = logs.setup_logging()
    assert path == tmp_path / "logs" / logs.LOG_FILE
    yield path
    logs.shutdown_logging()
    root.setLevel(level)


def _read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


# --- masking -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("caller +41 79 123 45 67", "caller +41 79 *** ** 67"),
        ("caller +41791234567.", "caller +4179*****67."),
        ("caller 079 123 45 67", "caller 079 *** ** 67"),
        ("caller 0041 79 123 45 67", "caller 0041 7* *** ** 67"),
        ("caller +7 916 123-45-67", "caller +7 916 ***-**-67"),
        ("postgresql+psycopg://anna:s3cret@db/x", "postgresql+psycopg://anna:***@db/x"),
        ("password=hunter2 and more", "password=*** and more"),
        ("mail hans.mueller@example.ch", "mail ***@***"),
    ],
)
def test_phone_numbers_mails_and_passwords_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-06 07:10:52,123",
        "customer C-10001 case 42 letter 7f0c1e2a-5b7d-4c2e-9a51-0d6f3c2b1a90",
        "id=12345678-1234-5678-1234-567812345678",
        "schema 0005 took 1.25 s, 300 customers",
    ],
)
def test_dates_ids_and_counts_stay_readable(text: str) -> None:
    assert mask(text) == text


@settings(max_examples=60, deadline=None)
@given(
    region=st.sampled_from(["CH", "DE", "RU", "CN", "AT", "GB"]),
    fmt=st.sampled_from(list(phonenumbers.PhoneNumberFormat.__dict__.values())[:3]),
    before=st.sampled_from(["", "caller ", "msisdn=", "(", "customer C-10001 at "]),
    after=st.sampled_from(["", ".", " called", ")", ", case 42"]),
)
def test_no_mobile_number_of_any_country_survives_in_any_notation(
    region: str, fmt: int, before: str, after: str
) -> None:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert number is not None
    written = phonenumbers.format_number(number, fmt)
    masked = mask(f"{before}{written}{after}")
    assert str(number.national_number) not in re.sub(r"\D", "", masked)
    assert masked.startswith(before) and masked.endswith(after)


def test_the_filter_masks_arguments_and_tracebacks(log_file: Path) -> None:
    log = logging.getLogger("app.test")
    log.info("lookup %s for %r", "+41 79 123 45 67", {"msisdn": "+41791234567"})
    try:
        raise ValueError("no customer with +41791234567")
    except ValueError:
        log.exception("search failed")
    text = _read(log_file)
    assert "search failed" in text and "Traceback" in text and "ValueError" in text
    assert "+41 79 *** ** 67" in text
    assert _leaks(text) == []
    assert any(isinstance(f, PersonalDataFilter) for h in logging.getLogger().handlers
               for f in h.filters)  # fmt: skip


# --- where, and how much -----------------------------------------------------------


def test_the_level_is_info_unless_the_setting_or_the_variable_says_debug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(logs.ENV_LOG_LEVEL, raising=False)
    assert logs.configured_level() == logging.INFO
    config.save_user_settings()  # a settings file without log_level
    config.Settings(log_level="DEBUG").save()
    config.settings.cache_clear()
    assert logs.configured_level() == logging.DEBUG
    monkeypatch.setenv(logs.ENV_LOG_LEVEL, "warning")
    assert logs.configured_level() == logging.WARNING
    monkeypatch.setenv(logs.ENV_LOG_LEVEL, "nonsense")
    assert logs.configured_level() == logging.INFO


def test_the_log_rotates(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = next(h for h in logging.getLogger().handlers if hasattr(h, "maxBytes"))
    monkeypatch.setattr(handler, "maxBytes", 2_000)
    log = logging.getLogger("app.test")
    for n in range(100):
        log.info("event %d with a line long enough to fill the file quickly", n)
    rotated = sorted(log_file.parent.glob(f"{logs.LOG_FILE}.*"))
    assert rotated and len(rotated) <= logs.BACKUP_COUNT
    assert log_file.stat().st_size <= 2_000


# --- end to end: services, commands and the window --------------------------------


@pytest.mark.gui
def test_no_number_or_name_of_a_customer_reaches_the_log(
    log_file: Path,
    qtbot,
    window,  # noqa: F811 - the fixture
    sqlite_db,
    sync_ops,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli import main
    from app.ui.error_dialog import handle_uncaught
    from app.ui.qt import QApplication, QMessageBox, QPushButton
    from app.ui.worker import Op
    from tests.ui.factories import seed_people

    ids = seed_people(sqlite_db)
    for query in ("079 123 45 67", "Müller", "+8613612346712", "Смирнова"):
        window.search.search_now(query)
        qtbot.waitUntil(lambda: window.search.model.rowCount() == 1)
    for customer_id in ids.values():
        window.open_customer(customer_id)
    assert main(["todo", "C-10001", "--db", sqlite_db.url]) == 0
    assert main(["diagnostics", "--db", sqlite_db.url]) == 0
    diagnostics = capsys.readouterr().out

    def lookup() -> None:
        raise RuntimeError("no answer for +41 79 123 45 67 (Hans)")

    Op(window, lookup).run()  # the worker's failure path
    box = window.findChild(QMessageBox, "errorMessage")
    assert box is not None and box.findChild(QPushButton, "copyDetails") is not None
    box.close()
    assert not box.isVisible()
    try:
        raise KeyError("+79161234567")
    except KeyError as exc:  # an exception nobody caught reaches the window
        handle_uncaught(type(exc), exc, exc.__traceback__)
    box = next(
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "errorMessage" and w.isVisible()
    )
    assert "unexpected" in box.text() and "+7" not in box.text()
    copy = box.findChild(QPushButton, "copyDetails")
    assert copy is not None
    copy.click()
    details = QApplication.clipboard().text()
    assert "KeyError" in details and "Traceback" in details

    text = _read(log_file)
    for customer_id in ids.values():
        assert f"customer opened id={customer_id}" in text
    assert "start version=" in text and "command=todo" in text
    assert "background work failed" in text and "unhandled exception" in text
    assert text.count("Traceback") >= 2
    assert _leaks(text) == [], text
    assert _leaks(diagnostics) == []
    assert _leaks(details) == []
