"""Starting texts for new drafts: the file format with every required field, and hints in place of content.

The hints say what belongs where; a skeleton does not pass the checks until the author replaces them
(the slug is left empty for the author to choose), so nothing half-written is published.
"""

from __future__ import annotations

from lms.content.models import ModuleKind

_TRAINING = """---
slug:  # bitte eintragen: a–z, 0–9 und Bindestriche, z. B. „beschwerden-bearbeiten“
title: "Titel des Moduls"
kind: training
version: "1.0"
summary: "Ein bis zwei Sätze: Worum geht es, und was nehmen die Teilnehmenden mit?"
duration_minutes: 45
audience: "Alle Beschäftigten der Kommunalverwaltung"
objectives:
  - "Sie können … (ein Lernziel je Zeile, aus Sicht der Teilnehmenden)"
language: de
---

Einleitung: Warum ist das Thema für die Arbeit in der Verwaltung wichtig? Wie lange dauert das Modul?

## Erster Abschnitt

Jeder Abschnitt beginnt mit „## “ und wird als eigene Seite gelesen.

## Zweiter Abschnitt

Quellen verlinken Sie so: [AGG § 1](https://www.gesetze-im-internet.de/agg/__1.html).

## Zusammenfassung

Das Wichtigste in wenigen Sätzen; danach folgt das Quiz.
"""

_WORKSHOP = """---
slug:  # bitte eintragen: a–z, 0–9 und Bindestriche, z. B. „empowerment-austausch“
title: "Titel des Workshops"
kind: workshop
version: "1.0"
summary: "Ein bis zwei Sätze: Wozu dient der Workshop, und für wen ist er?"
duration_minutes: 180
audience: "Netzwerk der Verwaltungsmitarbeitenden mit Migrationsgeschichte"
objectives:
  - "Die Teilnehmenden … (ein Ziel je Zeile)"
materials:
  - "Raum, Material, Vorbereitung (ein Punkt je Zeile)"
language: de
---

Einleitung für die Moderation: Rahmen, Freiwilligkeit, Vertraulichkeit.

## Ankommen (20 Min.)

Jede Phase beginnt mit „## “ und ihrer Dauer in Klammern.

::: moderation
Hinweise nur für die Moderation stehen in einem solchen Block.
:::

## Austausch (60 Min.)

Ablauf der Phase.

## Abschluss (20 Min.)

Ablauf der Phase.
"""

_QUIZ = """---
module: {slug}
pass_mark: 75
shuffle: true
max_attempts: 3
---

## Text der Frage?

[( )] falsche Antwort
[(X)] richtige Antwort
[( )] falsche Antwort
***
Erklärung, warum die richtige Antwort richtig ist (mit Verweis auf den Abschnitt des Moduls).
***
"""


def module_skeleton(kind: ModuleKind | str = ModuleKind.TRAINING) -> str:
    """The starting text of a new training module or workshop script."""
    return _WORKSHOP if kind == ModuleKind.WORKSHOP else _TRAINING


def quiz_skeleton(module_slug: str) -> str:
    """The starting text of the first quiz of a training module."""
    return _QUIZ.format(slug=module_slug)
