"""The printable attendance list of a planned session: who registered, with a column to sign on the day."""

from __future__ import annotations

from datetime import date

from fpdf.fonts import FontFace

from lms import time as clock
from lms.auth.models import User
from lms.reports.pdf import FAMILY, NAVY, ReportDocument
from lms.workshops.models import PlannedSession, SessionKind

#: Empty rows at the end for people who come without having registered.
EXTRA_ROWS = 5


def attendance_pdf(planned: PlannedSession, people: list[User], today: date) -> bytes:
    """An A4 list: number, name, signature; the session's title, date, time and place above it."""
    kind = "Empowerment-Workshop" if planned.kind == SessionKind.WORKSHOP.value else "Schulung in Präsenz"
    title = f"Anwesenheitsliste {clock.fixed_date(planned.held_on)}"
    pdf = ReportDocument(title)
    pdf.add_page()
    pdf.heading(f"{kind}: {planned.module_version.title}", 14, level=0)
    pdf.paragraph(
        f"{planned.municipality.name} · {clock.fixed_date(planned.held_on)}, "
        f"{planned.starts_at:%H:%M}–{planned.ends_at:%H:%M} Uhr · {planned.place}"
    )
    if planned.kind == SessionKind.WORKSHOP.value:
        pdf.paragraph(
            "Vertraulich: Diese Liste nennt Mitglieder des Netzwerks. Bitte nach dem Erfassen der Anwesenheit "
            "vernichten; sie gehört in keine Akte."
        )
    pdf.set_font(FAMILY, "", 10)
    headings = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY)
    with pdf.table(
        col_widths=(8, 52, 40),
        headings_style=headings,
        line_height=9,
        text_align="LEFT",
        padding=1.2,
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for text in ("Nr.", "Name", "Unterschrift"):
            heading.cell(text)
        for number, person in enumerate(people, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(person.display_name)
            row.cell("")
        for number in range(len(people) + 1, len(people) + 1 + EXTRA_ROWS):
            row = table.row()
            row.cell(str(number))
            row.cell("")
            row.cell("")
    pdf.ln(3)
    pdf.paragraph(f"Erstellt am {clock.fixed_date(today)}.", size=8)
    return bytes(pdf.output())
