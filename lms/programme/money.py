"""Amounts of money: stored as whole cents (integers), read from German or English text, shown in the user's format.

Pure: no database, no Flask. Floats never carry money here; spreadsheet numbers go through ``Decimal(str(value))``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency

#: The largest amount accepted in one field: 100 million euros (far above any municipality's grant, far below BIGINT).
MAX_CENTS = 10_000_000_000

_CURRENCY = re.compile(r"(?i)\s*(€|eur|euro)\s*")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
#: German: 10.000,50 or 10000,50 — English: 10,000.50 or 10000.50.
_GERMAN = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")
_ENGLISH = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


class AmountInvalid(ValueError):
    """The text is not an amount of money (the caller words the message)."""


class AmountNegative(AmountInvalid):
    """A number cell below zero."""


class AmountFractionOfCent(AmountInvalid):
    """A number cell with more than two decimals."""


class AmountTooLarge(ValueError):
    """The amount exceeds MAX_CENTS."""


def parse_amount(text: str, locale: str = "de") -> int:
    """Cents of an amount written like „10.000,00 €“ (German) or "€10,000.00" (English); negative amounts refused."""
    cleaned = _SPACES.sub("", _CURRENCY.sub("", text.strip()))
    pattern, thousands, decimal = (_ENGLISH, ",", ".") if locale.startswith("en") else (_GERMAN, ".", ",")
    if not pattern.match(cleaned):
        raise AmountInvalid(text)
    whole, _, fraction = cleaned.replace(thousands, "").partition(decimal)
    return _checked(int(whole) * 100 + int(fraction.ljust(2, "0") or 0))


def cents_from_number(value: int | float | Decimal) -> int:
    """Cents of a number cell of a spreadsheet (at most two decimals; a float is read as the text Excel shows)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise AmountInvalid(str(value)) from None
    if not amount.is_finite():
        raise AmountInvalid(str(value))
    if amount < 0:
        raise AmountNegative(str(value))
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountFractionOfCent(str(value))
    return _checked(int(amount * 100))


def _checked(cents: int) -> int:
    if cents > MAX_CENTS:
        raise AmountTooLarge(cents)
    return cents


def format_amount(cents: int, locale: str = "de") -> str:
    """„10.000,00 €“ in German, "€10,000.00" in English."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=locale)


def plain_amount(cents: int) -> str:
    """„10000,00“: the German number without grouping or sign, for CSV cells that Excel reads as numbers."""
    return f"{cents // 100},{cents % 100:02d}"
