"""Managing the gettext catalogs: extract, update, compile, check.

    python -m app.i18n_tools extract    # app/**.py -> translations/agent_assist.pot
    python -m app.i18n_tools update     # extract, then merge into every .po (new ones created)
    python -m app.i18n_tools compile    # .po -> .mo (for the installed build; optional here)
    python -m app.i18n_tools check [--complete]

The same as ``pybabel extract/update/compile`` with the project's settings
(``translations/babel.cfg``; keywords ``_``, ``N_``, ``ngettext:1,2``), through
babel's Python API so it runs the same on Windows. Locations are written
without line numbers, so catalogs change only when messages change.

``check`` reports catalogs out of step with the source, translations whose
placeholders differ from the source, plural entries with the wrong number of
forms and catalogs whose header is marked fuzzy; with ``--complete`` also
untranslated and fuzzy entries. It exits with 1 when it finds anything.
"""

from __future__ import annotations

import argparse
import gettext
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app import APP_NAME, __version__
from app.i18n import (
    CATALOG_FOLDERS,
    DOMAIN,
    FALLBACK_LANGUAGE,
    placeholder_problem,
    usable_catalog,
)
from app.resources import project_root

#: The extraction keywords: ``_(msg)``, ``N_(msg)``, ``ngettext(singular, plural, n)``.
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
#: Comments above a message that start with this go to the translators.
COMMENT_TAGS = ("TRANSLATORS:",)
HEADER_COMMENT = f"# Translations of {APP_NAME}.\n#"
WIDTH = 76

#: A message's identity in a catalog: its id (a pair for plurals) and context.
Key = tuple[str | tuple[str, ...], str | None]


def translations_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "translations"


def template_file(root: Path | None = None) -> Path:
    return translations_dir(root) / f"{DOMAIN}.pot"


def po_file(language: str, root: Path | None = None) -> Path:
    folder = CATALOG_FOLDERS[language]
    return translations_dir(root) / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


# --- reading and writing --------------------------------------------------------------


