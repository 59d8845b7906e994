"""Forms for recording live sessions (CSRF comes with lms.web.forms.Form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.web.forms import Form
from lms.workshops.models import SessionKind

#: What the list of versions offers: a workshop is run from a script (Drehbuch), a training teaches a module.
CONTENT_LABELS = {
    SessionKind.WORKSHOP: _l("Drehbuch und Version"),
    SessionKind.TRAINING: _l("Modul und Version"),
}


def name_the_content(field: SelectField, kind: SessionKind) -> None:
    """Label the list of versions after what it holds for this kind of session."""
    field.label.text = str(CONTENT_LABELS[kind])


class SessionForm(Form):
    """What both kinds of session have in common."""

    municipality_id = SelectField(_l("Kommune"), coerce=int, validators=[InputRequired()])
    module_version_id = SelectField(_l("Modul und Version"), coerce=int, validators=[InputRequired()])
    held_on = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte geben Sie das Datum an."))])
    place = StringField(
        _l("Ort"),
        description=_l("z. B. „Rathaus, Raum 2.14“ oder „online“"),
        validators=[DataRequired(_l("Bitte geben Sie den Ort an.")), Length(max=200)],
    )
    facilitator_ids = SelectMultipleField(_l("Moderation"), coerce=int)
    external_facilitators = StringField(
        _l("Weitere Moderierende ohne Konto"),
        description=_l("Namen, durch Komma getrennt (optional)"),
        validators=[Optional(), Length(max=300)],
    )
    #: The planned session whose attendance this records (from „Anwesenheit erfassen“), if any.
    planned_id = HiddenField(validators=[Optional(), Length(max=12)])


class WorkshopForm(SessionForm):
    """An empowerment workshop: a count of participants; names optional and only for the network's facilitators."""

    participant_count = IntegerField(
        _l("Zahl der Teilnehmenden"),
        validators=[InputRequired(_l("Bitte geben Sie die Zahl an.")), NumberRange(min=1, max=500)],
    )
    attendee_names = TextAreaField(
        _l("Namen der Teilnehmenden (optional)"),
        description=_l(
            "Eine Person je Zeile. Nur die Moderation, die für diesen Workshop eingetragen ist, sieht diese Liste; "
            "sie erscheint in keinem Bericht und keinem Export und wird %(days)s Tage nach dem Workshop gelöscht."
        ),
        validators=[Optional(), Length(max=20000)],
    )
    confirm_duplicate = BooleanField(
        _l("Ja, es war ein weiterer Workshop mit demselben Drehbuch am selben Tag und Ort"),
        validators=[Optional()],
    )


class TrainingForm(SessionForm):
    """An in-person training: the attendance list creates in-person completions."""

    attendees = TextAreaField(
        _l("Teilnehmende"),
        description=_l(
            "E-Mail-Adresse oder Personalnummer, eine Person je Zeile (z. B. aus der Unterschriftenliste). "
            "Für jede Person wird das Modul als „in Präsenz“ abgeschlossen."
        ),
        validators=[DataRequired(_l("Bitte tragen Sie die Teilnehmenden ein.")), Length(max=100000)],
    )


class WithdrawForm(Form):
    """Withdrawing a session recorded by mistake."""

    reason = StringField(
        _l("Grund"), validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)]
    )


class DeleteNamesForm(Form):
    """A facilitator deletes the names of a workshop's participants now (confirmed with a checkbox)."""

    confirm = BooleanField(
        _l("Ja, die Namen endgültig löschen"),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass die Namen gelöscht werden sollen."))],
    )


class RedeemForm(Form):
    """A participant types the code from their slip."""

    code = StringField(
        _l("Teilnahmecode"),
        description=_l("Der Code von Ihrem Zettel, z. B. „KFA-7Q4M-29XD-K3HB-7“."),
        validators=[DataRequired(_l("Bitte geben Sie den Code ein.")), Length(max=40)],
    )


class IssueCodesForm(Form):
    """The facilitator asks for a (new) sheet of codes."""


