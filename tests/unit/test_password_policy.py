"""The password policy (ASVS 4.0.3 V2.1): length, any characters, the shipped list, patterns, context words."""

from __future__ import annotations

import pytest

from lms.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    common_passwords,
    password_problems,
)
from lms.errors import translate

EMAIL = "anna.schmidt@stadt-offenbach.example"
NAME = "Anna Schmidt"


def codes(password: str, email: str | None = EMAIL, name: str | None = NAME) -> list[str]:
    return [problem.code for problem in password_problems(password, email=email, name=name)]


def test_at_least_twelve_characters() -> None:
    assert MIN_PASSWORD_LENGTH == 12
    assert codes("Tulpe-Kiesel") == []  # exactly 12
    assert codes("Tulpe-Kiese") == ["auth.password_too_short"]  # 11


def test_at_least_64_and_up_to_128_characters_are_allowed() -> None:
    assert MAX_PASSWORD_LENGTH == 128
    long = "Ein langer Satz über Tulpen, Kiesel und den Main bei Nacht, " * 3
    assert codes(long[:64]) == [] and codes(long[:128]) == []
    assert codes(long[:129]) == ["auth.password_too_long"]


@pytest.mark.parametrize(
    "password",
    [
        "Straße über Brücke",
        "Ünïcødé ist erlaubt ✓",
        "ein  Satz  mit  Leerzeichen",
        "nurkleinbuchstaben",
        "ÇŞĞÜÖİ-çşğüöı",
    ],
)
def test_any_characters_and_no_composition_rules(password: str) -> None:
    assert codes(password) == []


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "123456789012",
        "abcabcabcabc",
        "passwortpasswort",
        "qwertzuiopas",
        "987654321098",
        "zyxwvutsrqpo",
        "ababababababab",
    ],
)
def test_repeated_and_sequential_characters_are_refused(password: str) -> None:
    assert codes(password) == ["auth.password_pattern"]


@pytest.mark.parametrize(
    "password",
    ["password1234", "Passwort2026!!", "iloveyou12345", "1234567890123", "Fussball2026!", "hallo-hallo-123"],
)
def test_common_and_breached_passwords_are_refused(password: str) -> None:
    assert codes(password)  # on the list (maybe with digits and signs around it), or a pattern


def test_the_shipped_list_is_large_and_lower_case() -> None:
    listed = common_passwords()
    assert len(listed) > 40_000
    assert {"123456", "password", "passwort", "qwertz", "hallo123"} <= listed
    assert all(word == word.lower() for word in list(listed)[:1000])


@pytest.mark.parametrize(
    "password",
    [
        "Kommunen-fuer-alle-2026",
        "KommunenFürAlle!!",
        "anna.schmidt.2026",
        "Schmidt-Anna-1990",
        "offenbach-2026!",
    ],
)
def test_the_platform_name_and_the_persons_own_details_are_refused(password: str) -> None:
    assert "auth.password_personal" in codes(password)


def test_context_words_count_only_when_the_rest_is_short() -> None:
    assert codes("Anna geht gern am Mainufer spazieren") == []
    assert codes("Kommunen-fuer-alle-2026", email=None, name=None) == ["auth.password_personal"]


def test_problems_are_translated() -> None:
    [problem] = password_problems("aaaaaaaaaaaa", email=None, name=None)
    assert "wiederholten" in translate(problem, "de")
    assert "repeated" in translate(problem, "en")
