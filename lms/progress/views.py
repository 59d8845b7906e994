"""The learner's pages: „Meine Module“, reading a module section by section, „Meine Nachweise“."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from lms import time as clock
from lms.content.models import Module, ModuleKind, ModuleVersion
from lms.content.queries import SectionText, version_sections, visible_module
from lms.orgs.plans import due_dates_for
from lms.progress import queries
from lms.progress.renewal import is_renewable
from lms.progress.services import record_section_read
from lms.quizzes.services import current_quiz_version, quizzes_used_up
from lms.web.access import acting_user
from lms.web.database import get_db

bp = Blueprint("progress", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """The start page is „Meine Module“."""
    return redirect(url_for("progress.my_modules"))


@bp.get("/module")
@login_required
def my_modules() -> ResponseReturnValue:
    """„Meine Module“: the person's training modules with a progress bar each; those in their training plan first."""
    db, user = get_db(), acting_user()
    rows = queries.my_modules(db, user)
    today = clock.today()
    due = due_dates_for(db, user, today)
    rows.sort(
        key=lambda row: (row.module.id not in due, due.get(row.module.id, date.max))
    )  # stable otherwise
    renewable = {row.module.id for row in rows if row.completion and is_renewable(row.completion, today)}
    return render_template(
        "progress/my_modules.html",
        rows=rows,
        due=due,
        today=today,
        renewable=renewable,
        used_up=quizzes_used_up(db, user, [row.version.id for row in rows]),
    )


#: Sections of published versions by (version id, renderer version), kept by the app between requests.
_SECTIONS = "lms.version_sections"
#: Versions whose sections are kept; the whole curriculum fits many times over.
_MAX_CACHED_VERSIONS = 512


def _sections(version: ModuleVersion) -> tuple[SectionText, ...]:
    """The version's sections, read once per process: a published version never changes.

    ``lms content rerender`` renews the HTML under a new renderer version, which is part of the key; a forced
    re-render under the same renderer version shows once the web processes restart (as after any deployment).
    """
    cache: dict[tuple[int, str], tuple[SectionText, ...]] = current_app.extensions.setdefault(_SECTIONS, {})
    key = (version.id, version.renderer_version)
    found = cache.get(key)
    if found is None:
        found = version_sections(get_db(), version.id)
        if len(cache) >= _MAX_CACHED_VERSIONS:
            cache.clear()
        cache[key] = found
    return found


def _readable_module(slug: str) -> tuple[Module, ModuleVersion, bool]:
    """The module to read and whether it is retired content, readable only for those who completed it (read-only)."""
    db, user = get_db(), acting_user()
    found = visible_module(db, user, slug)
    if found is not None:
        return found[0], found[1], False
    retired = queries.retired_module_for_completer(db, user, slug)
    if retired is None:
        abort(404)
    return retired[0], retired[1], True


@bp.get("/module/<slug>")
@login_required
def module_overview(slug: str) -> ResponseReturnValue:
    """A module's overview: what it is about, its sections, where to continue, the quiz."""
    db, user = get_db(), acting_user()
    module, version, retired = _readable_module(slug)
    sections = _sections(version)
    read = queries.read_section_ids(db, user, version)
    position = queries.resume_positions(db, user, [version.id]).get(version.id, 1)  # the card's rule too
    next_section = next((s for s in sections if s.position == position), sections[0])
    completion, changes = queries.valid_completion(db, user, version)
    return render_template(
        "progress/module_overview.html",
        module=module,
        version=version,
        sections=sections,
        read=read,
        next_section=next_section,
        is_workshop=module.kind == ModuleKind.WORKSHOP,
        quiz_version=None if retired else current_quiz_version(db, module),
        completion=completion,
        changes=changes,
        renewable=completion is not None and is_renewable(completion, clock.today()),
        retired=retired,
    )


@bp.get("/module/<slug>/abschnitt/<int:position>")
@login_required
def section(slug: str, position: int) -> ResponseReturnValue:
    """One section of a module; opening it records the reading progress."""
    db, user = get_db(), acting_user()
    module, version, retired = _readable_module(slug)
    sections = _sections(version)
    if not 1 <= position <= len(sections):
        abort(404)
    current = sections[position - 1]
    reads = queries.section_reads(db, user, version)
    if not retired:  # retired content is read-only: reading it records nothing
        record_section_read(db, user, current.id, reads)
    following = sections[position] if position < len(sections) else None
    return render_template(
        "progress/section.html",
        module=module,
        version=version,
        sections=sections,
        section=current,
        previous=sections[position - 2] if position > 1 else None,
        following=following,
        read=set(reads) | {current.id},
        is_workshop=module.kind == ModuleKind.WORKSHOP,
        # Only the last section links to the quiz; retired content has none.
        quiz_version=current_quiz_version(db, module) if following is None and not retired else None,
        retired=retired,
    )
