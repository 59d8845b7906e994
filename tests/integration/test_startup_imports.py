"""What a gunicorn master loads before it forks its workers (gunicorn.conf.py: preload_app, warm-up).

Everything the app and the warm-up import is in the memory of every worker. The libraries for PDFs (fpdf2 with
fontTools and Pillow), passkeys (py_webauthn with cryptography, pyOpenSSL, pyasn1), QR codes, spreadsheets and the
Markdown pipeline (markdown-it-py, bleach: publishing and editing, page views show stored HTML) come to about 45 MiB
and serve a few requests; they are imported where they are used (bench/README.md, memory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Top-level packages only PDF, passkey, QR-code, spreadsheet, calendar and publishing requests need (fpdf2 pulls in
#: unittest).
ON_DEMAND = {
    "fpdf",
    "fontTools",
    "PIL",
    "pyphen",
    "webauthn",
    "cryptography",
    "OpenSSL",
    "pyasn1",
    "segno",
    "xlsxwriter",
    "openpyxl",
    "markdown_it",
    "mdit_py_plugins",
    "bleach",
    "unittest",
    "icalendar",
}

SCRIPT = """
import json, sys
from lms import create_app
from lms.web.warmup import warm_up

warm_up(create_app())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_app_and_its_warm_up_leave_pdf_passkey_qr_spreadsheet_and_markdown_libraries_unloaded(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_SECRET_KEY="startup-imports-" + "k" * 32,
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "lms" in loaded and "flask" in loaded  # the app was really built
    assert loaded & ON_DEMAND == set()
