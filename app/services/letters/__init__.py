"""Letters as use cases: request, preview, issue, archive, re-open.

A process step *requests* a letter (a ``Letter`` row with status
``requested`` and the facts it is filled from, frozen as JSON). *Issuing*
renders it, stores the PDF under ``<data dir>/letters/YYYY/MM/<id>.pdf``,
records its SHA-256, the template version, who issued it and when, and
appends a ``letter`` history entry, all in one transaction (the file is
removed again if the transaction fails). *Re-opening* reads the archived
bytes back and refuses them if they no longer match the recorded SHA-256, so
what is shown is exactly what was issued.

Callers (the GUI, ``agent-assist letters``) get plain frozen dataclasses.

The use cases live in one module each: :mod:`.requests` (request, preview,
check the facts against the template), :mod:`.issuing` (render, archive,
record), :mod:`.archive` (read issued letters back), :mod:`.worklist` (the
letters waiting, issued in a batch), :mod:`.names` (document names) and
:mod:`.records` (what they share); this package hands out their public names.
"""

from app.services.letters.archive import (
    get_letter,
    letters_of_customer,
    open_issued,
    save_issued_as,
)
from app.services.letters.issuing import ARCHIVE_FOLDER, issue_letter, issue_new, preview_requested
from app.services.letters.names import DOCUMENTS, document_name
from app.services.letters.records import (
    ArchiveTamperedError,
    LetterError,
    LetterInfo,
    letter_problem,
)
from app.services.letters.requests import (
    ADDRESS_FIELDS,
    PARTNERS_FILE,
    letter_language,
    letter_request_context,
    partner_address,
    preview_letter,
    request_letter,
)
from app.services.letters.worklist import BatchResult, ProgressFn, issue_batch, requested_letters

__all__ = [
    "ADDRESS_FIELDS",
    "ARCHIVE_FOLDER",
    "DOCUMENTS",
    "PARTNERS_FILE",
    "ArchiveTamperedError",
    "BatchResult",
    "LetterError",
    "LetterInfo",
    "ProgressFn",
    "document_name",
    "get_letter",
    "issue_batch",
    "issue_letter",
    "issue_new",
    "letter_language",
    "letter_problem",
    "letter_request_context",
    "letters_of_customer",
    "open_issued",
    "partner_address",
    "preview_letter",
    "preview_requested",
    "request_letter",
    "requested_letters",
    "save_issued_as",
]
