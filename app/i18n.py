"""Words and formats: the one translation function, and babel formatting.

Two languages are in play at once and never mixed up:

* the **UI language** — what the agent reads (menus, dialogs, messages):
  ``_()`` and ``ngettext()`` translate into it, and it can change at runtime
  (listeners registered with :func:`on_language_changed` re-translate windows);
* the **customer language** — what the customer hears and reads (scripts,
  SMS, letters): :func:`translator` gives a translator for any language.

Catalogs are gettext ``.mo`` files under ``translations/<lang>/LC_MESSAGES``
(domain ``agent_assist``), managed with babel. Dates, numbers and money are
formatted by babel for the language's locale; never by hand.
"""

from __future__ import annotations

import gettext as _gettext
import locale as _locale
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel import dates as _bdates
from babel import numbers as _bnumbers

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


def normalize_language(value: str | None) -> str:
    """Map ``de_CH``, ``zh-Hans``, ``ru_RU.UTF-8`` ... to one of :data:`LANGUAGES`."""
    if not value:
        return FALLBACK_LANGUAGE
    code = value.replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


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


@cache
def translator(language: str) -> _gettext.NullTranslations:
    """The gettext translator for ``language`` (identity when no catalog)."""
    from app.resources import translations_path

    folder = CATALOG_FOLDERS[normalize_language(language)]
    mo_file = translations_path() / folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo_file.is_file():
        return _gettext.NullTranslations()
    with mo_file.open("rb") as fh:
        return _gettext.GNUTranslations(fh)


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


def format_date(value: date, language: str | None = None, fmt: str = "medium") -> str:
    return _bdates.format_date(value, format=fmt, locale=babel_locale(language or _ui.code))


def format_datetime(value: datetime, language: str | None = None, fmt: str = "short") -> str:
    return _bdates.format_datetime(value, format=fmt, locale=babel_locale(language or _ui.code))


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    return _bnumbers.format_currency(amount, currency, locale=babel_locale(language or _ui.code))


def format_decimal(value: Decimal | int, language: str | None = None) -> str:
    return _bnumbers.format_decimal(value, locale=babel_locale(language or _ui.code))


def language_name(language: str, in_language: str | None = None) -> str:
    """``ru`` -> "Russisch" (in German) or "русский" (in its own language)."""
    loc = babel_locale(language)
    display = babel_locale(in_language or language)
    name = loc.get_language_name(display) or language
    return name[:1].upper() + name[1:]
