"""``agent-assist rules PROCESS``: ask the rules engine, JSON in and JSON out.

Reads one JSON object (stdin, or ``--input FILE``) and writes one JSON object
to stdout, exit 0. Invalid input - including unreadable or malformed JSON, an
unknown process and a broken ``--rules`` set - writes
``{"error": {"field": ..., "message": ...}}`` to stdout and one line to
stderr, and exits 2. An unknown process has field "process"; other errors that
are not about an input field (unreadable or malformed JSON, rule files) have
field "".
Imports stay light: no Qt, no database.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from app.i18n import _

EXIT_INVALID = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from app.domain import PROCESSES

    parser = subparsers.add_parser(
        "rules",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=input_fields_help(),
        help=_("answer one rules question as JSON (no window, no database)"),
        description=textwrap.fill(
            _(
                "Evaluate one decision of a business process with the rules engine the "
                "application uses. Reads one JSON object (from stdin unless --input is "
                "given) and writes one JSON object to stdout. Invalid input exits with "
                'status 2 and writes {"error": {"field": ..., "message": ...}}.'
            ),
            width=78,
        ),
    )
    parser.add_argument(
        "process",
        metavar="PROCESS",
        help=_("the process to ask: %(choices)s") % {"choices": ", ".join(PROCESSES)},
    )
    parser.add_argument(
        "--input",
        metavar="FILE",
        type=Path,
        help=_("read the JSON input from FILE instead of stdin"),
    )
    parser.add_argument(
        "--rules",
        metavar="DIR",
        type=Path,
        help=_(
            "use the rule files in DIR (same file names as the shipped set) "
            "instead of the shipped rules"
        ),
    )
    parser.set_defaults(handler=run)


def input_fields_help() -> str:
    """The input fields of every process, from the input models (for ``--help``)."""
    from app.domain import PROCESSES
    from app.services.rules_api import describe_inputs

    lines = [
        _(
            "input fields of each process (* required; a field that may be null may "
            "also be left out; unknown fields are ignored):"
        )
    ]
    for process in PROCESSES:
        lines.append("")
        lines.append(f"{process}:")
        lines.extend(describe_inputs(process))
    return "\n".join(lines)


def _fail(field: str, message: str) -> int:
    json.dump({"error": {"field": field, "message": message}}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    where = f"{field}: " if field else ""
    one_line = " ".join(f"{where}{message}".split())
    print(f"agent-assist rules: {one_line}", file=sys.stderr)
    return EXIT_INVALID


#: One question is a few hundred bytes; far more is not one.
MAX_INPUT_BYTES = 10_000_000


def _read_input(path: Path | None) -> bytes:
    if path is None:
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    with path.open("rb") as file:
        return file.read(MAX_INPUT_BYTES + 1)


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist rules``; returns the exit code."""
    from app.domain import PROCESSES
    from app.domain.rule_schema import JsonTextError, load_json_text
    from app.services.rules import RuleFileError, load_ruleset
    from app.services.rules_api import InputError, evaluate

    if args.process not in PROCESSES:
        return _fail(
            "process",
            _("Unknown process %(process)r; expected one of: %(choices)s.")
            % {"process": args.process, "choices": ", ".join(PROCESSES)},
        )
    try:
        raw = _read_input(args.input)
    except OSError as exc:
        return _fail("", _("Cannot read the input: %(reason)s.") % {"reason": exc.strerror})
    if len(raw) > MAX_INPUT_BYTES:
        return _fail(
            "", _("The input is larger than %(limit)d bytes.") % {"limit": MAX_INPUT_BYTES}
        )
    try:
        payload = load_json_text(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return _fail("", _("The input is not valid JSON: %(reason)s.") % {"reason": exc})
    except JsonTextError as exc:
        return _fail("", _("The input is not valid JSON: %(reason)s.") % {"reason": exc})
    try:
        ruleset = load_ruleset(args.rules)
    except RuleFileError as exc:
        return _fail("", _("Rule files: %(problem)s") % {"problem": exc.with_line()})
    try:
        result = evaluate(args.process, payload, ruleset)
    except InputError as exc:
        return _fail(exc.field, exc.message)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
