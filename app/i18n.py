"""Words and formats: the one translation function, and babel formatting.

Two languages are in play at once and never mixed up:

* the **UI language** — what the agent reads (menus, dialogs, messages):
  ``_()`` and ``ngettext()`` translate into it, and it can change at runtime
  (listeners registered with :func:`on_language_changed` re-translate windows);
* the **customer language** — what the customer hears and reads (scripts,
  SMS, letters): :func:`translator` gives a translator for any language.

Catalogs are gettext files under ``translations/<folder>/LC_MESSAGES``
(domain ``agent_assist``), managed with babel (``python -m app.i18n_tools``).
The installed build ships compiled ``.mo`` files; a source checkout has only
the ``.po`` sources, which are compiled in memory on first use (once per
language and process, a few milliseconds). Fuzzy entries and entries whose
placeholders differ from the source are never used: the English text shows
instead. Dates, numbers and money are formatted by babel for the language's
locale; never by hand. Each language has one date format and one date-time
format (:data:`DATE_STYLES`), used by every screen and by the date fields; a
date said in a sentence (``fmt="long"``) never ends in a period that the
sentence would double.
"""

from __future__ import annotations

import gettext as _gettext
import io
import locale as _locale
import logging
import os
import re
import string
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel import dates as _bdates
from babel import numbers as _bnumbers

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

log = logging.getLogger(__name__)

DOMAIN = "agent_assist"

