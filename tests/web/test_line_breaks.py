"""A text area's line break counts once, as the browser's maxlength counts it, though the browser sends CRLF.

A QA sweep: a comment of 2,999 characters with 599 line breaks, typed into a textarea with maxlength="3000", was
refused „Höchstens 3000 Zeichen“ (the server counted 3,598). Every text area of a form (lms.web.forms.Form) and the
self-assessment's free text (no WTForms form) count and store LF.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import TextAreaField
from wtforms.validators import Length

from lms.auth.models import Role
from lms.documents.models import ConsultationComment
from lms.evaluation.models import BoardAssessment, SurveyAnswer
from lms.evaluation.parse import parse_survey
from lms.evaluation.services import publish_survey
from lms.programme.models import Measure
from lms.web.forms import Form
from tests import factories as f
from tests import factories_documents as fd
from tests.integration.evaluation.conftest import SURVEY


def _typed(lines: int, width: int) -> tuple[str, str]:
    """(what the browser sends, what its maxlength counted): ``lines`` lines of ``width`` letters."""
    rows = [chr(ord("a") + n % 26) * width for n in range(lines)]
    return "\r\n".join(rows), "\n".join(rows)


def _post(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, "/profil"), **fields})


def test_a_comment_of_2999_characters_with_599_line_breaks_is_sent(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    fd.open_window(db, fd.published_document(db))
    f.login(client, coordinator.email)
    page = client.get(f"/dokumente/{fd.SLUG}").text
    assert 'maxlength="3000"' in page
    sent, counted = _typed(600, 4)
    assert len(counted) == 2999 and len(sent) == 3598
    answer = _post(client, f"/dokumente/{fd.SLUG}/versionen/1/abschnitte/1/kommentare", body=sent)
    assert answer.status_code == 303, answer.text
    assert "ist gespeichert" in client.get(answer.headers["Location"]).text
    assert db.scalar(select(ConsultationComment.body)) == counted
    # One character more than the field allows is still refused, with the text kept.
    longer = _post(client, f"/dokumente/{fd.SLUG}/versionen/1/abschnitte/2/kommentare", body=sent + "\r\nzz")
    assert longer.status_code == 422 and "Höchstens 3000 Zeichen." in longer.text


def test_the_boards_assessment_and_a_measure_count_a_line_break_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Kommune A")
    period = f.period(db)
    member = f.user(db, Role.ADVISORY_BOARD, email="beirat@kommune-a.example", name="Ayşe Beirat")
    member.board_municipality_id = town.id
    db.flush()
    f.login(client, member.email)
    page = client.get(f"/kommunen/{town.slug}/evaluation").text
    period_id = re.search(r'<option value="(\d+)" selected', page)
    assert period_id
    sent, counted = _typed(200, 49)  # 9,999 characters with 199 line breaks
    saved = _post(
        client,
        f"/kommunen/{town.slug}/evaluation/einschaetzung",
        period_id=period_id.group(1),
        assessed_on=period.starts_on.isoformat(),
        authors="A. Yilmaz für den Beirat",
        text=sent,
    )
    assert saved.status_code == 303, saved.text
    assert db.scalar(select(BoardAssessment.text)) == counted

    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, f.user(db, Role.ADMIN).email)
    sent, _counted = _typed(100, 19)  # 1,999 characters with 99 line breaks
    done = _post(
        client,
        f"/kommunen/{town.slug}/foerderung/massnahmen",
        kind="training",
        amount="1.000,00",
        occurred_on=period.starts_on.isoformat(),
        description=sent,
    )
    assert done.status_code == 303, done.text
    assert db.scalar(select(Measure.description)) == " ".join(sent.split())  # one line in the list


def test_a_free_text_answer_of_the_self_assessment_is_kept_whole(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The survey cut its free text at 2,000 characters counted with CRLF: the end of the answer was lost."""
    version = f.published_module(db)
    publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    town = f.municipality(db, "Kommune A")
    f.login(client, f.user(db, Role.LEARNER, municipality_id=town.id).email)
    url = f"/module/testmodul/selbsteinschaetzung/{version.id}/vorher"
    assert 'maxlength="2000"' in client.get(url).text
    sent, counted = _typed(200, 9)  # 1,999 characters with 199 line breaks
    saved = client.post(url, data={"csrf_token": f.csrf_token(client, url), "i3": sent})
    assert saved.status_code == 303
    assert db.scalar(select(SurveyAnswer.text)) == counted


class _Note(Form):
    note = TextAreaField(validators=[Length(max=5)], filters=[lambda text: text and text.upper()])


def test_every_text_area_of_a_form_counts_and_keeps_lf(app: Flask) -> None:
    """Any form's text area, not only those above: the base form does it, before the form's own filters."""
    with app.test_request_context(method="POST", data={"note": "a\r\nb\rc"}):
        form = _Note(meta={"csrf": False})
        assert form.validate(), form.errors
        assert form.note.data == "A\nB\nC"
