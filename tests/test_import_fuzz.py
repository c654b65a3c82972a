"""Hostile import cells and files: a value or a reason, never a traceback.

Dates, months, amounts and counts take ASCII digits only, as IMPORT.md's
formats say (``２０２６-０１`` used to be stored as a second January 2026, and
other scripts' digits as numbers); free text refuses control characters (a
NUL would break PostgreSQL). Whole files of random cells end in exit 0, 1 or
2 with ``FILE:LINE: column: reason`` lines.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.services.importing import KINDS, columns_of
from app.services.importing.cells import (
    CellError,
    integer_range,
    parse_amount,
    parse_bool,
    parse_count,
    parse_country,
    parse_date,
    parse_month,
    text,
)

#: Digits of other scripts: fullwidth, Arabic-Indic, Devanagari, Bengali, Thai, math bold.
FOREIGN_DIGITS = ["０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "০১২৩৪৫৬৭৮৯", "๐๑๒๓๔๕๖๗๘๙",
                  "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"]  # fmt: skip


def _foreign(ascii_text: str, digits: str) -> str:
    return "".join(digits[int(c)] if c.isascii() and c.isdigit() else c for c in ascii_text)


NUMERIC = {
    "date": (parse_date, "2026-01-15"),
    "month": (parse_month, "2026-01"),
    "amount": (parse_amount, "49.00"),
    "count": (parse_count, "12"),
    "range": (integer_range(1, 4), "3"),
}


@pytest.mark.parametrize("digits", FOREIGN_DIGITS)
@pytest.mark.parametrize("kind", NUMERIC)
def test_only_ascii_digits(kind: str, digits: str) -> None:
    parse, good = NUMERIC[kind]
    parse(good)
    with pytest.raises(CellError):
        parse(_foreign(good, digits))
    for index, char in enumerate(good):  # one foreign digit among ASCII ones
        if char.isdigit():
            with pytest.raises(CellError):
                parse(good[:index] + digits[int(char)] + good[index + 1 :])


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_text_refuses_control_characters(char: str) -> None:
    with pytest.raises(CellError, match="control character"):
        text(100)(f"Hans{char}Müller")
    assert text(100)("Wang, Fang\n(Fang Wang)") == "Wang, Fang\n(Fang Wang)"


PARSERS = [
    parse_date,
    parse_month,
    parse_amount,
    parse_count,
    integer_range(1, 4),
    parse_bool,
    parse_country,
    text(32),
]
CELLS = st.text(max_size=30) | st.sampled_from(
    ["9" * 400, "1" + "0" * 5000, "2026-02-29", "0000-00", "9999-12-31", "1e9", "-0", "٣"]
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PARSERS), CELLS)
def test_any_cell_parses_or_says_why(parse: object, value: str) -> None:
    try:
        parse(value.strip())  # type: ignore[operator]
    except CellError as exc:
        assert str(exc)


PROBLEM = re.compile(r"(?P<file>.+):(?P<line>\d+): (?P<column>[a-z_]+): (?P<reason>.+)")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(KINDS), st.lists(st.lists(CELLS, max_size=12), max_size=5))
def test_any_file_of_the_right_header_imports_or_names_each_bad_cell(
    sqlite_db: object, kind: str, rows: list[list[str]]
) -> None:
    known, _required = columns_of(kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(known)
        for row in rows:
            writer.writerow((row + [""] * len(known))[: len(known)])
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["import", kind, str(path), "--db", sqlite_db.url, "--dry-run"])  # type: ignore[attr-defined]
        finally:
            sys.stdout, sys.stderr = saved
    assert code in (0, 1, 2)
    if code == 2:
        assert err.getvalue().startswith("agent-assist: ")
        return
    for line in err.getvalue().splitlines():
        assert PROBLEM.fullmatch(line), line
    assert out.getvalue().count("\n") == 1
