"""Every route × every kind of person: who gets in and who does not, driven from the app's URL map.

A new route fails ``test_every_route_has_an_expectation`` until it is added to ``EXPECTED``, so no page is forgotten.
The resources in the URLs belong to municipality A (its coordinator, learner, facilitator, staff, import, plan line,
workshop); people of municipality B, and people without the role, must be refused (403/404 or the login page).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from flask_login.utils import _create_identifier
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session

from lms import create_app
from lms import time as clock
from lms.auth.invitations import create_invitations
from lms.auth.models import Role, User
from lms.auth.services import create_api_token, create_user
from lms.authoring.drafts import draft_for_module
from lms.authoring.uploads import store_image
from lms.certificates.services import issue_for_completion
from lms.documents.services import add_comment
from lms.evaluation.parse import parse_survey
from lms.evaluation.services import publish_survey
from lms.jobs.models import Job
from lms.jobs.views import DOWNLOAD_SALT
from lms.legal.services import ReportInput, submit_report
from lms.orgs.models import OrgUnit
from lms.orgs.plans import add_to_plan
from lms.orgs.staff_import import stage_import
from lms.practice.services import ExampleInput, save_example
from lms.programme.imports import stage_funding_import
from lms.programme.models import MeasureKind, ParticipationFormat
from lms.programme.services import (
    MeasureInput,
    OrganisationInput,
    add_measure,
    save_organisation,
    set_federal_state,
)
from lms.quizzes.services import start_attempt
from lms.workshops.models import SessionKind
from lms.workshops.network import add_member, answer
from lms.workshops.planning import PlanInput, schedule_session
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f
from tests import factories_documents as fd
from tests.integration.evaluation.conftest import SURVEY


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


ACTORS = (
    "anonymous",
    "learner_a",
    "learner_b",
    "coordinator_a",
    "coordinator_b",
    "facilitator_a",
    "advisory_a",
    "unit_manager_a",
    "trainer",
    "admin",
)
LOGGED_IN = frozenset(ACTORS) - {"anonymous"}
EVERYONE = frozenset(ACTORS)
MANAGERS_A = frozenset({"coordinator_a", "admin"})
AUTHORS = frozenset({"trainer", "admin"})
RECORDERS = frozenset({"coordinator_a", "coordinator_b", "facilitator_a", "trainer", "admin"})
#: The municipality's aggregates: its coordination, the programme office and its advisory board (Beirat).
VIEWERS_A = frozenset({"coordinator_a", "admin", "advisory_a"})

#: The progress of staff of A: its managers, and the head of the org unit („Bauamt“) the staff member of A works in.
PROGRESS_A = MANAGERS_A | {"unit_manager_a"}

#: endpoint → who may use it (for the resources of municipality A / learner A).
EXPECTED: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.accept_invitation_page": EVERYONE,
    "auth.forgot_password": EVERYONE,
    # Without a correct password in this browser a few minutes ago, the page sends everyone back to the login form.
    "auth.second_factor": EVERYONE,
    "auth.mfa_setup": LOGGED_IN,  # one's own authenticator only
    # One's own passkeys only: another person's id is „Diesen Passkey gibt es nicht“ on one's own page.
    "passkeys.registration_options": LOGGED_IN,
    "passkeys.register": LOGGED_IN,
    "passkeys.rename": LOGGED_IN,
    "passkeys.remove": LOGGED_IN,
    # Only for a browser half logged in (right password a few minutes ago): 401 for everyone else.
    "passkeys.login_options": frozenset(),
    "passkeys.login": frozenset(),
    "auth.change_password_page": LOGGED_IN,
    "auth.reset_links": frozenset({"admin"}),
    "api.openapi": EVERYONE,
    "auth.logout": LOGGED_IN,
    "auth.profile": LOGGED_IN,
    "privacy.my_data": LOGGED_IN,
    "auth.set_language": LOGGED_IN,
    "auth.set_reminders": LOGGED_IN,  # one's own switches only
    "auth.end_device_session": LOGGED_IN,  # only one's own sessions end (the delete is scoped to the person)
    "auth.end_other_sessions": LOGGED_IN,
    "auth.keep_session_alive": LOGGED_IN,
    "auth.revoke_token": LOGGED_IN,  # others' tokens: „Dieses Token gibt es nicht“ on their own profile
    "progress.home": LOGGED_IN,
    "progress.my_modules": LOGGED_IN,
    "progress.module_overview": LOGGED_IN,
    "progress.section": LOGGED_IN,
    "certificates.my_completions": LOGGED_IN,
    "quizzes.quiz_start": LOGGED_IN,
    "quizzes.attempt": frozenset({"learner_a"}),
    "quizzes.result": frozenset({"learner_a"}),
    "api.list_modules": LOGGED_IN,
    "api.get_module": LOGGED_IN,
    "api.create_attempt": LOGGED_IN,
    "api.completions": LOGGED_IN,
    "api.get_attempt": frozenset({"learner_a"}),
    "api.submit": frozenset({"learner_a"}),
    "api.save_responses": frozenset({"learner_a"}),
    "content.manage": frozenset({"trainer", "admin"}),
    "reports.coordination": frozenset({"coordinator_a", "coordinator_b", "admin"}),
    "reports.dashboard": MANAGERS_A,
    # A head of org units exports the completions of their units' staff only (tests/integration/reports).
    "reports.completions_export": PROGRESS_A,
    "reports.units": PROGRESS_A,
    "reports.my_units": frozenset({"unit_manager_a"}),
    "reports.evidence_pdf": MANAGERS_A,
    "reports.programme": frozenset({"admin"}),
    "reports.programme_export": frozenset({"admin"}),
    "reports.state_report_page": frozenset({"admin"}),
    "reports.state_report_export": frozenset({"admin"}),
    "orgs.staff": MANAGERS_A,
    # A person's page and who has not completed a planned module (issue 14): the municipality's coordination.
    # … and the head of the staff member's org unit, for the staff of their units only.
    "reports.person": PROGRESS_A,
    "reports.not_completed_page": PROGRESS_A,
    "reports.not_completed_export": PROGRESS_A,
    "orgs.set_person_active": MANAGERS_A,
    "orgs.invite_person": MANAGERS_A,
    "orgs.edit_person": MANAGERS_A,
    "orgs.bulk_action": MANAGERS_A,
    "roles.facilitator_roles": frozenset({"admin"}),
    "roles.change_facilitator_role": frozenset({"admin"}),
    # Roles of an existing account: the programme office; the coordination of A appoints heads of its org units.
    "roles.account_roles": frozenset({"admin"}),
    "roles.change_account_role": frozenset({"admin"}),
    "roles.staff_roles": MANAGERS_A,
    "roles.change_staff_role": MANAGERS_A,
    "orgs.staff_import": MANAGERS_A,
    "orgs.import_preview": MANAGERS_A,
    "orgs.apply_staff_import": MANAGERS_A,
    "orgs.plan": MANAGERS_A,
    "orgs.remove_plan_line": MANAGERS_A,
    "orgs.periods": frozenset({"admin"}),
    "orgs.edit_period": frozenset({"admin"}),
    # Municipalities and the accounts that run the programme (issue 14): the programme office only.
    "municipalities.overview": frozenset({"admin"}),
    "municipalities.edit": frozenset({"admin"}),
    "municipalities.new_account": frozenset({"admin"}),
    "municipalities.edit_account": frozenset({"admin"}),
    "workshops.sessions": RECORDERS,
    "workshops.new_session": RECORDERS,
    # The workshop of A was run by facilitator_a: the trainer did not run it and does not see it.
    "workshops.session_detail": frozenset({"coordinator_a", "facilitator_a", "admin"}),
    "workshops.withdraw": frozenset({"coordinator_a", "facilitator_a", "admin"}),
    # Names of the workshop's participants: only the facilitators recorded for it.
    "workshops.delete_names": frozenset({"facilitator_a"}),
    "workshops.issue_codes_sheet": frozenset({"facilitator_a"}),
    "workshops.redeem": LOGGED_IN,
    # Planned sessions: the world's planned workshop of A, seen by its network (learner_a is a member), its
    # facilitators and its coordinator; only members register; names and the list only for the facilitators.
    "corrections.correct": frozenset({"coordinator_a", "facilitator_a", "admin"}),
    "planning.upcoming": LOGGED_IN,
    "planning.schedule": frozenset({"coordinator_a", "coordinator_b", "facilitator_a"}),
    "planning.detail": frozenset({"learner_a", "coordinator_a", "facilitator_a"}),
    "planning.calendar": frozenset({"learner_a", "coordinator_a", "facilitator_a"}),
    "planning.register": frozenset({"learner_a"}),
    "planning.cancel": frozenset({"learner_a", "coordinator_a", "facilitator_a"}),
    "planning.attendance_list": frozenset({"facilitator_a"}),
    "planning.call_off": frozenset({"coordinator_a", "facilitator_a"}),
    "planning.change": frozenset({"coordinator_a", "facilitator_a"}),
    "planning.members": frozenset({"facilitator_a"}),
    "planning.remove_member": frozenset({"facilitator_a"}),
    # Leaving the network: any logged-in person may send it (someone outside the network is told so, which says
    # nothing about anybody else).
    "planning.leave_network": LOGGED_IN,
    "planning.answer_network_request": LOGGED_IN,
    # Authoring (issue 3): trainers and the programme office; module images for everyone signed in.
    **{
        f"content.{name}": AUTHORS
        for name in [
            "history",
            "compare",
            "download_version",
            "download_quiz",
            "export_all",
            "retire_version_view",
            "restore_version_view",
            "retire_module_view",
            "restore_module_view",
            "audit_log",
            "help_page",
            "new_draft",
            "edit_module",
            "edit_quiz",
            "editor",
            "save",
            "autosave",
            "discard",
            "upload",
            "images",
            "delete_image_view",
            "preview_version",
            "preview_draft",
            "preview_quiz",
        ]
    },
    "content.media": LOGGED_IN,
    "quizzes.statistics": AUTHORS,
    "quizzes.statistics_csv": AUTHORS,
    # Certificates (issue 5): one's own; the municipality's for its coordination; verification for anyone.
    "certificates.completion_certificate": frozenset({"learner_a"}),
    "certificates.certificate_file": frozenset(
        {"learner_a", "coordinator_a", "admin"}
    ),  # coordinators export them anyway
    "certificates.transcript": LOGGED_IN,
    "certificates.overview": frozenset({"coordinator_a", "coordinator_b", "admin"}),
    "certificates.export": MANAGERS_A,
    "certificates.verify_form": EVERYONE,
    "certificates.verify": EVERYONE,
    "legal.impressum": EVERYONE,
    "health.healthz": EVERYONE,  # the load balancer's check: „ok“ or 503, nothing else
    "legal.privacy": EVERYONE,
    "legal.accessibility": EVERYONE,
    "legal.easy_language": EVERYONE,
    "legal.sign_language": EVERYONE,
    # Without a video in the instance folder these answer 404 to everyone alike (tests/web/test_legal.py serves one).
    "legal.sign_language_video": frozenset(),
    "legal.sign_language_captions": frozenset(),
    "legal.report_barrier": EVERYONE,
    "legal.reports": frozenset({"admin"}),
    "legal.report_status": frozenset({"admin"}),
    "certificates.manage": frozenset({"admin"}),
    # Search and revoked list (issue 14): a coordinator finds their municipality's, the programme office all.
    "certificates.search": frozenset({"coordinator_a", "coordinator_b", "admin"}),
    "certificates.revoked": frozenset({"coordinator_a", "coordinator_b", "admin"}),
    "certificates.manage_one": frozenset({"admin"}),
    # The programme around the courses (issue 12): the office records funding; coordinators see their own and
    # record their municipality's migrant organisations.
    # Praxisbeispiele (issue 12 §7): everyone who runs the programme reads and shares; authors and the programme
    # office change and delete (the example of A was written by coordinator_a).
    "practice.examples": frozenset({"coordinator_a", "coordinator_b", "facilitator_a", "trainer", "admin"}),
    "practice.example": frozenset({"coordinator_a", "coordinator_b", "facilitator_a", "trainer", "admin"}),
    "practice.attachment": frozenset({"coordinator_a", "coordinator_b", "facilitator_a", "trainer", "admin"}),
    "practice.new_example": frozenset(
        {"coordinator_a", "coordinator_b", "facilitator_a", "trainer", "admin"}
    ),
    "practice.edit": frozenset({"coordinator_a", "admin"}),
    "practice.delete": frozenset({"coordinator_a", "admin"}),
    "programme.funding_overview": frozenset({"admin"}),
    "programme.funding": MANAGERS_A,
    "programme.save_grant": frozenset({"admin"}),
    "programme.create_measure": frozenset({"admin"}),
    "programme.remove_measure": frozenset({"admin"}),
    "programme.save_federal_state": frozenset({"admin"}),
    "programme.funding_import": frozenset({"admin"}),
    "programme.funding_import_preview": frozenset({"admin"}),
    "programme.apply_import": frozenset({"admin"}),
    "programme.organisations_overview": frozenset({"admin"}),
    "programme.organisations": MANAGERS_A,
    "programme.edit_organisation": MANAGERS_A,
    "programme.remove_organisation": MANAGERS_A,
    # Background jobs (issue 11): a job of municipality A started by its coordination; the programme office's list.
    "jobs.job_status": MANAGERS_A,
    "jobs.job_progress": MANAGERS_A,
    "jobs.download": MANAGERS_A,  # with a valid signature; the file is gone here, so they get 410, the others 404
    "jobs.office": frozenset({"admin"}),
    "jobs.retry": frozenset({"admin"}),
    "jobs.certificate_archive": MANAGERS_A,
    # Documents in consultation (issue 12): everyone signed in reads them and what changed and why; coordinators
    # and facilitators of any model municipality comment (the consultation is programme-wide, each comment speaks
    # for its municipality); the programme office runs the window, answers and publishes the next version.
    "documents.index": LOGGED_IN,
    "documents.current": LOGGED_IN,
    "documents.version": LOGGED_IN,
    "documents.changes": LOGGED_IN,
    "documents.comment": frozenset({"coordinator_a", "coordinator_b", "facilitator_a", "advisory_a"}),
    **{
        f"documents.{name}": frozenset({"admin"})
        for name in ["consultation", "save_window", "close_window", "answer", "new_version", "publish"]
    },
    # Evaluation (issue 12 §1–2): everyone signed in meets the self-assessment of a module they may read (or is sent
    # on to the module when none is open to them); aggregates for the municipality's coordination, the office and
    # its advisory board, which alone records its assessment; the evaluators' file and the boards for the office.
    "evaluation.survey": LOGGED_IN,
    "evaluation.skip": LOGGED_IN,
    "evaluation.municipality": VIEWERS_A,
    "evaluation.record_assessment": frozenset({"advisory_a"}),
    "evaluation.board_home": frozenset({"advisory_a"}),
    "evaluation.programme_overview": frozenset({"admin"}),
    "evaluation.evaluator_file": frozenset({"admin"}),
    "evaluation.members": frozenset({"admin"}),
}


def _routes() -> list[tuple[str, str, str]]:
    app = create_app({"testing": True, "database_url": "sqlite://", "secret_key": "x"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, rule.rule, method))
    return sorted(routes)


ROUTES = _routes()


def test_every_route_has_an_expectation() -> None:
    missing = sorted({endpoint for endpoint, _rule, _method in ROUTES} - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED in {__file__}: {missing}"


@dataclass
class World:
    """The people and the resources of municipality A that the URLs point to."""

    people: dict[str, User]
    args: dict[str, Any]


def build_world(db: Session) -> World:
    town_a, town_b = f.municipality(db, "Kommune A"), f.municipality(db, "Kommune B")
    specs = {
        "learner_a": ({Role.LEARNER}, town_a.id),
        "learner_b": ({Role.LEARNER}, town_b.id),
        "coordinator_a": ({Role.COORDINATOR, Role.LEARNER}, town_a.id),
        "coordinator_b": ({Role.COORDINATOR, Role.LEARNER}, town_b.id),
        "facilitator_a": ({Role.FACILITATOR, Role.LEARNER}, town_a.id),
        # A board member from civil society: no employer among the municipalities, the board of A.
        "advisory_a": ({Role.ADVISORY_BOARD}, None),
        # Head of the org unit „Bauamt“ of A, where the staff member of the URLs works.
        "unit_manager_a": ({Role.UNIT_MANAGER, Role.LEARNER}, town_a.id),
        "trainer": ({Role.TRAINER}, None),
        "admin": ({Role.ADMIN}, None),
    }
    people = {}
    for name, (roles, municipality_id) in specs.items():
        person = create_user(
            db,
            email=f"{name}@matrix.example",
            display_name=name,
            password=None,
            roles=roles,
            municipality_id=municipality_id,
        )
        people[name] = person
    people["advisory_a"].board_municipality_id = town_a.id
    module = f.published_module(db)
    f.published_quiz(db)
    publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    script = f.workshop_script(db)
    attempt = start_attempt(db, people["learner_a"], module.module, module)
    token, _secret = create_api_token(db, people["learner_a"], "Fachverfahren")
    staff = f.staff_member(db, town_a.id, name="Beschäftigte A")
    [(_user, invitation_token, _row)] = create_invitations(db, [staff], actor_id=None, days=14)
    staged = stage_import(
        db,
        people["admin"],
        town_a,
        "liste.csv",
        b"E-Mail;Name;Amt\nneu@kommune-a.example;Neu;Bauamt\n",
        deactivate_missing=False,
        send_invitations=False,
    )
    bauamt = OrgUnit(municipality_id=town_a.id, name="Bauamt")
    db.add(bauamt)
    db.flush()
    staff.org_unit_id = bauamt.id
    people["unit_manager_a"].managed_units = [bauamt]
    period = f.period(db)
    [line] = add_to_plan(db, people["admin"], town_a, period, module.module_id, [], period.ends_on)
    workshop = record_workshop(
        db,
        people["facilitator_a"],
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town_a.id,
            module_version_id=script.id,
            held_on=min(clock.today(), period.ends_on) - timedelta(days=1),
            place="Rathaus A",
            facilitator_ids=frozenset({people["facilitator_a"].id}),
            participant_count=8,
        ),
    ).session
    draft = draft_for_module(db, people["trainer"], module.module)
    media = store_image(db, people["trainer"], "bild.png", _png())
    finished = f.completion(db, people["learner_a"], module)
    certificate = issue_for_completion(
        db, finished, actor_id=people["learner_a"].id, base_url="http://lms.example"
    )
    set_federal_state(db, people["admin"], town_a, "Hessen")  # the state report needs one
    measure = add_measure(
        db,
        people["admin"],
        town_a,
        MeasureInput(MeasureKind.TRAINING, 250_000, period.starts_on, "Fortbildung Rassismuskritik"),
    )
    organisation = save_organisation(
        db,
        people["admin"],
        town_a,
        OrganisationInput("Verein A", "Stadt A", ParticipationFormat.SURVEY, period.id, may_be_named=True),
    )
    funding_file = stage_funding_import(
        db, people["admin"], "foerderung.csv", b"Kommune;Art;Betrag;Datum;Beschreibung\n"
    )
    example = save_example(
        db,
        people["coordinator_a"],
        ExampleInput("Tandem-Hospitation", "Zwei Ämter besuchen sich.", None, "ablauf.pdf", b"%PDF-1.7 test"),
    )
    job = Job(
        kind="certificate_archive",
        state="done",
        params={},
        outcome={},
        municipality_id=town_a.id,
        created_by_id=people["coordinator_a"].id,
        attempts=1,
        result_path="nicht-mehr-da.zip",
        expires_at=clock.now() + timedelta(hours=1),
    )
    db.add(job)
    document = fd.published_document(db)
    consultation = fd.open_window(db, document)
    comment = add_comment(
        db, people["coordinator_a"], consultation, document.sections[0].id, "Kommentar aus A", show_name=False
    )
    db.flush()
    barrier = submit_report(db, ReportInput("Der Kontrast ist zu schwach."))
    planned = schedule_session(
        db,
        people["facilitator_a"],
        PlanInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town_a.id,
            module_version_id=script.id,
            held_on=clock.today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(12),
            place="Stadthaus A",
            capacity=10,
            facilitator_ids=frozenset({people["facilitator_a"].id}),
        ),
    )
    add_member(db, people["facilitator_a"], town_a.id, people["learner_a"].email)
    answer(db, people["learner_a"], agrees=True)  # the person agrees under „Termine“
    args = {
        "report_id": barrier.id,
        "planned_id": planned.id,
        "person_id": people["learner_a"].id,
        "example_id": example.id,
        "document": document.document.slug,
        "comment_id": comment.id,
        "measure_id": measure.id,
        "organisation_id": organisation.id,
        "funding_import_id": funding_file.id,
        "draft_id": draft.id,
        "version_id": module.id,
        "number": 1,
        "sha256": media.sha256,
        "extension": media.extension,
        "completion_id": finished.id,
        "code": certificate.code,
        "year": finished.completed_at.year,
        "attempt_id": attempt.id,
        "token_id": token.id,
        "passkey_id": 1,
        "token": invitation_token,
        "user_id": staff.id,
        "import_id": staged.id,
        "assignment_id": line.id,
        "session_id": workshop.id,
        "period_id": period.id,
        "position": 1,
        "fmt": "csv",
        "action": "deaktivieren",
        "kind": "workshop",
        "filename": "css/app.css",
        "municipality_slug": town_a.slug,
        "module_slug": module.module.slug,
        "job_id": job.id,
        # As the app fixture signs (its secret key is "test-secret").
        "signature": URLSafeTimedSerializer("test-secret", salt=DOWNLOAD_SALT).dumps(job.id),
        "phase": "vorher",
    }
    return World(people, args)


def url_for_rule(endpoint: str, rule: str, args: dict[str, Any]) -> str:
    values = dict(args)
    # <slug> names a municipality in the coordination pages and a module everywhere else.
    values["slug"] = (
        args["municipality_slug"]
        if endpoint.split(".")[0]
        in {"reports", "orgs", "certificates", "programme", "jobs", "municipalities"}
        or rule.startswith("/kommunen/")
        else args["module_slug"]
    )
    path = rule
    for part in rule.split("<")[1:]:
        spec = part.split(">")[0]
        name = spec.split(":")[-1]
        path = path.replace(f"<{spec}>", str(values[name]))
    return path


def log_in_directly(app, client, person: User) -> None:  # type: ignore[no-untyped-def]
    """Flask-Login's session for the person without the login form (its argon2 check would take most of the time)."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # from the client's remote address and user agent
    with client.session_transaction() as session:
        session.update({"_user_id": str(person.id), "_fresh": True, "_id": identifier})


