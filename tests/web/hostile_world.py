"""The hostile world: one municipality where every field someone types carries payloads (tests/web/hostile.py).

Built through the services the product uses; what people type into forms is added by the tests through the forms.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from tests.web.hostile import (
    IMG,
    JINJA,
    JINJA_CONFIG,
    JS_LINK,
    META,
    RLO,
    SCRIPT,
    code,
    hostile,
    hostile_filename,
)

# --- the world: one municipality where every field someone types carries a payload -----------------------------

PASSWORD = "richtig-langes-passwort-für-tests"
#: Fields that no page shows as typed, by design (the reason is in the description).
UNSEEN_BY_DESIGN = {
    "ua": "the devices list shows only browser and system recognised in the User-Agent, never the header itself",
    "zipname": "an uploaded archive's own name is kept only as the audit event's object id, which no page lists",
}


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def module_source(
    slug: str, *, kind: str = "training", version: str = "1.0", n: int = 0, bad_links: bool = False
) -> str:
    """A module whose every field carries payloads; ``bad_links`` adds javascript:/data: links (refused at publish)."""
    # No right-to-left override in a title: the content check refuses it, as a certificate could not print it.
    title = hostile("mtitle", "module title (front matter)", n).replace(RLO, "")
    summary = hostile("msummary", "module summary (front matter)", n + 1, long=True, limit=400)
    audience = hostile("maudience", "module audience (front matter)", n + 2)
    objective = hostile("mobjective", "module objective (front matter)", n + 3)
    materials = (
        f"materials:\n  - {_yaml(hostile('mmaterial', 'workshop materials (front matter)', n))}\n"
        if kind == "workshop"
        else ""
    )
    phase = " (20 Min.)" if kind == "workshop" else ""
    sections = [
        hostile("msection", "section title (## heading)", n, limit=150) + phase,
        f"Zweiter Abschnitt {code('mheading', 'section title (## heading)')} {SCRIPT}{phase}",
        f"Dritter Abschnitt {JINJA}{phase}",
    ]
    body = (
        f"{code('mbody', 'module text (Markdown body)')} Roher Text: {IMG} {SCRIPT} {META} {JINJA} {JINJA_CONFIG}\n\n"
        f'<a href="{JS_LINK}">roher Link</a> und <script>alert(1)</script>\n\n'
        + (
            f"[Markdown-Link]({JS_LINK}) und <{JS_LINK}> und [daten](data:text/html,<script>alert(1)</script>)\n\n"
            if bad_links
            else ""
        )
        + f"::: hinweis\n{IMG} im Hinweis\n:::\n"
    )
    moderation = (
        f"\n::: moderation\n{code('mmoderation', 'moderation notes')} {IMG}\n:::\n"
        if kind == "workshop"
        else ""
    )
    return (
        "---\n"
        f"slug: {slug}\n"
        f"title: {_yaml(title)}\n"
        f"kind: {kind}\n"
        f'version: "{version}"\n'
        f"summary: {_yaml(summary)}\n"
        f"duration_minutes: {60 if kind == 'workshop' else 30}\n"
        f"audience: {_yaml(audience)}\n"
        f"objectives:\n  - {_yaml(objective)}\n"
        f"{materials}"
        "language: de\n"
        "---\n\n"
        f"{body}\n"
        f"## {sections[0]}\n\n{IMG} Text im ersten Abschnitt.{moderation}\n\n"
        f"## {sections[1]}\n\n`{SCRIPT}` als Code und {META}\n\n"
        f"## {sections[2]}\n\n| Spalte {IMG} |\n|---|\n| {SCRIPT} |\n"
    )


def draft_source(slug: str, version: str, n: int) -> str:
    """An unpublishable draft: its title (the draft's label in lists) and javascript:/data: links."""
    source = module_source(slug, version=version, n=n, bad_links=True)
    marker = code("draft", "draft label (title of an open draft)")
    return source.replace(code("mtitle", "module title (front matter)"), marker) + f"\n{IMG}\n"


def quiz_source(module: str) -> str:
    """Six single-choice questions, a text input and an ordering question, each with payloads everywhere."""
    questions = []
    for n in range(1, 7):
        title = hostile("qtitle", "quiz question (## heading)", n, limit=150)
        option = hostile("qoption", "quiz answer option", n, limit=150)
        explanation = f"{code('qexplain', 'quiz explanation')} {IMG} {SCRIPT} {JINJA}"
        questions.append(
            f"## {title} Frage {n}\n\n{code('qstem', 'quiz question text')} {IMG}\n\n"
            f"[( )] falsch {n} {SCRIPT}\n[(X)] {option}\n[( )] {JINJA} auch falsch {n}\n"
            f"***\n{explanation}\n***\n"
        )
    accepted = f"{code('qaccepted', 'accepted text answer')} {SCRIPT}"
    questions.append(f"## Texteingabe {IMG}\n\n[[{accepted} | {JINJA}]]\n***\nErklärung {META}\n***\n")
    steps = "\n".join(
        f"[[{p}]] {code('qstep', 'ordering step')} Schritt {p} {IMG if p == 1 else SCRIPT}" for p in (1, 2, 3)
    )
    questions.append(f"## Reihenfolge {SCRIPT}\n\n{steps}\n***\nErklärung {IMG}\n***\n")
    return (
        f"---\nmodule: {module}\npass_mark: 50\nshuffle: false\nmax_attempts: 0\n"
        "review: {correctness: always, right_answer: always, explanation: always}\n---\n\n"
        + "\n".join(questions)
    )


def png_bytes(red: int = 200) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (red, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiny_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


@dataclass
class World:
    """The hostile municipality's people and objects, and what the URLs need."""

    people: dict[str, Any]
    args: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)


#: The people of the hostile municipality (and the programme-wide roles), with their roles.
PEOPLE = {
    "learner": ("LEARNER",),
    "coordinator": ("COORDINATOR", "LEARNER"),
    "facilitator": ("FACILITATOR", "LEARNER"),
    "trainer": ("TRAINER",),
    "admin": ("ADMIN",),
}
#: Local parts of e-mail addresses, as far as the address check (email-validator, RFC 5322 dot-atoms) lets them
#: through: formula starts, quotes, braces and pipes are allowed characters; parentheses, colons and a second @ not.
MAIL_LOCAL_PARTS = {
    "learner": "=hyperlink-1+ux-mail-{{7*7}}",
    "coordinator": "+sum-1'onmouseover=alert-1'",
    "facilitator": "-1+1javascript-alert-1",
    "trainer": "-cmd|'/c-calc'!a0",  # the DDE payload; "@cmd@…" (two @) is refused everywhere now
    "admin": "=1+1{{config}}",
}


def _certified_learner(db: Any, town: Any, version: Any, email: str, name: str, base_url: str) -> Any:
    """A learner of the town who completed the module version online, with the certificate issued to them."""
    from lms.auth.models import Role
    from lms.auth.services import create_user
    from lms.certificates.services import issue_for_completion
    from tests import factories as f

    person = create_user(
        db,
        email=email,
        display_name="Lernende Person",
        password=None,
        roles={Role.LEARNER},
        municipality_id=town.id,
    )
    person.display_name = name  # as above: stored past the name checks
    completion = f.completion(db, person, version)
    return issue_for_completion(db, completion, actor_id=person.id, base_url=base_url)


def build_world(db: Any, *, base_url: str = "http://lms.example", with_passwords: bool = False) -> World:
    """Everything that services store; what people type into forms is added by the tests through the forms."""
    from datetime import timedelta

    from sqlalchemy import select

    from lms import time as clock
    from lms.auth.models import Role
    from lms.auth.services import create_api_token, create_user
    from lms.authoring.drafts import draft_for_module, publish_draft, save_draft
    from lms.authoring.publishing import publish_module, publish_quiz
    from lms.authoring.uploads import store_image
    from lms.certificates.services import issue_for_completion, revoke_certificate
    from lms.content.models import ChangeKind
    from lms.content.modules import parse_module
    from lms.content.services.lifecycle import retire_version
    from lms.orgs.facilitators import grant_facilitator
    from lms.orgs.models import Municipality, OrgUnit, ProgrammePeriod
    from lms.orgs.periods import current_period
    from lms.orgs.plans import add_to_plan
    from lms.quizzes.parse import parse_quiz
    from lms.quizzes.services import start_attempt, submit_attempt
    from lms.workshops.codes import issue_codes, redeem_code
    from lms.workshops.models import SessionKind
    from lms.workshops.services import SessionInput, record_training, record_workshop, withdraw_session

    town = Municipality(slug="feindliche-kommune", name=hostile("municipality", "municipality name", 0))
    db.add(town)
    db.flush()
    unit = OrgUnit(municipality_id=town.id, name=hostile("orgunit", "org unit name", 1))
    db.add(unit)
    db.flush()
    people = {}
    for n, (key, roles) in enumerate(PEOPLE.items()):
        local = MAIL_LOCAL_PARTS[key]
        person = create_user(
            db,
            email=f"{local}@{key}.hostile.example",
            display_name=f"Person {n}",
            password=PASSWORD if with_passwords else None,
            roles={Role[r] for r in roles if r != "FACILITATOR"},
            municipality_id=town.id if key in {"learner", "coordinator", "facilitator"} else None,
        )
        # Written past create_user, which refuses the right-to-left override in it since certificates print
        # letters only: a name stored before that check must still be shown as text, never as markup.
        person.display_name = hostile(key, f"display name ({key})", n, long=key == "learner")
        person.personnel_number = hostile("pnr", "personnel number", n, limit=50)[:50]
        person.org_unit_id = unit.id if key in {"learner", "coordinator", "facilitator"} else None
        people[key] = person
    code("mail", "e-mail address (local part)")
    db.flush()
    # The programme office names the facilitator, with a reason (audited, shown in the roles log).
    grant_facilitator(
        db, people["admin"], people["facilitator"], hostile("grant", "facilitator grant reason", 2)
    )

    # Content: a training module, its quiz, a workshop script, all full of payloads; a second version with a note.
    slug, script_slug = "feindliches-modul", "feindliches-drehbuch"
    doc = parse_module(module_source(slug), f"modules/{slug}.md")
    module, problem = publish_module(db, doc, path=f"modules/{slug}.md", actor_id=people["trainer"].id)
    assert problem is None and module is not None, problem
    quiz, problem = publish_quiz(
        db,
        parse_quiz(quiz_source(slug), f"quizzes/{slug}.md"),
        path=f"quizzes/{slug}.md",
        actor_id=people["trainer"].id,
        change_note=hostile("qnote", "quiz change note", 3, limit=2000),
    )
    assert problem is None and quiz is not None, problem
    draft = draft_for_module(db, people["trainer"], module.module)
    save_draft(db, people["trainer"], draft, module_source(slug, version="1.1", n=1), draft.revision)
    module = publish_draft(
        db,
        people["trainer"],
        draft,
        change_kind=ChangeKind.MATERIAL,
        change_note=hostile("mnote", "module change note", 4, limit=2000),
    )
    old_version = module.module.versions[0]
    retire_version(db, people["trainer"], old_version, hostile("retire", "reason for retiring a version", 5))
    script_doc = parse_module(module_source(script_slug, kind="workshop"), f"modules/{script_slug}.md")
    script, problem = publish_module(
        db, script_doc, path=f"modules/{script_slug}.md", actor_id=people["trainer"].id
    )
    assert problem is None and script is not None, problem
    # An open draft whose label comes from its (hostile) title.
    open_draft = draft_for_module(db, people["trainer"], module.module)
    save_draft(db, people["trainer"], open_draft, draft_source(slug, "1.2", 2), open_draft.revision)
    media = store_image(
        db, people["trainer"], hostile_filename("image", "uploaded image file name", "png"), png_bytes()
    )

    # The learner passes the quiz with a hostile text answer; an in-person completion for the coordinator.
    attempt = start_attempt(db, people["learner"], module.module, module)
    answers: dict[str, Any] = {}
    for question in attempt.quiz_version.questions:
        key = question["key"]
        if question["type"] == "text_input":
            answers[key] = hostile("qanswer", "learner's text answer", 0, limit=200)
        elif question["type"] == "ordering":
            answers[key] = [f"{s['id']}:{s['position']}" for s in question["definition"]["steps"]]
        else:
            answers[key] = [o["id"] for o in question["definition"]["options"] if o["correct"]]
    completion = submit_attempt(db, people["learner"], attempt, answers)
    assert completion is not None
    db.flush()
    certificate = issue_for_completion(db, completion, actor_id=people["learner"].id, base_url=base_url)
    # The facilitator (also a learner) has an attempt open: the form with every option.
    open_attempt = start_attempt(db, people["facilitator"], module.module, module)
    token, secret = create_api_token(db, people["learner"], hostile("token", "API token name", 3, limit=100))
    # A second learner's certificate, revoked by the programme office with a hostile reason.
    revoked = _certified_learner(
        db,
        town,
        module,
        "zweite.person@hostile.example",
        hostile("holder", "certificate holder (revoked)", 5),
        base_url,
    )
    revoke_certificate(
        db, revoked, actor=people["admin"], reason=hostile("revoke", "revocation reason", 2, limit=1000)
    )
    # A very long name in letters of two bytes each (within the certificate font's Latin range).
    long_name = (code("longname", "a 200-character name in Polish letters") + " Żółć-Łęcka Ślązakówna" * 12)[
        :200
    ]
    _certified_learner(db, town, module, "lange.name@hostile.example", long_name, base_url)

    # The current period, its plan and the sessions held in it.
    period = current_period(db) or db.scalars(select(ProgrammePeriod)).first()
    assert period is not None
    held_on = max(period.starts_on, min(clock.today(), period.ends_on) - timedelta(days=1))
    [line] = add_to_plan(db, people["coordinator"], town, period, module.module_id, [unit.id], period.ends_on)
    workshop = record_workshop(
        db,
        people["facilitator"],
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place=hostile("place", "workshop place", 0),
            facilitator_ids=frozenset({people["facilitator"].id}),
            external_facilitators=hostile("external", "external facilitators", 1, limit=300),
            participant_count=7,
            attendee_names="\n".join(
                hostile("attendee", "participant names (workshop)", n, limit=200) for n in range(3)
            ),
        ),
    ).session
    withdrawn = record_workshop(
        db,
        people["facilitator"],
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place=hostile("place2", "workshop place (withdrawn one)", 2),
            facilitator_ids=frozenset({people["facilitator"].id}),
            participant_count=5,
        ),
    ).session
    withdraw_session(
        db, people["facilitator"], withdrawn, hostile("withdraw", "withdraw reason", 3, limit=300)
    )
    training = record_training(
        db,
        people["coordinator"],
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=held_on,
            place=hostile("trainingplace", "training place", 4),
            external_facilitators=hostile("trainer2", "external trainer (training)", 5, limit=300),
            attendees=[people["coordinator"].email],
        ),
    ).session
    codes = issue_codes(db, people["facilitator"], workshop)
    participation = redeem_code(db, people["learner"], codes[0], base_url=base_url)
    # The programme around the courses (issue 12) and the second half of issue 10/11: funding, organisations,
    # practice examples, passkeys, background jobs.
    from lms.auth.models import WebAuthnCredential
    from lms.jobs.models import Job
    from lms.practice.services import ExampleInput, save_example
    from lms.programme.imports import stage_funding_import
    from lms.programme.models import MeasureKind, ParticipationFormat
    from lms.programme.services import (
        MeasureInput,
        OrganisationInput,
        add_measure,
        save_organisation,
        set_federal_state,
        set_granted,
    )

    set_federal_state(db, people["admin"], town, "Hessen")
    set_granted(db, people["admin"], town, period, 1_000_000)
    measure = add_measure(
        db,
        people["admin"],
        town,
        MeasureInput(
            MeasureKind.OTHER,
            12_345,
            period.starts_on,
            hostile("measure", "measure description", 1, limit=2000),
        ),
    )
    organisation = save_organisation(
        db,
        people["coordinator"],
        town,
        OrganisationInput(
            hostile("msoname", "migrant organisation name", 2),
            hostile("msoseat", "migrant organisation seat", 3, limit=120),
            ParticipationFormat.SURVEY,
            period.id,
            may_be_named=True,
        ),
    )
    funding_file = stage_funding_import(
        db,
        people["admin"],
        hostile("fundingfile", "funding file name", 4, limit=255),
        "Kommune;Art;Betrag;Datum;Beschreibung\n"
        f"{town.slug};Sonstige;10,00;{period.starts_on:%d.%m.%Y};{hostile('fundingrow', 'funding row text', 5)}\n".encode(),
    )
    example = save_example(
        db,
        people["coordinator"],
        ExampleInput(
            hostile("practicetitle", "practice example title", 0),
            hostile("practicebody", "practice example text (Markdown)", 1, limit=2000)
            + "\n\n<script>alert(1)</script>",
            None,
            hostile("practicefile", "practice example file name", 2, limit=60) + ".pdf",
            _tiny_pdf(),
        ),
    )
    passkey = WebAuthnCredential(
        user_id=people["coordinator"].id,
        credential_id="hostile-credential",
        public_key=b"\x00",
        name=hostile("passkey", "passkey name", 3, limit=100),
    )
    job = Job(
        kind="certificate_archive",
        state="failed",
        params={},
        outcome={},
        municipality_id=town.id,
        created_by_id=people["coordinator"].id,
        attempts=5,
        last_error=hostile("joberror", "background job error text", 4, limit=500),
    )
    # A passkey makes the login ask for it: only in the crawl's world, whose clients log in without the form.
    db.add_all([job] if with_passwords else [passkey, job])
    from lms.documents.services import add_comment
    from tests import factories_documents as fd

    document = fd.published_document(db)
    consultation = fd.open_window(db, document)
    comment = add_comment(
        db,
        people["coordinator"],
        consultation,
        document.sections[0].id,
        hostile("comment", "comment on a document in consultation", 5, limit=2000),
        show_name=True,
    )
    from datetime import time, timedelta

    from lms.workshops.network import add_member, answer
    from lms.workshops.planning import PlanInput, register, schedule_session

    planned = schedule_session(
        db,
        people["facilitator"],
        PlanInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=clock.today() + timedelta(days=3),
            starts_at=time(10),
            ends_at=time(12),
            place=hostile("plannedplace", "planned session place", 0, limit=200),
            capacity=5,
            facilitator_ids=frozenset({people["facilitator"].id}),
            external_facilitators=hostile("plannedexternal", "planned external facilitators", 1, limit=300),
        ),
    )
    add_member(db, people["facilitator"], town.id, people["learner"].email)
    answer(db, people["learner"], agrees=True)  # the person agrees under „Termine“
    register(db, people["learner"], planned)
    db.flush()
    args = {
        "planned_id": planned.id,
        "person_id": people["learner"].id,
        "document": document.document.slug,
        "comment_id": comment.id,
        "measure_id": measure.id,
        "organisation_id": organisation.id,
        "funding_import_id": funding_file.id,
        "example_id": example.id,
        "passkey_id": passkey.id,
        "job_id": job.id,
        "signature": "x",
        "draft_id": open_draft.id,
        "version_id": module.id,
        "number": quiz.number,
        "sha256": media.sha256,
        "extension": media.extension,
        "completion_id": completion.id,
        "code": certificate.code,
        "year": completion.completed_at.astimezone(clock.BERLIN).year,
        "attempt_id": attempt.id,
        "token_id": token.id,
        "user_id": people["learner"].id,
        "assignment_id": line.id,
        "session_id": workshop.id,
        "period_id": period.id,
        "position": 1,
        "fmt": "csv",
        "action": "deaktivieren",
        "kind": "workshop",
        "filename": "css/app.css",
        "municipality_slug": town.slug,
        "module_slug": module.module.slug,
    }
    facts = {
        "town": town,
        "period": period,
        "module": module,
        "script": script,
        "secret": secret,
        "revoked_code": revoked.code,
        "participation_code": participation.code,
        "withdrawn_id": withdrawn.id,
        "open_attempt_id": open_attempt.id,
        "draft_revision": open_draft.revision,
        "training_id": training.id,
        "unit": unit,
    }
    return World(people, args, facts)
