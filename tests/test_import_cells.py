"""The cell parsers of import files: what each column accepts and how it says no."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services.importing.cells import (
    CellError,
    Column,
    integer_range,
    list_of,
    one_of,
    parse_amount,
    parse_bool,
    parse_count,
    parse_country,
    parse_date,
    parse_month,
    text,
)


def test_dates_are_iso_and_real_days() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(CellError, match="not a day of the calendar"):
        parse_date("2026-02-30")
    with pytest.raises(CellError, match="not a day of the calendar"):
        parse_date("2025-02-29")
    for bad in ("31.05.2026", "2026-5-31", "2026-05-31T10:00", "20260531", "today"):
        with pytest.raises(CellError, match="not a date YYYY-MM-DD"):
            parse_date(bad)


def test_months() -> None:
    assert parse_month("2026-01") == "2026-01"
    assert parse_month("2026-12") == "2026-12"
    for bad in ("2026-13", "2026-00", "2026-1", "01-2026", "2026-01-01", "0000-05"):
        with pytest.raises(CellError, match="not a month YYYY-MM"):
            parse_month(bad)


def test_amounts_use_a_dot_and_two_decimals_at_most() -> None:
    assert parse_amount("49") == Decimal("49.00")
    assert parse_amount("49.5") == Decimal("49.50")
    assert parse_amount("0.05") == Decimal("0.05")
    assert str(parse_amount("49.00")) == "49.00"
    with pytest.raises(CellError, match=r"'\.' as the decimal separator"):
        parse_amount("49,00")
    with pytest.raises(CellError, match="more than two decimals"):
        parse_amount("49.001")
    with pytest.raises(CellError, match="negative"):
        parse_amount("-1.00")
    with pytest.raises(CellError, match="too large"):
        parse_amount("1000000000.00")
    for bad in ("1'000.00", "1,000.00", "CHF 49", "4e2", ".50", "49."):
        with pytest.raises(CellError, match="not an amount"):
            parse_amount(bad)


def test_counts_and_ranges() -> None:
    assert parse_count("0") == 0
    assert parse_count("20480") == 20480
    for bad in ("-1", "1.5", "1e5", "2147483648"):
        with pytest.raises(CellError):
            parse_count(bad)
    value = integer_range(1, 4)
    assert [value(v) for v in "1234"] == [1, 2, 3, 4]
    for bad in ("0", "5", "2.0", "two"):
        with pytest.raises(CellError, match="from 1 to 4"):
            value(bad)


def test_booleans_in_any_letter_case() -> None:
    assert parse_bool("true") is True
    assert parse_bool("FALSE") is False
    assert parse_bool("True") is True
    for bad in ("yes", "1", "ja", "t"):
        with pytest.raises(CellError, match="neither true nor false"):
            parse_bool(bad)


def test_enumerations_and_lists() -> None:
    language = one_of(("de", "en", "ru", "zh"))
    assert language("ZH") == "zh"
    with pytest.raises(CellError, match="'fr' is not one of de, en, ru, zh"):
        language("fr")
    products = list_of(("mobile_tv", "combo", "internet", "aio"))
    assert products("aio; Mobile_TV;aio;") == ["mobile_tv", "aio"]
    with pytest.raises(CellError, match="'tv' is not one of"):
        products("mobile_tv;tv")


def test_countries_are_iso_codes_with_a_numbering_plan() -> None:
    assert parse_country("ch") == "CH"
    assert parse_country("CN") == "CN"
    assert parse_country("RU") == "RU"
    for bad in ("XX", "CHE", "Schweiz", "EU", "AQ"):
        with pytest.raises(CellError, match="two-letter country code"):
            parse_country(bad)


def test_text_length_and_column_defaults() -> None:
    assert text(5)("abcde") == "abcde"
    with pytest.raises(CellError, match="longer than 5 characters"):
        text(5)("abcdef")
    required = Column("code", text(5), required=True)
    with pytest.raises(CellError, match="required"):
        required.value("   ")
    assert required.value("  A1 ") == "A1"
    listed = Column("products", list_of(("aio",)), default=[])
    first, second = listed.value(""), listed.value("")
    assert first == [] and first is not second  # no shared mutable default
    assert Column("vip", parse_bool, default=False).value("") is False
    assert Column("vip_rated", parse_date).value("") is None
