"""What a certificate shows, frozen at issue as plain JSON (pure: no database, no flask).

The PDF and the verification page are built only from this snapshot, never from the live module or person, so a
certificate never changes after it was issued: not when the module gets a new version, the person changes their
name, or the municipality is renamed. ``layout`` names the PDF layout the snapshot was drawn with (see pdf.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypedDict

from lms import time as clock
from lms.text import N_

#: The current PDF layout; a change to the drawing code that alters output needs a new number (see pdf.py).
CURRENT_LAYOUT = 4


class CertificateKind(StrEnum):
    """A module completion (online or in person), or a participation the participant asked for."""

    COMPLETION = "completion"
    PARTICIPATION = "participation"


ISSUER = {
    "name": "Europäische Städtekoalition gegen Rassismus (ECCAR) e. V.",
    "programme": "Modellprojekt „Kommunen für alle? – Rassismuskritik in kommunalen Verwaltungen“",
    "funder_line": "Gefördert im Rahmen des Bundesprogramms „Demokratie leben!“",
}
#: Shown instead of the workshop's name: a participation certificate must not reveal which workshop (for example
#: an empowerment workshop, which would reveal a migration history) to whoever holds the code.
NEUTRAL_PARTICIPATION_TITLE = "Teilnahme an einer Fortbildung des Modellprogramms „Kommunen für alle?“"
MODE_LABELS = {"online": N_("online"), "in_person": N_("in Präsenz")}
#: How ``describe`` writes the duration (a catalogue entry: web pages show it in the reader's language).
DURATION = N_("%(minutes)s Minuten")


class Snapshot(TypedDict, total=False):
    """Everything a certificate shows. Keys are stable: stored snapshots are read by later code."""

    layout: int
    kind: str
    code: str
    verify_url: str
    holder_name: str
    municipality_name: str | None
    title: str
    module_slug: str | None
    version_label: str | None
    awarded_on: str  # ISO date
    duration_minutes: int | None
    mode: str  # online | in_person
    issued_at: str  # ISO datetime, UTC
    issuer: dict[str, str]
    #: ISO date: the last day the completion is valid (the module version's ``valid_for_months``); absent: for good.
    valid_until: str


def verify_url(base_url: str, code: str) -> str:
    """Where the QR code and the printed link lead."""
    return f"{base_url.rstrip('/')}/verify/{code}"


def completion_snapshot(
    *,
    code: str,
    base_url: str,
    holder_name: str,
    municipality_name: str | None,
    module_title: str,
    module_slug: str,
    version_label: str,
    completed_at: datetime,
    duration_minutes: int,
    mode: str,
    issued_at: datetime,
    valid_until: date | None = None,
) -> Snapshot:
    """The snapshot of a certificate for one completion; „gültig bis“ is fixed here, at issue, never later."""
    snapshot = Snapshot(
        layout=CURRENT_LAYOUT,
        kind=CertificateKind.COMPLETION.value,
        code=code,
        verify_url=verify_url(base_url, code),
        holder_name=holder_name,
        municipality_name=municipality_name,
        title=module_title,
        module_slug=module_slug,
        version_label=version_label,
        awarded_on=clock.local_date(completed_at).isoformat(),
        duration_minutes=duration_minutes,
        mode=mode,
        issued_at=issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        issuer=dict(ISSUER),
    )
    if valid_until is not None:  # older snapshots lack the key, so their PDFs stay bit for bit the same
        snapshot["valid_until"] = valid_until.isoformat()
    return snapshot


def participation_snapshot(
    *,
    code: str,
    base_url: str,
    holder_name: str,
    municipality_name: str | None,
    attended_on: date,
    duration_minutes: int | None,
    issued_at: datetime,
) -> Snapshot:
    """The snapshot of a participation certificate: a neutral title, never the event's name or module."""
    return Snapshot(
        layout=CURRENT_LAYOUT,
        kind=CertificateKind.PARTICIPATION.value,
        code=code,
        verify_url=verify_url(base_url, code),
        holder_name=holder_name,
        municipality_name=municipality_name,
        title=NEUTRAL_PARTICIPATION_TITLE,
        module_slug=None,
        version_label=None,
        awarded_on=attended_on.isoformat(),
        duration_minutes=duration_minutes,
        mode="in_person",
        issued_at=issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        issuer=dict(ISSUER),
    )


#: German labels of the fields ``describe`` returns (the web page translates them with its own catalogue).
FIELD_LABELS = {
    "holder_name": "Name",
    "municipality_name": "Kommune",
    "module": "Modul",
    "version_label": "Version",
    "completed_on": "Abgeschlossen am",
    "valid_until": "Gültig bis",
    "training": "Fortbildung",
    "attended_on": "Teilgenommen am",
    "duration": "Umfang",
    "mode": "Form",
    "issued_on": "Ausgestellt am",
    "issuer": "Ausgestellt von",
}


def describe(
    snapshot: Snapshot | dict[str, Any],
    day: Callable[[date], str] = clock.fixed_date,
    words: Callable[[str], str] = str,
) -> list[tuple[str, str]]:
    """(field, text) of what the certificate shows, in order: one source for the verification page and the CLI.

    Days are written by ``day``: as printed (31.12.2026) by default, in the reader's format on web pages. ``words``
    translates the few words this function adds (the duration's unit, the form of participation): German as
    printed by default, the reader's language on web pages. What the snapshot holds (names, titles) stays as issued.
    """
    lines = [("holder_name", snapshot["holder_name"])]
    if snapshot.get("municipality_name"):
        lines.append(("municipality_name", snapshot["municipality_name"]))
    if snapshot["kind"] == CertificateKind.COMPLETION:
        lines.append(("module", snapshot["title"]))
        lines.append(("version_label", snapshot.get("version_label") or "–"))
        lines.append(("completed_on", day(date.fromisoformat(snapshot["awarded_on"]))))
        if snapshot.get("valid_until"):
            lines.append(("valid_until", day(date.fromisoformat(snapshot["valid_until"]))))
    else:
        lines.append(("training", snapshot["title"]))
        lines.append(("attended_on", day(date.fromisoformat(snapshot["awarded_on"]))))
    if snapshot.get("duration_minutes"):
        lines.append(("duration", words(DURATION) % {"minutes": snapshot["duration_minutes"]}))
    mode = MODE_LABELS.get(snapshot["mode"])
    lines.append(("mode", words(mode) if mode else snapshot["mode"]))
    lines.append(("issuer", snapshot["issuer"]["name"]))
    lines.append(("issued_on", day(clock.local_date(datetime.fromisoformat(snapshot["issued_at"])))))
    return lines
