"""Audit events in words for people: a German sentence per action (catalogue entries), grouped for filtering.

Each description is an ``N_`` text with ``%(name)s`` placeholders filled from the event's details; the page
translates it with ``_()``. Actions without a description are shown with a neutral sentence naming the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
        ("role.", "user.", "staff.", "mfa.reset", "invitation.", "password_reset."),
    ),
    Category("targets", N_("Programmziele und Schulungspläne"), ("period.", "plan.")),
    Category("certificates", N_("Zertifikate"), ("certificate.",)),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}
CONTENT_PREFIXES = tuple(p for c in CATEGORIES if c.content for p in c.prefixes)

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
    "staff.import": N_("Beschäftigtenliste „%(file)s“ übernommen."),
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
    "session.correct": N_("Veranstaltung %(object)s korrigiert: %(summary)s."),
    "planned.schedule": N_("Termin %(object)s geplant."),
    "network.member_add": N_("Ein Mitglied in das Netzwerk der Kommune %(object)s aufgenommen."),
    "network.member_remove": N_("Ein Mitglied aus dem Netzwerk der Kommune %(object)s entfernt."),
}
_UNKNOWN = N_("Aktion „%(action)s“.")
_CHANGE_KINDS = {"material": N_("inhaltlich"), "editorial": N_("redaktionell")}


@dataclass(frozen=True)
class Description:
    """A catalogue text and its values; ``reason`` and ``note`` are the person's own words, shown as they are."""

    text: str
    params: dict[str, Any]
    reason: str = ""
    note: str = ""


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(event: AuditEvent) -> Description:
    """The sentence for one event (German msgid plus values)."""
    detail = event.detail or {}
    params: dict[str, Any] = _Defaulting(
        {k: v for k, v in detail.items() if isinstance(v, str | int | float)},
        object=event.object_id,
        action=event.action,
    )
    files = detail.get("files")
    params["count"] = len(files) if isinstance(files, list) else "?"
    if "change_kind" in detail:
        params["change"] = _CHANGE_KINDS.get(str(detail["change_kind"]), str(detail["change_kind"]))
    text = _DESCRIPTIONS.get(event.action, _UNKNOWN)
    return Description(
        text=text,
        params=params,
        reason=str(detail.get("reason") or ""),
        note=str(detail.get("change_note") or ""),
    )


def render(description: Description, translate: Any) -> str:
    """The sentence in the request's language (``translate`` is the request's gettext)."""
    params = _Defaulting(description.params)
    if "change" in params:
        params["change"] = translate(params["change"])
    try:
        return str(translate(description.text) % params)
    except (TypeError, ValueError):  # a translation with a broken placeholder must not break the page
        return str(description.text % params)
