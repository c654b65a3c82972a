"""``agent-assist report NAME --from YYYY-MM --to YYYY-MM --out FILE``: a report, headless.

NAME is one of the six reports of MULTIUSER.md (``app.services.reports``).
The file is CSV or XLSX (``--format``, else the file's extension); ``--chart
FILE.png`` also saves the report's chart. The rows stream from the database
into the file, so a large report stays in bounded memory. Prints where the
file was written and how many rows it holds.

Exit codes (MULTIUSER.md): 0 done; 2 bad usage or input (a malformed month
such as ``2026-13``, an unknown NAME, which lists the names, an unknown
format); 3 the database server cannot be reached; 4 the user's role may not
run the report. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import CommandError, add_db_option
from app.commands.todo import EXIT_INVALID, add_date_option, parse_day
from app.i18n import _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from app.services.reports import Row
    from app.store.db import Database

EXIT_UNREACHABLE = 3
NAMES = (
    "fair-use",
    "complaints",
    "onboarding",
    "reminders",
    "controlling",
    "orphaned-device-plans",
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "report",
        help=_("write a report to a CSV or XLSX file (no window)"),
        description=_(
            "Write one of the reports for a range of months to a CSV or XLSX file: "
            "fair use by stage, complaints, onboarding tasks, expiry reminders, the "
            "decisions to report to Controlling, orphaned device plans."
        ),
    )
    parser.add_argument("name", metavar="NAME", help=_("one of: %s") % ", ".join(NAMES))
    parser.add_argument(
        "--from", dest="first", metavar="YYYY-MM", required=True, help=_("the first month")
    )
    parser.add_argument(
        "--to", dest="last", metavar="YYYY-MM", required=True, help=_("the last month")
    )
    parser.add_argument("--out", metavar="FILE", required=True, help=_("the file to write"))
    parser.add_argument(
        "--format",
        metavar="csv|xlsx",
        help=_("the file's format (default: from the file's extension)"),
    )
    parser.add_argument("--chart", metavar="FILE.png", help=_("also save the chart as PNG"))
    add_date_option(parser)
    add_db_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist report``; returns the exit code."""
    from sqlalchemy.exc import OperationalError

    from app.services.errors import ValidationError
    from app.services.reports import REPORTS, rows
    from app.services.reports.writers import format_of

    if args.name not in REPORTS:
        raise CommandError(
            _("unknown report {name!r}; expected one of: {names}").format(
                name=args.name, names=", ".join(REPORTS)
            ),
            EXIT_INVALID,
        )
    out = Path(args.out)
    kind = format_of(out, args.format)
    if kind is None:
        raise CommandError(
            _("--format: expected csv or xlsx, got {value!r}").format(
                value=args.format or out.suffix or out.name
            ),
            EXIT_INVALID,
        )
    chart = Path(args.chart) if args.chart else None
    if chart is not None and REPORTS[args.name].chart is None:
        raise CommandError(_("the report {name} has no chart").format(name=args.name), EXIT_INVALID)
    today = parse_day(args.date)
    db = _open(args)
    try:
        try:
            stream = rows(db, args.name, args.first, args.last, today)
            count = _write(args.name, out, kind, stream)
            if chart is not None:
                _chart(args.name, chart, rows(db, args.name, args.first, args.last, today))
        except ValidationError as exc:
            raise CommandError(str(exc), EXIT_INVALID) from None
        except OperationalError as exc:
            raise CommandError(
                _("cannot reach the database {database}: {reason}").format(
                    database=db.description(), reason=one_line(str(exc.orig))
                ),
                EXIT_UNREACHABLE,
            ) from None
        except OSError as exc:
            raise CommandError(
                _("cannot write {path}: {reason}").format(
                    path=exc.filename or out, reason=exc.strerror or exc
                ),
                EXIT_INVALID,
            ) from None
    finally:
        db.dispose()
    print(_("{count} rows written to {path}").format(count=count, path=out))
    if chart is not None:
        print(_("chart written to {path}").format(path=chart))
    return 0


def one_line(text: str) -> str:
    """``text`` on one line (a driver's message may span several)."""
    return " ".join(text.split())


def _open(args: argparse.Namespace) -> Database:
    """The database; a server that cannot be reached is exit code 3, other problems 2."""
    from sqlalchemy.exc import OperationalError

    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(getattr(args, "db", None)))
    except DatabaseError as exc:
        unreachable = isinstance(exc.__cause__, OperationalError) and not str(
            resolve_db_url(getattr(args, "db", None))
        ).startswith("sqlite")
        raise CommandError(
            one_line(str(exc)), EXIT_UNREACHABLE if unreachable else EXIT_INVALID
        ) from None


def _write(name: str, out: Path, kind: str, stream: Iterable[Row]) -> int:
    from app.services.reports import REPORTS
    from app.services.reports.writers import write_csv, write_xlsx

    report = REPORTS[name]
    # Written beside the file and renamed when complete: a report cut short (the server
    # gone mid-way) never leaves a file that looks whole.
    part = out.with_name(f".{out.name}.part")
    try:
        if kind == "csv":
            count = write_csv(part, report.columns, stream)
        else:
            count = write_xlsx(part, report, stream)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return count


def _chart(name: str, path: Path, stream: Iterable[Row]) -> None:
    from app.services.reports import REPORTS
    from app.services.reports.charts import ChartData, chart_svg, save_png

    report = REPORTS[name]
    assert report.chart is not None
    data = ChartData(report.chart, report.columns).add_all(stream)
    save_png(chart_svg(data, title=name), path)
