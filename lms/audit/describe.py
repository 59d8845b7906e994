"""Audit events in words for people: a German sentence per action (catalogue entries), grouped for filtering.

Each description is an ``N_`` text with ``%(name)s`` placeholders filled from the event's details; the page
translates it with ``_()``. Actions without a description are shown with a neutral sentence naming the action.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.text import N_


@dataclass(frozen=True)
class Category:
    """A group of actions for the „Was“ filter."""

    key: str
    label: str
    prefixes: tuple[str, ...]
    #: Shown to trainers too (the authoring log); the others only to the programme office.
    content: bool = False


CATEGORIES = (
    Category("publish", N_("Veröffentlichen"), ("content.publish", "quiz.publish"), content=True),
    Category("retire", N_("Zurückziehen und Wiederherstellen"), ("content.retire", "content.restore"), True),
    Category("upload", N_("Hochladen und Bilder"), ("content.upload", "media."), content=True),
    Category("drafts", N_("Entwürfe"), ("content.draft",), content=True),
    Category(
        "roles",
        N_("Konten und Rollen"),
        ("role.", "user.", "staff.", "invitation.", "password_reset.", "account."),
    ),
    Category("security", N_("Anmeldung und Sicherheit"), ("mfa.", "password.", "api_token.")),
    Category("targets", N_("Programmziele und Schulungspläne"), ("period.", "plan.")),
    Category("certificates", N_("Zertifikate"), ("certificate.",)),
    Category(
        "workshops", N_("Veranstaltungen und Termine"), ("session.", "planned.", "network.")
    ),  # network.*: recorded, never listed (lms.audit.queries)
    Category(
        "municipalities",
        N_("Kommunen, Organisationen und Praxisbeispiele"),
        ("municipality.", "organisation.", "practice."),
    ),
    Category("funding", N_("Fördermittel und Maßnahmen"), ("funding.",)),
    Category("documents", N_("Dokumente und Konsultationen"), ("document.", "consultation.")),
    Category("barriers", N_("Barrieremeldungen"), ("barrier_report.",)),
    Category("jobs", N_("Hintergrundaufträge"), ("job.",)),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}
CONTENT_PREFIXES = tuple(p for c in CATEGORIES if c.content for p in c.prefixes)
#: A calendar day as events store it (2026-12-31); shown in the reader's format.
_ISO_DAY = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")


def category_of(action: str) -> Category | None:
    """The category an action is filtered and shown under (None: not shown in the log)."""
    return next((c for c in CATEGORIES if action.startswith(c.prefixes)), None)


_DESCRIPTIONS: dict[str, str] = {
    "content.publish": N_("Modul „%(slug)s“ in Version %(version)s veröffentlicht (%(change)s)."),
    "quiz.publish": N_("Quiz zu „%(module)s“ in Fassung %(number)s veröffentlicht."),
    "content.retire_module": N_("Modul „%(slug)s“ aus dem Katalog zurückgezogen."),
    "content.restore_module": N_("Modul „%(slug)s“ wieder in den Katalog aufgenommen."),
    "content.retire_version": N_("Version %(version)s von „%(slug)s“ zurückgezogen."),
    "content.restore_version": N_("Version %(version)s von „%(slug)s“ wiederhergestellt."),
    "content.upload": N_("Datei „%(object)s“ hochgeladen (%(count)s Markdown-Dateien)."),
    "content.draft_discard": N_("Entwurf „%(label)s“ verworfen."),
    "media.upload": N_("Bild „%(name)s“ hochgeladen."),
    "media.delete": N_("Bild „%(name)s“ gelöscht."),
    "role.facilitator_grant": N_("Rolle Empowerment-Begleitung vergeben."),
    "role.facilitator_revoke": N_("Rolle Empowerment-Begleitung entzogen."),
    "role.grant": N_("Konto angelegt und eine Rolle vergeben (%(role)s)."),
    "role.coordinator_grant": N_("Rolle Koordination vergeben."),
    "role.coordinator_revoke": N_("Rolle Koordination entzogen."),
    "role.unit_manager_grant": N_("Rolle Leitung Organisationseinheit vergeben."),
    "role.unit_manager_revoke": N_("Rolle Leitung Organisationseinheit entzogen."),
    "role.unit_manager_units": N_("Organisationseinheiten einer Leitung geändert."),
    "role.trainer_grant": N_("Rolle Trainer/in vergeben."),
    "role.trainer_revoke": N_("Rolle Trainer/in entzogen."),
    "role.admin_grant": N_("Rolle Programmbüro vergeben."),
    "role.admin_revoke": N_("Rolle Programmbüro entzogen."),
    "role.advisory_board_grant": N_("In einen Beirat berufen."),
    "role.advisory_board_revoke": N_("Aus einem Beirat abberufen."),
    "user.facilitator": N_("Rolle Empowerment-Begleitung vergeben."),
    "user.not_facilitator": N_("Rolle Empowerment-Begleitung entzogen."),
    "user.create": N_("Konto angelegt."),
    "user.deactivate": N_("Konto deaktiviert."),
    "user.reactivate": N_("Konto wieder aktiviert."),
    "user.reminders": N_("Eigene Einstellungen für Erinnerungen geändert."),
    "staff.import": N_("Beschäftigtenliste „%(file)s“ übernommen."),
    "staff.save": N_("Angaben einer Person in der Beschäftigtenliste geändert."),
    "account.update": N_("Name oder E-Mail-Adresse eines Kontos durch das Programmbüro korrigiert."),
    "staff.bulk_deactivate": N_("Mehrere Konten auf einmal deaktiviert (Anzahl: %(count)s)."),
    "mfa.confirmed": N_("Zweiten Faktor (Authenticator-App) eingerichtet."),
    "mfa.recovery_code_used": N_("Mit einem Wiederherstellungscode angemeldet."),
    "mfa.passkey_added": N_("Passkey „%(name)s“ hinzugefügt."),
    "mfa.passkey_removed": N_("Passkey „%(name)s“ entfernt."),
    "mfa.passkey_sign_count": N_(
        "Auffälliger Zähler beim Passkey „%(passkey)s“ (gespeichert %(stored)s, gemeldet %(received)s); "
        "der Passkey wurde vielleicht kopiert."
    ),
    "password.change": N_("Eigenes Passwort geändert."),
    "api_token.create": N_("API-Schlüssel %(object)s angelegt."),
    "api_token.revoke": N_("API-Schlüssel %(object)s widerrufen."),
    "api_token.revoke_all": N_("Alle API-Schlüssel einer Person widerrufen."),
    "mfa.reset": N_("Zweiten Faktor einer Person zurückgesetzt."),
    "invitation.create": N_("Einladung verschickt."),
    "invitation.accept": N_("Einladung angenommen."),
    "password_reset.create": N_("Link zum Zurücksetzen des Passworts verschickt."),
    "password_reset.accept": N_("Passwort über einen Link neu gesetzt."),
    "period.save": N_(
        "Programmzeitraum „%(label)s“ mit seinen Zielen gespeichert (%(starts_on)s bis %(ends_on)s)."
    ),
    "plan.add": N_("Modul in einen Schulungsplan aufgenommen (fällig am %(due_on)s)."),
    "plan.remove": N_("Modul aus einem Schulungsplan entfernt."),
    "certificate.issue": N_("Zertifikat %(object)s ausgestellt."),
    "certificate.revoke": N_("Zertifikat %(object)s widerrufen."),
    "session.record": N_("Veranstaltung %(object)s erfasst."),
    "session.withdraw": N_("Veranstaltung %(object)s zurückgenommen."),
    "session.correct": N_("Veranstaltung %(object)s korrigiert: %(summary)s."),
    "session.names_delete": N_("Namensliste der Veranstaltung %(object)s gelöscht."),
    "planned.schedule": N_("Termin %(object)s geplant."),
    "planned.change": N_("Termin %(object)s geändert."),
    "planned.call_off": N_("Termin %(object)s abgesagt."),
    "planned.register": N_("Zum Termin %(object)s angemeldet."),
    "planned.cancel_registration": N_("Anmeldung zum Termin %(object)s zurückgezogen."),
    # Network membership is Art. 9 data: these sentences never name the member (the events hold no name either),
    # and the log lists none of them (lms.audit.queries._counting_the_network); the sentences serve whoever reads
    # the table itself.
    "network.member_add": N_("Eine Person zum Netzwerk der Kommune %(object)s angefragt."),
    "network.member_remove": N_(
        "Eine Person aus dem Netzwerk der Kommune %(object)s entfernt oder ihre Anfrage zurückgezogen."
    ),
    "network.member_leave": N_("Ein Mitglied hat das Netzwerk der Kommune %(object)s verlassen."),
    "municipality.create": N_("Kommune „%(name)s“ angelegt."),
    "municipality.update": N_("Name oder Bundesland der Kommune „%(municipality_name)s“ geändert."),
    "municipality.state_set": N_("Bundesland der Kommune „%(municipality_name)s“ gesetzt."),
    "organisation.saved": N_("Migrantenorganisation %(object)s von „%(municipality_name)s“ gespeichert."),
    "organisation.deleted": N_("Migrantenorganisation %(object)s von „%(municipality_name)s“ gelöscht."),
    "practice.saved": N_("Praxisbeispiel %(object)s gespeichert."),
    "practice.deleted": N_("Praxisbeispiel „%(title)s“ gelöscht."),
    "funding.granted": N_(
        "Fördersumme von „%(municipality_name)s“ für den Zeitraum „%(period)s“ festgelegt: %(before)s → %(after)s."
    ),
    "funding.imported": N_("Maßnahmenliste „%(filename)s“ übernommen."),
    "funding.measure_added": N_("Maßnahme für „%(municipality_name)s“ erfasst (%(amount)s)."),
    "funding.measure_deleted": N_(
        "Maßnahme von „%(municipality_name)s“ vom %(occurred_on)s gelöscht (%(amount)s)."
    ),
    "document.publish": N_("Dokument „%(slug)s“ in Version %(version)s veröffentlicht."),
    "consultation.open": N_(
        "Konsultation zu „%(slug)s“ (Version %(version)s) angesetzt: %(opens_on)s bis %(closes_on)s."
    ),
    "consultation.change": N_(
        "Zeitraum der Konsultation zu „%(slug)s“ (Version %(version)s) geändert: %(opens_on)s bis %(closes_on)s."
    ),
    "consultation.close": N_("Konsultation zu „%(slug)s“ (Version %(version)s) beendet."),
    "consultation.answer": N_("Stellungnahme in einer Konsultation abgegeben."),
    "barrier_report.create": N_("Barriere gemeldet (Meldung %(object)s)."),
    "barrier_report.status": N_("Bearbeitungsstand der Barrieremeldung %(object)s geändert."),
    "job.retry": N_("Hintergrundauftrag %(object)s erneut gestartet."),
}
_UNKNOWN = N_("Aktion „%(action)s“.")
#: The fields of a corrected session (lms.workshops.corrections records them by name, with old and new value).
#: A participant count is never shown as a number: a workshop's count is for its facilitators only (GDPR Art. 9),
#: and a training's follows from the people added and removed, which are shown.
_FIELD_CHANGES = {
    "held_on": N_("Datum %(old)s → %(new)s"),
    "place": N_("Ort „%(old)s“ → „%(new)s“"),
    "external_facilitators": N_("externe Leitung „%(old)s“ → „%(new)s“"),
    "facilitator_ids": N_("Leitung geändert"),
    "participant_count": N_("Zahl der Teilnehmenden geändert"),
    "attendees_added": N_("Teilnehmende hinzugefügt: %(count)s"),
    "attendees_removed": N_("Teilnehmende entfernt: %(count)s"),
    "attendee_names": N_("Namensliste geändert"),
}
#: The catalogue's order of those fields, the order a summary names them in.
_FIELD_ORDER = {name: position for position, name in enumerate(_FIELD_CHANGES)}
_CHANGE_KINDS = {"material": N_("inhaltlich"), "editorial": N_("redaktionell")}


@dataclass(frozen=True)
class Description:
    """A catalogue text and its values; ``reason`` and ``note`` are the person's own words, shown as they are."""

    text: str
    params: dict[str, Any]
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a corrected session: a catalogue text and its values."""

    text: str
    values: dict[str, Any]


def _field_change(name: str, value: Any) -> FieldChange | None:
    text = _FIELD_CHANGES.get(name)
    if text is None:
        return FieldChange("%(name)s", {"name": name})
    if "%(old)s" in text and isinstance(value, list) and len(value) == 2:
        old, new = (_day_or_text(v) for v in value)
        return FieldChange(text, {"old": old, "new": new})
    if "%(count)s" in text:
        count = len(value) if isinstance(value, list) else 0
        return FieldChange(text, {"count": count}) if count else None
    return FieldChange(text, {})


def _as_day(value: Any) -> Any:
    """An ISO calendar day („2026-03-01“) as a date, to be written in the reader's format; anything else as it is."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    return value


