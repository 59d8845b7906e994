"""Front matter: what a trainer sees when the YAML block is missing, broken or mistyped."""

from __future__ import annotations

import re

import pytest

from lms.markdown.frontmatter import FieldReader, german_list, node_line, split_front_matter


def split(source: str):
    return split_front_matter(source, "modules/x.md")


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def reader(yaml_lines: str, allowed=("title", "duration", "tags", "flag", "kind", "version")) -> FieldReader:
    node, _, _, problems = split(f"---\n{yaml_lines}---\nText\n")
    assert problems == []
    return FieldReader(node, "modules/x.md", allowed)


# --- splitting -----------------------------------------------------------------------------------


def test_body_and_first_body_line_follow_the_closing_delimiter():
    node, body, first_line, problems = split("---\ntitle: A\n---\nErste Zeile\nZweite\n")
    assert problems == []
    assert body == "Erste Zeile\nZweite\n"
    assert first_line == 4
    key, value = node.value[0]
    assert node_line(key) == 2
    assert value.value == "A"


def test_missing_front_matter_is_reported_on_line_1():
    node, body, first_line, problems = split("# Titel\n\nText\n")
    assert node is None
    assert body == "# Titel\n\nText\n"
    assert first_line == 1
    assert messages(problems) == [
        "modules/x.md:1: Die Datei muss mit einer Zeile „---“ beginnen, gefolgt vom Front-Matter "
        "und wieder „---“."
    ]


def test_unclosed_front_matter_is_reported_on_line_1():
    node, body, _, problems = split("---\ntitle: A\n\nText\n")
    assert node is None
    assert body == ""
    assert messages(problems) == [
        "modules/x.md:1: Das Front-Matter wird nicht mit einer Zeile „---“ abgeschlossen."
    ]


def test_colon_in_unquoted_value_points_to_its_line():
    _, _, _, problems = split("---\nslug: a\ntitle: Rassismus: Grundlagen\n---\n")
    assert messages(problems) == [
        "modules/x.md:3: Das Front-Matter ist kein gültiges YAML: "
        "Ein zweiter Doppelpunkt in einem Wert – Werte mit „:“ in Anführungszeichen setzen."
    ]


def test_unclosed_quote_points_to_where_the_quote_opens():
    _, _, _, problems = split('---\nslug: a\ntitle: "Grundlagen\nkind: training\n---\n')
    assert messages(problems) == [
        "modules/x.md:3: Das Front-Matter ist kein gültiges YAML: Ein Anführungszeichen wird nicht "
        "geschlossen."
    ]


def test_tab_indentation_is_explained():
    _, _, _, problems = split("---\nobjectives:\n\t- a\n---\n")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert "Tabulator" in problems[0].message


def test_unclosed_bracket_points_to_where_it_opens_in_german():
    _, _, _, problems = split("---\nslug: a\ntags: [a, b\nkind: x\n---\n")
    assert messages(problems) == [
        "modules/x.md:3: Das Front-Matter ist kein gültiges YAML: Eine eckige Klammer „[“ wird nicht "
        "geschlossen – Werte, die mit „[“ beginnen, in Anführungszeichen setzen."
    ]


@pytest.mark.parametrize(
    "front_matter",
    [
        'slug: a\ntitle: "Grundlagen\nversion: "1.0"\nkind: training\n',  # the quote closes on the next line
        "slug: a\ntitle Grundlagen\nversion: 1.0\nkind: training\nsummary: x\n",  # colon missing
        "slug: a\ntitle: {Grundlagen\nversion: 1.0\nkind: training\n",
        "slug: a\ntitle: Grund: lagen\nversion: 1.0\nkind: training\n",
    ],
)
def test_yaml_errors_are_reported_on_the_line_of_the_mistake_without_english(front_matter):
    _, _, _, problems = split(f"---\n{front_matter}---\n")
    assert [p.line for p in problems] == [3]
    assert problems[0].message.startswith("Das Front-Matter ist kein gültiges YAML: ")
    for english in ("expected", "while", "found", "mapping", "scalar"):
        assert english not in problems[0].message


def test_front_matter_that_is_not_a_mapping():
    node, _, _, problems = split("---\n- a\n- b\n---\n")
    assert node is None
    assert messages(problems) == [
        "modules/x.md:2: Das Front-Matter muss aus Zeilen der Form „feld: Wert“ bestehen."
    ]


def test_empty_front_matter_reports_every_missing_field():
    node, _, _, problems = split("---\n---\nText\n")
    assert problems == []
    fields = FieldReader(node, "modules/x.md", ["title", "kind"])
    fields.text("title")
    fields.choice("kind", ["training", "workshop"])
    assert messages(fields.problems) == [
        "modules/x.md:1: Pflichtfeld „title“ fehlt.",
        "modules/x.md:1: Pflichtfeld „kind“ fehlt.",
    ]


def test_without_a_mapping_missing_fields_are_not_piled_on():
    fields = FieldReader(None, "modules/x.md", ["title"])
    assert fields.text("title") is None
    assert fields.problems == []


# --- field reader --------------------------------------------------------------------------------


