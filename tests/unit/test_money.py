"""Amounts of money: read exactly from what people type in German or English, shown in their format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.programme.money import (
    MAX_CENTS,
    AmountInvalid,
    AmountTooLarge,
    cents_from_number,
    format_amount,
    parse_amount,
    plain_amount,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("10.000,00 €", 1_000_000),
        ("10000", 1_000_000),
        ("10.000", 1_000_000),  # German grouping, not ten euros
        ("1.234,5", 123_450),
        ("0,01", 1),
        ("EUR 2.500,75", 250_075),
        ("9 999,99", 999_999),
        ("9\u00a0999,99", 999_999),
    ],
)
def test_german_amounts(text: str, cents: int) -> None:
    assert parse_amount(text, "de") == cents


@pytest.mark.parametrize(
    ("text", "cents"), [("€10,000.00", 1_000_000), ("1234.5", 123_450), ("10,000", 1_000_000)]
)
def test_english_amounts(text: str, cents: int) -> None:
    assert parse_amount(text, "en") == cents


@pytest.mark.parametrize("text", ["", "-5", "1,2,3", "10.00,00", "1,234", "abc", "1e5", "0,001", "12.34.5"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(AmountInvalid):
        parse_amount(text, "de")


def test_too_large_is_refused_not_overflowed() -> None:
    with pytest.raises(AmountTooLarge):
        parse_amount("100.000.000,01", "de")
    assert parse_amount("100.000.000,00", "de") == MAX_CENTS


def test_spreadsheet_numbers_are_read_as_excel_shows_them() -> None:
    assert cents_from_number(1234.56) == 123_456
    assert cents_from_number(10000) == 1_000_000
    assert cents_from_number(Decimal("0.07")) == 7
    for bad in (-1, 0.001, float("nan"), float("inf")):
        with pytest.raises(AmountInvalid):
            cents_from_number(bad)


def test_shown_in_the_persons_format() -> None:
    assert format_amount(1_000_000, "de") == "10.000,00\xa0€"
    assert format_amount(1_000_000, "en") == "€10,000.00"
    assert plain_amount(123_456) == "1234,56"
    # exact: 0,10 + 0,20 is 0,30 in cents, never 0.30000000000000004
    assert parse_amount("0,10") + parse_amount("0,20") == parse_amount("0,30")
