#!/usr/bin/env python3
"""Benchmark: the coordinator's streamed certificate export for 1,800 staff (Landkreis Darmstadt-Dieburg).

Builds synthetic staff and completions in a temporary SQLite file (or the PostgreSQL database given with
--database-url, whose name must contain "bench"), then downloads the export through the real Flask view, as a
browser would: first the ZIP (which issues all certificates and renders and stores their PDFs), then the ZIP
again (already issued: the stored PDFs), then the merged PDF for printing (from the stored PDFs). Reports time to
first byte, total time, size, CPU time (this process and the render workers), PDFs rendered, and memory.

    .venv/bin/python bench/certificates_export.py            # 1,800 on SQLite
    .venv/bin/python bench/certificates_export.py --count 300 --processes 1
    .venv/bin/python bench/certificates_export.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_issue11
    .venv/bin/python bench/certificates_export.py --legacy   # certificates issued before PDFs were stored

Memory: the peak resident set size of this process during each download (sampled every 20 ms from
/proc/self/status), the largest render worker's maximum RSS, and with --trace tracemalloc's peak of Python
allocations in extra passes (slow: tracemalloc multiplies the time by four or more).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from lms import time as clock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lms import create_app, migrate  # noqa: E402
from lms.auth.models import Role, User  # noqa: E402
from lms.auth.services import create_user  # noqa: E402
from lms.authoring.publishing import publish_module  # noqa: E402
from lms.certificates import rendering  # noqa: E402
from lms.certificates.models import Certificate, CertificateDocument  # noqa: E402
from lms.content.modules import parse_module  # noqa: E402
from lms.db import make_engine  # noqa: E402
from lms.orgs.models import Municipality  # noqa: E402
from lms.progress.models import Completion  # noqa: E402

FIRST = [
    "Lea",
    "Jonas",
    "Ayşe",
    "Mehmet",
    "Anna",
    "Deniz",
    "Jürgen",
    "Małgorzata",
    "Fatou",
    "Lukas",
    "Sönke",
    "Chiara",
]
LAST = [
    "Schneider",
    "Weiß",
    "Öztürk",
    "Nowak",
    "Okafor",
    "Müller",
    "Yılmaz",
    "Schäfer",
    "Nguyen",
    "Hoffmann",
    "Groß",
]
PASSWORD = "bench-passwort-lang-genug"


def build(url: str, count: int) -> None:
    """Migrate and fill: one municipality, ``count`` staff, one module, one completion each."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(bind=engine) as session:
        municipality = Municipality(slug="darmstadt-dieburg", name="Landkreis Darmstadt-Dieburg")
        session.add(municipality)
        session.flush()
        source = (REPO / "modules/grundbegriffe.md").read_text(encoding="utf-8")
        version, problem = publish_module(
            session,
            parse_module(source, "modules/grundbegriffe.md"),
            path="modules/grundbegriffe.md",
            actor_id=None,
        )
        assert problem is None and version is not None
        create_user(
            session,
            email="koordination@bench.example",
            display_name="Koordination",
            password=PASSWORD,
            roles={Role.COORDINATOR},
            municipality_id=municipality.id,
        )
        names = itertools.cycle(itertools.product(FIRST, LAST))
        session.execute(
            insert(User),
            [
                {
                    "email": f"person{n}@bench.example",
                    "display_name": " ".join(next(names)),
                    "municipality_id": municipality.id,
                    "is_active": True,
                    "created_at": clock.now(),
                }
                for n in range(count)
            ],
        )
        ids = session.scalars(select(User.id).where(User.email.like("person%@bench.example"))).all()
        start = datetime(2026, 1, 5, 8, tzinfo=UTC)
        session.execute(
            insert(Completion),
            [
                {
                    "user_id": uid,
                    "module_id": version.module_id,
                    "module_version_id": version.id,
                    "mode": "online",
                    "completed_at": start + timedelta(minutes=97 * n),
                }
                for n, uid in enumerate(ids)
            ],
        )
        session.commit()
    engine.dispose()


def make_legacy(url: str, base_url: str) -> None:
    """Issue every certificate as before PDFs were stored: layout 1, no stored document."""
    from lms.certificates import services

    engine = make_engine(url)
    with Session(bind=engine) as session:
        original = services.STORE.put
        services.STORE.put = lambda *_args, **_kwargs: None  # type: ignore[method-assign]
        try:
            services.issue_missing(
                session,
                services.CompletionFilter(
                    starts_on=datetime(2026, 1, 1).date(), ends_on=datetime(2026, 12, 31).date()
                ),
                actor_id=None,
                base_url=base_url,
                renderer=_NoRender(),
            )
        finally:
            services.STORE.put = original  # type: ignore[method-assign]
        for certificate in session.scalars(select(Certificate)):
            snapshot = dict(certificate.snapshot, layout=1)
            session.execute(
                Certificate.__table__.update()
                .where(Certificate.id == certificate.id)
                .values(snapshot=snapshot)
            )
        session.commit()
    engine.dispose()


