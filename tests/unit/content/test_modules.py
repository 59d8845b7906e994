"""Module files: what parses, and the exact ``file:line: message`` a trainer gets when something is off."""

from __future__ import annotations

import hashlib

import pytest

from lms.content.modules import parse_module, slugify
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.structure import content_hash, normalise_source, split_sections

PATH = "modules/grundbegriffe.md"

FRONT_MATTER = """\
---
slug: grundbegriffe
title: "Grundbegriffe und Arbeitsdefinitionen"
kind: training
version: "1.0"
summary: "Ein bis zwei Sätze für den Katalog."
duration_minutes: 45
audience: "Alle Beschäftigten"
objectives:
  - "Begriffe unterscheiden"
  - "Rechtsgrundlagen kennen"
language: de
---
"""

BODY = """\
Eine kurze Einleitung.

## Warum Begriffe wichtig sind

Text des ersten Abschnitts.

## Grundgesetz und AGG

Text mit Fußnote.[^gg]

### Art. 3 GG

Mehr Text.

## Grundgesetz und AGG

Gleicher Titel, eigener Anker.

[^gg]: Art. 3 Abs. 3 GG.
"""

WORKSHOP_FRONT_MATTER = """\
---
slug: ankommen
title: "Ankommen und vernetzen"
kind: workshop
version: 2
summary: "Ein Drehbuch."
duration_minutes: 60
audience:
  - "Beschäftigte mit Migrationsgeschichte"
objectives:
  - "Netzwerk aufbauen"
language: de
materials:
  - "Moderationskarten"
---
"""

WORKSHOP_BODY = """\
## Ankommen und Einstieg (20 Min.)

Begrüßung.

::: moderation
Nur für die Moderation.
:::

## Austausch (30 Min.)

Kleingruppen.

## Abschluss (10 Min.)

Blitzlicht.
"""


def module(front_matter: str = FRONT_MATTER, body: str = BODY) -> str:
    return front_matter + body


def problems_of(source: str, path: str = PATH) -> list[str]:
    with pytest.raises(ContentInvalid) as raised:
        parse_module(source, path)
    return [str(p) for p in raised.value.problems]


def line_of(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.split("\n"), start=1) if text in line)


# --- a valid module ----------------------------------------------------------------------------


def test_valid_training_module():
    doc = parse_module(module(), PATH)
    assert doc.slug == "grundbegriffe"
    assert doc.title == "Grundbegriffe und Arbeitsdefinitionen"
    assert doc.kind == "training"
    assert doc.version == "1.0"
    assert doc.duration_minutes == 45
    assert doc.audience == ("Alle Beschäftigten",)
    assert doc.objectives == ("Begriffe unterscheiden", "Rechtsgrundlagen kennen")
    assert doc.language == "de"
    assert doc.materials == ()
    assert doc.intro_html == "<p>Eine kurze Einleitung.</p>\n"
    assert doc.source == module()
    assert doc.content_hash == "sha256:" + hashlib.sha256(module().encode()).hexdigest()
    assert doc.front_matter == {
        "slug": "grundbegriffe",
        "title": "Grundbegriffe und Arbeitsdefinitionen",
        "kind": "training",
        "version": "1.0",
        "summary": "Ein bis zwei Sätze für den Katalog.",
        "duration_minutes": 45,
        "audience": ["Alle Beschäftigten"],
        "objectives": ["Begriffe unterscheiden", "Rechtsgrundlagen kennen"],
        "language": "de",
    }


def test_sections_have_positions_lines_and_unique_ascii_anchors():
    source = module()
    sections = parse_module(source, PATH).sections
    assert [s.position for s in sections] == [1, 2, 3]
    assert [s.title for s in sections] == [
        "Warum Begriffe wichtig sind",
        "Grundgesetz und AGG",
        "Grundgesetz und AGG",
    ]
    assert [s.anchor for s in sections] == [
        "warum-begriffe-wichtig-sind",
        "grundgesetz-und-agg",
        "grundgesetz-und-agg-2",
    ]
    assert sections[0].line == line_of(source, "## Warum")
    assert all(s.duration_minutes is None for s in sections)


