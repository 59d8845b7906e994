"""Small factories for test data, built through the same services the product uses."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, User
from lms.auth.services import create_user
from lms.authoring.publishing import publish_module, publish_quiz
from lms.content.models import ModuleVersion
from lms.content.modules import parse_module
from lms.orgs.models import Municipality
from lms.quizzes.models import QuizVersion
from lms.quizzes.parse import parse_quiz

PASSWORD = "richtig-langes-passwort"
_counter = itertools.count(1)


def municipality(db: Session, name: str | None = None) -> Municipality:
    n = next(_counter)
    m = Municipality(slug=f"kommune-{n}", name=name or f"Kommune {n}")
    db.add(m)
    db.flush()
    return m


def user(
    db: Session,
    *roles: Role,
    municipality_id: int | None = None,
    email: str | None = None,
    name: str = "Testperson",
) -> User:
    n = next(_counter)
    return create_user(
        db,
        email=email or f"person{n}@kommune.example",
        display_name=name,
        password=PASSWORD,
        roles=set(roles) or {Role.LEARNER},
        municipality_id=municipality_id,
    )


def module_source(
    slug: str = "testmodul", version: str = "1.0", title: str = "Testmodul", extra: str = ""
) -> str:
    return f"""---
slug: {slug}
title: "{title}"
kind: training
version: "{version}"
summary: "Ein Modul für Tests."
duration_minutes: 30
audience: "Alle Beschäftigten"
objectives:
  - "Art. 3 Abs. 3 GG kennen"
language: de
---

Einleitung.

## Erster Abschnitt

Art. 3 Abs. 3 GG verbietet Benachteiligungen.{extra}

## Zweiter Abschnitt

Das AGG schützt Beschäftigte.

## Dritter Abschnitt

ICERD Art. 1 definiert Rassendiskriminierung.
"""


def quiz_source(
    module: str = "testmodul", pass_mark: int = 80, max_attempts: int = 3, shuffle: str = "false"
) -> str:
    questions = []
    for n in range(1, 7):
        questions.append(
            f"""## Frage {n}?

[( )] falsch {n}
[(X)] richtig {n}
[( )] auch falsch {n}
***
Erklärung {n}.
***
"""
        )
    questions.append(
        """## Welche Aussagen stimmen?

[[X]] stimmt A
[[ ]] stimmt nicht
[[X]] stimmt B
***
Erklärung Mehrfachauswahl.
***
"""
    )
    return (
        f"---\nmodule: {module}\npass_mark: {pass_mark}\nshuffle: {shuffle}\nmax_attempts: {max_attempts}\n---\n\n"
        + "\n".join(questions)
    )


#: Answers that pass the quiz above: the correct option of each single-choice question is "b".
CORRECT_ANSWERS = {**{f"q{n}": ["b"] for n in range(1, 7)}, "q7": ["a", "c"]}


def published_module(db: Session, source: str | None = None) -> ModuleVersion:
    doc = parse_module(source or module_source(), "modules/testmodul.md")
    version, problem = publish_module(db, doc, path="modules/testmodul.md", actor_id=None)
    assert problem is None and version is not None
    return version


def published_quiz(db: Session, source: str | None = None) -> QuizVersion:
    doc = parse_quiz(source or quiz_source(), "quizzes/testmodul.md")
    version, problem = publish_quiz(db, doc, path="quizzes/testmodul.md", actor_id=None)
    assert problem is None and version is not None
    return version


def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the real form, CSRF token included."""
    page = client.get("/anmelden")
    token = _csrf_from(page.get_data(as_text=True))
    return client.post("/anmelden", data={"email": email, "password": password, "csrf_token": token})


def csrf_token(client, path: str = "/profil") -> str:  # type: ignore[no-untyped-def]
    return _csrf_from(client.get(path).get_data(as_text=True))


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    alt = 'name="csrf_token" value="'
    for m in (marker, alt):
        if m in html:
            return html.split(m, 1)[1].split('"', 1)[0]
    raise AssertionError("no CSRF token on the page")


REPO = Path(__file__).resolve().parent.parent


