"""The WSGI entry point for gunicorn (``wsgi:app``).

A setting that is missing or wrong stops the start with its German message alone: gunicorn would print the whole
traceback around it, and the message is all an operator needs.
"""

import sys

from lms import create_app
from lms.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Konfigurationsfehler: {error}", file=sys.stderr)
    # 3 is gunicorn's „worker failed to boot“: without preloading (a worker loads the app) the master then stops
    # instead of starting the worker again and again; with gunicorn.conf.py (the master loads it) it is the exit code.
    raise SystemExit(3) from None