def test_section_source_is_the_body_without_the_heading_line():
    section = parse_module(module(), PATH).sections[0]
    assert section.source == "Text des ersten Abschnitts.\n"
    assert section.html == "<p>Text des ersten Abschnitts.</p>\n"


def test_subheadings_stay_inside_their_section():
    html = parse_module(module(), PATH).sections[1].html
    assert "<h3>Art. 3 GG</h3>" in html
    assert "<h2" not in html


def test_footnote_defined_at_the_end_works_in_an_earlier_section():
    sections = parse_module(module(), PATH).sections
    assert '<a href="#fn-s2-1" id="fnref-s2-1">[1]</a>' in sections[1].html
    assert "Art. 3 Abs. 3 GG." in sections[1].html
    # The section holding the definition does not show an unreferenced footnote.
    assert "footnotes" not in sections[2].html


def test_a_footnote_never_referred_to_and_a_reference_never_defined_are_reported_on_their_lines():
    """Both were silent: a definition without a reference vanished from the page, a reference without a definition
    stood in the text as „[^label]“."""
    body = (
        BODY.replace("Mehr Text.", "Mehr Text.[^agg]")
        + "\n[^quelle]: Eine Quelle, auf die nichts verweist.\n"
    )
    source = module(body=body)
    assert problems_of(source) == [
        f"{PATH}:{line_of(source, 'Mehr Text.')}: Die Fußnote „[^agg]“ ist nirgends definiert und steht deshalb "
        "wörtlich im Text. Definieren Sie sie in einer eigenen Zeile: „[^agg]: Text der Fußnote“.",
        f"{PATH}:{line_of(source, '[^quelle]:')}: Die Fußnote „[^quelle]“ wird im Text nirgends verwendet und "
        "erscheint deshalb nicht. Verweisen Sie mit „[^quelle]“ auf sie oder löschen Sie sie.",
    ]


@pytest.mark.parametrize(
    ("written", "expected"), [("1.0", "1.0"), ("1", "1"), ("1.10", "1.10"), ('"2.0.1"', "2.0.1")]
)
def test_version_keeps_what_was_written_even_when_yaml_reads_a_number(written, expected):
    source = module(FRONT_MATTER.replace('version: "1.0"', f"version: {written}"))
    assert parse_module(source, PATH).version == expected


@pytest.mark.parametrize(
    ("title", "anchor"),
    [
        ("Übung: Größe & Maß", "uebung-groesse-mass"),
        ("Café „Kommunen für alle?“", "cafe-kommunen-fuer-alle"),
        ("  --  ", ""),
    ],
)
def test_slugify(title, anchor):
    assert slugify(title) == anchor


def test_audience_may_be_a_list():
    source = module(FRONT_MATTER.replace('audience: "Alle Beschäftigten"', "audience:\n  - A\n  - B"))
    assert parse_module(source, PATH).audience == ("A", "B")


def test_the_slug_check_only_applies_to_md_paths():
    assert parse_module(module(), "<editor>").slug == "grundbegriffe"


# --- the source and its hash ---------------------------------------------------------------------


def test_normalise_source():
    assert normalise_source("\ufeffa\r\nb\rc  \n\n\n") == "a\nb\nc\n"
    assert normalise_source("") == "\n"


def test_content_hash_is_stable_across_line_ends_bom_and_trailing_blank_lines():
    text = module()
    variants = [
        text,
        text.replace("\n", "\r\n"),
        "\ufeff" + text,
        text + "\n\n  \n",
        text.replace("\n", "\r"),
    ]
    assert {content_hash(v) for v in variants} == {content_hash(text)}
    assert {parse_module(v, PATH).content_hash for v in variants} == {content_hash(text)}
    assert content_hash(text.replace("Mehr Text.", "Mehr Text!")) != content_hash(text)


