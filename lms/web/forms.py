"""The base of every form: Flask-WTF's CSRF protection, WTForms' own messages in the reader's language, and every
text area's line breaks counted and kept as the browser counts them (``Form.Meta.bind_field``).

WTForms brings its messages („Not a valid choice.“) with catalogues of its own. Its German catalogue leaves a few
entries fuzzy or empty, and gettext never uses those, so they would appear in English on a German page (found with
a hand-made request: an unknown org unit in a multiple choice). Those entries are filled here; everything else comes
from WTForms' catalogue, read once per language instead of once per request as Flask-WTF does.
"""

from __future__ import annotations

import functools
from datetime import date
from gettext import NullTranslations
from typing import Any

from babel import support
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, Field, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from lms import time as clock
from lms.errors import Characters, ServiceError
from lms.text import lf_line_breaks, normalised_name, unprintable_characters
from lms.web.i18n import request_locale, translate_error
from lms.web.problems import register_form

#: The German texts of the messages WTForms 3.3's catalogue leaves without a usable translation.
_GERMAN: dict[str, str] = {
    "This field cannot be edited.": "Dieses Feld kann nicht bearbeitet werden.",
    "This field is disabled and cannot have a value.": "Dieses Feld ist deaktiviert und darf keinen Wert haben.",
    "Not a valid time value.": "Keine gültige Uhrzeit.",
    "Not a valid week value.": "Keine gültige Kalenderwoche.",
}
#: Clearer texts than WTForms' own for messages people meet: its German „Ungültige Auswahl: Konnte nicht umwandeln“
#: names a type conversion, which means nothing to a user (only a forged or mangled request sends such a value).
_CLEARER: dict[str, dict[str, str]] = {
    "de": {
        "Invalid Choice: could not coerce.": "Ungültige Auswahl. Bitte wählen Sie einen Eintrag aus der Liste.",
        "Invalid choice(s): one or more data inputs could not be coerced.": (
            "Ungültige Auswahl. Bitte wählen Sie Einträge aus der Liste."
        ),
    },
    "en": {
        "Invalid Choice: could not coerce.": "Not a valid choice. Please choose an entry from the list.",
        "Invalid choice(s): one or more data inputs could not be coerced.": (
            "Not a valid choice. Please choose entries from the list."
        ),
    },
}
#: Plural messages by their singular: the singular and the plural text.
_GERMAN_PLURAL: dict[str, tuple[str, str]] = {
    "Field must be exactly %(max)d character long.": (
        "Das Feld muss genau %(max)d Zeichen lang sein.",
        "Das Feld muss genau %(max)d Zeichen lang sein.",
    ),
    "'%(value)s' is not a valid choice for this field.": (
        "„%(value)s“ ist keine gültige Auswahl für dieses Feld.",
        "„%(value)s“ sind keine gültigen Auswahlmöglichkeiten für dieses Feld.",
    ),
}


@functools.cache
def _catalogue(language: str) -> NullTranslations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class _FormMessages:
    """What WTForms asks of a translations object: ``gettext`` and ``ngettext``."""

    def gettext(self, string: str) -> str:
        language = request_locale()
        clearer = _CLEARER.get(language, {})
        if string in clearer:
            return clearer[string]
        if language == "de" and string in _GERMAN:
            return _GERMAN[string]
        return _catalogue(language).gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        language = request_locale()
        if language == "de" and singular in _GERMAN_PLURAL:
            return _GERMAN_PLURAL[singular][0 if n == 1 else 1]
        return _catalogue(language).ngettext(singular, plural, n)


_MESSAGES = _FormMessages()


def _lf_line_breaks(text: str | None) -> str | None:
    return text if text is None else lf_line_breaks(text)


class Form(FlaskForm):
    """A form of the platform (every feature's forms derive from it)."""

    class Meta:
        def get_translations(self, _form: Any) -> _FormMessages:
            return _MESSAGES

        def bind_field(self, form: Any, unbound_field: UnboundField, options: dict[str, Any]) -> Field:
            """Every text area's line breaks as ``\n`` before its checks run (lms.text.lf_line_breaks).

            The browser's ``maxlength`` counts a line break once but sends CRLF: a comment of 2,999 characters
            with 599 line breaks was refused as longer than 3,000. Here, not in each form, so that no text area's
            ``Length`` counts differently from its ``maxlength``, and every text area's text is stored with LF.
            The form's own filters run after this one (they see LF).
            """
            if issubclass(unbound_field.field_class, TextAreaField):
                filters = (_lf_line_breaks, *unbound_field.kwargs.get("filters", ()))
                options = {**options, "filters": filters}
            field = unbound_field.bind(form=form, **options)  # as WTForms' DefaultMeta does
            if field.short_name == "csrf_token":
                # The hidden token without id="csrf_token": a page with several forms (the funding page has three)
                # held that id once per form, and ids must be unique (WCAG 2.1 SC 4.1.1). Nothing refers to it.
                field.render_kw = {**(field.render_kw or {}), "id": False}
            return field

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        register_form(self)  # its errors reach the page's error summary (lms/web/problems.py)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, and every date between ``lms.time.EARLIEST_DAY`` and ``LATEST_DAY``.

        A date field takes any day Python knows; 0001-01-01 or 9999-12-31 then overflowed where a day becomes a
        moment in UTC (a 500 in the certificate export, the periods, the filters) or was stored as a workshop's day.
        """
        valid = bool(super().validate(extra_validators))
        for field in self:
            if (
                isinstance(field, DateField)
                and isinstance(field.data, date)
                and not clock.is_plausible_day(field.data)
            ):
                field.errors = [
                    *field.errors,
                    _(
                        "Bitte geben Sie ein Datum zwischen dem %(first)s und dem %(last)s an.",
                        first=clock.format_date(clock.EARLIEST_DAY, request_locale()),
                        last=clock.format_date(clock.LATEST_DAY, request_locale()),
                    ),
                ]
                valid = False
        return valid


class PrintableName:
    """A WTForms check: a name that certificates can print (lms.text.unprintable_characters), as the services check
    it, so that its message stands at the field with the form's other errors instead of after them. The message is
    the service's own (``code`` in lms.errors.MESSAGES)."""

    def __init__(self, *, municipality: bool = False) -> None:
        self.code = "municipality.name_unprintable" if municipality else "auth.name_unprintable"

    def __call__(self, _form: Any, field: Any) -> None:
        found = unprintable_characters(normalised_name(field.data or ""))  # what the service will check
        if found:
            raise ValidationError(
                translate_error(ServiceError(self.code, characters=Characters(tuple(found))))
            )
