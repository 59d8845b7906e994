"""The programme's rule engine, pure: a period's targets + what was delivered + today → status and reason.

A municipality meets a period's targets when, within the period's dates,

* at least ``min_training_modules`` distinct training modules were each completed by at least
  ``min_staff_per_module`` of its staff (online or in person; a module counts once however many staff completed it), and
* at least ``min_workshops`` empowerment workshops were held.

The status (also documented in the README):

* **erfüllt** – both targets are reached (this can happen before the period ends).
* **nicht erfüllt** – the period is over and a target was missed.
* **gefährdet** – the period is running and a target is behind a steady pace: fewer delivered than
  ``floor(target × share of the period elapsed)``; or less than a quarter of the period is left and a target is
  still open.
* **auf Kurs** – otherwise, including periods that have not begun yet.

Texts are German msgids marked with ``N_`` so that pybabel extracts them; the web layer translates them, exports
use them as they are. Nothing here touches the database or Flask.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from lms import time as clock

#: Share of the period after which anything still open puts the targets at risk.
FINAL_STRETCH = 0.75


def N_(message: str) -> str:  # the conventional name of gettext_noop, which pybabel extracts
    """Mark a message for extraction without translating it here."""
    return message


class Status(StrEnum):
    """Where a municipality stands in a period."""

    MET = "erfuellt"
    ON_TRACK = "auf_kurs"
    AT_RISK = "gefaehrdet"
    MISSED = "nicht_erfuellt"


STATUS_LABELS = {
    Status.MET: N_("erfüllt"),
    Status.ON_TRACK: N_("auf Kurs"),
    Status.AT_RISK: N_("gefährdet"),
    Status.MISSED: N_("nicht erfüllt"),
}


@dataclass(frozen=True)
class Targets:
    """The rules of one period."""

    min_training_modules: int = 2
    min_staff_per_module: int = 5
    min_workshops: int = 2


@dataclass(frozen=True)
class Delivered:
    """What a municipality delivered in the period so far."""

    training_modules: int
    workshops: int


@dataclass(frozen=True)
class Message:
    """A German msgid with its parameters, translated where it is shown."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(
        self, gettext: Callable[[str], str] | None = None, day: Callable[[date], str] | None = None
    ) -> str:
        """The text, translated by ``gettext`` if given (the web layer passes flask_babel's).

        Calendar days among the parameters are written by ``day`` (the web layer passes the reader's format, „Dec 31,
        2026" in English); without it they keep the fixed German format of PDFs, CSVs and mails (31.12.2026).
        """
        text = gettext(self.template) if gettext else self.template
        if not self.params:
            return text
        write = day or clock.fixed_date
        return text % {k: write(v) if isinstance(v, date) else v for k, v in self.params.items()}


@dataclass(frozen=True)
class Assessment:
    """The status with the reason in words and the share of the period that has passed."""

    status: Status
    reasons: tuple[Message, ...]
    elapsed: float

    @property
    def label(self) -> str:
        """The German status label (translate with gettext where shown)."""
        return STATUS_LABELS[self.status]

    def reason(
        self, gettext: Callable[[str], str] | None = None, day: Callable[[date], str] | None = None
    ) -> str:
        """The reason as one text (``day`` writes calendar days, see ``Message.render``)."""
        return " ".join(message.render(gettext, day) for message in self.reasons)


def elapsed_share(starts_on: date, ends_on: date, today: date) -> float:
    """The share of the period's days that have begun by today: 0 before the start, 1 from the last day on."""
    if today < starts_on:
        return 0.0
    if today >= ends_on:
        return 1.0
    total = (ends_on - starts_on).days + 1
    return ((today - starts_on).days + 1) / total


def expected_by_now(target: int, elapsed: float) -> int:
    """How many of ``target`` a steady pace would have delivered by now (whole deliveries only)."""
    return math.floor(target * elapsed + 1e-9)


def _standing(targets: Targets, delivered: Delivered) -> tuple[Message, Message]:
    """What was delivered against the targets; „3 von 2“ would misread, so a surplus is said as „3 (Ziel: 2)“."""
    modules = {
        "modules": delivered.training_modules,
        "min_modules": targets.min_training_modules,
        "min_staff": targets.min_staff_per_module,
    }
    workshops = {"workshops": delivered.workshops, "min_workshops": targets.min_workshops}
    if delivered.training_modules <= targets.min_training_modules:
        first = N_(
            "Schulungsmodule: %(modules)s von %(min_modules)s (je mindestens %(min_staff)s Beschäftigte),"
        )
    else:
        first = N_(
            "Schulungsmodule: %(modules)s (Ziel: %(min_modules)s, je mindestens %(min_staff)s Beschäftigte),"
        )
    if delivered.workshops <= targets.min_workshops:
        second = N_("Empowerment-Workshops: %(workshops)s von %(min_workshops)s.")
    else:
        second = N_("Empowerment-Workshops: %(workshops)s (Ziel: %(min_workshops)s).")
    return Message(first, modules), Message(second, workshops)


def assess(targets: Targets, delivered: Delivered, starts_on: date, ends_on: date, today: date) -> Assessment:
    """The status of one municipality in one period, with the reason in words."""
    elapsed = elapsed_share(starts_on, ends_on, today)
    standing = _standing(targets, delivered)
    modules_open = delivered.training_modules < targets.min_training_modules
    workshops_open = delivered.workshops < targets.min_workshops
    if not modules_open and not workshops_open:
        return Assessment(Status.MET, (Message(N_("Beide Ziele sind erreicht.")), *standing), elapsed)
    if today > ends_on:
        return Assessment(
            Status.MISSED,
            (
                Message(
                    N_("Der Zeitraum endete am %(end)s, ohne dass beide Ziele erreicht wurden."),
                    {"end": ends_on},
                ),
                *standing,
            ),
            elapsed,
        )
    if today < starts_on:
        return Assessment(
            Status.ON_TRACK,
            (
                Message(N_("Der Zeitraum beginnt am %(start)s."), {"start": starts_on}),
                *standing,
            ),
            elapsed,
        )
    percent = math.floor(elapsed * 100)
    expected_modules = expected_by_now(targets.min_training_modules, elapsed)
    expected_workshops = expected_by_now(targets.min_workshops, elapsed)
    if delivered.training_modules < expected_modules or delivered.workshops < expected_workshops:
        first = Message(
            N_(
                "%(elapsed)s %% des Zeitraums sind vergangen; im gleichmäßigen Tempo wären jetzt mindestens "
                "%(expected_modules)s von %(min_modules)s Schulungsmodulen und %(expected_workshops)s von "
                "%(min_workshops)s Workshops erreicht."
            ),
            {
                "elapsed": percent,
                "expected_modules": expected_modules,
                "min_modules": targets.min_training_modules,
                "expected_workshops": expected_workshops,
                "min_workshops": targets.min_workshops,
            },
        )
        return Assessment(Status.AT_RISK, (first, *standing), elapsed)
    days_left = (ends_on - today).days + 1
    if elapsed > FINAL_STRETCH:
        first = Message(
            N_("Bis zum Ende am %(end)s bleiben %(days)s Tage, und noch sind nicht beide Ziele erreicht."),
            {"end": ends_on, "days": days_left},
        )
        return Assessment(Status.AT_RISK, (first, *standing), elapsed)
    first = Message(
        N_("%(elapsed)s %% des Zeitraums sind vergangen (Ende: %(end)s); der Fortschritt liegt im Plan."),
        {"elapsed": percent, "end": ends_on},
    )
    return Assessment(Status.ON_TRACK, (first, *standing), elapsed)
