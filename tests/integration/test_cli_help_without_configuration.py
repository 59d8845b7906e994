"""`lms --help` on a machine where the platform is not configured yet (no LMS_SECRET_KEY): the operator reads what is
missing, not a Python traceback, and still gets the list of commands that work without the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_help_names_the_missing_key_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "lms"), "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0
    assert "Traceback" not in shown.stderr
    assert "LMS_SECRET_KEY (oder LMS_SECRET_KEY_FILE) ist nicht gesetzt" in shown.stderr
    assert "Usage: lms" in shown.stdout


def test_gunicorn_without_a_key_stops_with_the_message_alone(tmp_path: Path) -> None:
    """gunicorn printed 45 lines of traceback around the same sentence (an operator's QA check)."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    started = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--chdir",
            str(root),
            "-b",
            "127.0.0.1:0",
            "wsgi:app",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert (
        "Konfigurationsfehler: LMS_SECRET_KEY (oder LMS_SECRET_KEY_FILE) ist nicht gesetzt" in started.stderr
    )
    assert "Traceback" not in started.stderr
