"""gunicorn settings read from the project root (scripts/demo, production and the browser tests).

Threaded workers keep answering their heartbeat while a thread streams a long download, so a bulk export of
1,800 certificates (about a minute) is not killed by the worker timeout as it would be with sync workers.

The app is loaded once in the master and the workers are forked from it (``preload_app``): code, compiled
templates, translations and locale data (lms/web/warmup.py) are shared pages instead of one copy per worker.
Then the most used pages are served a few times in a transaction that is rolled back (lms/web/rehearsal.py), so
the workers inherit warmed code and compiled statements instead of each making its own. ``gc.freeze()`` before
each fork moves what was loaded out of the garbage collector's reach, so collections in a worker neither walk it
nor copy its pages. Each worker drops the database connections it inherited.
"""

from __future__ import annotations

import gc
from typing import Any

worker_class = "gthread"
threads = 4
#: Seconds a worker may stay silent; with gthread this guards against hung processes, not long downloads.
timeout = 60
preload_app = True
#: gunicorn 27's control socket (for `gunicornc`) is not used here, and its default path (~/.gunicorn/gunicorn.ctl)
#: would be shared by two instances on one host: the second would take it over from the first without a word.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """Before the first fork: load what every worker would otherwise load on its first requests."""
    from lms.web.rehearsal import rehearse
    from lms.web.warmup import warm_up

    app = server.app.wsgi()
    if "lms.settings" in getattr(
        app, "extensions", {}
    ):  # the platform's app, not another one started from here
        warm_up(app)
        rehearse(app)
    gc.collect()


def pre_fork(_server: Any, _worker: Any) -> None:
    """Everything loaded so far stays shared with the worker about to be forked (no GC pass copies it)."""
    gc.freeze()


def post_fork(_server: Any, worker: Any) -> None:
    """A forked worker never uses a connection of the master's pool (two processes on one socket)."""
    app = worker.app.wsgi()
    engine = getattr(app, "extensions", {}).get("lms.engine")
    if engine is not None:
        engine.dispose(close=False)
