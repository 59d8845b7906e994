"""Verification codes: enough randomness, readable groups, and a check character that catches typos."""

from __future__ import annotations

import re

import pytest

from lms.certificates.codes import ALPHABET, CodeTypo, check_character, format_code, generate_code, parse_code

CODE_SHAPE = re.compile(
    r"^KFA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$"
)


def _body(code: str) -> str:
    return code.removeprefix("KFA-").replace("-", "")


def test_codes_are_grouped_without_confusable_letters() -> None:
    codes = {generate_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert CODE_SHAPE.match(code), code
        assert not set(_body(code)) & set("ILOU")


def test_twelve_random_characters_carry_sixty_bits() -> None:
    assert len(ALPHABET) == 32 and len(_body(generate_code())) == 13  # 12 × 5 bits + 1 check character
    # every character position takes every symbol over many codes: nothing is fixed or biased to a subset
    seen = [set() for _ in range(12)]
    for _ in range(3000):
        for i, char in enumerate(_body(generate_code())[:12]):
            seen[i].add(char)
    assert all(len(position) == 32 for position in seen)


def test_a_generated_code_parses_back_to_itself() -> None:
    code = generate_code()
    assert parse_code(code).formatted == code


def test_input_is_normalised_case_spaces_hyphens_and_lookalikes() -> None:
    payload = "01A1B0CDEF23"
    code = format_code(payload + check_character(payload))
    assert code.startswith("KFA-01A1-B0CD-EF23-")
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_code(typed).formatted == code
    assert parse_code(_body(code)).formatted == code  # without the prefix
    assert parse_code("  " + code.replace("-", "") + " ").formatted == code
    assert parse_code(code.replace("1", "I")).formatted == code


@pytest.mark.parametrize("sample", range(20))
def test_every_single_wrong_character_is_caught(sample: int) -> None:
    body = _body(generate_code())
    for position in range(len(body)):
        for replacement in ALPHABET:
            if replacement == body[position]:
                continue
            typo = body[:position] + replacement + body[position + 1 :]
            with pytest.raises(CodeTypo):
                parse_code(typo)


@pytest.mark.parametrize("sample", range(20))
def test_every_swap_of_neighbours_is_caught(sample: int) -> None:
    body = _body(generate_code())
    for position in range(len(body) - 1):
        a, b = body[position], body[position + 1]
        if a == b:
            continue
        swapped = body[:position] + b + a + body[position + 2 :]
        with pytest.raises(CodeTypo):
            parse_code(swapped)


@pytest.mark.parametrize(
    "text",
    ["", "KFA", "KFA-1234-5678", "KFA-1234-5678-9ABC-DE", "KFA-UUUU-5678-9ABC-D", "KFA-12#4-5678-9ABC-D"],
)
def test_wrong_length_or_characters_are_typos(text: str) -> None:
    with pytest.raises(CodeTypo):
        parse_code(text)
