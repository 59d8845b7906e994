"""Verification codes: random, grouped for reading aloud, with a check character that catches typos (pure).

A code is ``KFA-XXXX-XXXX-XXXX-C``: twelve random characters (60 bits from ``secrets``) in Crockford's Base32
alphabet (no I, L, O, U: nothing to confuse with 1 and 0) and one check character from the same alphabet.

The check character comes from the Damm algorithm over the field GF(32): the step ``x ∘ d = 2·x + d`` is a
totally anti-symmetric quasigroup, so every single wrong character and every swap of two neighbouring characters
(the check character included) changes the result. Unlike Crockford's mod-37 check symbols (``* ~ $ = U``) the
check character is an ordinary letter or digit, safe in a URL and easy to read out on the phone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "KFA"
#: Random characters per code; 12 × 5 bits = 60 bits.
PAYLOAD_LENGTH = 12
GROUP = 4
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
# Crockford's decoding rules for look-alikes; hyphens, spaces and dots are only for reading.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -–_.\t")
# x⁵ + x² + 1, a primitive polynomial: GF(32) arithmetic for the Damm step.
_FIELD_POLYNOMIAL = 0b100101


class CodeTypo(ValueError):
    """The text cannot be a code: wrong length, a character outside the alphabet, or the check fails."""


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _FIELD_POLYNOMIAL if value & 0b100000 else value


def _damm(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _times_two(interim) ^ value
    return interim


def check_character(payload: str) -> str:
    """The character that makes the Damm checksum of ``payload`` + it zero."""
    return ALPHABET[_times_two(_damm([_VALUE[c] for c in payload]))]


def format_code(body: str) -> str:
    """``KFA-XXXX-XXXX-XXXX-C`` from the 13 characters of payload and check."""
    payload, check = body[:PAYLOAD_LENGTH], body[PAYLOAD_LENGTH:]
    groups = [payload[i : i + GROUP] for i in range(0, PAYLOAD_LENGTH, GROUP)]
    return "-".join([PREFIX, *groups, check])


def generate_code() -> str:
    """A new random code, formatted."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return format_code(payload + check_character(payload))


@dataclass(frozen=True)
class ParsedCode:
    """A code that passed the check: its canonical formatted form."""

    formatted: str


def parse_code(text: str) -> ParsedCode:
    """Normalise what a person typed (case, spaces, hyphens, O→0, I/L→1) and verify the check character.

    Raises CodeTypo without looking anything up, so a mistyped code never reaches the database.
    """
    compact = text.upper().translate(_SEPARATORS)
    if len(compact) == len(PREFIX) + PAYLOAD_LENGTH + 1 and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_LOOKALIKES)
    if len(compact) != PAYLOAD_LENGTH + 1:
        raise CodeTypo("length")
    if any(char not in _VALUE for char in compact):
        raise CodeTypo("character")
    if _damm([_VALUE[c] for c in compact]) != 0:
        raise CodeTypo("check")
    return ParsedCode(formatted=format_code(compact))
