"""Reports as files: CSV, XLSX (read back from its XML), the chart as PNG, and
``agent-assist report`` with its exit codes, on data with known answers."""

from __future__ import annotations

import csv
import re
import struct
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from app.cli import main
from app.commands import report as report_command
from app.services.reports import REPORTS, rows
from app.services.reports.charts import ChartData, chart_svg, save_png
from app.services.reports.writers import write_csv, write_xlsx
from app.store.db import Database
from app.store.models import Role, User
from app.store.repositories import UnitOfWork
from tests.test_reports import EXPECTED, FIRST, LAST, SPEC_COLUMNS, TODAY, World, build

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(path: Path, sheet: int = 1) -> list[list[str]]:
    """The cells of a sheet as text, read from the file's XML (no spreadsheet library)."""
    with zipfile.ZipFile(path) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{sheet}.xml"))
    table: list[list[str]] = []
    for row in root.iterfind(".//m:sheetData/m:row", NS):
        cells: dict[int, str] = {}
        for cell in row.iterfind("m:c", NS):
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
            elif kind == "s":
                text = shared[int(cell.findtext("m:v", namespaces=NS) or 0)]
            else:
                text = cell.findtext("m:v", namespaces=NS) or ""
            cells[_column(cell.get("r", "A1"))] = text
        table.append([cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)])
    return table


def same(a: str, b: str) -> bool:
    """Equal as text, or as numbers (XLSX keeps 840.00 as the number 840)."""
    if a == b:
        return True
    try:
        return Decimal(a) == Decimal(b)
    except ArithmeticError:
        return False


