"""Writing, changing and removing practice examples (authors their own; the programme office any)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import Role, User
from lms.errors import ServiceError
from lms.markdown.bounds import bound_problems
from lms.markdown.render import TOO_DEEP, find_markup_problems, render_markdown
from lms.markdown.sanitize import sanitize_html
from lms.practice.attachments import AttachmentRefused, check_attachment
from lms.practice.models import PracticeExample

#: Roles that share and read practice examples: the people who run the programme in the municipalities.
SHARING_ROLES = (Role.COORDINATOR, Role.TRAINER, Role.FACILITATOR, Role.ADMIN)


class PracticeRefused(ServiceError, ValueError):
    """The example cannot be saved as given."""


@dataclass(frozen=True)
class ExampleInput:
    """What the form gives."""

    title: str
    body: str
    module_id: int | None
    file_name: str | None = None
    file_data: bytes | None = None
    remove_file: bool = False


def may_edit(user: User, example: PracticeExample) -> bool:
    """The author changes their own example; the programme office may change or remove any (moderation)."""
    return user.has_role(Role.ADMIN) or (
        example.created_by_id is not None and example.created_by_id == user.id
    )


def _rendered(body: str) -> str:
    problems = bound_problems(body, "Praxisbeispiel")
    if problems:
        raise PracticeRefused("practice.text_too_complex")
    # Lists or quotes nested deeper than the renderer goes: the rest of the text would be lost without a word.
    for problem in find_markup_problems(body, "Praxisbeispiel", 0):
        if problem.message == TOO_DEEP:
            raise PracticeRefused("practice.text_too_deep", line=problem.line)
    return sanitize_html(render_markdown(body))


def save_example(
    session: Session, actor: User, data: ExampleInput, example: PracticeExample | None = None
) -> PracticeExample:
    """Create or change an example: the text is rendered and sanitised once, an attachment checked by content."""
    title = " ".join(data.title.split())
    if not title:
        raise PracticeRefused("practice.title_missing")
    if not data.body.strip():
        raise PracticeRefused("practice.body_missing")
    html = _rendered(data.body)
    if example is None:
        example = PracticeExample(created_by_id=actor.id, municipality_id=actor.municipality_id)
        session.add(example)
    else:
        example.updated_at = clock.now()
    example.title = title
    example.body = data.body
    example.body_html = html
    example.module_id = data.module_id
    if data.file_data is not None:
        try:
            name, media_type = check_attachment(data.file_name or "", data.file_data)
        except AttachmentRefused as refused:
            raise PracticeRefused(f"practice.file_{refused.code}") from None
        example.file_name, example.file_type = name, media_type
        example.file_data, example.file_size = data.file_data, len(data.file_data)
    elif data.remove_file:
        example.file_name = example.file_type = example.file_data = example.file_size = None
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="practice.saved",
        object_type="practice_example",
        object_id=example.id,
    )
    return example


def delete_example(session: Session, actor: User, example: PracticeExample) -> None:
    """Remove an example (audited with its title)."""
    record_event(
        session,
        actor_id=actor.id,
        action="practice.deleted",
        object_type="practice_example",
        object_id=example.id,
        title=example.title,
    )
    session.delete(example)
    session.flush()
