"""How customers are found: folded name terms and MSISDN prefixes.

Search runs on every keystroke against customer bases of a million rows, so
every match is an indexed range scan (``term >= q AND term < prefix_end(q)``),
never ``LIKE '%q%'``. Both engines compare text by code point (SQLite's
binary collation, PostgreSQL's ``C`` collation).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATORS = re.compile(r"[\s\-'’.,]+")
_UNSEARCHABLE = {"Cc", "Cs", "Co", "Cn"}  # control, lone surrogate, private use, unassigned
MAX_CODE_POINT = 0x10FFFF
#: PostgreSQL ends a search that runs longer than this (ms): a safety net
#: behind :class:`SearchCancel`, so no forgotten query keeps the server busy.
SEARCH_TIMEOUT_MS = 3000


class SearchCancelledError(RuntimeError):
    """The search was superseded by a newer one before it finished."""


class SearchCancel:
    """Lets the thread that started a search abort it on the database server.

    The search attaches its session's connection while it runs; :meth:`cancel`,
    called from any thread (the GUI's, when the agent typed on), asks the
    server to stop the running statement: psycopg's ``cancel()`` on
    PostgreSQL, ``interrupt()`` on SQLite. A search cancelled before it
    started never runs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Any = None
        self.cancelled = False

    def attach(self, session: Any) -> None:
        """Called by the search before its first statement, in its own thread."""
        connection = session.connection().connection.dbapi_connection
        with self._lock:
            if self.cancelled:
                raise SearchCancelledError
            self._connection = connection

    def detach(self) -> None:
        with self._lock:
            self._connection = None

    def cancel(self) -> None:
        """Stop the search: now if it runs, before it starts otherwise. Never blocks."""
        with self._lock:
            self.cancelled = True
            connection = self._connection
            if connection is None:
                return
            interrupt = getattr(connection, "interrupt", None)
            if interrupt is not None:  # SQLite: a flag, instant
                interrupt()
                return
        # psycopg asks the server over a connection of its own: not in the GUI's thread.
        threading.Thread(target=self._cancel_on_server, daemon=True).start()

    def _cancel_on_server(self) -> None:
        # Under the lock: the search cannot hand its connection back to the pool
        # (and another statement start on it) before the cancel is sent.
        with self._lock:
            connection = self._connection
            if connection is None:
                return  # finished meanwhile
            try:
                if hasattr(connection, "cancel_safe"):
                    connection.cancel_safe(timeout=2.0)
                elif hasattr(connection, "cancel"):
                    connection.cancel()
            except Exception:  # the server unreachable: its statement timeout still holds
                return


def clean_query(text: str) -> str:
    """``text`` without what no stored name or number contains and PostgreSQL refuses.

    Control characters (NUL among them), lone surrogates, private-use and
    unassigned code points are dropped; surrounding space is stripped.
    """
    return "".join(c for c in text if unicodedata.category(c) not in _UNSEARCHABLE).strip()


def prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix``.

    ``term >= prefix AND term < prefix_end(prefix)`` is exactly "starts with",
    also for characters outside the Basic Multilingual Plane (``王`` finds
    ``王𠮷``). ``None`` when there is no such string (only U+10FFFF), so the
    range is open above.
    """
    text = prefix
    while text:
        last = ord(text[-1])
        if last < MAX_CODE_POINT:
            following = last + 1
            if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters
                following = 0xE000
            return text[:-1] + chr(following)
        text = text[:-1]
    return None


def fold(text: str) -> str:
    """Case-fold and strip accents: ``Müller`` -> ``muller``, ``Ёлкин`` -> ``елкин``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_terms(name: str) -> set[str]:
    """Every term a name can be found by, typing from the start of a term.

    Words of the name (folded), the whole name, and for Chinese names every
    suffix, so that the given name ``芳`` finds ``王芳``.
    """
    folded = fold(name).strip()
    terms = {t for t in _SEPARATORS.split(folded) if t}
    if folded:
        terms.add(folded)
    compact = _SEPARATORS.sub("", folded)
    if _CJK.search(compact):
        terms.update(compact[i:] for i in range(len(compact)))
    return {t[:200] for t in terms}


def msisdn_prefixes(query: str, regions: tuple[str, ...] = ("CH",)) -> list[str]:
    """E.164 prefixes a (possibly partial) phone-number query can stand for.

    ``+41 79 12`` -> ``+417912``; ``0041 79`` -> ``+4179``; ``079 12`` with the
    region CH -> ``+417912``; ``1361234`` with CN -> ``+861361234``.
    """
    text = query.strip()
    digits = re.sub(r"\D", "", text)
    if not digits or re.search(r"[^\d\s+()./-]", text):
        return []
    if text.startswith("+"):
        return ["+" + digits]
    if digits.startswith("00"):
        return ["+" + digits[2:]] if len(digits) > 2 else []
    import phonenumbers  # loaded with the first number typed, not before the window

    prefixes: list[str] = []
    for region in regions:
        country_code = phonenumbers.country_code_for_region(region)
        if not country_code:
            continue
        trunk = phonenumbers.ndd_prefix_for_region(region, True) or ""
        if trunk and digits.startswith(trunk):
            prefixes.append(f"+{country_code}{digits[len(trunk) :]}")
        else:  # national number typed without the trunk prefix (e.g. 136... in China)
            prefixes.append(f"+{country_code}{digits}")
    if len(digits) >= 6:
        prefixes.append("+" + digits)  # already international without + or 00
    return list(dict.fromkeys(prefixes))


def normalize_msisdn(raw: str, region: str = "CH") -> str:
    """Parse a full number in any common notation into E.164, or raise ValueError."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number for {region}: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