class PlanForm(Form):
    """Scheduling a training or workshop ahead (the municipality is the person's own)."""

    module_version_id = SelectField(_l("Modul und Version"), coerce=int, validators=[InputRequired()])
    held_on = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte geben Sie das Datum an."))])
    starts_at = TimeField(_l("Beginn"), validators=[InputRequired(_l("Bitte geben Sie den Beginn an."))])
    ends_at = TimeField(_l("Ende"), validators=[InputRequired(_l("Bitte geben Sie das Ende an."))])
    place = StringField(
        _l("Ort"),
        description=_l("z. B. „Rathaus, Raum 2.14“ oder „online“"),
        validators=[DataRequired(_l("Bitte geben Sie den Ort an.")), Length(max=200)],
    )
    capacity = IntegerField(
        _l("Plätze"),
        description=_l("Wer sich danach anmeldet, kommt auf die Warteliste."),
        validators=[
            InputRequired(_l("Bitte geben Sie die Zahl der Plätze an.")),
            NumberRange(min=1, max=500),
        ],
    )
    facilitator_ids = SelectMultipleField(_l("Moderation"), coerce=int)
    external_facilitators = StringField(
        _l("Weitere Moderierende ohne Konto"),
        description=_l("Namen, durch Komma getrennt (optional)"),
        validators=[Optional(), Length(max=300)],
    )


class RegistrationForm(Form):
    """Register for a planned session, or cancel (the button says which)."""


class AddMemberForm(Form):
    """A facilitator asks a member of staff to join the empowerment network (they agree themselves)."""

    email = StringField(
        _l("E-Mail-Adresse"),
        description=_l("Die Person wird angefragt und bestätigt ihre Einwilligung selbst unter „Termine“."),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse an.")), Length(max=254)],
    )


class RemoveMemberForm(Form):
    """A facilitator removes a member from the network."""


class AnswerNetworkRequestForm(Form):
    """The person's answer to the network's request: the button pressed (``antwort``) is the answer."""


class LeaveNetworkForm(Form):
    """A member leaves the empowerment network (confirmed with a checkbox)."""

    confirm = BooleanField(
        _l(
            "Ja, ich möchte nicht mehr zum Netzwerk gehören. Meine Anmeldungen zu kommenden Workshops werden gelöscht."
        ),
        validators=[DataRequired(_l("Bitte bestätigen Sie den Austritt."))],
    )


class CorrectionForm(Form):
    """Correcting a recorded session: what both kinds have in common, and why."""

    held_on = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte geben Sie das Datum an."))])
    place = StringField(
        _l("Ort"), validators=[DataRequired(_l("Bitte geben Sie den Ort an.")), Length(max=200)]
    )
    facilitator_ids = SelectMultipleField(_l("Moderation"), coerce=int)
    external_facilitators = StringField(
        _l("Weitere Moderierende ohne Konto"),
        description=_l("Namen, durch Komma getrennt (optional)"),
        validators=[Optional(), Length(max=300)],
    )
    reason = StringField(
        _l("Grund der Korrektur"),
        description=_l("Steht mit den alten und neuen Werten im Protokoll."),
        validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)],
    )


class CorrectWorkshopForm(CorrectionForm):
    """A workshop: the count and the names only for who may see them (the view removes the others)."""

    participant_count = IntegerField(
        _l("Zahl der Teilnehmenden"), validators=[Optional(), NumberRange(min=1, max=500)]
    )
    attendee_names = TextAreaField(
        _l("Namen der Teilnehmenden (optional)"), validators=[Optional(), Length(max=20000)]
    )
    confirm_duplicate = BooleanField(
        _l("Ja, es war ein weiterer Workshop mit demselben Drehbuch am selben Tag und Ort"),
        validators=[Optional()],
    )


class CorrectTrainingForm(CorrectionForm):
    """A training: the corrected attendance list (removing a person whose attendance created a completion is
    refused)."""

    attendees = TextAreaField(
        _l("Teilnehmende"),
        description=_l("E-Mail-Adresse oder Personalnummer, eine Person je Zeile."),
        validators=[DataRequired(_l("Bitte tragen Sie die Teilnehmenden ein.")), Length(max=100000)],
    )


class CallOffForm(Form):
    """The organisers call a planned session off (confirmed with a checkbox)."""

    confirm = BooleanField(
        _l("Ja, den Termin absagen. Alle Angemeldeten und Wartenden erhalten eine E-Mail."),
        validators=[DataRequired(_l("Bitte bestätigen Sie die Absage."))],
    )
