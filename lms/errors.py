"""Errors the services raise: a code and parameters; the edge (view, API, CLI) turns them into German or English.

Services know no request and no language, so they never build the text a person reads. They raise
``ServiceError("quiz.already_completed")`` (or a feature's subclass) with the values the text needs; ``MESSAGES``
holds the German source text for each code, marked with ``N_`` so that pybabel extracts it into the catalogue.
``lms.web.i18n.translate_error`` renders it in the person's language, ``translate(error, "de")`` does the same
without Flask (the CLI). ``str(error)`` is the German text, so logs and plain ``except`` blocks stay readable.

Parameters are data (names, numbers, dates already formatted for the reader); a text that differs by a count has
a plural entry (``Plural``) and is rendered with ``ngettext``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from lms import time as clock
from lms.text import N_, character_names, excerpt


@dataclass(frozen=True)
class Plural:
    """German singular and plural of a message, chosen by the parameter ``count``."""

    singular: str
    plural: str
    count: str = "n"


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for the catalogue (extracted with ``-k Nn_:1,2``); translation happens where shown."""
    return singular, plural


class Term(str):
    """A parameter that is itself a German word of the catalogue (a column name), translated with the message."""


@dataclass(frozen=True)
class Terms:
    """Several ``Term``s as one parameter: „E-Mail-Adresse und Name“, or with ``and_=False`` „E-Mail, Name“."""

    items: tuple[str, ...]
    and_: bool = True


