"""Reading an import file: is it usable at all, and its rows with their line numbers.

A file is checked from end to end before anything is written, so that a file
that turns out to be unusable half-way (a byte that is not UTF-8, a quoted
field that never closes) leaves the database as it was. The check streams:
memory does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.i18n import _

if TYPE_CHECKING:
    from _csv import Reader

#: A row may be long, but a field this long means a quote that never closed.
FIELD_LIMIT = 1_000_000
ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark

_MAGIC = (
    (b"PK\x03\x04", "xlsx"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"%PDF", "pdf"),
)


class ImportFileError(Exception):
    """The file cannot be imported at all; the message names the file and why."""


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on and its cells by column name."""

    line: int
    cells: dict[str, str]
    #: Set when the row has more or fewer cells than the header has columns.
    width: int


def _reader(handle: TextIO) -> Reader:
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    return csv.reader(handle, strict=True)


def _open(path: Path) -> TextIO:
    label = str(path)
    if not path.exists():
        raise ImportFileError(_("{file}: no such file").format(file=label))
    if path.is_dir():
        raise ImportFileError(_("{file}: is a folder, not a CSV file").format(file=label))
    try:
        with path.open("rb") as raw:
            head = raw.read(8)
    except OSError as exc:
        raise ImportFileError(
            _("{file}: cannot be read: {reason}").format(file=label, reason=exc.strerror or exc)
        ) from exc
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind in ("xlsx", "xls"):
                reason = _("is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8)")
            else:
                reason = _("is a PDF document, not a CSV file")
            raise ImportFileError(f"{label}: {reason}")
    return path.open(encoding=ENCODING, newline="", errors="strict")


def _check_text(path: Path) -> None:
    """UTF-8 text without NUL bytes, or an error naming the first bad line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 16):
            nul = chunk.find(b"\0")
            if nul >= 0:
                raise ImportFileError(
                    _("{file}:{line}: binary content: this is not a CSV file").format(
                        file=path, line=line + chunk.count(b"\n", 0, nul)
                    )
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad_line = line + bytes(exc.object[: exc.start]).count(b"\n")
                raise ImportFileError(
                    _("{file}:{line}: not UTF-8 text: is this a CSV file saved as UTF-8?").format(
                        file=path, line=bad_line
                    )
                ) from None
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("{file}:{line}: not UTF-8 text: is this a CSV file saved as UTF-8?").format(
                file=path, line=line
            )
        ) from None


def read_header(path: Path, known: Sequence[str], required: Sequence[str]) -> list[str]:
    """Check the whole file and return its column names (header order).

    Raises :class:`ImportFileError` when the file is missing, not UTF-8 text,
    not well-formed CSV, empty, or its header has unknown, repeated or
    missing columns.
    """
    label = str(path)
    header: list[str] | None = None
    reader = None
    handle = _open(path)
    _check_text(path)
    try:
        with handle:
            reader = _reader(handle)
            for cells in reader:
                if header is None and any(cell.strip() for cell in cells):
                    header = [cell.strip().lower() for cell in cells]
                    header_line = reader.line_num
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 1
        reason = str(exc)
        if "unexpected end of data" in reason or "field larger" in reason:
            message = _("{file}:{line}: a quoted field is not closed")
        else:
            message = _("{file}:{line}: not well-formed CSV ({reason})")
        raise ImportFileError(message.format(file=label, line=line, reason=reason)) from None
    if header is None:
        raise ImportFileError(_("{file}: the file is empty (no header row)").format(file=label))
    check_header(label, header_line, header, known, required)
    return header


def check_header(
    label: str, line: int, header: list[str], known: Sequence[str], required: Sequence[str]
) -> None:
    """Unknown, repeated and missing columns make the file unusable."""
    where = f"{label}:{line}"
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise ImportFileError(
            _("{where}: columns must be separated by commas (found {header!r})").format(
                where=where, header=header[0]
            )
        )
    unknown = [name for name in header if name not in known]
    if unknown:
        raise ImportFileError(
            _("{where}: unknown column(s) {unknown}; the columns of this kind are: {known}").format(
                where=where,
                unknown=", ".join(repr(name) for name in unknown),
                known=", ".join(known),
            )
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFileError(
            _("{where}: column(s) named more than once: {repeated}").format(
                where=where, repeated=", ".join(repeated)
            )
        )
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(
            _("{where}: required column(s) missing: {missing}").format(
                where=where, missing=", ".join(missing)
            )
        )


def read_rows(path: Path, header: list[str]) -> Iterator[Row]:
    """The data rows after the header, with the line each one starts on.

    Lines count the file's physical lines (a quoted field may span several);
    the header is line 1. Blank lines, and rows whose cells are all empty,
    are skipped. Call :func:`read_header` first: this assumes a good file.
    """
    with _open(path) as handle:
        reader = _reader(handle)
        previous_end = 0
        seen_header = False
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if not seen_header:
                seen_header = True
                continue
            yield Row(line=start, cells=dict(zip(header, cells, strict=False)), width=len(cells))
