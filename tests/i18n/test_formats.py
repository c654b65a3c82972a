"""One date format and one date-time format per language; money as the language writes it.

The expectations come from babel (CLDR) for each locale, not from a copy of
its data: what is checked is that the application picks one style per
language and uses it everywhere, that a sentence ending in a date never gets
a doubled period, and that letters of a currency code never touch digits.
"""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel import dates as bdates
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import (
    DATE_STYLES,
    LANGUAGES,
    babel_locale,
    date_pattern,
    format_date,
    format_datetime,
    format_money,
    format_month,
    sentence_date_pattern,
    tidy_sentence,
)

ROOT = Path(__file__).resolve().parents[2]
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2199, 12, 31))
TIMES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2199, 12, 31))
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
#: Letters touching digits: "CHF79.00", "79.00CHF".
LETTERS_ON_DIGITS = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex for exactly the dates babel writes with ``pattern``."""
    parts = []
    for token in re.findall(r"'[^']*'|d+|M+|L+|y+|[^dMLy']+", pattern):
        if token.startswith("'"):
            parts.append(re.escape(token.strip("'")))
        elif token[0] in "ML" and len(token) >= 3:
            parts.append(r"[^\W\d_]+\.?")
        elif token[0] in "dML":
            parts.append(r"\d{2}" if len(token) == 2 else r"\d{1,2}")
        elif token[0] == "y":
            parts.append(r"\d{4}")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def date_regex(language: str) -> re.Pattern[str]:
    """A regex for exactly the dates :func:`format_date` writes for ``language``."""
    return pattern_regex(date_pattern(language))


def sentence_date_regex(language: str) -> re.Pattern[str]:
    """A regex for the dates said in a sentence (``fmt="long"``) in ``language``."""
    return pattern_regex(sentence_date_pattern(language))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_date_format_is_babels_numeric_style_with_a_four_digit_year(language: str) -> None:
    loc = babel_locale(language)
    assert date_pattern(language) == loc.date_formats[DATE_STYLES[language]].pattern
    assert "MMM" not in date_pattern(language), "a date field cannot take month names"
    shown = format_date(date(2026, 12, 6), language)
    assert date_regex(language).fullmatch(shown)
    assert "2026" in shown


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@settings(max_examples=60, deadline=None)
@given(moment=TIMES)
def test_a_date_time_is_the_date_then_the_time(language: str, moment: datetime) -> None:
    text = format_datetime(moment, language)
    day = format_date(moment.date(), language)
    time = bdates.format_time(moment, "HH:mm", locale=babel_locale(language))
    assert text.startswith(day), (text, day)
    assert text.endswith(time), (text, time)
    assert len(text) - len(day) - len(time) <= 2  # only the locale's glue between them


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@settings(max_examples=60, deadline=None)
@given(day=DAYS)
def test_no_date_ends_in_a_period_that_a_sentence_would_double(language: str, day: date) -> None:
    for text in (
        format_date(day, language),
        format_date(day, language, "long"),
        format_date(day, language, "full"),
        format_month(day, language),
        format_datetime(datetime.combine(day, datetime.min.time()), language),
    ):
        assert not text.endswith("."), text
        assert ".." not in f"{text}."[:-1]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_sentence_form_keeps_the_month_name(language: str) -> None:
    text = format_date(date(2026, 11, 28), language, "long")
    full = bdates.format_date(date(2026, 11, 28), "long", locale=babel_locale(language))
    assert full.startswith(text) or full == text
    assert format_month(date(2026, 12, 1), language) in {
        bdates.format_skeleton("yMMMM", date(2026, 12, 1), locale=babel_locale(language)),
        bdates.format_skeleton("yMMMM", date(2026, 12, 1), locale=babel_locale(language))
        .removesuffix(".")
        .rstrip(" \u202fг"),
    }


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("currency", ["CHF", "EUR", "CNY", "RUB", "USD", "GBP"])
@settings(max_examples=40, deadline=None)
@given(amount=AMOUNTS)
def test_money_keeps_currency_letters_apart_from_digits(
    language: str, currency: str, amount: Decimal
) -> None:
    text = format_money(amount, currency, language)
    assert not LETTERS_ON_DIGITS.search(text), text
    digits = re.sub(r"\D", "", text)
    assert digits.lstrip("0") == re.sub(r"\D", "", f"{abs(amount):.2f}").lstrip("0")


def test_english_money_has_its_space() -> None:
    assert format_money(Decimal("79"), "CHF", "en") == "CHF\u00a079.00"
    assert format_money(Decimal("79"), "EUR", "en") == "€79.00"  # a symbol stays attached


BABEL_FORMATTERS = {"format_date", "format_datetime", "format_currency", "format_skeleton"}


def test_screens_and_scripts_format_through_app_i18n_only() -> None:
    """No module but app.i18n calls babel's formatters or picks a date style of its own."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "app/i18n.py" or rel.startswith("app/letters/"):
            continue  # letters render documents with their own template filters
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("babel.dates", "babel.numbers"):
                names = {alias.name for alias in node.names} & BABEL_FORMATTERS
                if names:
                    offenders.append(f"{rel}:{node.lineno}: imports {sorted(names)} from babel")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "format_date":
                styles = [
                    k.value.value
                    for k in node.keywords
                    if k.arg == "fmt" and isinstance(k.value, ast.Constant)
                ]
                offenders += [
                    f"{rel}:{node.lineno}: fmt={style!r}"
                    for style in styles
                    if style not in ("long", "full")
                ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@settings(max_examples=30, deadline=None)
@given(day=DAYS)
def test_the_regexes_match_what_is_written(language: str, day: date) -> None:
    assert date_regex(language).fullmatch(format_date(day, language))
    assert sentence_date_regex(language).fullmatch(format_date(day, language, "long"))


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        (
            "Абонент сообщает: звонок прерван.. Посмотрю",
            "Абонент сообщает: звонок прерван. Посмотрю",
        ),
        ("Endet am 30 июня 2026 г..", "Endet am 30 июня 2026 г."),
        ("Really?. Yes", "Really? Yes"),
        ("好。。", "好。"),
        ("Wait... and… fine.", "Wait... and… fine."),
    ],
)
def test_a_sentence_keeps_one_stop(text: str, tidy: str) -> None:
    assert tidy_sentence(text) == tidy
