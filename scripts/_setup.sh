# Sourced by scripts/demo and scripts/test: a virtualenv in .venv with the project installed (idempotent).
# Usage: source scripts/_setup.sh [EXTRAS]
set -euo pipefail

_extras="${1:-}"
_python="${PYTHON:-python3}"

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

_apt_install() {
  # Debian packages the platform needs that pip cannot provide (venv support, the test browser).
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /tmp/.lms-apt-updated ]; then _as_root apt-get update -qq && touch /tmp/.lms-apt-updated; fi
  _as_root apt-get install -y -qq "$@" >/dev/null
}

if ! "$_python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Python 3.11 oder neuer wird benötigt (gefunden: $("$_python" --version 2>&1))." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$_python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "python3-venv fehlt; installiere es mit apt-get …" >&2
    _apt_install python3-venv || { echo "Bitte installieren Sie python3-venv (apt-get install python3-venv)." >&2; exit 1; }
    "$_python" -m venv .venv
  fi
fi

# Dependencies come from the lock file (exact versions with hashes: an upgrade is a deliberate change, see the
# README), then the project itself, editable, without resolving anything again. Reinstall only when pyproject.toml,
# setup.py or the lock changed since the last install (keeps the second run fast).
_lock="requirements/${_extras:+${_extras}-}lock.txt"
_stamp=".venv/.installed-${_extras:-base}"
if [ ! -f "$_stamp" ] || [ pyproject.toml -nt "$_stamp" ] || [ setup.py -nt "$_stamp" ] || [ "$_lock" -nt "$_stamp" ]; then
  # The distribution was called "lms" before it got its own name; an old editable install would shadow the new one.
  .venv/bin/python -m pip uninstall --quiet --yes lms 2>/dev/null || true
  .venv/bin/python -m pip install --quiet --require-hashes -r "$_lock"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$_stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
