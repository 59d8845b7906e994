"""`scripts/demo` on a machine where its port is taken: it says so, and how to choose another, before it sets anything
up (an operator's QA check: it announced http://127.0.0.1:5000 and then gunicorn gave up after five retries)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo"


def _run(port: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEMO)], env={**os.environ, "PORT": port}, capture_output=True, text=True, timeout=60
    )


def test_a_taken_port_is_named_with_the_way_to_another() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        answer = _run(port)
    assert answer.returncode == 1
    assert f"Port {port} ist schon belegt" in answer.stderr and "PORT=5001 scripts/demo" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_a_port_that_is_no_number_is_refused() -> None:
    answer = _run("fünftausend")
    assert answer.returncode == 2 and "PORT muss eine Zahl von 1 bis 65535 sein" in answer.stderr