@dataclass(frozen=True)
class Characters:
    """Characters a message names („„王“ (U+738B)“), quoted as the reader's language quotes (lms.text)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """Values a request sent that a message names („q98, q99“): the first ``shown`` of them, each cut short, then
    how many more there are. A message stays readable whatever was sent (20,000 unknown keys made one of 149 KB)."""

    items: tuple[str, ...]
    shown: int = 5
    #: Characters of one value a message quotes.
    chars: int = 40


#: The word between the last two ``Terms``.
AND = N_("und")
#: After the values a ``Sample`` shows: how many it left out.
MORE = Nn_("%(items)s … und %(n)s weitere", "%(items)s … und %(n)s weitere")


def _plural(pair: tuple[str, str], count: str = "n") -> Plural:
    return Plural(pair[0], pair[1], count)


#: Every refusal a service can raise, by code: the German source text with %(name)s parameters.
MESSAGES: dict[str, str | Plural] = {
    # auth: login and accounts
    "auth.login_failed": N_("E-Mail-Adresse oder Passwort ist falsch."),
    "auth.login_locked": _plural(
        Nn_(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(n)s Minute "
            "oder wenden Sie sich an Ihre Koordination.",
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(n)s Minuten "
            "oder wenden Sie sich an Ihre Koordination.",
        )
    ),
    "auth.email_invalid": N_("„%(email)s“ ist keine gültige E-Mail-Adresse."),
    "auth.email_not_ascii": N_(
        "„%(email)s“ enthält Umlaute, Akzente oder andere Sonderzeichen. An solche Adressen kann der Mailserver der "
        "Plattform nicht zustellen; bitte verwenden Sie die Schreibweise ohne Umlaute (z. B. ae statt ä)."
    ),
    "auth.email_taken": N_("Es gibt bereits ein Konto mit der E-Mail-Adresse %(email)s."),
    "auth.password_too_short": N_("Das Passwort muss mindestens %(min)s Zeichen lang sein."),
    "auth.password_too_long": N_("Das Passwort darf höchstens %(max)s Zeichen lang sein."),
    "auth.name_missing": N_("Bitte geben Sie den Namen an."),
    "auth.name_too_long": N_("Der Name darf höchstens %(max)s Zeichen lang sein."),
    "auth.name_control_characters": N_("Der Name enthält unzulässige Steuerzeichen."),
    "auth.name_unprintable": N_(
        "Der Name enthält Zeichen, die auf Zertifikaten nicht gedruckt werden können: %(characters)s. Bitte "
        "schreiben Sie ihn in lateinischer, griechischer oder kyrillischer Schrift, wie in amtlichen Dokumenten."
    ),
    "auth.password_common": N_(
        "Dieses Passwort steht auf der Liste häufig verwendeter oder bei Datenlecks veröffentlichter Passwörter. "
        "Bitte wählen Sie ein anderes, zum Beispiel einen Satz aus mehreren Wörtern."
    ),
    "auth.password_pattern": N_(
        "Das Passwort besteht aus wiederholten oder aufeinanderfolgenden Zeichen (wie „aaaa“ oder „1234“). "
        "Bitte wählen Sie ein anderes."
    ),
    "auth.password_personal": N_(
        "Ohne Ihren Namen, Ihre E-Mail-Adresse und den Namen der Plattform hätte das Passwort weniger als "
        "%(min)s Zeichen. Bitte wählen Sie ein Passwort, das davon unabhängig ist."
    ),
    "auth.password_wrong": N_("Das aktuelle Passwort ist nicht richtig."),
    "auth.passwords_differ": N_("Die beiden Passwörter stimmen nicht überein."),
    "auth.roles_separated": N_("Koordination und Moderation derselben Kommune werden getrennt vergeben."),
    "auth.token_unknown": N_("Dieses Token gibt es nicht."),
    "auth.token_lifetime": N_("Bitte wählen Sie eine Gültigkeit von 30 Tagen, 90 Tagen oder einem Jahr."),
    "auth.invitation_invalid": N_(
        "Dieser Link ist nicht mehr gültig: er wurde schon benutzt, durch einen neueren ersetzt oder ist "
        "abgelaufen. Bitte wenden Sie sich an die Koordination Ihrer Verwaltung für eine neue Einladung."
    ),
    "auth.reset_link_invalid": N_(
        "Dieser Link zum Zurücksetzen des Passworts ist nicht mehr gültig: er wurde schon benutzt, durch einen "
        "neueren ersetzt oder ist abgelaufen (er gilt eine Stunde). Fordern Sie unter „Passwort vergessen?“ "
        "einen neuen an."
    ),
    "auth.account_deactivated": N_(
        "Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Koordination Ihrer Verwaltung."
    ),
    # auth: passkeys (WebAuthn)
    "passkey.name_missing": N_("Bitte geben Sie dem Passkey einen Namen, z. B. „Laptop Büro“."),
    "passkey.name_too_long": N_("Der Name darf höchstens %(max)s Zeichen lang sein."),
    "passkey.expired": N_(
        "Die Anfrage ist abgelaufen oder wurde schon verwendet. Bitte versuchen Sie es noch einmal."
    ),
    "passkey.invalid": N_("Der Passkey konnte nicht geprüft werden. Bitte versuchen Sie es noch einmal."),
    "passkey.already_registered": N_("Dieser Passkey ist bereits registriert."),
    "passkey.unknown": N_(
        "Dieser Passkey gehört nicht (mehr) zu Ihrem Konto. Bitte wählen Sie einen anderen oder verwenden Sie "
        "einen Code."
    ),
    "passkey.cloned": N_(
        "Dieser Passkey wurde abgelehnt, weil sein Zähler nicht stimmt (möglicherweise eine Kopie). Bitte "
        "verwenden Sie einen anderen Faktor und wenden Sie sich an das Programmbüro."
    ),
    "passkey.none": N_("Für dieses Konto ist kein Passkey registriert."),
    "passkey.not_found": N_("Diesen Passkey gibt es nicht."),
    "passkey.last_factor": N_(
        "Das ist Ihr letzter zweiter Faktor, und Ihre Rolle verlangt einen. Richten Sie zuerst einen weiteren "
        "Passkey oder die Authenticator-App ein."
    ),
    # quizzes: starting an attempt
    "quiz.none": N_("Zu diesem Modul gibt es noch kein Quiz."),
    "quiz.read_first": N_(
        "Dieses Quiz beginnt erst, wenn Sie alle Abschnitte des Moduls geöffnet haben. Bitte lesen Sie zuerst "
        "die noch offenen Abschnitte."
    ),
    # answers for questions an attempt does not have (saved or submitted): the keys, a Sample
    "attempt.unknown_questions": _plural(Nn_("Unbekannte Frage: %(keys)s.", "Unbekannte Fragen: %(keys)s.")),
    "quiz.already_completed": N_("Sie haben dieses Modul in dieser Version bereits abgeschlossen."),
    "quiz.no_attempts_left": _plural(
        Nn_(
            "Für dieses Quiz ist %(n)s Versuch möglich, und Sie haben ihn genutzt. Weitere Versuche sieht die "
            "Plattform nicht vor; abschließen können Sie das Modul noch in einer Schulung in Präsenz. Bitte "
            "wenden Sie sich dafür an Ihre Koordination.",
            "Sie haben alle %(n)s Versuche für dieses Quiz genutzt. Weitere Versuche sieht die Plattform nicht "
            "vor; abschließen können Sie das Modul noch in einer Schulung in Präsenz. Bitte wenden Sie sich "
            "dafür an Ihre Koordination.",
        )
    ),
    # quizzes: a response that does not fit its question (a forged form or an API call)
    "response.unknown_option": N_("Unbekannte Antwort „%(option)s“."),
    "response.single_choice": N_("Bei einer Einfachauswahl ist nur eine Antwort möglich."),
    "response.control_characters": N_("Die Antwort enthält unzulässige Steuerzeichen."),
    "response.too_long": N_("Die Antwort ist zu lang: höchstens %(max)s Zeichen."),
    "response.not_one_text": N_("Die Antwort hat eine unerwartete Form: erwartet wird ein einzelner Text."),
    "response.shape": N_("Die Antwort hat eine unerwartete Form."),
    "response.unknown_step": N_("Unbekannter Schritt „%(step)s“."),
    "response.order_incomplete": N_(
        "Die Reihenfolge muss jeden der %(count)s Schritte genau einmal enthalten."
    ),
    "response.step_placed_twice": N_("Ein Schritt hat mehr als eine Position."),
    "response.unknown_position": N_("Unbekannte Position „%(position)s“."),
    "response.positions_missing": N_("Bitte wählen Sie für jeden Schritt eine Position (1 bis %(count)s)."),
    "response.position_reused": _plural(
        Nn_(
            "Position %(positions)s haben Sie mehreren Schritten gegeben; jede Position darf nur einmal vorkommen.",
            "Positionen %(positions)s haben Sie mehreren Schritten gegeben; jede Position darf nur einmal "
            "vorkommen.",
        )
    ),
    # orgs: staff, periods, plans, staff import
    "staff.deactivate_self": N_("Sie können Ihr eigenes Konto nicht deaktivieren."),
    "staff.email_unusable": N_(
        "Die E-Mail-Adresse %(email)s kann hier nicht verwendet werden. Bitte klären Sie sie mit dem Programmbüro."
    ),
    "staff.email_listed": N_(
        "Die E-Mail-Adresse %(email)s gehört schon zu %(name)s in Ihrer Beschäftigtenliste. Ändern Sie bei Bedarf "
        "dort deren Angaben."
    ),
    "staff.name_missing": N_("Bitte geben Sie den Namen an."),
    "staff.org_unit_missing": N_("Bitte geben Sie die Organisationseinheit an."),
    "staff.nobody_chosen": N_("Bitte wählen Sie mindestens eine Person aus."),
    "staff.invite_deactivated": N_(
        "Deaktivierte Personen erhalten keine Einladung. Bitte reaktivieren Sie die Person zuerst."
    ),
    "period.label_missing": N_("Bitte geben Sie eine Bezeichnung ein."),
    "period.end_before_start": N_("Das Ende darf nicht vor dem Beginn liegen."),
    "period.targets_invalid": N_(
        "Die Ziele müssen 0 oder größer sein, die Mindestzahl der Beschäftigten mindestens 1."
    ),
    "period.overlap": N_("Der Zeitraum überschneidet sich mit „%(other)s“ (%(start)s – %(end)s)."),
    "period.label_taken": N_("Es gibt bereits einen Zeitraum „%(label)s“."),
    "plan.module_missing": N_("Bitte wählen Sie ein Schulungsmodul aus dem Katalog."),
    "plan.due_outside_period": N_("Das Fälligkeitsdatum muss im %(period)s liegen."),
    "plan.units_foreign": N_("Bitte wählen Sie Organisationseinheiten Ihrer Kommune."),
    "file.empty": N_("Die Datei ist leer."),
    # the column names in these texts are what the file must contain, so they stay German in every language
    "staff_file.workbook": N_(
        "Das ist eine Excel-Arbeitsmappe (.xlsx), keine CSV-Datei. Bitte speichern Sie die Liste in Excel "
        "über „Speichern unter“ als „CSV UTF-8 (durch Trennzeichen getrennt)“."
    ),
    "staff_file.utf16_damaged": N_(
        "Die Datei beginnt wie UTF-16 („Unicode-Text“), ist aber unvollständig oder beschädigt. "
        "Bitte exportieren Sie sie erneut."
    ),
    "staff_file.encoding": N_(
        "Die Datei ist keine lesbare Textdatei (weder UTF-8 noch Windows-1252). Bitte exportieren Sie sie als CSV."
    ),
    "staff_file.header_invalid": N_("Zeile 1: die Kopfzeile ist kein gültiges CSV (%(error)s)."),
    "staff_file.columns_missing": N_(
        "In der Kopfzeile fehlt: %(missing)s. Gefunden: %(seen)s. Erwartet werden die Spalten %(expected)s."
    ),
    "staff_file.separator_unknown": N_(
        "Die Kopfzeile „%(seen)s“ ist nicht in Spalten geteilt. Zwischen den Spalten muss ein Semikolon (;), ein "
        "Komma (,) oder ein Tabulator stehen: Speichern Sie die Liste in Excel als „CSV UTF-8 (durch "
        "Trennzeichen getrennt)“."
    ),
    "staff_row.invalid_csv": N_('kein gültiges CSV (%(error)s); meist ein nicht geschlossenes „"“.'),
    "staff_row.unreadable": N_("unlesbar"),
    "staff_row.unclosed_quote": N_(
        'ein Anführungszeichen („"“) wird nicht geschlossen: die Zeilen %(first)s bis %(last)s wurden als eine Zeile '
        "gelesen, keine der Personen darin wird übernommen. Bitte schließen oder entfernen Sie es."
    ),
    "staff_row.too_many_fields": N_(
        "%(fields)s Felder, aber nur %(width)s Spalten. Enthält ein Wert das Trennzeichen? "
        "Dann muss er in Anführungszeichen stehen."
    ),
    "staff_row.missing": N_("%(fields)s fehlt."),
    "staff_row.too_long": N_("%(field)s ist länger als %(limit)s Zeichen."),
    "staff_row.control_characters": N_("%(field)s enthält unzulässige Steuerzeichen."),
    "staff_row.duplicate_email": N_("Die E-Mail-Adresse %(email)s steht schon in Zeile %(line)s."),
    "staff_row.duplicate_number": N_("Die Personalnummer %(number)s steht schon in Zeile %(line)s."),
    "staff_row.email_unusable": N_(
        "Die E-Mail-Adresse %(email)s kann für diese Liste nicht verwendet werden. Bitte klären Sie "
        "sie mit dem Programmbüro."
    ),
    "staff_row.number_taken": N_("Die Personalnummer %(number)s gehört bereits einer anderen Person."),
    # programme: funding, measures, migrant organisations (column names in file messages stay German)
    "funding.amount_invalid": N_(
        "„%(amount)s“ ist kein Betrag. Bitte schreiben Sie ihn wie 10.000,00 oder 10000 (ohne Minuszeichen)."
    ),
    "funding.amount_too_large": N_("„%(amount)s“ ist zu groß: höchstens 100.000.000,00 € je Eintrag."),
    "funding.no_period": N_("Der %(date)s liegt in keinem Programmjahr. Bitte prüfen Sie das Datum."),
    "funding.description_missing": N_("Bitte beschreiben Sie die Maßnahme."),
    "funding.municipality_unknown": N_("Die Kommune „%(name)s“ gibt es auf der Plattform nicht."),
    "funding.duplicate": N_(
        "Diese Maßnahme ist bereits erfasst (gleiche Kommune, Art, Betrag, Datum und Text)."
    ),
    "funding_file.columns_missing": N_(
        "In der Kopfzeile fehlt: %(missing)s. Gefunden: %(seen)s. Erwartet werden die Spalten Kommune, Art, "
        "Betrag, Datum und Beschreibung."
    ),
    "funding_file.workbook_damaged": N_(
        "Die Excel-Datei ist beschädigt oder keine .xlsx-Datei. Bitte speichern Sie sie erneut als "
        "„Excel-Arbeitsmappe (.xlsx)“ oder als CSV."
    ),
    "funding_file.too_many_rows": N_("Die Datei hat mehr als %(limit)s Zeilen. Bitte teilen Sie sie auf."),
    "funding_row.kind_unknown": N_(
        "Die Art „%(kind)s“ ist unbekannt. Erlaubt sind: Personalstellen, Fortbildungen, Externe Beratung, "
        "Sonstige, Bewilligung."
    ),
    "funding_row.date_invalid": N_("„%(date)s“ ist kein Datum. Bitte schreiben Sie es wie 31.03.2026."),
    "funding_row.amount_not_finite": N_(
        "Der Betrag ist keine endliche Zahl (in der Zelle steht „unendlich“ oder „NaN“). Bitte tragen Sie den Betrag "
        "in Euro ein, z. B. 10.000,00."
    ),
    # Without the number: written one way it reads as a thousands separator in the other language (12.345).
    "funding_row.amount_fraction_of_cent": N_(
        "Der Betrag hat mehr als zwei Nachkommastellen. Bitte runden Sie ihn auf volle Cent."
    ),
    "funding_row.amount_negative": N_("Der Betrag ist negativ. Bitte tragen Sie ihn ohne Minuszeichen ein."),
    "funding_row.amount_excel_error": N_(
        "Im Betrag steht der Excel-Fehler „%(error)s“ statt einer Zahl. Bitte prüfen Sie die Formel oder tragen Sie "
        "den Betrag in Euro ein, z. B. 10.000,00."
    ),
    "funding_row.number_unreadable": N_(
        "Eine Zahl in dieser Zeile ist keine gültige Zahl (etwa „inf“ oder „NaN“); die Zeilen danach wurden nicht "
        "gelesen. Bitte tragen Sie Beträge in Euro ein, z. B. 10.000,00."
    ),
    "organisation.name_missing": N_("Bitte geben Sie den Namen der Organisation an."),
    "organisation.seat_missing": N_("Bitte geben Sie den Sitz (Ort) der Organisation an."),
    "municipality.state_unknown": N_("„%(state)s“ ist kein Bundesland."),
    "municipality.name_missing": N_("Bitte geben Sie den Namen der Kommune an."),
    "municipality.name_too_long": N_("Der Name der Kommune darf höchstens %(max)s Zeichen lang sein."),
    "municipality.name_control_characters": N_("Der Name der Kommune enthält unzulässige Steuerzeichen."),
    "municipality.name_unprintable": N_(
        "Der Name der Kommune enthält Zeichen, die auf Zertifikaten nicht gedruckt werden können: %(characters)s."
    ),
    "municipality.slug_invalid": N_(
        "Das Kürzel „%(slug)s“ ist nicht möglich: nur Kleinbuchstaben a–z, Ziffern und Bindestriche, 2 bis 80 "
        "Zeichen, am Anfang ein Buchstabe."
    ),
    "municipality.slug_taken": N_("Das Kürzel „%(slug)s“ hat bereits eine andere Kommune."),
    "municipality.name_taken": N_("Eine Kommune mit dem Namen „%(name)s“ gibt es bereits."),
    "account.role_unknown": N_("Diese Rolle kann hier nicht vergeben werden."),
    "account.municipality_needed": N_(
        "Koordination und Moderation gehören zu einer Kommune: Bitte wählen Sie eine aus."
    ),
    "practice.title_missing": N_("Bitte geben Sie einen Titel an."),
    "practice.body_missing": N_("Bitte beschreiben Sie das Beispiel."),
    "practice.text_too_complex": N_(
        "Der Text ist zu lang oder enthält zu viele verschachtelte Zeichen wie „[“ oder „*“. Bitte kürzen Sie ihn."
    ),
    "practice.text_too_deep": N_(
        "Ab Zeile %(line)s ist der Text zu tief verschachtelt (Listen oder Zitate ineinander); er ginge beim Anzeigen "
        "verloren. Bitte verschachteln Sie weniger tief (Listen höchstens neun Ebenen)."
    ),
    "practice.file_empty": N_("Die Datei ist leer."),
    "practice.file_too_large": N_("Die Datei ist größer als 5 MB."),
    "practice.file_type": N_(
        "Dieser Dateityp wird nicht angenommen. Erlaubt sind PDF, Word, Excel, PowerPoint, OpenDocument, PNG und JPEG."
    ),
    "practice.file_content": N_(
        "Der Inhalt der Datei passt nicht zu ihrer Endung. Bitte speichern Sie sie erneut."
    ),
    "import.already_applied": N_("Diese Liste wurde bereits übernommen."),
    "job.not_retryable": N_(
        "Diese Aufgabe ist nicht fehlgeschlagen und läuft nicht auffällig lange; sie wird nicht neu gestartet."
    ),
    "import.faulty_rows": _plural(
        Nn_(
            "Die Liste enthält %(n)s fehlerhafte Zeile. Korrigieren Sie die Datei, "
            "oder übernehmen Sie ausdrücklich nur die fehlerfreien Zeilen.",
            "Die Liste enthält %(n)s fehlerhafte Zeilen. Korrigieren Sie die Datei, "
            "oder übernehmen Sie ausdrücklich nur die fehlerfreien Zeilen.",
        )
    ),
    # orgs: changes of roles (lms.orgs.role_changes), the facilitator role of the empowerment network included
    "role.reason_missing": N_("Bitte geben Sie einen Grund an."),
    "role.self": N_(
        "Die Rolle „%(role)s“ kann nicht an sich selbst vergeben oder sich selbst entzogen werden."
    ),
    "role.no_municipality": N_(
        "Die Rolle „%(role)s“ gibt es nur in einer Kommune: die Person gehört zu keiner Kommune."
    ),
    "role.separation_of_duties": N_(
        "Die Person hat die Rolle „%(other)s“. „%(role)s“ und „%(other)s“ werden in derselben Kommune getrennt "
        "vergeben (Funktionstrennung): Wer Beschäftigte beaufsichtigt, erfährt nicht, wer zum "
        "Empowerment-Netzwerk gehört."
    ),
    "role.deactivated": N_("Deaktivierte Konten erhalten keine neue Rolle."),
    "role.already": N_("Die Person hat die Rolle „%(role)s“ bereits."),
    "role.not_held": N_("Die Person hat die Rolle „%(role)s“ nicht."),
    "role.last_admin": N_(
        "Dies ist das letzte aktive Konto des Programmbüros. Vergeben Sie die Rolle zuerst einer weiteren Person."
    ),
    "role.units_missing": N_("Bitte wählen Sie mindestens eine Organisationseinheit."),
    "role.board_missing": N_("Bitte wählen Sie die Kommune, deren Beirat die Person angehört."),
    # workshops: participation codes (one answer for every code that does not work: no oracle)
    "participation_code.invalid": N_("Dieser Code ist ungültig, abgelaufen oder bereits eingelöst."),
    "participation_code.too_many": _plural(
        Nn_(
            "Zu viele ungültige Codes. Bitte versuchen Sie es in %(n)s Minute wieder.",
            "Zu viele ungültige Codes. Bitte versuchen Sie es in %(n)s Minuten wieder.",
        )
    ),
    # certificates
    "certificate.reason_missing": N_(
        "Bitte geben Sie einen Grund für den Widerruf an (mindestens 5 Zeichen)."
    ),
    "certificate.already_revoked": N_("Dieses Zertifikat ist bereits widerrufen."),
    # content: lifecycle of versions and modules, images
    "content.version_already_withdrawn": N_("Version %(version)s ist bereits zurückgezogen."),
    "content.version_not_withdrawn": N_("Version %(version)s ist nicht zurückgezogen."),
    "content.module_already_withdrawn": N_("Das Modul ist bereits zurückgezogen."),
    "content.module_not_withdrawn": N_("Das Modul ist nicht zurückgezogen."),
    "image.too_many_bytes": N_("Das Bild ist größer als %(mb)s MB."),
    "image.not_an_image": N_("Die Datei ist kein Bild im Format PNG, JPEG oder WebP."),
    "image.damaged": N_("Die Bilddatei ist beschädigt oder unvollständig."),
    "image.format": N_("Erlaubt sind Bilder im Format PNG, JPEG oder WebP."),
    "image.too_large": N_("Das Bild ist zu groß: höchstens %(side)s Pixel Breite und Höhe."),
    # documents in consultation: publishing, the window, comments, answers
    "document.consultation_not_ended": N_(
        "Die Konsultation zu Version %(version)s ist noch nicht beendet. Beenden Sie sie, bevor Sie eine neue "
        "Version veröffentlichen."
    ),
    "document.answers_missing": _plural(
        Nn_(
            "%(n)s Kommentar aus der Konsultation ist noch nicht beantwortet. Die neue Version veröffentlicht "
            "die Antworten; bitte beantworten Sie zuerst jeden Kommentar.",
            "%(n)s Kommentare aus der Konsultation sind noch nicht beantwortet. Die neue Version veröffentlicht "
            "die Antworten; bitte beantworten Sie zuerst jeden Kommentar.",
        )
    ),
    "document.unchanged": N_(
        "Der Text ist identisch mit Version %(version)s; es gibt nichts Neues zu veröffentlichen."
    ),
    "document.other_slug": N_(
        "Der Text gehört zu „%(found)s“, nicht zu „%(expected)s“ (Feld „slug“ im Front-Matter)."
    ),
    "consultation.exists": N_("Zu dieser Version gibt es bereits eine Konsultation."),
    "consultation.not_current": N_("Konsultiert wird nur die aktuelle Version eines Dokuments."),
    "consultation.dates_order": N_("Das Ende darf nicht vor dem Beginn liegen."),
    "consultation.starts_in_past": N_("Der Beginn darf nicht in der Vergangenheit liegen."),
    "consultation.ends_in_past": N_("Das Ende darf nicht in der Vergangenheit liegen."),
    "consultation.too_long": N_("Eine Konsultation dauert höchstens %(days)s Tage."),
    "consultation.start_fixed": N_(
        "Die Konsultation läuft bereits; ihr Beginn kann nicht mehr geändert werden, nur ihr Ende."
    ),
    "consultation.ended": N_("Die Konsultation ist beendet; ihr Zeitraum kann nicht mehr geändert werden."),
    "consultation.not_open": N_(
        "Die Konsultation läuft nicht: Kommentare sind nur während des Konsultationszeitraums möglich."
    ),
    "consultation.close_not_open": N_("Nur eine laufende Konsultation kann vorzeitig beendet werden."),
    "comment.empty": N_("Bitte schreiben Sie Ihren Kommentar."),
    "comment.too_long": N_("Ein Kommentar hat höchstens %(max)s Zeichen."),
    "comment.too_many": N_(
        "Sie haben in dieser Konsultation bereits %(max)s Kommentare geschrieben; mehr sind nicht möglich."
    ),
    "comment.section_unknown": N_("Diesen Abschnitt gibt es in dieser Version nicht."),
    "comment.not_allowed": N_(
        "Kommentieren können die Koordinationen, Moderationen und Beiräte der Modellkommunen."
    ),
    "answer.not_yet": N_("Kommentare werden beantwortet, wenn die Konsultation beendet ist."),
    "answer.concluded": N_(
        "Die Antworten sind mit Version %(version)s veröffentlicht und können nicht mehr geändert werden."
    ),
    "answer.reason_missing": N_("Bitte begründen Sie die Entscheidung."),
    "answer.reason_too_long": N_("Eine Begründung hat höchstens %(max)s Zeichen."),
    "image.in_use": N_(
        "Das Bild wird noch verwendet (%(where)s) und kann nicht gelöscht werden; veröffentlichte Versionen "
        "bleiben unverändert."
    ),
    # workshops and in-person trainings
    "session.script_missing": N_("Bitte wählen Sie ein Empowerment-Drehbuch und seine Version."),
    "session.module_missing": N_("Bitte wählen Sie ein Schulungsmodul und seine Version."),
    "session.in_future": N_(
        "Das Datum liegt in der Zukunft: erfasst werden Veranstaltungen, die stattgefunden haben."
    ),
    "session.place_missing": N_("Bitte geben Sie den Ort an (z. B. „Rathaus, Raum 2.14“ oder „online“)."),
    "session.facilitator_not_allowed": N_(
        "Als Moderation können nur Trainerinnen, Trainer und die Moderation dieser Kommune eingetragen werden."
    ),
    "session.facilitator_missing": N_(
        "Bitte nennen Sie mindestens eine Person, die die Veranstaltung geleitet hat."
    ),
    "session.participants_range": N_("Bitte geben Sie die Zahl der Teilnehmenden an (1 bis %(max)s)."),
    "session.attendee_unknown": N_(
        "Zeile %(line)s: „%(text)s“ ist keine E-Mail-Adresse und keine Personalnummer der Beschäftigten "
        "dieser Kommune."
    ),
    "session.attendees_missing": N_(
        "Bitte tragen Sie die Teilnehmenden ein (E-Mail-Adresse oder Personalnummer, eine je Zeile)."
    ),
    "session.reason_missing": N_("Bitte geben Sie einen Grund an."),
    "session.names_not_facilitator": N_(
        "Namen der Teilnehmenden können nur gespeichert werden, wenn Sie selbst als Moderation eingetragen sind."
    ),
    "session.names_exceed_count": N_(
        "Sie haben %(names)s Namen eingetragen, aber nur %(count)s Teilnehmende gezählt. Bitte korrigieren Sie "
        "die Zahl oder die Namen."
    ),
    "session.duplicate_workshop": N_(
        "Für diese Kommune ist schon ein Workshop mit diesem Drehbuch an diesem Tag an diesem Ort erfasst. "
        "Bitte prüfen Sie, ob er doppelt erfasst würde; war es ein weiterer Workshop, bestätigen Sie das unten."
    ),
    "planned.in_past": N_("Das Datum liegt in der Vergangenheit: geplant werden Termine ab heute."),
    "planned.ends_before_start": N_("Das Ende muss nach dem Beginn liegen."),
    "planned.capacity_range": N_("Bitte geben Sie die Zahl der Plätze an (1 bis %(max)s)."),
    "planned.closed": N_(
        "Für diesen Termin ist keine Anmeldung oder Abmeldung mehr möglich: er hat begonnen, ist abgesagt "
        "oder schon erfasst."
    ),
    "network.unknown_person": N_(
        "Unter den aktiven Beschäftigten Ihrer Kommune gibt es keine Person mit dieser E-Mail-Adresse."
    ),
    "network.already_member": N_("Diese Person gehört schon zum Netzwerk."),
    "network.already_asked": N_(
        "Diese Person ist schon angefragt; sie bestätigt ihre Einwilligung selbst unter „Termine“."
    ),
    "network.no_request": N_("Es gibt keine Anfrage des Empowerment-Netzwerks, die auf Ihre Antwort wartet."),
    "network.not_member": N_("Diese Person gehört nicht zum Netzwerk."),
    "session.withdrawn": N_("Diese Veranstaltung ist zurückgezogen und kann nicht mehr korrigiert werden."),
    "session.names_block_facilitators": N_(
        "Die Moderation bestimmt, wer die Namen der Teilnehmenden sieht. Solange Namen gespeichert sind, kann sie "
        "nicht geändert werden; löschen Sie zuerst die Namen."
    ),
    "session.attendee_has_completion": N_(
        "%(name)s kann nicht entfernt werden: die Teilnahme hat einen Abschluss erzeugt. Abschlüsse sind Nachweise "
        "und werden nicht gelöscht; bitte wenden Sie sich an das Programmbüro."
    ),
    "session.date_has_completions": N_(
        "Das Datum kann nicht geändert werden: die Schulung hat Abschlüsse mit diesem Datum erzeugt. Abschlüsse "
        "sind Nachweise und werden nicht geändert; bitte wenden Sie sich an das Programmbüro."
    ),
    "session.has_completions": N_(
        "Diese Schulung hat bereits Abschlüsse für die Teilnehmenden erzeugt. Abschlüsse sind Nachweise und "
        "werden nicht gelöscht; bitte wenden Sie sich an das Programmbüro."
    ),
    # evaluation: self-assessment surveys before and after a module
    "evaluation.module_unknown": N_(
        "Zur Umfrage gehört kein Schulungsmodul „%(module)s“; importieren Sie zuerst das Modul (lms content import)."
    ),
    "evaluation.old_version": N_(
        "Die Umfrage zu „%(module)s“ gleicht einer älteren Version; ändern Sie die Datei, um eine neue Version zu "
        "veröffentlichen."
    ),
    "evaluation.not_open": N_(
        "Diese Selbsteinschätzung ist für Sie nicht (mehr) offen: Sie wurde schon beantwortet oder übersprungen."
    ),
    "evaluation.value_invalid": N_("Bitte wählen Sie für „%(item)s“ einen Wert der Skala."),
    "evaluation.empty": N_(
        "Sie haben keine Frage beantwortet. Wählen Sie mindestens einen Wert oder „Überspringen“."
    ),
    # evaluation: the local advisory board (Beirat)
    "board.already_member": N_("Die Person gehört bereits dem Beirat von %(municipality)s an."),
    "board.not_member": N_("Die Person gehört keinem Beirat an."),
    "board.name_missing": N_("Für ein neues Konto brauchen wir den Namen der Person."),
    "board.email_invalid": N_("Bitte geben Sie eine gültige E-Mail-Adresse an."),
    "board.text_missing": N_("Bitte schreiben Sie die Einschätzung des Beirats."),
    "board.authors_missing": N_("Bitte nennen Sie, wer die Einschätzung verfasst hat."),
    "board.date_future": N_("Das Datum der Einschätzung darf nicht in der Zukunft liegen."),
}


class ServiceError(Exception):
    """A refusal from a service: ``code`` names the message in ``MESSAGES``, ``params`` fill its placeholders."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:  # a typo would otherwise surface as a KeyError on the error page
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params: dict[str, Any] = params
        super().__init__(self.render())

    def render(
        self,
        gettext: Callable[[str], str] | None = None,
        ngettext: Callable[..., str] | None = None,
        day: Callable[[date], str] | None = None,
    ) -> str:
        """The text, translated by ``gettext``/``ngettext`` if given, else the German source.

        Calendar days among the parameters are written by ``day`` (the reader's format), else as 31.12.2026.
        """
        return render_message(MESSAGES[self.code], self.params, gettext, ngettext, day)


