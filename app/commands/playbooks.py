"""``agent-assist playbooks check [DIR]``: validate the playbook files.

Checks one file per process (``fair_use.yaml`` ... ``complaint.yaml``) in DIR,
the shipped folder by default. Each problem is printed as
``FILE: place: problem`` (a missing file is a problem too); exit 1 when there
is any, else 0 with a summary line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.i18n import _, ngettext


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "playbooks",
        help=_("check the guided-script files"),
        description=_("Tools for the playbook files (the guided scripts, one per process)."),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help=_("validate the playbook files of a folder"),
        description=_(
            "Validate one playbook file per process in DIR (default: the shipped "
            "playbooks). Prints each problem as FILE: place: problem and exits with "
            "status 1 when there is any."
        ),
    )
    check.add_argument(
        "directory",
        metavar="DIR",
        nargs="?",
        type=Path,
        help=_("the folder to check (default: the shipped playbooks)"),
    )
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Handle ``agent-assist playbooks check``; returns the exit code."""
    from app.cli import CommandError
    from app.processes import processes
    from app.resources import resource_path
    from app.services.playbooks import check_folder

    directory: Path = args.directory or resource_path("playbooks")
    if args.directory is not None and not directory.is_dir():
        raise CommandError(_("{dir}: not a folder").format(dir=directory), 1)
    problems = check_folder(directory, lines=True)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(
        ngettext(
            "{count} playbook checked in {dir}: no problems.",
            "{count} playbooks checked in {dir}: no problems.",
            len(processes()),
        ).format(count=len(processes()), dir=directory)
    )
    return 0
