"""Forms of the programme feature: grants, measures, the funding import, migrant organisations, federal state."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from lms.orgs.states import FEDERAL_STATES
from lms.programme.models import (
    MEASURE_KIND_LABELS,
    PARTICIPATION_FORMAT_LABELS,
    MeasureKind,
    ParticipationFormat,
)
from lms.programme.money import AmountInvalid, AmountTooLarge, parse_amount
from lms.web.forms import Form


class AmountField(StringField):
    """An amount of money as the person writes it in their language; ``cents`` holds the value once validated."""

    cents: int | None = None

    def pre_validate(self, form: Form) -> None:
        self.cents = None
        text = (self.data or "").strip()
        if not text:
            if self.raw_data and self.raw_data[0]:
                # Only spaces: InputRequired lets them through, and the form would be valid without an amount.
                required = next((v for v in self.validators if isinstance(v, InputRequired)), None)
                raise StopValidation(
                    required.message if required and required.message else _l("Pflichtfeld.")
                )
            return  # nothing at all: InputRequired says so
        try:
            self.cents = parse_amount(text, str(get_locale() or "de"))
        except AmountTooLarge:
            raise ValidationError(
                _l("Der Betrag ist zu groß: höchstens 100.000.000,00 € je Eintrag.")
            ) from None
        except AmountInvalid:
            raise ValidationError(
                _l("Bitte geben Sie einen Betrag wie 10.000,00 an (ohne Minuszeichen).")
            ) from None


def _required(message: str) -> list[object]:
    return [InputRequired(message)]


class GrantForm(Form):
    """The funds granted to a municipality for the shown programme year."""

    amount = AmountField(
        _l("Bewilligte Mittel (Euro)"),
        description=_l("Für das gewählte Programmjahr, z. B. 10.000,00."),
        validators=[InputRequired(_l("Bitte geben Sie einen Betrag an.")), Length(max=40)],
        # Its own id: the measure's form on the same page has an „amount“ too, and two fields with one id left the
        # measure's without a name for screen readers and sent its error link to this one (a QA sweep).
        id="grant-amount",
    )


class MeasureForm(Form):
    """A funded measure."""

    kind = SelectField(
        _l("Art der Maßnahme"),
        choices=[SelectChoice(kind.value, _l(MEASURE_KIND_LABELS[kind])) for kind in MeasureKind],
        validators=[InputRequired()],
    )
    amount = AmountField(
        _l("Betrag (Euro)"),
        validators=[InputRequired(_l("Bitte geben Sie einen Betrag an.")), Length(max=40)],
        id="measure-amount",
    )
    occurred_on = DateField(
        _l("Datum"),
        description=_l("Tag der Zahlung oder des Beginns; er ordnet die Maßnahme einem Programmjahr zu."),
        validators=[InputRequired(_l("Bitte geben Sie ein Datum an."))],
    )
    description = TextAreaField(
        _l("Beschreibung"),
        validators=[
            InputRequired(_l("Bitte beschreiben Sie die Maßnahme.")),
            Length(max=2000, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )


class FundingImportForm(Form):
    """Upload of a funding file."""

    file = FileField(
        _l("Förderdatei (Excel oder CSV)"),
        description=_l(
            "Eine Zeile je Maßnahme oder Bewilligung. Spalten: Kommune, Art (Personalstellen, Fortbildungen, "
            "Externe Beratung, Sonstige oder Bewilligung), Betrag, Datum, Beschreibung."
        ),
        validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
    )


class ApplyFundingImportForm(Form):
    """Confirming a previewed funding file."""

    skip_invalid = BooleanField(_l("Fehlerhafte Zeilen überspringen und die übrigen übernehmen"))


class OrganisationForm(Form):
    """A migrant organisation's participation in one programme year."""

    name = StringField(
        _l("Name der Organisation"),
        validators=[InputRequired(_l("Bitte geben Sie den Namen an.")), Length(max=200)],
    )
    seat = StringField(
        _l("Sitz (Ort)"), validators=[InputRequired(_l("Bitte geben Sie den Ort an.")), Length(max=120)]
    )
    participation = SelectField(
        _l("Form der Beteiligung"),
        choices=[
            SelectChoice(value.value, _l(PARTICIPATION_FORMAT_LABELS[value])) for value in ParticipationFormat
        ],
        validators=[InputRequired()],
    )
    period_id = SelectField(_l("Programmjahr"), coerce=int, validators=[InputRequired()])
    may_be_named = BooleanField(
        _l("Die Organisation ist damit einverstanden, in veröffentlichten Berichten genannt zu werden"),
        description=_l("Ohne Einverständnis wird sie in Berichten nur mitgezählt, nie genannt."),
    )


class FederalStateForm(Form):
    """The federal state a municipality belongs to."""

    federal_state = SelectField(
        _l("Bundesland"),
        choices=[SelectChoice(state, state) for state in FEDERAL_STATES],
        validators=[InputRequired()],
    )


def amount_cents(field: Field) -> int:
    """The validated amount of an AmountField."""
    cents = getattr(field, "cents", None)
    assert cents is not None, "validate the form first"
    return int(cents)
