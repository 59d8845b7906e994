"""Survey files in LiaScript's survey syntax: what is accepted, and every problem with its line."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from lms import bundled
from lms.evaluation.indicators import counted_staff
from lms.evaluation.parse import load_surveys, parse_survey
from lms.markdown.problems import ContentInvalid
from lms.reports.queries import staff_on

HEAD = "---\nmodule: testmodul\n---\n\n"


def _problems(source: str) -> list[str]:
    with pytest.raises(ContentInvalid) as invalid:
        parse_survey(source, "surveys/testmodul.md")
    return [str(p) for p in invalid.value.problems]


def test_matrix_vector_and_text() -> None:
    doc = parse_survey(
        HEAD
        + "## Aussagen\n\n[(1)(2)(3)(4)(5)]\n[     ] Erste *Aussage*\n[     ] Zweite Aussage\n\n"
        + "## Wie oft?\n\n[(1)] nie\n[(2)] selten\n[(3)] oft\n\n"
        + "## Anmerkungen\n\n[[___ ___]]\n",
        "surveys/testmodul.md",
    )
    first, second, vector, text = doc.items
    assert (first["key"], first["kind"], first["text"], first["html"]) == (
        "i1",
        "likert",
        "Erste *Aussage*",
        "Erste <em>Aussage</em>",
    )
    assert first["scale"] == [1, 2, 3, 4, 5] and first["labels"] == {
        "1": "trifft gar nicht zu",
        "5": "trifft voll zu",
    }
    assert second["key"] == "i2" and second["question"] == "Aussagen"
    assert (vector["key"], vector["text"], vector["scale"]) == ("i3", "Wie oft?", [1, 2, 3])
    assert vector["labels"] == {"1": "nie", "2": "selten", "3": "oft"}
    assert (text["key"], text["kind"], text["lines"]) == ("i4", "text", 2)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## A\n\n[(1)(3)]\n[  ] x\n", "surveys/testmodul.md:7: Eine Skala zählt von 1 an lückenlos"),
        ("## A\n\n[(1)(2)]\n[  ] x\nmehr Text\n", "surveys/testmodul.md:9: Nach dem Umfrageblock"),
        ("## A\n\nnur Text\n", "surveys/testmodul.md:5: Abschnitt „A“ enthält keine Umfragezeilen"),
        ("## A\n\n[(X)] falsch\n", "surveys/testmodul.md:7: Eine Skala zählt"),
        (
            "## A\n\n[[___]]\n",
            "surveys/testmodul.md:4: Die Umfrage braucht mindestens eine Aussage mit Skala",
        ),
        ("## A\n\n[[?]] Frage\n", "surveys/testmodul.md:7: Unbekannte Umfragezeile „[[?]] Frage“"),
        # `lms surveys check` found nothing here, and the import broke on PostgreSQL (NUL)
        (
            "## A\n\n[(1)(2)]\n[ ] x\x00\x01\n",
            "surveys/testmodul.md:8: Diese Zeile enthält unzulässige Steuerzeichen",
        ),
    ],
)
def test_problems_name_their_line(body: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in _problems(HEAD + body)), _problems(HEAD + body)


def test_file_name_must_match_the_module() -> None:
    with pytest.raises(ContentInvalid) as invalid:
        parse_survey(HEAD + "## A\n\n[(1)(2)]\n[ ] x\n", "surveys/anders.md")
    assert "„testmodul.md“" in str(invalid.value)


def test_the_shipped_surveys_are_valid_and_name_their_modules() -> None:
    documents, problems = load_surveys([str(bundled.folder("surveys"))])
    assert problems == []
    modules = {doc.module_slug for _path, doc in documents}
    assert {"grundbegriffe", "rassismus-erkennen"} <= modules
    for slug in modules:
        assert (bundled.folder("modules") / f"{slug}.md").is_file()


def _sql(clause: Any) -> str:
    return str(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_staff_are_counted_as_the_compliance_reports_count_them() -> None:
    day = date(2026, 6, 30)
    assert _sql(counted_staff(day)) == _sql(staff_on(day))
