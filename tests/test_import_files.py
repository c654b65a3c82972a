"""Import files that cannot be used at all: exit code 2, a message naming the file.

Also the file-level things that must work: a byte-order mark, columns in any
order, a header-only file, quoted fields spanning lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.store.db import Database
from app.store.models import Partner

PARTNERS = "code,name,country,language\nP1,Partner One,CH,de\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "import.sqlite3"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def unusable(capsys: pytest.CaptureFixture[str], db_path: Path, file: Path) -> str:
    code, out, err = run(capsys, "partners", str(file), "--db", f"sqlite:///{db_path}")
    assert code == 2, err
    assert out == ""
    assert err.startswith(f"agent-assist: {file}")
    assert not db_path.exists()  # checked before anything is created
    return err


def test_missing_file(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    err = unusable(capsys, db_path, tmp_path / "nope.csv")
    assert "no such file" in err


def test_folder(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    assert "is a folder" in unusable(capsys, db_path, tmp_path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content"),
        (b"\x89PNG\r\n\x1a\n", "not UTF-8 text"),
        (b"code,name\nP1,\x00\x01\x02\n", "binary content"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"%PDF-1.7\n", "PDF document"),
        ("code,name\nP1,Caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_not_a_csv_file(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, content: bytes, reason: str
) -> None:
    err = unusable(capsys, db_path, write(tmp_path / "file.csv", content))
    assert reason in err


def test_an_encoding_error_late_in_the_file_names_its_line(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    good = "".join(f"P{i},Partner {i},CH,de\n" for i in range(3000))
    content = ("code,name,country,language\n" + good).encode() + b"PX,Caf\xe9,CH,de\n"
    err = unusable(capsys, db_path, write(tmp_path / "late.csv", content))
    assert ":3002: not UTF-8 text" in err


@pytest.mark.parametrize("content", ["", "\ufeff", "\n\n  \n", ",,,\n"])
def test_empty_file(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, content: str
) -> None:
    err = unusable(capsys, db_path, write(tmp_path / "empty.csv", content))
    assert "the file is empty (no header row)" in err


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("code,name,colour", "unknown column(s) 'colour'; the columns of this kind are: code"),
        ("code,name,name", "column(s) named more than once: name"),
        ("code,country", "required column(s) missing: name"),
        ("code;name;country", "columns must be separated by commas"),
        ("code,name,", "unknown column(s) ''"),
    ],
)
def test_bad_header(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, header: str, reason: str
) -> None:
    file = write(tmp_path / "header.csv", f"{header}\nP1,One,CH\n")
    err = unusable(capsys, db_path, file)
    assert f"{file}:1: " in err
    assert reason in err


def test_a_quote_that_never_closes_makes_the_file_unusable(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    file = write(tmp_path / "quote.csv", 'code,name\nP1,One\nP2,"Two\nP3,Three\n')
    assert "a quoted field is not closed" in unusable(capsys, db_path, file)


def test_header_only_file(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    file = write(tmp_path / "header.csv", "code,name,country,language\n")
    code, out, err = run(capsys, "partners", str(file), "--db", f"sqlite:///{db_path}")
    assert (code, out, err) == (0, "imported 0, updated 0, unchanged 0, rejected 0\n", "")
    assert db_path.exists()  # a new database is created and migrated


def test_bom_header_case_and_any_column_order(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    file = tmp_path / "bom.csv"
    file.write_bytes("\ufeffLanguage, Country ,NAME,code\r\nru,ru,Партнёр,P1\r\n".encode())
    code, out, _err = run(capsys, "partners", str(file), "--db", f"sqlite:///{db_path}")
    assert (code, out) == (0, "imported 1, updated 0, unchanged 0, rejected 0\n")
    db = Database(f"sqlite:///{db_path}")
    with db.transaction() as session:
        partner = session.scalar(select(Partner))
        assert (partner.code, partner.name, partner.country, partner.language) == (
            "P1",
            "Партнёр",
            "RU",
            "ru",
        )
    db.dispose()


def test_db_option_before_the_subcommand(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    file = write(tmp_path / "p.csv", PARTNERS)
    code = main(["--db", f"sqlite:///{db_path}", "import", "partners", str(file)])
    assert code == 0, capsys.readouterr().err
    db = Database(f"sqlite:///{db_path}")
    with db.transaction() as session:
        assert session.scalar(select(func.count(Partner.id))) == 1
    db.dispose()


def test_unknown_kind_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", "invoices", str(write(tmp_path / "p.csv", PARTNERS))])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_command_lists_the_same_kinds_as_the_service() -> None:
    from app.commands.importer import KINDS as COMMAND_KINDS
    from app.services.importing import KINDS

    assert COMMAND_KINDS == KINDS