class _NoRender(rendering.Renderer):
    def render(self, snapshots):  # type: ignore[no-untyped-def]
        return [b""] * len(snapshots)


class PeakRSS:
    """This process's largest resident set size while the block runs (sampled), in MiB."""

    def __enter__(self) -> PeakRSS:
        self.peak = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._now())

    @staticmethod
    def _now() -> float:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0


def count_documents(url: str) -> int:
    engine = make_engine(url)
    with Session(bind=engine) as session:
        found = session.scalar(select(func.count()).select_from(CertificateDocument)) or 0
    engine.dispose()
    return found


def download(client, fmt: str, trace: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """POST the export form and consume the streamed body; time to first byte, total, size, traced peak."""
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    response = client.post(
        "/kommunen/darmstadt-dieburg/zertifikate",
        data={"starts_on": "2026-01-01", "ends_on": "2026-12-31", "module": "", "format": fmt},
    )
    assert response.status_code == 200, response.status_code
    first = None
    size = chunks = 0
    for chunk in response.response:
        if first is None and chunk:
            first = time.perf_counter() - began
        size += len(chunk)
        chunks += 1
    response.close()
    total = time.perf_counter() - began
    peak = 0.0
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {"ttfb": first or total, "total": total, "mib": size / 2**20, "chunks": chunks, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1800)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--trace", action="store_true", help="zusätzlich mit tracemalloc messen (langsam)")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="Prozesse, die PDFs erzeugen (LMS_CERTIFICATE_RENDER_PROCESSES)",
    )
    parser.add_argument(
        "--legacy",
        action="store_true",
        help="Zertifikate vorab ohne abgelegte PDFs ausstellen (Layout 1, wie vor 0014)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
        if url.startswith("postgresql"):
            engine = make_engine(url)
            assert "bench" in (engine.url.database or ""), "the PostgreSQL database name must contain 'bench'"
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        t0 = time.perf_counter()
        build(url, args.count)
        print(
            f"{args.count} Beschäftigte mit Abschlüssen angelegt in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})"
        )
        if args.legacy:
            t0 = time.perf_counter()
            make_legacy(url, "http://127.0.0.1:5000")
            print(
                f"{args.count} Zertifikate ohne PDF (Layout 1) ausgestellt in {time.perf_counter() - t0:.1f} s"
            )
        app = create_app(
            {
                "database_url": url,
                "secret_key": "bench",
                "testing": True,
                "mfa_required_roles": "",
                "certificate_render_processes": args.processes,
            }
        )
        rendered = 0
        original_render = rendering.Renderer.render

        def counting_render(self, snapshots):  # type: ignore[no-untyped-def]
            nonlocal rendered
            rendered += len(snapshots)
            return original_render(self, snapshots)

        rendering.Renderer.render = counting_render  # type: ignore[method-assign]
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        login = client.post("/anmelden", data={"email": "koordination@bench.example", "password": PASSWORD})
        assert login.status_code == 302, login.status_code
        first = "legt alle PDFs ab" if args.legacy else "stellt alle Zertifikate aus"
        runs = [
            (f"ZIP, erster Abruf ({first})", "zip", False),
            ("ZIP, zweiter Abruf (schon ausgestellt)", "zip", False),
            ("Druck-PDF", "pdf", False),
        ]
        if args.trace:
            runs += [("ZIP mit tracemalloc", "zip", True), ("Druck-PDF mit tracemalloc", "pdf", True)]
        for label, fmt, trace in runs:
            rendered = 0
            cpu = os.times()
            with PeakRSS() as rss:
                r = download(client, fmt, trace)
            spent = os.times()
            own = spent.user - cpu.user + spent.system - cpu.system
            workers = spent.children_user - cpu.children_user + spent.children_system - cpu.children_system
            line = (
                f"{label:<46} erstes Byte nach {r['ttfb']:6.2f} s, fertig nach {r['total']:6.1f} s, "
                f"{r['mib']:5.1f} MiB in {r['chunks']} Stücken, {rendered} PDFs erzeugt, "
                f"CPU {own:.1f} s + {workers:.1f} s in Workern, RSS-Spitze {rss.peak:.0f} MiB"
            )
            if trace:
                line += f", Spitze Python-Speicher {r['peak']:.1f} MiB"
            print(line, flush=True)
        print(
            f"{count_documents(url)} PDFs abgelegt. Größter Arbeitsspeicher: dieser Prozess "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, ein Render-Prozess "
            f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB; "
            f"Last (1 min) am Ende {os.getloadavg()[0]:.1f} auf {os.cpu_count()} Kernen"
        )


if __name__ == "__main__":
    main()