def _day_or_text(value: Any) -> Any:
    return _as_day(value) if value not in (None, "") else "–"


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def municipality_of(event: AuditEvent) -> int | str | None:
    """The municipality an event concerns, as its id or slug, where the event says so (a funding, a measure, an
    organisation, the municipality itself): the log names it, as the programme office keeps several side by side."""
    detail = event.detail or {}
    if event.object_type == "municipality" and event.object_id:
        return int(event.object_id) if event.object_id.isdigit() else event.object_id  # stored as text
    for key in ("municipality_id", "municipality"):
        value = detail.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool):
            return value
    return None


def describe(event: AuditEvent, municipality_names: Mapping[int | str, str] | None = None) -> Description:
    """The sentence for one event (German msgid plus values). ``municipality_names`` has the names of the events'
    :func:`municipality_of` (looked up by the caller); without one the id or slug stands in for the name."""
    detail = event.detail or {}
    params: dict[str, Any] = _Defaulting(
        {k: v for k, v in detail.items() if isinstance(v, str | int | float)},
        object=event.object_id,
        action=event.action,
    )
    concerned = municipality_of(event)
    if concerned is not None:
        params["municipality_name"] = (municipality_names or {}).get(concerned) or str(concerned)
    if "before" in detail and detail["before"] is None:  # nothing was set before
        params["before"] = "–"
    for key, value in list(params.items()):
        params[key] = _as_day(value)
    files = detail.get("files")
    if isinstance(files, list):
        params["count"] = len(files)
    changes = detail.get("changes")
    if isinstance(changes, dict) and changes:  # a corrected session: its fields in words, not by their names
        # In the catalogue's order: PostgreSQL's jsonb keeps keys sorted its own way, SQLite as written.
        ordered = sorted(changes.items(), key=lambda item: _FIELD_ORDER.get(str(item[0]), len(_FIELD_ORDER)))
        found = (_field_change(str(name), value) for name, value in ordered)
        params["summary"] = tuple(change for change in found if change is not None)
    if "change_kind" in detail:
        params["change"] = _CHANGE_KINDS.get(str(detail["change_kind"]), str(detail["change_kind"]))
    text = _DESCRIPTIONS.get(event.action, _UNKNOWN)
    return Description(
        text=text,
        params=params,
        reason=str(detail.get("reason") or ""),
        note=str(detail.get("change_note") or ""),
    )


