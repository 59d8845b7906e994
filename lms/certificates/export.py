"""The bulk export: a ZIP of the stored certificate PDFs with a manifest, produced as a stream of chunks (no flask,
no DB).

The archive is written by ``zipfile`` into a write-only sink that hands each chunk on as soon as it exists, so the
download starts at once and memory stays flat: one PDF at a time, whatever the number of certificates. PDFs are
already compressed, so members are stored, not deflated again.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from lms import time as clock
from lms.certificates.snapshot import MODE_LABELS
from lms.spreadsheet import neutralise as spreadsheet_safe

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = [
    "Datei",
    "Prüfcode",
    "Status",
    "Name",
    "Personalnummer",
    "Organisationseinheit",
    "Kommune",
    "Modul",
    "Version",
    "Abgeschlossen am",
    "Umfang (Minuten)",
    "Form",
    "Ausgestellt am",
    "Prüfadresse",
]


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A member's date in the archive: the German local time, as file managers show it (ZIP keeps no zone)."""
    local = moment.astimezone(clock.BERLIN)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


Row = Any  # (code, snapshot, revoked_at, personnel_number, org_unit_name)


def neutralise(cell: object) -> str:
    """A cell that a spreadsheet shows as text, never evaluates."""
    return spreadsheet_safe("" if cell is None else str(cell))


#: Bytes of the holder's name in a file name; with date, module slug (≤ 80) and code it stays under 255 bytes.
NAME_BYTES = 120


def file_name(snapshot: dict[str, Any]) -> str:
    """``2026-03-01_Weiß-Jürgen_grundbegriffe_KFA-….pdf``: sortable by date, readable, unique by the code."""
    name = re.sub(r"[^\w.-]+", "-", snapshot["holder_name"], flags=re.UNICODE)
    # File systems allow 255 bytes per name: a long name (in letters of two or three bytes) is cut.
    name = name.encode()[:NAME_BYTES].decode(errors="ignore").strip("-.") or "Person"
    module = snapshot.get("module_slug") or "fortbildung"
    return f"{snapshot['awarded_on']}_{name}_{module}_{snapshot['code']}.pdf"


def manifest_row(
    code: str,
    snapshot: dict[str, Any],
    revoked_at: datetime | None,
    personnel_number: str | None = None,
    org_unit: str | None = None,
) -> list[str]:
    """One manifest line; revoked certificates are listed without a file. Personalnummer and org unit are the
    holder's current ones (not part of the certificate)."""
    status = f"widerrufen am {clock.fixed_date(revoked_at)}" if revoked_at else "gültig"
    cells = [
        "" if revoked_at else file_name(snapshot),
        code,
        status,
        snapshot["holder_name"],
        personnel_number or "",
        org_unit or "",
        snapshot.get("municipality_name") or "",
        snapshot["title"],
        snapshot.get("version_label") or "",
        clock.fixed_date(date.fromisoformat(snapshot["awarded_on"])),
        snapshot.get("duration_minutes") or "",
        MODE_LABELS.get(snapshot["mode"], snapshot["mode"]),
        clock.fixed_date(datetime.fromisoformat(snapshot["issued_at"])),
        snapshot["verify_url"],
    ]
    return [neutralise(cell) for cell in cells]


class _Sink(io.RawIOBase):
    """A write-only, unseekable file: zipfile writes into it, the generator takes the bytes out."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(
    rows: Callable[[], Iterable[Row]],
    documents: Callable[[], Iterable[tuple[Row, bytes]]],
    *,
    created: datetime,
) -> Iterator[bytes]:
    """Yield the archive chunk by chunk: first ``manifest.csv`` (UTF-8 with BOM, semicolons), then one PDF per
    valid certificate. ``rows`` gives every certificate of the selection for the manifest, ``documents`` the
    valid ones with their stored PDF, in the same order; both are read as they come, never as a list.

    The manifest is dated ``created`` (the export), each PDF with its certificate's issue: a file manager shows
    when each was made (they all read 01.01.2026 before).
    """
    return (chunk for chunk in _archive_chunks(rows, documents, created) if chunk)


def _archive_chunks(
    rows: Callable[[], Iterable[Row]], documents: Callable[[], Iterable[tuple[Row, bytes]]], created: datetime
) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        manifest_info = zipfile.ZipInfo(MANIFEST_NAME, date_time=_zip_time(created))
        manifest_info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(manifest_info, mode="w") as member:
            text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
            writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(MANIFEST_COLUMNS)
            for count, row in enumerate(rows(), start=1):
                writer.writerow(manifest_row(*row))
                if count % 100 == 0:
                    text.flush()
                    yield sink.take()
            text.flush()
            text.detach()
        yield sink.take()
        for (_code, snapshot, revoked_at, *_holder), content in documents():
            if revoked_at is not None:
                continue
            issued = datetime.fromisoformat(snapshot["issued_at"])
            info = zipfile.ZipInfo(file_name(snapshot), date_time=_zip_time(issued))
            archive.writestr(info, content, compress_type=zipfile.ZIP_STORED)
            yield sink.take()
    yield sink.take()
