"""Rendering many certificate PDFs at once, in worker processes when there are enough (pure: no database, no flask).

One certificate takes about 17 ms of CPU (fpdf2's line breaking and drawing, now that the fonts are prepared once
per process), so 1,800 take half a minute on one core. Bulk issuing hands batches to a small pool of worker
processes: each renders its share with the same code, and the result is byte for byte what the web process would
have made (the snapshot is the only input). The pool is started with "spawn": a fresh interpreter, nothing
inherited from the web process (no database connections, no threads), at the price of about a second to start.

fpdf2, fontTools and Pillow (about 35 MiB) are imported at the first PDF (:func:`certificate_pdf`), not when the
app starts: most requests of a web worker never make one (bench/README.md, memory).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from lms.certificates.snapshot import Snapshot


def certificate_pdf(snapshot: Snapshot | dict[str, Any]) -> bytes:
    """:func:`lms.certificates.pdf.certificate_pdf`, whose module (with fpdf2) is imported at the first call."""
    from lms.certificates import pdf

    return pdf.certificate_pdf(snapshot)


#: Below this many PDFs in a batch, starting worker processes costs more than it saves.
POOL_THRESHOLD = 200


class Renderer:
    """Turns snapshots into PDF bytes, in order; with ``processes`` > 1 on a pool started at the first large batch.

    Use as a context manager (the pool is shut down at the end). ``rendered`` counts the PDFs made.
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, processes)
        self.rendered = 0
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def render(self, snapshots: Sequence[dict[str, Any]]) -> list[bytes]:
        """The PDF of each snapshot, in the same order."""
        if self.processes == 1 or len(snapshots) < POOL_THRESHOLD:
            result = [certificate_pdf(snapshot) for snapshot in snapshots]
        else:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            chunk = max(1, math.ceil(len(snapshots) / (self.processes * 4)))
            result = list(self._pool.map(certificate_pdf, snapshots, chunksize=chunk))
        self.rendered += len(result)
        return result