def test_crlf_files_report_the_same_lines():
    source = module(FRONT_MATTER.replace("language: de", "language: fr"))
    assert problems_of(source.replace("\n", "\r\n")) == problems_of(source)


# --- front matter problems -----------------------------------------------------------------------


def test_missing_field():
    source = module(FRONT_MATTER.replace('summary: "Ein bis zwei Sätze für den Katalog."\n', ""))
    assert problems_of(source) == ["modules/grundbegriffe.md:1: Pflichtfeld „summary“ fehlt."]


def test_unknown_field_points_to_its_line():
    source = module(FRONT_MATTER.replace("title:", "titel:"))
    assert problems_of(source) == [
        "modules/grundbegriffe.md:1: Pflichtfeld „title“ fehlt.",
        "modules/grundbegriffe.md:3: Unbekanntes Feld „titel“ (meinten Sie „title“?).",
    ]


def test_bad_yaml_points_to_its_line():
    source = module(
        FRONT_MATTER.replace('summary: "Ein bis zwei Sätze für den Katalog."', "summary: Kurz: knapp")
    )
    assert problems_of(source) == [
        "modules/grundbegriffe.md:6: Das Front-Matter ist kein gültiges YAML: "
        "Ein zweiter Doppelpunkt in einem Wert – Werte mit „:“ in Anführungszeichen setzen."
    ]


def test_wrong_type():
    source = module(FRONT_MATTER.replace("duration_minutes: 45", "duration_minutes: 45 Minuten"))
    assert problems_of(source) == [
        "modules/grundbegriffe.md:7: „duration_minutes“ muss eine ganze Zahl von 1 bis 10080 sein (Minuten, "
        "höchstens eine Woche)."
    ]


def test_every_problem_is_reported_at_once_in_line_order():
    source = module(
        FRONT_MATTER.replace("kind: training", "kind: kurs")
        .replace('version: "1.0"', "version: v1")
        .replace("language: de", "language: fr")
        .replace("objectives:\n", "ziele:\n")
    )
    assert problems_of(source) == [
        "modules/grundbegriffe.md:1: Pflichtfeld „objectives“ fehlt.",
        "modules/grundbegriffe.md:4: „kind“ muss „training“ oder „workshop“ sein, nicht „kurs“.",
        "modules/grundbegriffe.md:5: „version“ muss die Form 1, 1.0 oder 1.0.0 haben (je Zahl höchstens 6 Ziffern), nicht „v1“.",
        "modules/grundbegriffe.md:9: Unbekanntes Feld „ziele“.",
        "modules/grundbegriffe.md:12: „language“ muss „de“ oder „en“ sein, nicht „fr“.",
    ]


def test_slug_must_match_the_file_name():
    assert problems_of(module(), "modules/begriffe.md") == [
        "modules/begriffe.md:2: „slug“ („grundbegriffe“) muss dem Dateinamen entsprechen: erwartet "
        "„begriffe“."
    ]


def test_slug_pattern():
    source = module(FRONT_MATTER.replace("slug: grundbegriffe", "slug: Grund_begriffe"))
    assert problems_of(source, "<editor>") == [
        "<editor>:2: „slug“ darf nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche enthalten, "
        "nicht „Grund_begriffe“."
    ]


def test_materials_only_for_workshops():
    source = module(FRONT_MATTER.replace("language: de", "language: de\nmaterials:\n  - Flipchart"))
    assert problems_of(source) == [
        "modules/grundbegriffe.md:13: „materials“ gibt es nur bei Drehbüchern (kind: workshop)."
    ]


def test_no_front_matter_at_all():
    assert problems_of(BODY) == [
        "modules/grundbegriffe.md:1: Die Datei muss mit einer Zeile „---“ beginnen, "
        "gefolgt vom Front-Matter und wieder „---“."
    ]


