"""Counts on report pages read as Babel writes them (1.800 / 1,800), though the pages format them faster."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal
from flask import Flask

from lms.web.i18n import grouped, request_locale


@pytest.mark.parametrize("language", ["de", "en"])
def test_grouped_counts_match_babel(app: Flask, language: str) -> None:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert request_locale() == language
        for number in (0, 4, 5, 999, 1000, 1800, 12345, 1234567, -1800):
            assert grouped(number) == format_decimal(number, format="#,##0", locale=language)
