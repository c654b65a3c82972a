"""The gettext catalogs agree with the source, keep placeholders and plural forms,
and every message is translated (no untranslated, no fuzzy entries) in de, ru
and zh_Hans: a new message fails the suite until it is translated.
"""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app.i18n import CATALOG_FOLDERS, FALLBACK_LANGUAGE
from app.i18n_tools import (
    check,
    completeness_problems,
    extract,
    new_catalog,
    po_file,
    read_catalog,
    sync_problems,
    template_file,
    translation_problems,
)

TRANSLATED = [lang for lang in CATALOG_FOLDERS if lang != FALLBACK_LANGUAGE]


@pytest.fixture(scope="module")
def source() -> Catalog:
    """Every message in the source, extracted now (not the committed template)."""
    return extract()


def _fail(problems: list[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems) + "\n\nrun: python -m app.i18n_tools update", pytrace=False)


# --- the shipped catalogs -------------------------------------------------------------


def test_template_matches_the_source(source: Catalog) -> None:
    _fail(sync_problems(source, read_catalog(template_file()), "agent_assist.pot"))


@pytest.mark.parametrize("language", list(CATALOG_FOLDERS))
def test_catalog_matches_the_source(source: Catalog, language: str) -> None:
    path = po_file(language)
    assert path.is_file(), f"{path} is missing: run python -m app.i18n_tools update"
    _fail(sync_problems(source, read_catalog(path), f"{CATALOG_FOLDERS[language]} catalog"))


@pytest.mark.parametrize("language", list(CATALOG_FOLDERS))
def test_translations_keep_placeholders_and_plural_forms(language: str) -> None:
    _fail(translation_problems(read_catalog(po_file(language)), language))


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete(language: str) -> None:
    _fail(completeness_problems(read_catalog(po_file(language)), language))


def test_plural_rules_are_babels() -> None:
    forms = {lang: read_catalog(po_file(lang)).num_plurals for lang in CATALOG_FOLDERS}
    assert forms == {"de": 2, "en": 2, "ru": 3, "zh": 1}
    russian = read_catalog(po_file("ru"))
    plurals = [m for m in russian if m.id and m.pluralizable]
    assert plurals, "the source has ngettext() messages"
    assert all(len(m.string) == 3 for m in plurals), [m.id for m in plurals]


def test_swiss_german_writes_ss() -> None:
    german = read_catalog(po_file("de"))
    sharp = [m.id for m in german if m.id and "ß" in "".join(_forms(m.string))]
    assert not sharp, f"Swiss German writes ss, not ß: {sharp}"


def test_a_core_set_is_translated_already() -> None:
    """Menus, the search and the common errors show the mechanism in every language."""
    core = ["&File", "&Customer", "&Help", "&Language", "Find a customer", "Search results"]
    for language in TRANSLATED:
        catalog = read_catalog(po_file(language))
        missing = [msgid for msgid in core if not (catalog.get(msgid) and catalog[msgid].string)]
        assert not missing, f"{language}: {missing}"


def test_the_command_line_check_passes_on_the_shipped_catalogs() -> None:
    assert check() == []


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple | list) else (string,)


# --- the checks themselves catch what they are for ------------------------------------------


def _catalog(language: str, *entries: tuple[object, object], fuzzy: bool = False) -> Catalog:
    catalog = new_catalog(language)
    for msgid, msgstr in entries:
        catalog.add(msgid, msgstr, flags=["fuzzy"] if fuzzy else ())
    return catalog


@pytest.mark.parametrize(
    ("msgid", "msgstr", "complaint"),
    [
        ("Database: {name}", "Datenbank: {nom}", "missing {name}; unknown {nom}"),
        ("Database: {name}", "Datenbank", "missing {name}"),
        ("Open {count} of {total}", "{count} offen", "missing {total}"),
        ("Customer {number}", "Kunde {number", "braces do not pair up"),
        ("%(app)s guides agents", "%(programm)s führt", "missing %(app); unknown %(programm)"),
    ],
)
def test_a_translation_that_drops_or_renames_a_placeholder_is_refused(
    msgid: str, msgstr: str, complaint: str
) -> None:
    problems = translation_problems(_catalog("de", (msgid, msgstr)), "de")
    assert len(problems) == 1
    assert complaint in problems[0] and msgid in problems[0]


def test_placeholders_may_move_and_repeat() -> None:
    entries = [
        ("{name} has {count} notes", "{count} Notizen hat {name}"),
        ("Field {name.title}", "Feld {name.title:>10}"),
        ("100 % sure, {{literal}}", "100 % sicher, {{wörtlich}}"),
    ]
    assert translation_problems(_catalog("de", *entries), "de") == []


