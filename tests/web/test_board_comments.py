"""An advisory board (Beirat) comments on the working definition for its municipality, like its coordination."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.documents.models import ConsultationComment
from lms.documents.services import add_comment
from tests import factories as f
from tests import factories_documents as fd


def test_board_member_comment_speaks_for_the_board_municipality(db: Session) -> None:
    town = f.municipality(db, "Stadt Nord")
    member = f.user(db, Role.ADVISORY_BOARD)
    member.board_municipality_id = town.id
    db.flush()
    document = fd.published_document(db)
    consultation = fd.open_window(db, document)
    add_comment(
        db,
        member,
        consultation,
        document.sections[0].id,
        "Bitte Beispiele aus dem Bürgerbüro.",
        show_name=False,
    )
    comment = db.scalar(select(ConsultationComment))
    assert comment is not None and comment.municipality_id == town.id
