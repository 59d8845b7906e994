"""The suite hashes with cheap argon2 parameters (tests/conftest.py); the platform itself keeps the strong ones."""

from __future__ import annotations

import subprocess
import sys

from lms.auth import passwords

STRONG = "$argon2id$v=19$m=65536,t=3,p=4$"


def test_production_hashes_with_rfc_9106_parameters_outside_the_test_suite() -> None:
    # A fresh interpreter, as in production: the app and the CLI loaded, nothing from tests/ imported.
    code = (
        "import lms.cli, lms; lms.create_app({'testing': True, 'database_url': 'sqlite://'}); "
        "from lms.auth.passwords import hash_password; print(hash_password('ein-langes-passwort'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.startswith(STRONG), done.stdout
    hasher = passwords.PRODUCTION_HASHER
    assert hasher.time_cost >= 3 and hasher.memory_cost >= 65536 and hasher.parallelism >= 4


def test_the_suite_hashes_cheaply_but_still_with_argon2id() -> None:
    made = passwords.hash_password("ein-langes-passwort")
    assert made.startswith("$argon2id$") and not made.startswith(STRONG)
    assert passwords.verify_password(made, "ein-langes-passwort")
    assert not passwords.verify_password(made, "ein-anderes-passwort")