def _days_written(text: str, day: Callable[[date], str]) -> str:
    """Calendar days inside a summary („held_on: 2026-03-01 → 2026-03-02“) in the reader's format."""

    def one(found: re.Match[str]) -> str:
        try:
            return day(date.fromisoformat(found.group(0)))
        except ValueError:
            return found.group(0)

    return _ISO_DAY.sub(one, text)


def render(description: Description, translate: Any, day: Callable[[date], str] | None = None) -> str:
    """The sentence in the request's language (``translate`` is the request's gettext).

    Calendar days are written by ``day`` (the page passes the reader's format: „Dec 31, 2026“); without it in the
    fixed German format (31.12.2026).
    """
    write = day or clock.fixed_date

    def written(key: str, value: Any) -> Any:
        if isinstance(value, date):
            return write(value)
        if key == "summary" and isinstance(value, str):  # events from before the fields were kept by name
            return _days_written(value, write)
        if isinstance(value, tuple) and all(isinstance(change, FieldChange) for change in value):
            return "; ".join(
                str(translate(change.text)) % {k: written(k, v) for k, v in change.values.items()}
                for change in value
            )
        return value

    params = _Defaulting({key: written(key, value) for key, value in description.params.items()})
    if "change" in params:
        params["change"] = translate(params["change"])
    try:
        return str(translate(description.text) % params)
    except (TypeError, ValueError):  # a translation with a broken placeholder must not break the page
        return str(description.text % params)
