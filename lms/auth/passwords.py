"""Password hashing with argon2id (the OWASP recommendation), behind two small functions."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2-cffi's defaults, RFC 9106's low-memory recommendation (64 MiB, 3 passes, 4 lanes): what every deployment uses.
PRODUCTION_HASHER = PasswordHasher()

_hasher = PRODUCTION_HASHER
#: Compared against when the e-mail is unknown, so both paths cost the same time (no account enumeration).
_dummy_hash = _hasher.hash("no-such-account")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; constant work whether or not there is a hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def weaken_for_tests() -> None:
    """Cheap argon2id parameters for the test suite only (tests/conftest.py calls this; the platform never does).

    A production hash costs about half a second to make and more to check; the suite makes hundreds of them.
    """
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _dummy_hash = _hasher.hash("no-such-account")