def refused(response) -> bool:  # type: ignore[no-untyped-def]
    """403/404, 401 from the API, or Flask-Login's redirect to the login page (which carries ?next=)."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and "/anmelden?next=" in location


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[f"{m} {r}" for _e, r, m in ROUTES])
def test_route_admits_exactly_the_expected_people(  # type: ignore[no-untyped-def]
    app, db: Session, connection, endpoint: str, rule: str, method: str
) -> None:
    assert endpoint in EXPECTED, f"no expectation for {endpoint}"
    world = build_world(db)
    path = url_for_rule(endpoint, rule, world.args)
    wrong = []
    for actor in ACTORS:
        # Each person meets the same world: what one POST changes is rolled back before the next person tries.
        attempt = connection.begin_nested()
        client = app.test_client()
        if actor != "anonymous":
            log_in_directly(app, client, world.people[actor])
        if method == "GET":
            response = client.get(path)
        else:
            token = f.csrf_token(client, "/anmelden")
            response = client.open(
                path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
        response.close()
        attempt.rollback()
        allowed = actor in EXPECTED[endpoint]
        if refused(response) == allowed or response.status_code >= 500:
            wrong.append(f"{actor}: {response.status_code} {response.headers.get('Location', '')}")
    assert not wrong, f"{method} {path} ({endpoint}) should admit {sorted(EXPECTED[endpoint])}, but: {wrong}"
