"""``agent-assist diagnostics``: what support needs to know, as text or a zip.

The same report as Help > Copy diagnostics in the window: version and build,
operating system, Python and Qt, database mode and schema version, sync state,
rule set, and the last lines of the log (masked). It never upgrades the database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli import add_db_option
from app.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diagnostics",
        help=_("print what IT support needs to know about this installation"),
        description=_(
            "Print the version, build, operating system, Python and Qt versions, the "
            "database mode and schema version, the sync state and the last lines of "
            "the log (phone numbers and passwords masked), for a support ticket."
        ),
    )
    parser.add_argument(
        "--out",
        metavar="FILE.zip",
        type=Path,
        help=_("write the report into this zip file instead of printing it"),
    )
    add_db_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.config import resolve_db_url
    from app.diagnostics import report, write_zip

    url = resolve_db_url(args.db)
    if args.out is None:
        sys.stdout.write(report(url))
        return 0
    path = write_zip(args.out, url)
    print(_("diagnostics written to {path}").format(path=path))
    return 0