def render_message(
    message: str | Plural,
    params: Mapping[str, Any],
    gettext: Callable[[str], str] | None = None,
    ngettext: Callable[..., str] | None = None,
    day: Callable[[date], str] | None = None,
) -> str:
    """One catalogue entry with its parameters, in German or through the given translation functions."""
    params = {key: _parameter(value, gettext, day, ngettext) for key, value in params.items()}
    if isinstance(message, Plural):
        count = int(params[message.count])
        if ngettext is not None:
            text = ngettext(message.singular, message.plural, count)
        else:
            text = message.singular if count == 1 else message.plural
        return text % {**params, message.count: count}
    text = gettext(message) if gettext else message
    return text % params  # always formatted, so a literal „%%“ reads „%“ with or without parameters


def _parameter(
    value: Any,
    gettext: Callable[[str], str] | None,
    day: Callable[[date], str] | None = None,
    ngettext: Callable[..., str] | None = None,
) -> Any:
    def word(text: str) -> str:
        return gettext(text) if gettext and isinstance(text, Term) else str(text)

    if isinstance(value, date):
        return day(value) if day else clock.fixed_date(value)
    if isinstance(value, Term):
        return word(value)
    if isinstance(value, Characters):
        return character_names(value.items, gettext=gettext)
    if isinstance(value, Sample):
        shown = ", ".join(excerpt(item, value.chars) for item in value.items[: value.shown])
        more = len(value.items) - value.shown
        if more <= 0:
            return shown
        text = ngettext(*MORE, more) if ngettext else MORE[0] if more == 1 else MORE[1]
        return text % {"items": shown, "n": more}
    if isinstance(value, Terms):
        words = [word(item) for item in value.items]
        if not value.and_ or len(words) < 2:
            return ", ".join(words)
        return f"{', '.join(words[:-1])} {gettext(AND) if gettext else AND} {words[-1]}"
    return value


_TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@cache
def _catalogue(locale: str) -> Any:
    from babel.support import Translations  # babel, not flask: the CLI renders without an application

    return Translations.load(str(_TRANSLATIONS), [locale])


def translate(error: ServiceError, locale: str = "de") -> str:
    """The error's text in ``locale`` without Flask (the CLI); German, the source language, by default."""
    if locale == "de":
        return error.render()
    catalogue = _catalogue(locale)
    return error.render(catalogue.gettext, catalogue.ngettext, lambda value: clock.format_date(value, locale))