def extract(root: Path | None = None) -> Catalog:
    """A fresh template catalog of every message in the source."""
    root = root or project_root()
    with (translations_dir(root) / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(
        domain=DOMAIN,
        project=APP_NAME,
        version=__version__,
        header_comment=HEADER_COMMENT,
        charset="utf-8",
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(
            message, None, [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments, context=context,
        )  # fmt: skip
    return catalog


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_by_file=True, include_lineno=False)
    return buffer.getvalue()


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write_template(template: Catalog, root: Path | None = None) -> bool:
    """Write the POT; a template whose messages did not change keeps its date (no churn)."""
    path = template_file(root)
    if path.is_file():
        old = read_catalog(path)
        fresh_date = template.creation_date
        template.creation_date = old.creation_date
        if render(template) == path.read_bytes():
            return False
        template.creation_date = fresh_date
    return _write_if_changed(path, render(template))


def new_catalog(language: str) -> Catalog:
    """An empty catalog for ``language`` with babel's plural rule and a non-fuzzy header."""
    folder = CATALOG_FOLDERS[language]
    return Catalog(
        locale=folder,
        domain=DOMAIN,
        project=APP_NAME,
        version=__version__,
        header_comment=HEADER_COMMENT,
        language_team=Locale.parse(folder).get_display_name("en"),
        charset="utf-8",
        fuzzy=False,
    )


def update(root: Path | None = None, languages: Sequence[str] | None = None) -> list[str]:
    """Extract, then merge the template into the catalogs of ``languages`` (default:
    all); returns what changed. Translators working in parallel each update only
    their own language, so nobody's catalog is rewritten under them."""
    template = extract(root)
    changed = ["translations/agent_assist.pot"] if write_template(template, root) else []
    template = read_catalog(template_file(root))
    for language in languages or CATALOG_FOLDERS:
        path = po_file(language, root)
        catalog = read_catalog(path) if path.is_file() else new_catalog(language)
        catalog.update(template, update_creation_date=True)
        catalog.fuzzy = False  # the header; entries keep their own flags
        if _write_if_changed(path, render(catalog)):
            changed.append(path.relative_to(translations_dir(root).parent).as_posix())
    return changed


def compile_all(root: Path | None = None) -> list[str]:
    """Write every ``.mo`` (usable entries only); one statistics line per language."""
    lines = []
    for language in CATALOG_FOLDERS:
        path = po_file(language, root)
        if not path.is_file():
            lines.append(f"{language}: no catalog")
            continue
        catalog = read_catalog(path)
        total, translated, fuzzy, refused = _statistics(catalog)
        buffer = io.BytesIO()
        write_mo(buffer, usable_catalog(catalog), use_fuzzy=False)
        _write_if_changed(path.with_suffix(".mo"), buffer.getvalue())
        lines.append(
            f"{language}: {translated} of {total} translated, {fuzzy} fuzzy (not used), "
            f"{refused} refused for their placeholders"
        )
    return lines


def _statistics(catalog: Catalog) -> tuple[int, int, int, int]:
    messages = [m for m in catalog if m.id]
    translated = sum(1 for m in messages if _translated(m) and not m.fuzzy)
    fuzzy = sum(1 for m in messages if m.fuzzy)
    refused = sum(1 for m in messages if not m.fuzzy and placeholder_problem(m))
    return len(messages), translated, fuzzy, refused


def _translated(message: Message) -> bool:
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(forms)


# --- checks -------------------------------------------------------------------------------


def key(message: Message) -> Key:
    msgid = message.id
    return (msgid if isinstance(msgid, str) else tuple(msgid), message.context)


def keys(catalog: Catalog) -> set[Key]:
    """The active messages of ``catalog`` (obsolete ``#~`` entries are not active)."""
    return {key(m) for m in catalog if m.id}


def _show(keys_: Iterable[Key]) -> str:
    def one(item: Key) -> str:
        msgid, context = item
        text = " / ".join(msgid) if isinstance(msgid, tuple | list) else msgid
        return repr(text) + (f" (context {context!r})" if context else "")

    return "".join(f"\n    {one(k)}" for k in sorted(keys_, key=str))


def sync_problems(expected: Catalog, catalog: Catalog, name: str) -> list[str]:
    """Messages of ``expected`` missing from ``catalog``, and active ones it should not have."""
    want, have = keys(expected), keys(catalog)
    problems = []
    if want - have:
        problems.append(f"{name}: missing {len(want - have)} message(s):{_show(want - have)}")
    if have - want:
        problems.append(
            f"{name}: {len(have - want)} message(s) no longer in the source are still active "
            f"(run update to make them obsolete):{_show(have - want)}"
        )
    return problems


#: The numbers two plural rules are compared on: every rule of CLDR looks at no more
#: than the last three digits (and ``n`` itself for the first few), so these cover all.
PLURAL_SAMPLES = (*range(2000), 10_000, 100_000, 1_000_000, 1_000_001, 1_000_011)


def same_plural_rule(catalog: Catalog, expected: Catalog) -> bool:
    """Whether ``catalog``'s Plural-Forms chooses the same form as ``expected``'s for
    every number. The wording is not compared: babel releases word the same CLDR rule
    differently (2.19 writes Russian's ``n%100<10 || n%100>=20`` as
    ``n % 100 < 12 || n % 100 > 14``, which means the same after ``n%10>=2 && n%10<=4``)."""
    if catalog.num_plurals != expected.num_plurals:
        return False
    try:
        have, want = gettext.c2py(catalog.plural_expr), gettext.c2py(expected.plural_expr)
    except (ValueError, SyntaxError, RecursionError):
        return False
    return all(have(n) == want(n) for n in PLURAL_SAMPLES)


def translation_problems(catalog: Catalog, language: str) -> list[str]:
    """Header, plural forms and placeholders of one language's catalog."""
    name = f"{CATALOG_FOLDERS[language]}/{DOMAIN}.po"
    problems = []
    if catalog.fuzzy:
        problems.append(f"{name}: the header is marked fuzzy (babel would not compile it)")
    expected = new_catalog(language)
    if not same_plural_rule(catalog, expected):
        problems.append(
            f"{name}: Plural-Forms is {catalog.plural_forms!r}, which chooses other forms "
            f"than babel's rule for {language}, {expected.plural_forms!r}"
        )
    for message in catalog:
        if not message.id or not message.string:
            continue
        where = f"{name}: {_show([key(message)]).strip()}"
        if message.pluralizable:
            forms = list(message.string)
            if any(forms) and len(forms) != expected.num_plurals:
                problems.append(
                    f"{where}: {len(forms)} plural form(s), {language} needs {expected.num_plurals}"
                )
        problem = placeholder_problem(message)
        if problem:
            problems.append(f"{where}: placeholders: {problem}")
    return problems


def completeness_problems(catalog: Catalog, language: str) -> list[str]:
    """Untranslated and fuzzy entries (the source language may leave everything empty)."""
    if language == FALLBACK_LANGUAGE:
        return []
    name = f"{CATALOG_FOLDERS[language]}/{DOMAIN}.po"
    messages = [m for m in catalog if m.id]
    untranslated = [key(m) for m in messages if not _translated(m)]
    fuzzy = [key(m) for m in messages if m.fuzzy]
    problems = []
    if untranslated:
        problems.append(f"{name}: {len(untranslated)} untranslated:{_show(untranslated)}")
    if fuzzy:
        problems.append(f"{name}: {len(fuzzy)} fuzzy (never shown):{_show(fuzzy)}")
    return problems


def check(root: Path | None = None, complete: bool = False) -> list[str]:
    """Every problem of the catalogs, one (possibly multi-line) text each."""
    source = extract(root)
    problems = []
    pot = template_file(root)
    if not pot.is_file():
        return [f"{pot.name} is missing: run python -m app.i18n_tools update"]
    template = read_catalog(pot)
    problems += sync_problems(source, template, pot.name)
    for language, folder in CATALOG_FOLDERS.items():
        path = po_file(language, root)
        if not path.is_file():
            problems.append(f"{folder}/{DOMAIN}.po is missing: run python -m app.i18n_tools update")
            continue
        catalog = read_catalog(path)
        problems += sync_problems(source, catalog, f"{folder}/{DOMAIN}.po")
        problems += translation_problems(catalog, language)
        if complete:
            problems += completeness_problems(catalog, language)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.i18n_tools", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    parser.add_argument(
        "--complete", action="store_true", help="check: also refuse untranslated and fuzzy entries"
    )
    parser.add_argument(
        "--lang",
        action="append",
        choices=sorted(CATALOG_FOLDERS),
        help="update: only this language's catalog (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    if args.command == "extract":
        template = extract()
        written = write_template(template)
        print(f"{len(template)} messages; {'written' if written else 'unchanged'}: ", end="")
        print(template_file())
    elif args.command == "update":
        changed = update(languages=args.lang)
        print("\n".join(changed) if changed else "all catalogs up to date")
    elif args.command == "compile":
        print("\n".join(compile_all()))
    else:
        problems = check(complete=args.complete)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print("catalogs are up to date" + (" and complete" if args.complete else ""))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
