"""The consultation lifecycle through the services: open → comment → own visible, others hidden → close → all
visible, attributed to the municipality → answer each → the next version with the table of answers → diff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.content.diff import line_diff
from lms.db import ImmutableError
from lms.documents.models import (
    CommentAnswer,
    ConsultationComment,
    ConsultationStatus,
    DocumentSection,
    DocumentVersion,
    Verdict,
)
from lms.documents.parse import parse_document
from lms.documents.queries import current_document, visible_comments
from lms.documents.services import (
    MAX_COMMENT_CHARS,
    DocumentError,
    add_comment,
    answer_comment,
    change_window,
    close_consultation,
    open_consultation,
    publish_document,
)
from lms.scope import COMMAND_LINE, OutOfScope
from tests import factories as f
from tests import factories_documents as fd


def _people(db: Session):  # type: ignore[no-untyped-def]
    town_a, town_b = f.municipality(db, "Stadt Nord"), f.municipality(db, "Landkreis Süd")
    return {
        "admin": f.user(db, Role.ADMIN),
        "trainer": f.user(db, Role.TRAINER),
        "coordinator_a": f.user(db, Role.COORDINATOR, municipality_id=town_a.id, name="Jonas Weber"),
        "coordinator_b": f.user(db, Role.COORDINATOR, municipality_id=town_b.id, name="Ute Berg"),
        "facilitator_b": f.user(db, Role.FACILITATOR, municipality_id=town_b.id, name="Aylin Kaya"),
        "learner_a": f.user(db, Role.LEARNER, municipality_id=town_a.id),
        "towns": (town_a, town_b),
    }


def test_the_whole_lifecycle(db: Session) -> None:
    p = _people(db)
    v1 = fd.published_document(db)
    assert current_document(db, fd.SLUG).consultation_status is ConsultationStatus.NONE  # type: ignore[union-attr]

    consultation = fd.open_window(db, v1)
    assert consultation.status is ConsultationStatus.OPEN
    purpose, icerd, agg = v1.sections
    mine = add_comment(
        db, p["coordinator_a"], consultation, icerd.id, "  Bitte „Volkstum“ erklären.  ", show_name=False
    )
    theirs = add_comment(db, p["facilitator_b"], consultation, agg.id, "Beispiel ergänzen.", show_name=True)
    add_comment(db, p["coordinator_b"], consultation, purpose.id, "Klingt gut.", show_name=False)
    assert mine.body == "Bitte „Volkstum“ erklären." and mine.shown_name is None
    assert theirs.shown_name == "Aylin Kaya"
    assert mine.municipality_id == p["towns"][0].id  # the comment speaks for the municipality

    # During the window: everyone sees only their own; the office sees all; learners and trainers nothing.
    assert visible_comments(db, p["coordinator_a"], consultation) == [mine]
    assert [c.body for c in visible_comments(db, p["facilitator_b"], consultation)] == ["Beispiel ergänzen."]
    assert len(visible_comments(db, p["admin"], consultation)) == 3
    assert visible_comments(db, p["trainer"], consultation) == []
    assert visible_comments(db, p["learner_a"], consultation) == []

    # Answers wait for the end of the window; so does the next version.
    with pytest.raises(DocumentError) as not_yet:
        answer_comment(db, p["admin"], mine, Verdict.ADOPTED, "Wird erklärt.")
    assert not_yet.value.code == "answer.not_yet"
    v2_doc = parse_document(fd.document_source("0.2", extra="\n\nMit Erklärung von „Volkstum“."), fd.PATH)
    with pytest.raises(DocumentError) as running:
        publish_document(db, v2_doc, path=fd.PATH, actor_id=None)
    assert running.value.code == "document.consultation_not_ended"

    close_consultation(db, COMMAND_LINE, consultation)
    assert consultation.status is ConsultationStatus.CLOSED
    with pytest.raises(DocumentError) as closed:
        add_comment(db, p["coordinator_a"], consultation, icerd.id, "Noch etwas.", show_name=False)
    assert closed.value.code == "consultation.not_open"

    # After the window: everyone taking part reads all comments (learners read the answers with the next version).
    ordered = [c.body for c in visible_comments(db, p["coordinator_b"], consultation)]
    assert ordered == ["Klingt gut.", "Bitte „Volkstum“ erklären.", "Beispiel ergänzen."]  # in section order
    assert len(visible_comments(db, p["trainer"], consultation)) == 3
    assert visible_comments(db, p["learner_a"], consultation) == []

    answer_comment(db, p["admin"], mine, Verdict.ADOPTED, "Wird im Abschnitt erklärt.")
    answer_comment(db, p["admin"], theirs, Verdict.NOT, "Kommt in die Handlungsempfehlungen.")
    with pytest.raises(DocumentError) as unanswered:
        publish_document(db, v2_doc, path=fd.PATH, actor_id=None)
    assert unanswered.value.code == "document.answers_missing" and unanswered.value.params["n"] == 1
    last = next(c for c in consultation.comments if c.answer is None)
    answer_comment(db, p["admin"], last, Verdict.PARTLY, "Danke.")
    answer_comment(
        db, p["admin"], theirs, Verdict.PARTLY, "Teilweise: ein Beispiel kommt hinzu."
    )  # revisable

    v2, problem = publish_document(
        db, v2_doc, path=fd.PATH, actor_id=p["admin"].id, change_note="Nach der Konsultation"
    )
    assert problem is None and v2 is not None and v2.number == 2
    assert consultation.status is ConsultationStatus.CONCLUDED and consultation.concluded_by_id == v2.id
    town_a, town_b = p["towns"]
    assert v2.response_table == [
        {
            "section": "Zweck",
            "anchor": "zweck",
            "municipality": town_b.name,
            "name": "",
            "comment": "Klingt gut.",
            "verdict": "partly",
            "reason": "Danke.",
        },
        {
            "section": "Bezug zu ICERD Art. 1",
            "anchor": "bezug-zu-icerd-art-1",
            "municipality": town_a.name,
            "name": "",
            "comment": "Bitte „Volkstum“ erklären.",
            "verdict": "adopted",
            "reason": "Wird im Abschnitt erklärt.",
        },
        {
            "section": "Bezug zum AGG",
            "anchor": "bezug-zum-agg",
            "municipality": town_b.name,
            "name": "Aylin Kaya",
            "comment": "Beispiel ergänzen.",
            "verdict": "partly",
            "reason": "Teilweise: ein Beispiel kommt hinzu.",
        },
    ]
    with pytest.raises(DocumentError) as frozen:
        answer_comment(db, p["admin"], mine, Verdict.NOT, "Doch nicht.")
    assert frozen.value.code == "answer.concluded"

    diff = line_diff(v1.source, v2.source)
    assert (diff.added, diff.removed) == (3, 1) and any(
        "Volkstum" in row.text for hunk in diff.hunks for row in hunk.rows
    )

    summary = current_document(db, fd.SLUG)
    assert summary is not None
    assert (summary.version_label, summary.consultation_status, summary.answers_published) == (
        "0.2",
        ConsultationStatus.NONE,
        True,
    )
    assert summary.icerd_section is not None and summary.icerd_section.title == "Bezug zu ICERD Art. 1"
    assert "Beschränkung" in summary.icerd_section.source and "<p>" in summary.icerd_section.html
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("consultation.%"))))
    assert actions == {"consultation.open", "consultation.close", "consultation.answer"}


def test_a_version_without_consultation_is_followed_without_answers(db: Session) -> None:
    fd.published_document(db)
    v2, _ = publish_document(
        db, parse_document(fd.document_source("0.2", extra=" Neu."), fd.PATH), path=fd.PATH, actor_id=None
    )
    assert v2 is not None and v2.response_table == []
    same, problem = publish_document(
        db, parse_document(fd.document_source("0.2", extra=" Neu."), fd.PATH), path=fd.PATH, actor_id=None
    )
    assert same is None and problem is None  # the same text again: nothing to publish
    _, taken = publish_document(
        db, parse_document(fd.document_source("0.2", extra=" Anders."), fd.PATH), path=fd.PATH, actor_id=None
    )
    assert taken is not None and "Version 0.2 ist bereits" in taken.message and taken.line == 4


def test_window_rules(db: Session, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(clock.now(), tick=False)
    admin = f.user(db, Role.ADMIN)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    v1 = fd.published_document(db)
    today = clock.today()
    day = timedelta(days=1)
    cases = {
        "consultation.dates_order": (today + 3 * day, today + day),
        "consultation.starts_in_past": (today - day, today + day),
        "consultation.too_long": (today, today + 400 * day),
    }
    for code, (start, end) in cases.items():
        with pytest.raises(DocumentError) as refused:
            open_consultation(db, admin, v1, start, end)
        assert refused.value.code == code
    with pytest.raises(OutOfScope):
        open_consultation(db, coordinator, v1, today, today + day)

    planned = open_consultation(db, admin, v1, today + day, today + 10 * day)
    assert planned.status is ConsultationStatus.PLANNED
    with pytest.raises(DocumentError) as twice:
        open_consultation(db, admin, v1, today + day, today + 10 * day)
    assert twice.value.code == "consultation.exists"
    with pytest.raises(DocumentError) as early:
        add_comment(db, coordinator, planned, v1.sections[0].id, "Zu früh.", show_name=False)
    assert early.value.code == "consultation.not_open"
    change_window(db, admin, planned, today, today + 10 * day)  # before it opens, both days may move
    assert planned.status is ConsultationStatus.OPEN
    with pytest.raises(DocumentError) as fixed:
        change_window(db, admin, planned, today + day, today + 10 * day)
    assert fixed.value.code == "consultation.start_fixed"
    change_window(db, admin, planned, today, today + 2 * day)  # its end may move while it runs

    time_machine.shift(timedelta(days=3))  # the day after the last day: closed by the calendar (Berlin days)
    assert planned.status is ConsultationStatus.CLOSED and planned.ended_on == today + 2 * day
    with pytest.raises(DocumentError) as ended:
        change_window(db, admin, planned, today, today + 20 * day)
    assert ended.value.code == "consultation.ended"
    with pytest.raises(DocumentError) as not_running:
        close_consultation(db, admin, planned)
    assert not_running.value.code == "consultation.close_not_open"


def test_only_the_current_version_is_consulted_on(db: Session) -> None:
    v1 = fd.published_document(db)
    publish_document(
        db, parse_document(fd.document_source("0.2", extra=" Neu."), fd.PATH), path=fd.PATH, actor_id=None
    )
    db.refresh(v1.document)
    with pytest.raises(DocumentError) as old:
        fd.open_window(db, v1)
    assert old.value.code == "consultation.not_current"


def test_comment_rules(db: Session) -> None:
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    trainer = f.user(db, Role.TRAINER)
    v1 = fd.published_document(db)
    other = fd.published_document(db, slug="handlungsempfehlungen-test")
    consultation = fd.open_window(db, v1)
    section = v1.sections[0].id
    for person, text, code in (
        (learner, "Hallo", "comment.not_allowed"),
        (trainer, "Hallo", "comment.not_allowed"),
        (coordinator, "   \n ", "comment.empty"),
        (coordinator, "x" * (MAX_COMMENT_CHARS + 1), "comment.too_long"),
    ):
        with pytest.raises(DocumentError) as refused:
            add_comment(db, person, consultation, section, text, show_name=False)
        assert refused.value.code == code
    with pytest.raises(DocumentError) as foreign:
        add_comment(
            db, coordinator, consultation, other.sections[0].id, "Falsches Dokument.", show_name=False
        )
    assert foreign.value.code == "comment.section_unknown"
    assert len(
        add_comment(db, coordinator, consultation, section, "x" * MAX_COMMENT_CHARS, show_name=False).body
    ) == (MAX_COMMENT_CHARS)


def test_published_versions_comments_and_concluded_windows_are_immutable(db: Session) -> None:
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    admin = f.user(db, Role.ADMIN)
    v1 = fd.published_document(db)
    consultation = fd.open_window(db, v1)
    comment = add_comment(db, coordinator, consultation, v1.sections[0].id, "Original.", show_name=False)
    db.flush()

    for target, attribute, value in (
        (v1, "title", "Anders"),
        (v1, "response_table", [{"section": "erfunden"}]),
        (v1.sections[0], "html", "<p>anders</p>"),
        (comment, "body", "Nachträglich geändert."),
        (comment, "shown_name", "Jemand"),
    ):
        with db.begin_nested() as attempt:
            setattr(target, attribute, value)
            with pytest.raises(ImmutableError):
                db.flush()
            attempt.rollback()
        db.expire_all()

    close_consultation(db, admin, consultation)
    answer_comment(db, admin, db.get(ConsultationComment, comment.id), Verdict.ADOPTED, "Ja.")  # type: ignore[arg-type]
    publish_document(
        db, parse_document(fd.document_source("0.2", extra=" Neu."), fd.PATH), path=fd.PATH, actor_id=None
    )
    db.flush()
    with db.begin_nested() as attempt:
        consultation.closes_on = consultation.closes_on + timedelta(days=5)
        with pytest.raises(ImmutableError):
            db.flush()
        attempt.rollback()
    # The stored rows still say what was published.
    db.expire_all()
    assert db.get(DocumentVersion, v1.id).title == "Arbeitsdefinition (Test)"  # type: ignore[union-attr]
    assert db.scalar(
        select(DocumentSection.html).where(DocumentSection.version_id == v1.id, DocumentSection.position == 1)
    )
    assert db.scalar(select(ConsultationComment.body)) == "Original."
    assert db.scalar(select(CommentAnswer.reason)) == "Ja."