# --- body problems ------------------------------------------------------------------------------


def test_at_least_three_sections():
    body = "Einleitung.\n\n## Eins\n\nText.\n\n## Zwei\n\nText.\n"
    source = module(body=body)
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, '## Eins')}: Ein Modul braucht mindestens 3 Abschnitte "
        "(Überschriften „## “); gefunden: 2."
    ]


def test_heading_inside_fenced_code_does_not_start_a_section():
    body = BODY.replace("Mehr Text.", "```markdown\n## Kein Abschnitt\n```\n\n~~~\n## Auch keiner\n~~~")
    sections = parse_module(module(body=body), PATH).sections
    assert len(sections) == 3
    assert "## Kein Abschnitt" in sections[1].html


def test_level_one_heading_in_the_body():
    source = module(body="# Titel\n\n" + BODY + "\nUnterstrichen\n=============\n")
    message = (
        "Überschriften der Ebene 1 („# …“) gehören nicht in den Text – den Titel liefert „title“ im "
        "Front-Matter. Abschnitte beginnen mit „## “."
    )
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:14: {message}",
        f"modules/grundbegriffe.md:{line_of(source, 'Unterstrichen')}: {message}",
    ]


def test_dashes_under_text_are_reported_on_the_dash_line():
    source = module(body=BODY.replace("Mehr Text.", "Mehr Text.\nNoch eine Zeile\n---"))
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, 'Noch eine Zeile') + 1}: Die Zeile „---“ direkt "
        "unter Text "
        "macht diesen Text zur Überschrift. Für eine Trennlinie eine Leerzeile davor setzen."
    ]


def test_empty_section_and_empty_heading():
    source = module(body=BODY.replace("Text des ersten Abschnitts.\n", "") + "\n##\n\nText.\n")
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, '## Warum')}: Abschnitt „Warum Begriffe wichtig "
        "sind“ hat keinen Text.",
        f"modules/grundbegriffe.md:{len(source.split(chr(10))) - 3}: Die Abschnittsüberschrift „##“ "
        "hat keinen Text.",
    ]


def test_javascript_link_is_reported_on_its_line():
    body = BODY.replace("Mehr Text.", "Mehr Text mit\neinem [Link](javascript:alert(1)) darin.")
    source = module(body=body)
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, 'einem [Link]')}: Link-Ziel "
        "„javascript:alert(1)“ ist nicht "
        "erlaubt (nur https, http, mailto oder Seiten der Plattform)."
    ]


def test_unknown_box():
    source = module(body=BODY.replace("Mehr Text.", "::: warnung\nAchtung\n:::"))
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, '::: warnung')}: Unbekannter Kasten „::: "
        "warnung“ – erlaubt "
        "sind „hinweis“, „beispiel“, „merke“ und „moderation“."
    ]


def test_callouts_render_inside_sections():
    html = (
        parse_module(module(body=BODY.replace("Mehr Text.", "::: Hinweis\nWichtig.\n:::")), PATH)
        .sections[1]
        .html
    )
    assert '<aside class="callout callout-hinweis" aria-label="Hinweis">\n<p>Wichtig.</p>\n</aside>' in html


def test_facilitator_notes_are_not_allowed_in_training_modules():
    source = module(body=BODY.replace("Mehr Text.", "::: moderation\nNur Moderation.\n:::"))
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, '::: moderation')}: „::: moderation“ gibt es nur in "
        "Drehbüchern (kind: workshop); Lernende würden den Hinweis sehen."
    ]


def test_duplicate_footnote_definition():
    source = module(body=BODY + "[^gg]: Noch einmal.\n")
    assert problems_of(source) == [
        f"modules/grundbegriffe.md:{line_of(source, 'Noch einmal')}: Fußnote „[^gg]“ ist schon in Zeile "
        f"{line_of(source, '[^gg]: Art')} definiert."
    ]


