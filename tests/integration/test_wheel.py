"""A built wheel runs outside the checkout: what a municipal IT department installs, not what developers run.

Builds the sdist and from it the wheel (as a release would), installs it with the locked dependencies into a fresh
virtualenv, then migrates, fills the demo and serves a page with gunicorn from a folder that is not the checkout.
Takes about a minute (pip's cache is reused); deselect with ``-m "not packaging"``.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """The environment without anything that points back into the checkout or its virtualenv."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_") and k not in drop}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[str, str, bytes]:
    """Final URL (after redirects), content type and body."""
    # The worker imports the app (no byte-code yet) only after gunicorn says it listens: slow on a busy machine.
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.geturl(), response.headers.get("Content-Type", ""), response.read()


def test_wheel_installs_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    _run(sys.executable, "-m", "build", "--outdir", dist, REPO, cwd=tmp_path)
    (wheel,) = dist.glob("kommunen_fuer_alle_lms-*.whl")

    # A venv without pip of its own; this pip installs into it (same configuration and cache as the checkout's).
    # No byte-compiling of every installed module up front: the few the commands import compile when first used.
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    pip = (
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "--quiet",
        "--no-compile",
    )
    _run(*pip, "--require-hashes", "-r", REPO / "requirements" / "lock.txt", cwd=tmp_path)
    _run(*pip, "--no-deps", wheel, cwd=tmp_path)

    env = _clean_env(venv)
    where = _run(venv / "bin" / "python", "-c", "import lms; print(lms.__file__)", cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(venv), where  # the installed package, not the checkout

    _run(venv / "bin" / "lms", "db", "upgrade", cwd=work, env=env)
    demo = _run(venv / "bin" / "lms", "demo", cwd=work, env=env)
    assert "Curriculum: 10 veröffentlicht" in demo, demo  # the curriculum shipped inside the wheel
    assert "Dokumente: 2 veröffentlicht" in demo, demo  # and the documents in consultation
    # Local state went to ./instance of the working directory, nothing into site-packages.
    assert (work / "instance" / "lms.sqlite3").is_file()
    assert not list((venv / "lib").glob("python3*/site-packages/**/lms.sqlite3"))

    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    server_env = _clean_env(venv, LMS_SECRET_KEY=secrets.token_hex(32))
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                str(venv / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",  # its default path in $HOME would be shared with other gunicorns
                "lms:create_app()",
            ],
            cwd=work,
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while f"Listening at: http://127.0.0.1:{port} " not in log_path.read_text(errors="replace"):
            assert server.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        url, content_type, body = _get(base + "/")
        page = body.decode("utf-8")
        assert url.startswith(base + "/anmelden") and content_type.startswith("text/html")
        assert '<html lang="de"' in page and "<h1" in page and "Anmelden</h1>" in page

        stylesheet = re.search(r'href="(/static/css/app\.css[^"]*)"', page)
        assert stylesheet, page
        _, content_type, css = _get(base + stylesheet.group(1))
        assert content_type.startswith("text/css")
        assert css == (REPO / "static" / "css" / "app.css").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=15)
