"""Demo data for the documents: a consultation window open on the working definition, with a few comments.

Through the same services as the real thing, idempotent: once the working definition's current version has a
consultation, nothing is added.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.documents.models import Consultation, Document
from lms.documents.queries import WORKING_DEFINITION
from lms.documents.services import add_comment, open_consultation
from lms.scope import COMMAND_LINE

#: The demo's window: from the day the demo is set up, four weeks long.
WINDOW_DAYS = 28

# (author e-mail, section title, shows the name?, text)
COMMENTS = [
    (
        "koordination@darmstadt-dieburg.example",
        "Vorgeschlagene Definition",
        False,
        "Die Aufzählung „Name, Sprache, Akzent oder Religion“ halten wir für wichtig: Im Bürgerservice schildern "
        "Menschen genau diese Erfahrungen. Bitte prüfen Sie, ob „Akzent“ neben „Sprache“ eigens genannt werden "
        "muss oder ob ein Beispiel im Text genügt.",
    ),
    (
        "koordination@darmstadt-dieburg.example",
        "Was das für die Verwaltungspraxis heißt",
        False,
        "Ein Beispiel aus der Vergabe von Kita-Plätzen würde vielen Kolleginnen und Kollegen helfen: Dort "
        "entscheiden Kriterien wie die Berufstätigkeit beider Eltern mit, die nicht alle Familien gleich treffen.",
    ),
    (
        "moderation@darmstadt-dieburg.example",
        "Fragen an die Konsultation",
        True,
        "Im Empowerment-Netzwerk wurde der Begriff „rassistisch markierte Menschen“ vorgeschlagen; „Betroffene“ "
        "klingt für viele passiv. Könnte die Arbeitsdefinition beide Begriffe kurz erklären?",
    ),
]


def create_documents_demo(session: Session) -> None:
    """Open a window on the working definition's current version and add the demo comments (once)."""
    document = session.scalar(select(Document).where(Document.slug == WORKING_DEFINITION))
    version = document.current_version if document is not None else None
    if version is None or session.scalar(
        select(Consultation.id).where(Consultation.version_id == version.id)
    ):
        return
    today = clock.today()
    consultation = open_consultation(
        session, COMMAND_LINE, version, today, today + timedelta(days=WINDOW_DAYS - 1)
    )
    sections = {s.title: s for s in version.sections}
    for email, title, shows_name, text in COMMENTS:
        author = session.scalar(select(User).where(User.email == email))
        if author is None or title not in sections:
            continue
        add_comment(session, author, consultation, sections[title].id, text, show_name=shows_name)