def as_text(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


@pytest.mark.parametrize("name", list(SPEC_COLUMNS))
def test_csv_and_xlsx_hold_the_report(world: World, tmp_path: Path, name: str) -> None:
    spec = REPORTS[name]
    csv_path, xlsx_path = tmp_path / f"{name}.csv", tmp_path / f"{name}.xlsx"
    assert write_csv(csv_path, spec.columns, rows(world.db, name, FIRST, LAST, TODAY)) == len(
        EXPECTED[name]
    )
    table = read_csv(csv_path)
    assert ", ".join(table[0]) == SPEC_COLUMNS[name]
    assert table[1:] == [[as_text(v) for v in row] for row in EXPECTED[name]]

    assert write_xlsx(xlsx_path, spec, rows(world.db, name, FIRST, LAST, TODAY)) == len(table) - 1
    sheet = read_xlsx(xlsx_path)
    assert len(sheet) == len(table)
    for got, want in zip(sheet, table, strict=True):
        assert len(got) == len(want)
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (got, want)
    with zipfile.ZipFile(xlsx_path) as book:
        charts = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == (1 if spec.chart else 0)


def test_the_xlsx_chart_sheet_holds_the_sums(world: World, tmp_path: Path) -> None:
    path = tmp_path / "fair-use.xlsx"
    write_xlsx(path, REPORTS["fair-use"], rows(world.db, "fair-use", FIRST, LAST, TODAY))
    sums = read_xlsx(path, sheet=2)
    assert sums[0] == ["month", "1", "2", "3"]
    assert [[s[0], *map(float, s[1:])] for s in sums[1:]] == [
        ["2026-01", 3.0, 1.0, 0.0],
        ["2026-02", 1.0, 2.0, 1.0],
        ["2026-03", 0.0, 1.0, 2.0],
    ]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_as_svg_and_png(qapp, world: World, tmp_path: Path) -> None:
    spec = REPORTS["reminders"]
    assert spec.chart is not None
    data = ChartData(spec.chart, spec.columns).add_all(
        rows(world.db, "reminders", FIRST, LAST, TODAY)
    )
    assert data.groups == ["2026-01", "2026-02", "2026-03"]
    assert data.matrix() == [[2, 3, 3], [1, 3, 1], [1, 1, 0]]
    svg = chart_svg(data, ["Due", "Sent", "Sent late"], title="Reminders")
    assert svg.lstrip().startswith("<?xml") and "Sent late" in svg and "2026-02" in svg
    save_png(svg, tmp_path / "chart.png")
    width, height = png_size(tmp_path / "chart.png")
    assert width > 100 and height > 100


# --- agent-assist report ------------------------------------------------------------------


def url_of(db: Database) -> str:
    return db.url if isinstance(db.url, str) else db.url.render_as_string(hide_password=False)


def test_the_command_writes_csv_xlsx_and_png(
    qapp, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, chart = tmp_path / "c.csv", tmp_path / "c.png"
    base = ["report", "complaints", "--from", FIRST, "--to", LAST, "--db", url_of(world.db)]
    assert main([*base, "--out", str(out), "--chart", str(chart)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "4" in printed and str(chart) in printed
    assert read_csv(out)[1] == ["2026-01", "billing_system.migration", "2", "1", "2"]
    assert png_size(chart)[0] > 0
    xlsx = tmp_path / "report.data"
    assert main([*base, "--out", str(xlsx), "--format", "xlsx"]) == 0
    assert read_xlsx(xlsx)[0] == list(REPORTS["complaints"].columns)


def test_the_command_takes_the_day_for_what_is_overdue(sqlite_db: Database, tmp_path: Path) -> None:
    build(sqlite_db)
    out = tmp_path / "o.csv"
    argv = ["report", "onboarding", "--from", "2026-03", "--to", "2026-03", "--out", str(out)]
    assert main([*argv, "--date", "2026-03-01", "--db", url_of(sqlite_db)]) == 0
    assert read_csv(out)[1:] == [
        ["2026-03", "intake", "9", "1", "0", "0"],
        ["2026-03", "follow_up", "1", "0", "0", "0"],
        ["2026-03", "fit_check", "2", "1", "0", "0"],
        ["2026-03", "consolidation", "2", "0", "0", "0"],
        ["2026-03", "vip", "2", "0", "1", "0"],
    ]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["fair-use", "--from", "2026-13", "--to", "2026-03"], "2026-13"),
        (["fair-use", "--from", "2026-01", "--to", "March"], "March"),
        (["sales", "--from", "2026-01", "--to", "2026-03"], "orphaned-device-plans"),
        (["fair-use", "--from", "2026-01", "--to", "2026-03", "--format", "pdf"], "pdf"),
        (
            ["orphaned-device-plans", "--from", "2026-01", "--to", "2026-03", "--chart", "x.png"],
            "chart",
        ),
    ],
)
def test_bad_usage_is_exit_2_in_one_line(
    sqlite_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    needle: str,
) -> None:
    out = tmp_path / "r.csv"
    code = main(["report", *argv, "--out", str(out), "--db", url_of(sqlite_db)])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_an_agent_is_refused_with_exit_4(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with UnitOfWork(sqlite_db) as uow:
        uow.add(User(login="owner", display_name="IT", role=Role.ADMIN))
        uow.add(User(login="anna", display_name="Anna", role=Role.AGENT))
        uow.commit()
    monkeypatch.setenv("AGENT_ASSIST_USER", "anna")
    out = tmp_path / "r.csv"
    argv = ["report", "fair-use", "--from", FIRST, "--to", LAST, "--out", str(out)]
    assert main([*argv, "--db", url_of(sqlite_db)]) == 4
    assert "anna" in capsys.readouterr().err
    assert not out.exists()


def test_an_unreachable_server_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/agent_assist?connect_timeout=2"
    argv = ["report", "fair-use", "--from", FIRST, "--to", LAST, "--out", str(tmp_path / "r.csv")]
    assert main([*argv, "--db", url]) == 3
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_the_help_names_every_report() -> None:
    assert tuple(REPORTS) == report_command.NAMES


def test_a_report_cut_short_leaves_no_file(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from app.services import reports

    def broken(*_args: Any, **_kw: Any) -> Any:
        yield ("2026-01", 1, 1, 0, 0, 0)
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(reports, "rows", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    argv = ["report", "fair-use", "--from", FIRST, "--to", LAST, "--out", str(folder / "r.csv")]
    assert main([*argv, "--db", url_of(sqlite_db)]) == 3
    assert list(folder.iterdir()) == []