# --- issue 4: modules by slug, workshop scripts, completions, periods -------------------------------------------


def staff_member(
    db: Session, municipality_id: int, name: str | None = None, email: str | None = None
) -> User:
    """A member of staff as the import creates them: a learner without a password yet (fast: no hashing)."""
    n = next(_counter)
    return create_user(
        db,
        email=email or f"beschaeftigte{n}@kommune.example",
        display_name=name or f"Beschäftigte Person {n}",
        password=None,
        roles={Role.LEARNER},
        municipality_id=municipality_id,
    )


def training_module(db: Session, slug: str, title: str | None = None) -> ModuleVersion:
    """A published training module with its own slug (no quiz needed for reports)."""
    source = module_source(slug=slug, title=title or slug.replace("-", " ").title())
    version, problem = publish_module(
        db, parse_module(source, f"modules/{slug}.md"), path=f"modules/{slug}.md", actor_id=None
    )
    assert problem is None and version is not None
    return version


def workshop_source(
    slug: str = "empowerment-test", title: str = "Empowerment im Test", version: str = "1.0"
) -> str:
    return f"""---
slug: {slug}
title: "{title}"
kind: workshop
version: "{version}"
summary: "Ein Drehbuch für Tests."
duration_minutes: 60
audience: "Netzwerk der Beschäftigten mit Migrationsgeschichte"
objectives:
  - "Die Teilnehmenden lernen einander kennen."
language: de
---

Einleitung.

## Ankommen (20 Min.)

Begrüßung im Stuhlkreis.

## Austausch (30 Min.)

Erfahrungen teilen, wer möchte.

## Abschluss (10 Min.)

Blitzlicht.
"""


def workshop_script(
    db: Session, slug: str = "empowerment-test", title: str = "Empowerment im Test"
) -> ModuleVersion:
    doc = parse_module(workshop_source(slug, title), f"modules/{slug}.md")
    version, problem = publish_module(db, doc, path=f"modules/{slug}.md", actor_id=None)
    assert problem is None and version is not None
    return version


def completion(  # type: ignore[no-untyped-def]
    db: Session, person: User, version: ModuleVersion, at=None, mode: str = "online", *, completed_at=None
):
    """A completion at a given moment (aware datetime; default now), as a passed quiz or an in-person session leaves it."""
    from lms.progress.models import Completion

    row = Completion(
        user_id=person.id,
        module_id=version.module_id,
        module_version_id=version.id,
        mode=mode,
        completed_at=at or completed_at or clock.now(),
    )
    db.add(row)
    db.flush()
    return row


def period(db: Session, label: str = "Programmjahr 2026"):  # type: ignore[no-untyped-def]
    """One of the default periods the migration created."""
    from sqlalchemy import select

    from lms.orgs.models import ProgrammePeriod

    found = db.scalar(select(ProgrammePeriod).where(ProgrammePeriod.label == label))
    assert found is not None, f"no period {label!r}"
    return found


def big_hr_export(target_bytes: int) -> bytes:
    """A large city's HR export: many columns, tens of thousands of rows."""
    header = "Personalnummer;Anrede;Vorname;Nachname;E-Mail;Organisationseinheit;Kostenstelle;Telefon;Raum;Funktion;Eintritt"
    lines = [header]
    size, n = len(header), 0
    while size < target_bytes:
        n += 1
        line = (
            f"{200000 + n};Frau;Beschäftigte;Nummer {n};person.{n}@grossstadt.example;"
            f"Amt {n % 40:02d} – Bürgerdienste;KST-{n % 300:04d};069 212-{n:05d};Raum {n % 500};Sachbearbeitung;01.0{1 + n % 9}.2019"
        )
        lines.append(line)
        size += len(line.encode()) + 2
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode()


def utc_now():  # type: ignore[no-untyped-def]

    return clock.now()


def completions_of(db: Session, person: User) -> list:  # type: ignore[type-arg]
    from sqlalchemy import select

    from lms.progress.models import Completion

    return list(db.scalars(select(Completion).where(Completion.user_id == person.id)))
