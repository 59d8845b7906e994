"""The rehearsal before gunicorn forks (lms/web/rehearsal.py): every page it serves answers, nothing of it stays in
the database, and it loads none of the libraries that only a few requests need.

It runs in a process of its own, as in the gunicorn master, against a database file filled and committed first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from lms import migrate
from lms.auth.models import Role
from lms.db import make_engine
from tests import factories as f
from tests.integration.test_startup_imports import ON_DEMAND

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, logging, sys
from sqlalchemy import text
from lms import create_app
from lms.web.rehearsal import rehearse
from lms.web.warmup import warm_up

logging.basicConfig(level=logging.INFO, stream=sys.stderr)
app = create_app()
warm_up(app)
engine = app.extensions["lms.engine"]
TABLES = (
    "users", "user_roles", "login_sessions", "api_tokens", "totp_factors", "audit_events", "municipalities",
    "quiz_attempts", "completions",
)

def rows():
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}

before = rows()
served = rehearse(app)
print(json.dumps({
    "before": before,
    "after": rows(),
    "served": served,
    "loaded": sorted({name.split(".")[0] for name in sys.modules}),
}))
"""


def _filled_database(path: Path) -> tuple[str, str]:
    """The database's address and the slug of its municipality."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        town = f.municipality(db, "Probestadt")
        f.published_module(db)
        f.published_quiz(db)
        f.user(db, Role.LEARNER, municipality_id=town.id)
        db.commit()
        slug = town.slug
    engine.dispose()
    return url, slug


def test_the_rehearsal_serves_its_pages_and_leaves_nothing_behind(tmp_path: Path) -> None:
    url, town = _filled_database(tmp_path / "lms.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_SECRET_KEY="rehearsal-" + "k" * 32,
        LMS_DATABASE_URL=url,
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_REHEARSAL_SERVINGS="2",  # the platform's default (20) only costs the test time
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert "failed" not in done.stderr, done.stderr
    submitted = {path: status for path, status in result["served"].items() if path.endswith("/submit")}
    assert list(submitted.values()) == [200]  # the quiz passed once through the API
    assert {k: v for k, v in result["served"].items() if k not in submitted} == {
        "/module": 200,
        "/nachweise": 200,
        f"/kommunen/{town}": 200,
        "/programmbuero": 200,
        "/module/testmodul/abschnitt/1": 200,
        "/module/testmodul/quiz": 200,
        "/api/v1/modules": 200,
        "/api/v1/modules/testmodul/attempts": 201,
    }
    # The stand-in, their session, factor, token and the pages' own writes were all rolled back.
    assert result["after"] == result["before"]
    assert set(result["loaded"]) & ON_DEMAND == set()


def test_a_rehearsal_that_cannot_reach_the_database_lets_the_platform_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_SECRET_KEY="rehearsal-" + "k" * 32,
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'lms.sqlite3'}",  # a folder that does not exist
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    script = (
        "from lms import create_app\nfrom lms.web.rehearsal import rehearse\nprint(rehearse(create_app()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "{}"
    # One line with the database's own reason, no traceback (a second server starting at once met a locked SQLite
    # file and logged a page of trace, a QA sweep found).
    assert (
        "The rehearsal before the fork failed (unable to open database file); the workers warm up"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