# --- workshops ---------------------------------------------------------------------------------


def test_valid_workshop():
    doc = parse_module(module(WORKSHOP_FRONT_MATTER, WORKSHOP_BODY), "modules/ankommen.md")
    assert doc.kind == "workshop"
    assert doc.version == "2"
    assert doc.materials == ("Moderationskarten",)
    assert doc.front_matter["materials"] == ["Moderationskarten"]
    assert doc.intro_html == ""
    assert [(s.title, s.duration_minutes, s.anchor) for s in doc.sections] == [
        ("Ankommen und Einstieg", 20, "ankommen-und-einstieg"),
        ("Austausch", 30, "austausch"),
        ("Abschluss", 10, "abschluss"),
    ]
    assert '<aside class="facilitator-note" aria-label="Hinweis für die Moderation">' in doc.sections[0].html


def test_workshop_phases_must_add_up():
    source = module(
        WORKSHOP_FRONT_MATTER.replace("duration_minutes: 60", "duration_minutes: 90"), WORKSHOP_BODY
    )
    assert problems_of(source, "modules/ankommen.md") == [
        "modules/ankommen.md:7: Die Phasen dauern zusammen 60 Minuten, „duration_minutes“ sagt 90."
    ]


def test_workshop_phase_without_duration():
    source = module(WORKSHOP_FRONT_MATTER, WORKSHOP_BODY.replace("## Austausch (30 Min.)", "## Austausch"))
    assert problems_of(source, "modules/ankommen.md") == [
        f"modules/ankommen.md:{line_of(source, '## Austausch')}: Phase „Austausch“: Die Dauer fehlt "
        "am Ende der "
        "Überschrift, z. B. „## Austausch (20 Min.)“."
    ]


@pytest.mark.parametrize(
    "written",
    [
        "10081",
        "3000000000",
        "99999999999999999999999",
        "9" * 5000,
    ],  # a week and a minute; beyond 32 and 64 bits
)
def test_durations_beyond_a_week_are_problems_on_their_lines_not_database_errors(written: str) -> None:
    """A duration past any database integer passed the check and stopped the import with an OverflowError."""
    source = module(
        WORKSHOP_FRONT_MATTER.replace("duration_minutes: 60", f"duration_minutes: {written}"),
        WORKSHOP_BODY.replace("## Austausch (30 Min.)", f"## Austausch ({written} Min.)"),
    )
    assert problems_of(source, "modules/ankommen.md") == [
        "modules/ankommen.md:7: „duration_minutes“ muss eine ganze Zahl von 1 bis 10080 sein (Minuten, höchstens "
        "eine Woche).",
        f"modules/ankommen.md:{line_of(source, '## Austausch')}: „Austausch“: Die Dauer in der Überschrift darf "
        "höchstens 10080 Minuten (eine Woche) betragen.",
    ]


def test_a_week_of_minutes_is_still_a_duration() -> None:
    source = module(
        WORKSHOP_FRONT_MATTER.replace("duration_minutes: 60", "duration_minutes: 10080"),
        WORKSHOP_BODY.replace("(30 Min.)", "(10050 Min.)"),
    )
    doc = parse_module(source, "modules/ankommen.md")
    assert doc.duration_minutes == 10080
    assert [s.duration_minutes for s in doc.sections] == [20, 10050, 10]


def test_a_version_longer_than_its_column_is_a_problem() -> None:
    """Each part has at most six digits, so a label fits the 20 characters it is stored in (PostgreSQL refused)."""
    assert parse_module(module(FRONT_MATTER.replace('"1.0"', '"123456.123456.123456"')), PATH).version == (
        "123456.123456.123456"
    )
    assert problems_of(module(FRONT_MATTER.replace('"1.0"', '"1.0000000000000000000001"'))) == [
        "modules/grundbegriffe.md:5: „version“ muss die Form 1, 1.0 oder 1.0.0 haben (je Zahl höchstens 6 Ziffern), "
        "nicht „1.0000000000000000000001“."
    ]


