"""Service errors: a code and parameters, German by default, English from the catalogue, plurals by count."""

from __future__ import annotations

import pytest

from lms.errors import MESSAGES, Plural, ServiceError, translate
from lms.orgs.staff_import import ImportRefused
from lms.quizzes.services import QuizUnavailable


def test_str_is_the_german_text_with_its_parameters() -> None:
    error = ServiceError("period.label_taken", label="Programmjahr 2027")
    assert str(error) == "Es gibt bereits einen Zeitraum „Programmjahr 2027“."
    assert (error.code, error.params) == ("period.label_taken", {"label": "Programmjahr 2027"})


def test_an_unknown_code_fails_at_once() -> None:
    with pytest.raises(KeyError):
        ServiceError("no.such.code")


def test_the_cli_renders_german_by_default_and_english_on_request() -> None:
    error = QuizUnavailable("quiz.already_completed")
    assert translate(error) == "Sie haben dieses Modul in dieser Version bereits abgeschlossen."
    assert translate(error, "en") == "You have already completed this version of the module."


@pytest.mark.parametrize(
    ("count", "german", "english"),
    [
        (1, "Die Liste enthält 1 fehlerhafte Zeile.", "The list contains 1 faulty row."),
        (2, "Die Liste enthält 2 fehlerhafte Zeilen.", "The list contains 2 faulty rows."),
    ],
)
def test_plurals_follow_the_count(count: int, german: str, english: str) -> None:
    error = ImportRefused("import.faulty_rows", n=count)
    assert str(error).startswith(german) and translate(error, "en").startswith(english)


def test_attempts_one_and_many() -> None:
    assert "1 Versuch möglich" in str(QuizUnavailable("quiz.no_attempts_left", n=1))
    assert "Sie haben alle 3 Versuche" in str(QuizUnavailable("quiz.no_attempts_left", n=3))


def test_every_message_has_a_plural_count_or_none() -> None:
    for code, message in MESSAGES.items():
        if isinstance(message, Plural):
            assert f"%({message.count})s" in message.singular and f"%({message.count})s" in message.plural, (
                code
            )