def test_russian_plurals_need_three_forms_with_the_placeholder() -> None:
    plural = ("{count} customer", "{count} customers")
    two = _catalog("ru", (plural, ("{count} абонент", "{count} абонента")))
    assert "2 plural form(s), ru needs 3" in translation_problems(two, "ru")[0]
    dropped = _catalog("ru", (plural, ("{count} абонент", "абонента", "{count} абонентов")))
    assert "form 1: missing {count}" in translation_problems(dropped, "ru")[0]
    right = _catalog("ru", (plural, ("{count} абонент", "{count} абонента", "{count} абонентов")))
    assert translation_problems(right, "ru") == []


def test_a_wrong_plural_rule_or_fuzzy_header_is_reported() -> None:
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: ru\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    )
    catalog = read_po(io.StringIO(text))
    problems = translation_problems(catalog, "ru")
    assert any("Plural-Forms is 'nplurals=2; plural=(n != 1);'" in p for p in problems)
    assert any("header is marked fuzzy" in p for p in problems)


def test_out_of_date_catalogs_name_the_messages() -> None:
    source = _catalog("en", ("New message", ""), ("Kept", ""))
    stale = _catalog("de", ("Kept", "Behalten"), ("Removed from the source", "Entfernt"))
    problems = sync_problems(source, stale, "de catalog")
    assert len(problems) == 2
    assert "missing 1 message(s)" in problems[0] and "'New message'" in problems[0]
    assert "still active" in problems[1] and "'Removed from the source'" in problems[1]
    stale.obsolete["Removed from the source"] = stale["Removed from the source"]
    del stale["Removed from the source"]
    stale.add("New message", "Neue Nachricht")
    assert sync_problems(source, stale, "de catalog") == []


def test_untranslated_and_fuzzy_entries_make_a_catalog_incomplete() -> None:
    catalog = _catalog("zh", ("Search results", "搜索结果"), ("Toolbar", ""))
    catalog.add("Quit", "退出", flags=["fuzzy"])
    problems = completeness_problems(catalog, "zh")
    assert "1 untranslated" in problems[0] and "'Toolbar'" in problems[0]
    assert "1 fuzzy" in problems[1] and "'Quit'" in problems[1]
    english = _catalog("en", ("Toolbar", ""))
    assert completeness_problems(english, "en") == []


# Russian's CLDR rule as babel 2.18 and babel 2.19 word it: the same forms for every n.
RUSSIAN_2_18 = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
RUSSIAN_2_19 = (
    "nplurals=3; plural=n % 10 == 1 && n % 100 != 11 ? 0 : n % 10 >= 2 && n % 10 <= 4 && "
    "(n % 100 < 12 || n % 100 > 14) ? 1 : 2;"
)
# Wrong for 111..114 and 211..214 (it looks at n, not at n % 100).
RUSSIAN_WRONG = (
    "nplurals=3; plural=(n%10==1 && n!=11 ? 0 : n%10>=2 && n%10<=4 && (n<10 || n>=20) ? 1 : 2);"
)


def _with_plural_forms(language: str, plural_forms: str) -> Catalog:
    text = f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n"Plural-Forms: {plural_forms}\\n"\n'
    return read_po(io.StringIO(text))


@pytest.mark.parametrize("wording", [RUSSIAN_2_18, RUSSIAN_2_19, new_catalog("ru").plural_forms])
def test_the_plural_rule_is_compared_by_what_it_chooses_not_by_its_wording(wording: str) -> None:
    """Babel releases word the same CLDR rule differently; a catalog written by one
    babel must pass the check under another."""
    assert translation_problems(_with_plural_forms("ru", wording), "ru") == []


@pytest.mark.parametrize("language", list(CATALOG_FOLDERS))
def test_every_shipped_catalog_chooses_babels_plural_forms_for_its_locale(language: str) -> None:
    import gettext

    from app.i18n_tools import PLURAL_SAMPLES

    catalog = read_catalog(po_file(language))
    expected = new_catalog(language)  # what the installed babel says for the locale
    assert catalog.num_plurals == expected.num_plurals
    have, want = gettext.c2py(catalog.plural_expr), gettext.c2py(expected.plural_expr)
    assert [have(n) for n in PLURAL_SAMPLES] == [want(n) for n in PLURAL_SAMPLES]


def test_a_rule_that_chooses_other_forms_is_reported_however_close_its_wording() -> None:
    problems = translation_problems(_with_plural_forms("ru", RUSSIAN_WRONG), "ru")
    assert len(problems) == 1 and "chooses other forms than babel's rule for ru" in problems[0]
    broken = translation_problems(_with_plural_forms("ru", "nplurals=3; plural=n %% ;"), "ru")
    assert len(broken) == 1 and "Plural-Forms is" in broken[0]