def test_unknown_field_suggests_the_likely_meant_one():
    fields = reader("titel: A\nfarbe: blau\n")
    assert messages(fields.problems) == [
        "modules/x.md:2: Unbekanntes Feld „titel“ (meinten Sie „title“?).",
        "modules/x.md:3: Unbekanntes Feld „farbe“.",
    ]


def test_duplicate_field_is_reported_on_the_second_occurrence():
    fields = reader("title: A\ntitle: B\n")
    assert messages(fields.problems) == ["modules/x.md:3: Feld „title“ steht doppelt im Front-Matter."]
    assert fields.text("title") == "A"


def test_empty_required_value():
    fields = reader('title:\nkind: ""\n')
    assert fields.text("title") is None
    assert fields.text("kind") is None
    assert messages(fields.problems) == [
        "modules/x.md:2: „title“ darf nicht leer sein.",
        "modules/x.md:3: „kind“ darf nicht leer sein.",
    ]


def test_text_is_taken_as_written():
    fields = reader("title: ja\nversion: 1.10\nkind: 12:30\n")
    assert fields.text("title") == "ja"  # not the YAML boolean
    assert fields.text("version") == "1.10"  # not the float 1.1
    assert fields.text("kind") == "12:30"  # not the sexagesimal integer 750
    assert fields.problems == []


def test_text_rejects_lists_and_bad_patterns():
    fields = reader("title: [a, b]\nkind: Training Modul\n")
    fields.text("title")
    fields.text("kind", pattern=re.compile(r"[a-z]+"), hint="„kind“ passt nicht: „{value}“.")
    assert messages(fields.problems) == [
        "modules/x.md:2: „title“ muss ein einzelner Text sein.",
        "modules/x.md:3: „kind“ passt nicht: „Training Modul“.",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("45", 45),
        ("0", None),
        ("-3", None),
        ('"45"', None),
        ("45 Minuten", None),
        ("4.5", None),
        ("true", None),
    ],
)
def test_integer_greater_than_zero(value, expected):
    fields = reader(f"duration: {value}\n")
    assert fields.integer("duration", minimum=1) == expected
    if expected is None:
        assert messages(fields.problems) == ["modules/x.md:2: „duration“ muss eine ganze Zahl größer 0 sein."]


def test_integer_range_messages():
    fields = reader("duration: 101\nflag: -1\n")
    fields.integer("duration", minimum=1, maximum=100)
    fields.integer("flag", minimum=0)
    assert messages(fields.problems) == [
        "modules/x.md:2: „duration“ muss eine ganze Zahl von 1 bis 100 sein.",
        "modules/x.md:3: „flag“ muss eine ganze Zahl ab 0 sein.",
    ]


def test_boolean():
    fields = reader("flag: true\ntitle: ja\n")
    assert fields.boolean("flag") is True
    assert fields.boolean("title") is None
    assert messages(fields.problems) == ["modules/x.md:3: „title“ muss true oder false sein."]


def test_choice_names_the_allowed_words():
    fields = reader("kind: Training\n")
    assert fields.choice("kind", ["training", "workshop"]) is None
    assert messages(fields.problems) == [
        "modules/x.md:2: „kind“ muss „training“ oder „workshop“ sein, nicht „Training“."
    ]


def test_text_list_forms():
    fields = reader('tags:\n  - "a"\n  - b\ntitle: einzeln\nkind: []\nflag: 3\n')
    assert fields.text_list("tags") == ("a", "b")
    assert fields.text_list("title", allow_single=True) == ("einzeln",)
    assert fields.text_list("kind") is None
    assert fields.text_list("flag") is None
    assert messages(fields.problems) == [
        "modules/x.md:6: „kind“ braucht mindestens einen Eintrag.",
        "modules/x.md:7: „flag“ muss eine Liste von Texten sein (Zeilen, die mit „- “ beginnen).",
    ]


def test_text_list_item_problems_point_to_the_item():
    fields = reader("tags:\n  - a\n  - \n  - [x]\n")
    fields.text_list("tags")
    assert messages(fields.problems) == [
        "modules/x.md:4: „tags“: Eintrag 2 muss ein nicht leerer Text sein.",
        "modules/x.md:5: „tags“: Eintrag 3 muss ein nicht leerer Text sein.",
    ]


def test_optional_fields_may_be_absent():
    fields = reader("title: A\n")
    assert fields.text_list("tags", required=False) is None
    assert fields.integer("duration", minimum=1, required=False) is None
    assert fields.problems == []
    assert fields.line("title") == 2
    assert fields.line("tags") == 1


def test_german_list():
    assert german_list(["a"]) == "„a“"
    assert german_list(["a", "b"], "oder") == "„a“ oder „b“"
    assert german_list(["a", "b", "c"]) == "„a“, „b“ und „c“"


def test_explicit_yaml_tags_that_cannot_be_built_are_type_problems_not_tracebacks():
    fields = reader("duration: !!int abc\nflag: !!bool vielleicht\n")
    assert fields.integer("duration", minimum=1) is None
    assert fields.boolean("flag") is None
    assert messages(fields.problems) == [
        "modules/x.md:2: „duration“ muss eine ganze Zahl größer 0 sein.",
        "modules/x.md:3: „flag“ muss true oder false sein.",
    ]
