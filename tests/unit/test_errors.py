"""Service errors: a code and parameters, German by default, English from the catalogue, plurals by count."""

from __future__ import annotations

import re

import pytest

from lms.errors import MESSAGES, MORE, Plural, Sample, ServiceError, Terms, translate
from lms.orgs.staff_import import ImportRefused
from lms.quizzes.question_types import ResponseInvalid
from lms.quizzes.services import QuizUnavailable, UnknownQuestions


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


def test_both_forms_of_a_plural_take_the_same_parameters() -> None:
    def names(text: str) -> list[str]:
        return sorted(re.findall(r"%\((\w+)\)s", text))

    for code, message in MESSAGES.items():
        if isinstance(message, Plural):
            assert names(message.singular) == names(message.plural), code


def test_terms_are_joined_and_translated() -> None:
    error = ResponseInvalid("response.position_reused", n=2, positions=Terms(("3", "5")))
    assert str(error) == (
        "Positionen 3 und 5 haben Sie mehreren Schritten gegeben; jede Position darf nur einmal vorkommen."
    )
    assert translate(error, "en").startswith("You gave positions 3 and 5 to more than one step")


def test_a_sample_names_the_first_few_values_cut_short_and_counts_the_rest() -> None:
    keys = Sample((*(f"q{n}" for n in range(1, 8)), "x" * 500))
    error = UnknownQuestions("attempt.unknown_questions", n=8, keys=keys)
    assert str(error) == "Unbekannte Fragen: q1, q2, q3, q4, q5 … und 3 weitere."
    one_more = UnknownQuestions("attempt.unknown_questions", n=6, keys=Sample(("a", "b", "c", "d", "e", "f")))
    assert str(one_more) == "Unbekannte Fragen: a, b, c, d, e … und 1 weitere."
    long = UnknownQuestions("attempt.unknown_questions", n=1, keys=Sample(("y" * 500,)))
    assert str(long) == f"Unbekannte Frage: {'y' * 39}…."
    # The remainder is a plural entry of the catalogue, in the reader's language.
    english = {MORE: ("%(items)s … and %(n)s more", "%(items)s … and %(n)s more")}

    def ngettext(singular: str, plural: str, n: int) -> str:
        forms = english.get((singular, plural), (singular, plural))
        return forms[0] if n == 1 else forms[1]

    assert error.render(ngettext=ngettext) == "Unbekannte Fragen: q1, q2, q3, q4, q5 … and 3 more."
