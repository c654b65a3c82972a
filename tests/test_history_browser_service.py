"""The history browser's service: permission, pages, filter choices and exports, on both engines.

An export writes exactly the rows the filter selects (CSV read back with the
csv module, XLSX read back from the sheet's XML with the standard library);
a stopped export leaves no file; an agent is refused.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.services import history_browser as hb
from app.services import identity
from app.services.identity import Identity
from app.services.permissions import PermissionDenied
from app.store import history_query as hq
from app.store.db import Database
from app.store.history_query import HistoryFilter
from app.store.models import Role
from tests.history_browser_data import FILTERS, Expected, brute_force, seed

_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(path: Path) -> list[list[str]]:
    """The first sheet's cells as text (shared or inline strings), row by row."""
    with zipfile.ZipFile(path) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['x']}}}t")) for si in root]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str]] = []
    for row in sheet.iter(f"{{{_NS['x']}}}row"):
        cells: dict[int, str] = {}
        for cell in row:
            ref = cell.get("r", "")
            letters = re.match(r"[A-Z]+", ref)
            assert letters
            col = 0
            for ch in letters.group(0):
                col = col * 26 + ord(ch) - 64
            kind = cell.get("t")
            if kind == "s":
                value = shared[int(cell.findtext("x:v", "", _NS))]
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{{{_NS['x']}}}t"))
            else:
                value = cell.findtext("x:v", "", _NS)
            cells[col - 1] = value
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def expected_cells(e: Expected, csv_file: bool) -> list[str]:
    cells = [
        e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        e.customer_no,
        f"Kunde {int(e.customer_no[2:]) - 900}",
        e.partner_code,
        e.author,
        e.process or "",
        e.stage or "",
        e.kind,
        e.text,
        str(e.id),
        str(e.customer_id),
    ]
    return [hb.csv_safe(c) for c in cells] if csv_file else cells


@pytest.fixture
def seeded(db: Database) -> tuple[Database, list[Expected]]:
    return db, seed(db)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("index", [0, 2, 6, 8, 12, 14])
def test_an_export_holds_exactly_the_filters_rows(
    seeded: tuple[Database, list[Expected]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    index: int,
) -> None:
    db, expected = seeded
    monkeypatch.setattr(hb, "EXPORT_BATCH", 11)  # several batches
    flt = FILTERS[index]
    path = tmp_path / f"history.{fmt}"
    seen: list[int] = []
    result = hb.export_history(db, flt, path, fmt, lambda n: seen.append(n) is None)
    rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
    want = brute_force(expected, flt)
    assert rows[0] == hb.columns()
    assert rows[1:] == [expected_cells(e, fmt == "csv") for e in want]
    assert result.rows == len(want) and not result.stopped
    assert seen and seen[-1] == len(want) and seen == sorted(seen)
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_stopped_export_leaves_no_file(
    seeded: tuple[Database, list[Expected]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    db, _expected = seeded
    monkeypatch.setattr(hb, "EXPORT_BATCH", 10)
    out = tmp_path / "out"
    out.mkdir()
    path = out / f"history.{fmt}"
    result = hb.export_history(db, HistoryFilter(), path, fmt, lambda n: n < 30)
    assert result.stopped and result.rows == 30
    assert list(out.iterdir()) == []


def test_a_failed_export_leaves_no_file(
    seeded: tuple[Database, list[Expected]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _expected = seeded
    monkeypatch.setattr(hb, "XLSX_MAX_ROWS", 25)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(hb.ValidationError, match="CSV"):
        hb.export_history(db, HistoryFilter(), out / "h.xlsx", "xlsx")
    assert list(out.iterdir()) == []


def test_a_formula_in_a_text_stays_text_in_csv() -> None:
    assert hb.csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert hb.csv_safe("-5 CHF") == "'-5 CHF"
    assert hb.csv_safe("Called") == "Called"


def test_pages_and_choices_through_the_service(seeded: tuple[Database, list[Expected]]) -> None:
    db, expected = seeded
    first = hb.browse_page(db, HistoryFilter(partner="KNU-A"), limit=10)
    assert [r.entry_id for r in first.rows] == [
        e.id for e in brute_force(expected, HistoryFilter(partner="KNU-A"))[:10]
    ]
    choices = hb.filter_choices(db)
    assert [p.code for p in choices.partners] == ["KNU-A", "KNU-B"]
    assert list(choices.agents) == sorted({e.author for e in expected})
    assert list(choices.kinds) == sorted({e.kind for e in expected})
    assert list(choices.processes) == sorted({e.process for e in expected if e.process})
    assert list(choices.stages) == sorted({e.stage for e in expected if e.stage})


def test_a_text_search_too_slow_is_told_clearly(
    seeded: tuple[Database, list[Expected]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _expected = seeded

    def slow(*_args: object, **_kwargs: object) -> hq.Page:
        raise hq.QueryTimeoutError

    monkeypatch.setattr(hq, "page", slow)
    with pytest.raises(hb.HistoryTooSlowError, match="shorter period"):
        hb.browse_page(db, HistoryFilter(text="x"))


def test_an_agent_is_refused(seeded: tuple[Database, list[Expected]], tmp_path: Path) -> None:
    db, _expected = seeded
    identity.use(db, Identity(login="t.agent", display_name="t.agent", role=Role.AGENT))
    try:
        for attempt in (
            lambda: hb.browse_page(db, HistoryFilter()),
            lambda: hb.filter_choices(db),
            lambda: hb.export_history(db, HistoryFilter(), tmp_path / "out.csv", "csv"),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
        assert not (tmp_path / "out.csv").exists()
    finally:
        identity.forget(db)


def test_every_page_runs_under_the_time_limit(
    seeded: tuple[Database, list[Expected]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A combination of filters that almost nothing matches reads the whole range of its
    best single filter (1.8-8.5 s at 10.7 M on SQLite): it stops at the limit, as text does."""
    db, _expected = seeded
    limits: list[int | None] = []
    real = hq.time_limit

    def recorded(conn: object, milliseconds: int | None) -> object:
        limits.append(milliseconds)
        return real(conn, milliseconds)  # type: ignore[arg-type]

    monkeypatch.setattr(hq, "time_limit", recorded)
    hb.browse_page(db, HistoryFilter(process="fair_use", stage="stage_3"))
    hb.browse_page(db, HistoryFilter())
    assert limits == [hq.TIMEOUT_MS, hq.TIMEOUT_MS]


def test_an_export_reads_its_batches_as_the_pages_are_read(
    seeded: tuple[Database, list[Expected]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export's batches take the pages' statement (on PostgreSQL: the keys by an
    index-only scan, then the rows), so a rare combination exports as fast as it pages."""
    db, expected = seeded
    monkeypatch.setattr(hb, "EXPORT_BATCH", 11)
    built: list[int] = []
    page_statement = hb.hq.page_statement

    def spy(conn, flt, query, older, limit):  # type: ignore[no-untyped-def]
        built.append(limit)
        return page_statement(conn, flt, query, older, limit)

    monkeypatch.setattr(hb.hq, "page_statement", spy)
    result = hb.export_history(db, HistoryFilter(), tmp_path / "h.csv", "csv")
    assert result.rows == len(expected)
    assert built == [11] * (len(expected) // 11 + 1)
