"""`lms worker`: the process that runs background jobs (invitation mails, certificate archives)."""

from __future__ import annotations

import logging

import click


@click.command("worker")
@click.option("--burst", is_flag=True, help="nur erledigen, was fällig ist, dann beenden")
def worker_command(burst: bool) -> None:
    """Hintergrundaufgaben ausführen: aus Redis (LMS_REDIS_URL) oder, ohne Redis, aus der Datenbank."""
    from lms.commands import settings
    from lms.jobs.worker import run_worker

    config = settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = f"Redis-Warteschlange „{config.queue_name}“" if config.redis_url else "Datenbank (ohne Redis)"
    click.echo(f"Worker für Hintergrundaufgaben: {where}.")
    run_worker(config, burst=burst)
