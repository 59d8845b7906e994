"""Attachments of practice examples: which files are accepted, checked by their content, not by their name (pure)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

#: Largest attachment, in bytes: handouts and slides, not videos.
MAX_BYTES = 5 * 1024 * 1024

#: extension → media type served; the content is checked against the extension.
TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
_OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


class AttachmentRefused(ValueError):
    """The file cannot be attached; ``code`` names why (the edge words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def safe_file_name(name: str) -> str:
    """The file's own name reduced to letters, digits, dots, dashes and underscores (no path, no control chars)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "anhang"
    return cleaned[-120:]


def check_attachment(name: str, data: bytes) -> tuple[str, str]:
    """(safe file name, media type) for an acceptable file; raises AttachmentRefused otherwise."""
    if not data:
        raise AttachmentRefused("empty")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused("too_large")
    safe = safe_file_name(name)
    extension = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    if extension not in TYPES:
        raise AttachmentRefused("type")
    if not _content_matches(extension, data):
        raise AttachmentRefused("content")
    return safe, TYPES[extension]


def _content_matches(extension: str, data: bytes) -> bool:
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if extension in _OOXML:
                return "[Content_Types].xml" in names and any(n.startswith(_OOXML[extension]) for n in names)
            mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
            return mimetype == TYPES[extension]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return False
