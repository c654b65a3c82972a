"""``agent-assist letters``: sample letters, batch issuing, archived letters.

* ``letters samples --out DIR [--lang L] [--document ID]`` renders every
  document in every language from the sample customers, one file each named
  ``DOCUMENT.LANG.pdf``, so an operator reviews a template change at a glance.
* ``letters batch [--month YYYY-MM] [--document ID]`` issues the requested
  letters of a worklist, with a progress line on standard error.
* ``letters show LETTER_ID --out FILE`` writes an archived letter's exact bytes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.cli import add_db_option
from app.i18n import _

LETTER_LANGUAGES = ("de", "en", "ru", "zh")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "letters",
        help=_("letters: render samples, issue requested letters, export archived ones"),
        description=_(
            "Letters to customers and partners, rendered as PDF from the templates "
            "in resources/letters and archived when issued."
        ),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)

    samples = actions.add_parser(
        "samples", help=_("render every document in every language from sample data")
    )
    samples.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help=_("folder for the PDF files (DOCUMENT.LANG.pdf)"),
    )
    samples.add_argument(
        "--lang",
        action="append",
        choices=LETTER_LANGUAGES,
        help=_("only this language (repeatable)"),
    )
    samples.add_argument(
        "--document", action="append", metavar="ID", help=_("only this document (repeatable)")
    )
    samples.set_defaults(handler=_samples)

    batch = actions.add_parser("batch", help=_("issue all requested letters of a worklist"))
    add_db_option(batch)
    batch.add_argument("--month", metavar="YYYY-MM", help=_("only letters requested in this month"))
    batch.add_argument("--document", metavar="ID", help=_("only this document"))
    batch.add_argument("--author", help=_("who issues the letters (default: the agent name)"))
    batch.set_defaults(handler=_batch)

    show = actions.add_parser("show", help=_("write an issued letter's archived PDF to a file"))
    add_db_option(show)
    show.add_argument("letter_id", metavar="LETTER_ID")
    show.add_argument("--out", required=True, type=Path, metavar="FILE")
    show.set_defaults(handler=_show)


def _samples(args: argparse.Namespace) -> int:
    from app.cli import CommandError
    from app.letters.context import ContextError
    from app.letters.operator import OperatorConfigError
    from app.letters.render import render_letter
    from app.letters.samples import SampleError, sample_context
    from app.letters.sandbox import LetterTemplateError
    from app.letters.templates import document_ids

    documents = args.document or list(document_ids())
    unknown = sorted(set(documents) - set(document_ids()))
    if unknown:
        raise CommandError(_("unknown document(s): {names}").format(names=", ".join(unknown)))
    languages = args.lang or list(LETTER_LANGUAGES)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    count = 0
    for document in documents:
        for language in languages:
            try:
                pdf = render_letter(document, language, sample_context(document, language))
            except (ContextError, LetterTemplateError, OperatorConfigError, SampleError) as exc:
                raise CommandError(f"{document}.{language}: {exc}") from exc
            target = out / f"{document}.{language}.pdf"
            target.write_bytes(pdf)
            print(target)
            count += 1
    elapsed = time.perf_counter() - started
    print(
        _("{count} letters written to {folder} in {seconds:.1f} s").format(
            count=count, folder=out, seconds=elapsed
        ),
        file=sys.stderr,
    )
    return 0


def _open_db(args: argparse.Namespace):
    from app.cli import CommandError
    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(args.db))
    except DatabaseError as exc:
        raise CommandError(str(exc)) from exc


def _batch(args: argparse.Namespace) -> int:
    import uuid

    from app.cli import CommandError
    from app.config import current_user_name
    from app.letters.templates import document_ids
    from app.services.letters import LetterError, document_name, issue_batch, requested_letters

    if args.document and args.document not in document_ids():
        raise CommandError(_("unknown document: {name}").format(name=args.document))
    db = _open_db(args)
    try:
        pending = requested_letters(db, document=args.document, month=args.month)
    except LetterError as exc:
        raise CommandError(str(exc)) from exc
    author = args.author or current_user_name()
    total = len(pending)
    tty = sys.stderr.isatty()
    step = max(1, total // 20)
    started = time.perf_counter()
    counts = {"issued": 0, "failed": 0}
    names = {p.id: document_name(p.document) for p in pending}

    def line(done: int) -> str:
        return _("{done} of {total} letters processed: {issued} issued, {failed} failed").format(
            done=done, total=total, issued=counts["issued"], failed=counts["failed"]
        )

    def progress(done: int, total: int, letter_id: uuid.UUID, error: LetterError | None) -> None:
        counts["failed" if error else "issued"] += 1
        if error:
            if tty:
                print("\r\033[K", end="", file=sys.stderr)
            print(
                _("Not issued: {letter} ({id}): {reason}").format(
                    letter=names.get(letter_id, ""), id=letter_id, reason=error
                ),
                file=sys.stderr,
            )
            if error.detail:
                print(f"  {error.detail}", file=sys.stderr)
        if tty:
            print(f"\r\033[K{line(done)}", end="", file=sys.stderr, flush=True)
        elif done % step == 0 or done == total:
            print(line(done), file=sys.stderr, flush=True)

    result = issue_batch(db, [p.id for p in pending], author, progress)
    if tty and total:
        print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(
        _("{issued} of {total} letters issued, {failed} failed, in {seconds:.1f} s").format(
            issued=len(result.issued), total=total, failed=len(result.failed), seconds=elapsed
        )
    )
    db.dispose()
    return 1 if result.failed else 0


def _show(args: argparse.Namespace) -> int:
    import uuid

    from app.cli import CommandError
    from app.services.letters import LetterError, save_issued_as

    try:
        letter_id = uuid.UUID(args.letter_id)
    except ValueError:
        raise CommandError(_("not a letter id: {value}").format(value=args.letter_id)) from None
    db = _open_db(args)
    try:
        target = save_issued_as(db, letter_id, args.out)
    except LetterError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        db.dispose()
    print(target)
    return 0