#: The languages the product speaks, with the babel locale used for formats.
#: German follows Swiss conventions (the operator is Swiss); Chinese is
#: Simplified Chinese as used in mainland China.
LANGUAGES: dict[str, str] = {"de": "de_CH", "en": "en_GB", "ru": "ru_RU", "zh": "zh_Hans_CN"}
FALLBACK_LANGUAGE = "en"
#: Catalog folder below ``translations/`` for each language.
CATALOG_FOLDERS: dict[str, str] = {"de": "de", "en": "en", "ru": "ru", "zh": "zh_Hans"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def known_language(value: str | None) -> str | None:
    """``de_CH``, ``zh-Hans``, ``ru_RU.UTF-8`` ... as one of :data:`LANGUAGES`, else None."""
    if not value:
        return None
    code = value.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def normalize_language(value: str | None) -> str:
    """Like :func:`known_language`, with English for anything else."""
    return known_language(value) or FALLBACK_LANGUAGE


def babel_locale(language: str) -> Locale:
    """The babel locale used to format for ``language``."""
    try:
        return Locale.parse(LANGUAGES[normalize_language(language)])
    except (UnknownLocaleError, ValueError):  # pragma: no cover - babel ships all four
        return Locale.parse("en")


def system_language() -> str:
    """The operating system's language, as one of :data:`LANGUAGES`."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return normalize_language(os.environ[var].split(":")[0])
    try:
        loc = _locale.getlocale()[0]
    except ValueError:  # pragma: no cover
        loc = None
    return normalize_language(loc)


def catalog_files(language: str) -> tuple[Path, Path]:
    """The ``.po`` source and the compiled ``.mo`` of ``language`` (either may be missing)."""
    from app.resources import translations_path

    folder = translations_path() / CATALOG_FOLDERS[normalize_language(language)] / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


_FORMAT_FIELD = string.Formatter()
_PERCENT_FIELD = re.compile(r"%\((\w+)\)")


def placeholders(text: str) -> set[str]:
    """The ``{name}`` and ``%(name)s`` placeholders of ``text``.

    Raises :class:`ValueError` when the braces do not pair up.
    """
    names = {
        "{" + (field or "").split(".")[0].split("[")[0] + "}"
        for _literal, field, _spec, _conv in _FORMAT_FIELD.parse(text)
        if field is not None
    }
    return names | {f"%({name})" for name in _PERCENT_FIELD.findall(text)}


def placeholder_problem(message: Message) -> str | None:
    """Why the translation of ``message`` cannot replace its source text, or None.

    A translation must use exactly the placeholders of its source (a renamed or
    dropped ``{name}`` would raise or lose a value at runtime); every plural
    form must use those of the plural source.
    """
    sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    try:
        expected = set().union(*(placeholders(text) for text in sources))
    except ValueError:
        return None  # the source is no format string: nothing to compare
    for index, form in enumerate(forms):
        if not form:
            continue
        where = f"form {index}: " if len(forms) > 1 else ""
        try:
            found = placeholders(form)
        except ValueError:
            return where + "braces do not pair up"
        if found != expected:
            missing = ", ".join(sorted(expected - found))
            unknown = ", ".join(sorted(found - expected))
            parts = [f"missing {missing}"] * bool(missing) + [f"unknown {unknown}"] * bool(unknown)
            return where + "; ".join(parts)
    return None


def usable_catalog(catalog: Catalog) -> Catalog:
    """``catalog`` without fuzzy entries and entries with placeholder problems."""
    for message in list(catalog):
        if not message.id:
            continue  # the header
        if message.fuzzy or placeholder_problem(message) is not None:
            catalog.delete(message.id, message.context)
    return catalog


def compile_po(po_file: Path) -> bytes:
    """The ``.mo`` bytes of ``po_file``, usable entries only (see :func:`usable_catalog`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_file.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, usable_catalog(catalog), use_fuzzy=False)
    return buffer.getvalue()


@cache
def translator(language: str) -> _gettext.NullTranslations:
    """The gettext translator for ``language`` (identity when there is no catalog).

    A compiled ``.mo`` is used when it is at least as new as its ``.po``;
    otherwise the ``.po`` is compiled in memory. A catalog that cannot be read
    is logged and the English source text is shown.
    """
    po_file, mo_file = catalog_files(language)
    try:
        if mo_file.is_file() and (
            not po_file.is_file() or mo_file.stat().st_mtime >= po_file.stat().st_mtime
        ):
            with mo_file.open("rb") as fh:
                return _gettext.GNUTranslations(fh)
        if po_file.is_file():
            return _gettext.GNUTranslations(io.BytesIO(compile_po(po_file)))
    except Exception as exc:  # a broken catalog must not stop the application
        log.warning("cannot load the %s translations: %s", language, exc)
    return _gettext.NullTranslations()


def reload_translations() -> None:
    """Forget loaded catalogs (after they were edited or compiled)."""
    translator.cache_clear()


class _UiLanguage:
    """The agent's UI language and who wants to know when it changes."""

    def __init__(self) -> None:
        self.code = FALLBACK_LANGUAGE
        self.listeners: list[Callable[[str], None]] = []


_ui = _UiLanguage()


def ui_language() -> str:
    return _ui.code


def set_ui_language(language: str) -> None:
    """Switch the UI language; open windows re-translate through listeners."""
    code = normalize_language(language)
    if code == _ui.code:
        return
    _ui.code = code
    for listener in list(_ui.listeners):
        listener(code)


def on_language_changed(listener: Callable[[str], None]) -> Callable[[], None]:
    """Register ``listener``; returns a function that unregisters it."""
    _ui.listeners.append(listener)
    return lambda: _ui.listeners.remove(listener) if listener in _ui.listeners else None


def _(message: str) -> str:
    """Translate ``message`` into the UI language."""
    return translator(_ui.code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the plural form the UI language needs for ``n``."""
    return translator(_ui.code).ngettext(singular, plural, n)


# --- formats -----------------------------------------------------------------


#: The one style of each language for a date in the UI: CLDR's numeric style with a
#: four-digit year (babel supplies the pattern), so what is shown is also what a date
#: field takes. ``"06.12.2026"``, ``"06/12/2026"``, ``"06.12.2026"``, ``"2026年12月6日"``.
DATE_STYLES: dict[str, str] = {"de": "medium", "en": "short", "ru": "short", "zh": "medium"}
#: How a date and a time are put together (CLDR's glue of this style: ``{1}, {0}``).
DATETIME_GLUE_STYLE = "medium"
#: The time of day beside a date: hours and minutes.
TIME_STYLE = "short"

#: A pattern's trailing abbreviation with its period (Russian ``'г'.``), which would
#: double the period of a sentence ending in a date.
_TRAILING_ABBREVIATION = re.compile(r"[\s\u00a0\u202f]*'[^']*'\.$")


def _sentence_safe(pattern: str) -> str:
    return _TRAILING_ABBREVIATION.sub("", pattern)


def date_pattern(language: str | None = None) -> str:
    """The babel pattern of the one date format of ``language`` (default: the UI language)."""
    code = normalize_language(language or _ui.code)
    return str(babel_locale(code).date_formats[DATE_STYLES[code]].pattern)


def datetime_pattern(language: str | None = None) -> str:
    """The babel pattern of the one date-and-time format of ``language``."""
    loc = babel_locale(language or _ui.code)
    glue = str(loc.datetime_formats[DATETIME_GLUE_STYLE])
    time = str(loc.time_formats[TIME_STYLE].pattern)
    return glue.replace("{1}", date_pattern(language)).replace("{0}", time)


def sentence_date_pattern(language: str | None = None) -> str:
    """The babel pattern of a date said in a sentence (``format_date(..., fmt="long")``)."""
    loc = babel_locale(language or _ui.code)
    return _sentence_safe(str(loc.date_formats["long"].pattern))


#: Style names callers used before there was one format per language.
_ONE_FORMAT = {None, "short", "medium"}


def format_date(value: date, language: str | None = None, fmt: str | None = None) -> str:
    """``value`` in the one date format of ``language`` (default: the UI language).

    ``fmt="long"`` (or ``"full"``) words it as said in a sentence, "6 December
    2026", without a trailing abbreviation whose period would double the
    sentence's; any other ``fmt`` is a babel pattern.
    """
    loc = babel_locale(language or _ui.code)
    if fmt is None or fmt in _ONE_FORMAT:
        pattern = date_pattern(language)
    elif fmt == "long":
        pattern = sentence_date_pattern(language)
    elif fmt == "full":
        pattern = _sentence_safe(str(loc.date_formats[fmt].pattern))
    else:
        pattern = fmt
    return _bdates.format_date(value, format=pattern, locale=loc)


def format_datetime(value: datetime, language: str | None = None, fmt: str | None = None) -> str:
    """``value`` in the one date-and-time format of ``language``: "06.12.2026, 12:56".

    Any ``fmt`` other than the style names is a babel pattern.
    """
    pattern = datetime_pattern(language) if fmt is None or fmt in _ONE_FORMAT else fmt
    return _bdates.format_datetime(value, format=pattern, locale=babel_locale(language or _ui.code))


def format_month(value: date, language: str | None = None, *, in_sentence: bool = True) -> str:
    """The month of ``value`` with its year: "December 2026", "декабрь 2026", "2026年12月".

    The one place a month is worded, on screens and in letters. ``in_sentence``
    drops a trailing abbreviation whose period would double a sentence's; a letter
    keeps it ("декабрь 2026 г.").
    """
    loc = babel_locale(language or _ui.code)
    pattern = str(loc.datetime_skeletons["yMMMM"].pattern)
    if in_sentence:
        pattern = _sentence_safe(pattern)
    return _bdates.format_date(value, format=pattern, locale=loc)


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """``amount`` in ``currency`` as the language writes it: "CHF 79.00", "79,00 CHF".

    A currency code or letters are kept apart from the digits by a no-break
    space, as CLDR's currency spacing says (babel leaves "CHF79.00"); a symbol
    such as "€" or "¥" stays attached.
    """
    loc = babel_locale(language or _ui.code)
    text = _bnumbers.format_currency(amount, currency, locale=loc)
    symbol = _bnumbers.get_currency_symbol(currency, locale=loc)
    at = text.find(symbol) if symbol else -1
    if at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and _is_letter(symbol[-1]):
        text = text[:end] + "\u00a0" + text[end:]
    elif at > 0 and text[at - 1].isdigit() and _is_letter(symbol[0]):
        text = text[:at] + "\u00a0" + text[at:]
    return text


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def format_decimal(value: Decimal | int, language: str | None = None) -> str:
    return _bnumbers.format_decimal(value, locale=babel_locale(language or _ui.code))


#: Marks that end a label and need no colon after them: "Why impossible?" + ":" reads "?:".
_CLOSING_MARKS = "?？:："


def field_name(label: str) -> str:
    """``label`` as it stands before a colon: "Why impossible?" -> "Why impossible".

    A question or a label that ends in a colon would otherwise read "?:" or "::"
    in "{label}: an answer is required." or a form row.
    """
    return label.rstrip().rstrip(_CLOSING_MARKS).rstrip()


def ends_in_remark(label: str) -> bool:
    """Whether ``label`` ends in a remark in parentheses: "Decision date (empty = today)"."""
    return label.rstrip().endswith((")", "）"))


_DOUBLED_STOP = re.compile(r"(?<![.…])([.!?。！？])[.。](?![.…])")


def tidy_sentence(text: str) -> str:
    """A filled-in sentence without the doubled stop a value brings along.

    A value that ends a sentence by itself ("…звонок прерван.", "30 июня 2026 г.")
    put before the template's own period reads "..": one stop is kept. An
    ellipsis ("..." or "…") is left alone.
    """
    return _DOUBLED_STOP.sub(r"\1", text)


#: Each UI language in its own words, as babel names it (a test keeps them equal): the
#: Language menu shows them without reading babel's locale data while the window is built.
OWN_LANGUAGE_NAMES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ru": "Русский",
    "zh": "中文",
}


def language_name(language: str, in_language: str | None = None) -> str:
    """``ru`` -> "Russisch" (in German) or "Русский" (in its own language)."""
    if in_language is None or normalize_language(in_language) == normalize_language(language):
        own = OWN_LANGUAGE_NAMES.get(normalize_language(language))
        if own is not None:
            return own
    loc = babel_locale(language)
    display = babel_locale(in_language or language)
    name = loc.get_language_name(display) or language
    return name[:1].upper() + name[1:]
