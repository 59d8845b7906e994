"""Load once, before gunicorn forks its workers, what every worker would otherwise load on its first requests.

With ``preload_app`` (gunicorn.conf.py) the master builds the app and the workers are forked from it: whatever the
master has loaded is shared by all workers (copy-on-write) instead of being built again in each of them. On its
own the app loads lazily: the translation catalogues, Babel's locale data and the compiled templates would all
arrive with the first requests, separately in every worker (about 10 MiB each).

Left out on purpose: the libraries of the few requests that make PDFs, spreadsheets or QR codes, run a passkey
ceremony or render Markdown (fpdf2, xlsxwriter, segno, py_webauthn, markdown-it-py, bleach); they are imported
where they are used. Shared pages stay shared only while no worker writes to them, and running code writes
(reference counts), so a library every worker uses costs the master's copy plus one per worker, and one no worker
uses costs its full size for nothing. Measured with bench/load.py: importing the certificate PDF module here
raised the PSS of master and two workers from 145 to 181 MiB while no PDF was made, and still left it higher
(201 against 195 MiB) after one worker had made PDFs (bench/README.md, memory).
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import force_locale, format_decimal, get_translations
from sqlalchemy.orm import configure_mappers

from lms import time as clock
from lms.web.i18n import SUPPORTED_LOCALES


def warm_up(app: Flask) -> None:
    """Catalogues, locale data, every template and the mappers, loaded now (no request, no database)."""
    configure_mappers()
    with app.test_request_context("/"):
        for locale in SUPPORTED_LOCALES:
            with force_locale(locale):
                get_translations()
                format_decimal(1.5, format="#,##0.#")
                clock.format_datetime(clock.now(), locale)
                clock.format_date(date(2026, 1, 1), locale)
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith((".html", ".txt"))):
        app.jinja_env.get_template(name)
