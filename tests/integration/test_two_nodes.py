"""Beyond one machine: two web nodes (gunicorn, each its own process and port) on one PostgreSQL and one Redis,
plus a worker process. Nothing that one request leaves for the next may live in a node's memory: a session begun on
node A works on node B, failed logins alternating between the nodes reach the one limit, a draft saved on A is read
on B and B's stale save is refused, and a job recorded on A is run by the worker and seen as done on B.

Runs where the suite runs on PostgreSQL (CI's second pass); the nodes use a database of their own
(`<test database>_nodes`), migrated here, and a Redis queue of their own.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms import migrate
from lms.auth.models import Role
from lms.authoring.drafts import draft_for_module
from lms.db import make_engine
from tests import factories as f
from tests.mailserver import free_port

pytestmark = pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL"),
    reason="two web nodes share one PostgreSQL: runs when LMS_TEST_DATABASE_URL names one (CI's PostgreSQL pass)",
)

REPO = Path(__file__).resolve().parents[2]
WRONG = "falsch-falsch-falsch"
STAFF = (
    "E-Mail;Vorname;Nachname;Organisationseinheit\r\n"
    "a.yilmaz@kreis.example;Ayşe;Yılmaz;Amt für Soziales\r\n"
    "j.schmidt@kreis.example;Jürgen;Schmidt;Bürgerservice\r\n"
    "m.nguyen@kreis.example;Minh;Nguyễn;Ausländerbehörde\r\n"
).encode()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Browser:
    """One browser: its cookies go to whichever node it talks to (as behind a load balancer)."""

    ports: dict[str, int]
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, node: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.ports[node], timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        reply = Reply(response.status, response.headers, response.read())
        connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, node: str, path: str) -> Reply:
        return self.request(node, "GET", path)

    def post(self, node: str, path: str, fields: dict[str, str]) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(node, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def csrf(self, node: str, path: str) -> str:
        page = self.get(node, path).text
        found = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def log_in(self, node: str, email: str, password: str = f.PASSWORD) -> Reply:
        token = self.csrf(node, "/anmelden")
        return self.post(node, "/anmelden", {"email": email, "password": password, "csrf_token": token})


@dataclass
class Cluster:
    ports: dict[str, int]
    env: dict[str, str]
    outbox: Path
    people: dict[str, str]
    draft_id: int
    town_slug: str

    def browser(self) -> Browser:
        return Browser(self.ports)


def _database(base_url: str) -> str:
    """`<test database>_nodes`, created if missing, emptied, migrated."""
    given = make_url(base_url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{given.database}_nodes" + (f"_{worker}" if worker else "")
    assert "test" in name
    admin = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = given.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    return url


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the node on port {port} ended with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/anmelden")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise AssertionError(f"the node on port {port} did not answer within a minute")


@pytest.fixture(scope="module")
def cluster(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two nodes and their data, once for this module (each test uses accounts of its own)."""
    tmp_path = tmp_path_factory.mktemp("nodes")
    queue_name = f"lms-test-nodes-{uuid.uuid4().hex[:10]}"
    url = _database(os.environ["LMS_TEST_DATABASE_URL"])
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        town = f.municipality(db, "Landkreis Zweiknoten")
        coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
        learner = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lena Lernt")
        guessed = f.user(db, Role.LEARNER, municipality_id=town.id, name="Gerd Geraten")
        trainer = f.user(db, Role.TRAINER, name="Tara Trainerin")
        draft = draft_for_module(db, trainer, f.published_module(db).module)
        db.commit()
        people = {
            "coordinator": coordinator.email,
            "learner": learner.email,
            "guessed": guessed.email,
            "trainer": trainer.email,
        }
        draft_id, town_slug = draft.id, town.slug
    engine.dispose()
    outbox = tmp_path / "outbox"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LMS_")},
        "LMS_DATABASE_URL": url,
        "LMS_SECRET_KEY": "two-nodes-one-secret-" + "k" * 32,
        "LMS_REDIS_URL": redis_url,
        "LMS_QUEUE_NAME": queue_name,
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_OUTBOX_DIR": str(outbox),
        "LMS_JOB_FILES_DIR": str(tmp_path / "jobs"),
        "LMS_MFA_REQUIRED_ROLES": "",
    }
    ports = {"A": free_port(), "B": free_port()}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    logs = {port: (tmp_path / f"node-{port}.log").open("wb") for port in ports.values()}
    nodes = [
        subprocess.Popen(
            [
                str(gunicorn),
                "--config",
                "gunicorn.conf.py",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=logs[port],
        )
        for port in ports.values()
    ]
    try:
        for port, process in zip(ports.values(), nodes, strict=True):
            _wait_until_up(port, process)
        yield Cluster(ports, env, outbox, people, draft_id, town_slug)
    finally:
        for process in nodes:
            process.terminate()
        for process in nodes:
            process.wait(timeout=30)
        for log in logs.values():
            log.close()
        redis = Redis.from_url(redis_url)
        keys = list(redis.scan_iter(match=f"*{queue_name}*", count=1000))
        if keys:
            redis.delete(*keys)
        redis.srem("rq:queues", f"rq:queue:{queue_name}")
        redis.close()


def test_a_session_begun_on_one_node_works_on_the_other(cluster: Cluster) -> None:
    browser = cluster.browser()
    assert browser.log_in("A", cluster.people["learner"]).status in (302, 303)
    profile = browser.get("B", "/profil")
    assert profile.status == 200 and cluster.people["learner"] in profile.text
    token = browser.csrf("B", "/profil")
    key = browser.cookies["lms_session"]
    assert browser.post("B", "/abmelden", {"csrf_token": token}).status in (302, 303)
    browser.cookies["lms_session"] = key  # a copy of the old cookie, replayed on the other node
    assert browser.get("A", "/profil").status in (302, 303)  # ended everywhere


def test_failed_logins_on_both_nodes_count_towards_one_limit(cluster: Cluster) -> None:
    browser = cluster.browser()
    nodes = ["A", "B", "A", "B", "A"]  # LMS_LOGIN_MAX_FAILURES: 5 per address within 15 minutes
    for node in nodes:
        reply = browser.log_in(node, cluster.people["guessed"], WRONG)
        assert reply.status == 401 and "Zu viele" not in reply.text
    refused = browser.log_in("B", cluster.people["guessed"])  # the right password, on the other node
    assert refused.status == 401 and "Zu viele fehlgeschlagene Anmeldeversuche" in refused.text


def test_a_draft_saved_on_one_node_is_read_on_the_other_which_refuses_a_stale_save(cluster: Cluster) -> None:
    author, other_tab = cluster.browser(), cluster.browser()
    editor = f"/inhalte/entwuerfe/{cluster.draft_id}"
    assert author.log_in("A", cluster.people["trainer"]).status in (302, 303)
    assert other_tab.log_in("B", cluster.people["trainer"]).status in (302, 303)
    stale_token = other_tab.csrf("B", editor)  # B's editor loaded revision 1
    token = author.csrf("A", editor)
    saved = author.request(
        "A",
        "POST",
        editor + "/automatisch",
        json.dumps(
            {"source": "---\ntitle: Auf Knoten A gespeichert\n---\n\n# Text von A\n", "revision": 1}
        ).encode(),
        {"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert saved.status == 200 and saved.json()["revision"] == 2
    assert "Text von A" in author.get("B", editor).text  # the same browser, the other node
    conflict = other_tab.request(
        "B",
        "POST",
        editor + "/automatisch",
        json.dumps({"source": "# Text von B\n", "revision": 1}).encode(),
        {"Content-Type": "application/json", "X-CSRFToken": stale_token},
    )
    assert conflict.status == 409 and "inzwischen gespeichert" in conflict.json()["error"]


def test_a_job_recorded_on_one_node_is_run_by_the_worker_and_seen_on_the_other(cluster: Cluster) -> None:
    browser = cluster.browser()
    assert browser.log_in("A", cluster.people["coordinator"]).status in (302, 303)
    upload_url = f"/kommunen/{cluster.town_slug}/beschaeftigte/import"
    fields = {
        "csrf_token": browser.csrf("A", upload_url),
        "file": FileStorage(io.BytesIO(STAFF), filename="personal.csv", content_type="text/csv"),
        "send_invitations": "y",
    }
    boundary, body = encode_multipart(MultiDict(fields))
    uploaded = browser.request(
        "A", "POST", upload_url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert uploaded.status == 303, uploaded.text
    preview = urllib.parse.urlparse(uploaded.headers["Location"]).path
    applied = browser.post("A", preview + "/anwenden", {"csrf_token": browser.csrf("A", preview)})
    assert applied.status in (302, 303)
    job_id = re.search(r"/aufgaben/(\d+)", browser.get("A", preview).text)
    assert job_id is not None
    progress = f"/aufgaben/{job_id.group(1)}/stand"
    assert browser.get("B", progress).json()["state"] == "queued"  # recorded on A, waiting in Redis
    assert not cluster.outbox.exists() or not list(cluster.outbox.iterdir())

    lms = Path(sys.executable).parent / "lms"
    worker = subprocess.run(
        [str(lms), "worker", "--burst"],
        cwd=REPO,
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    state = browser.get("B", progress).json()
    assert (state["state"], state["done"], state["total"]) == ("done", 3, 3)
    assert len(list(cluster.outbox.glob("*.eml"))) == 3
    assert "Einladungen versendet" in browser.get("B", preview).text