def test_lists_nested_ten_levels_deep_are_reported_on_their_line() -> None:
    """Beyond nine levels the rest of the section („NACHHER“) was silently missing from the published module."""
    nested = "\n".join("  " * level + f"- Ebene {level + 1}" for level in range(10))
    source = module(body=BODY.replace("Text des ersten Abschnitts.", f"{nested}\n\nNACHHER"))
    assert problems_of(source) == [
        f"{PATH}:{line_of(source, '- Ebene 10')}: Der Text ist hier zu tief verschachtelt: Listen, Zitate („>“) und "
        "Kästen („:::“) ineinander ergeben mehr Ebenen, als die Plattform darstellen kann; der Text ab hier ginge "
        "verloren. Bitte verschachteln Sie weniger tief (Listen höchstens neun Ebenen)."
    ]
    nine = module(
        body=BODY.replace("Text des ersten Abschnitts.", f"{nested.rsplit(chr(10), 1)[0]}\n\nNACHHER")
    )
    assert "NACHHER" in parse_module(nine, PATH).sections[0].html


def test_split_sections_reports_file_lines():
    intro, sections = split_sections("Intro\n\n## A ##\nx\n## B\ny\n", 20)
    assert intro == "Intro\n"
    assert [(s.line, s.heading, s.body, s.body_line) for s in sections] == [
        (22, "A", "x", 23),
        (24, "B", "y\n", 25),
    ]


def test_content_invalid_lists_problems_one_per_line():
    error = ContentInvalid([Problem("b.md", 3, "Zwei."), Problem("a.md", 9, "Eins.")])
    assert str(error) == "a.md:9: Eins.\nb.md:3: Zwei."


# --- LiaScript quiz syntax in a module text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "quiz_line",
    [
        "- [(X)] Alle Menschen",
        "    [[ ]] Staatsangehörigkeit",
        "[[X]] Alter",
        "Die Frist beträgt [[ zwei Wochen | (zwei Monate) ]].",
        "Das Gesetz heißt [[AGG]].",
        "[[?]] Ein Hinweis",
        "[ (X) ( ) ] Matrix-Zeile",
    ],
)
def test_liascript_quiz_syntax_in_a_module_is_reported_on_its_line(quiz_line: str) -> None:
    source = module(body=BODY.replace("\n## ", f"\n{quiz_line}\n\n## ", 1))
    problems = problems_of(source)
    assert problems == [
        f"{PATH}:{line_of(source, quiz_line)}: Quizfragen in LiaScript-Schreibweise („[(X)]“, „[[ ]]“, „[[…]]“) "
        "gehören in die Quizdatei des Moduls (quizzes/…); im Modultext erschienen sie nur als Text. Um die "
        "Schreibweise zu zeigen, setzen Sie sie in `Backticks`."
    ]


def test_quiz_syntax_in_code_may_be_shown_in_a_module() -> None:
    body = BODY.replace(
        "\n## ", "\nSo sieht es aus: `[(X)] richtig` und `[[AGG]]`.\n\n```\n[[X]] a\n```\n\n## ", 1
    )
    parse_module(module(body=body), PATH)  # no problem


def test_a_title_a_certificate_could_not_print_is_a_problem_with_its_line():
    """The title stands on every certificate of the module; fpdf2 would leave „→“ or an emoji out unseen."""
    title_line = next(line for line in FRONT_MATTER.split("\n") if line.startswith("title:"))
    source = module(FRONT_MATTER.replace(title_line, 'title: "Vom Verdacht → zur Prüfung"'))
    assert problems_of(source, "<editor>") == [
        f"<editor>:{line_of(source, 'title:')}: „title“ enthält Zeichen, die auf Zertifikaten nicht gedruckt "
        "werden können: „→“ (U+2192)."
    ]
