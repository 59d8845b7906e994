"""Images for modules: which uploads are accepted, how they are cleaned, and how Markdown refers to them.

Pure code (no database): the checks run the same in the browser upload, in tests and in benchmarks.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lms.errors import ServiceError

if TYPE_CHECKING:
    from PIL import Image

#: Largest accepted image file; photos for a module are screenshots or diagrams, not print material.
MAX_IMAGE_BYTES = 3 * 1024 * 1024
#: Larger images are refused rather than scaled: the author should choose the crop.
MAX_IMAGE_SIDE = 4000

#: Pillow format name -> (media type served, file extension in the path).
ACCEPTED_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}

_REFERENCE = re.compile(r"/media/(?P<sha256>[0-9a-f]{64})\.(?P<extension>png|jpg|webp)\b")
#: Any path under /media/ in Markdown or HTML (link target, image source), up to where the path ends.
_ANY_MEDIA_PATH = re.compile(r"(?<![\w/.-])/media/[^\s)\]\"'<>]*")


class ImageRejected(ServiceError):
    """The upload is not an image the platform accepts; the message says why, in German."""


@dataclass(frozen=True)
class CleanImage:
    """An accepted image, re-encoded without metadata, ready to store."""

    data: bytes
    sha256: str
    media_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class MediaReference:
    """A ``/media/…`` path in a Markdown source, with its 1-based line."""

    line: int
    sha256: str
    extension: str

    @property
    def path(self) -> str:
        return f"/media/{self.sha256}.{self.extension}"


def media_references(source: str) -> list[MediaReference]:
    """Every platform image path in a source, in order (each once per line)."""
    found = []
    for number, line in enumerate(source.split("\n"), start=1):
        seen = set()
        for match in _REFERENCE.finditer(line):
            if match["sha256"] not in seen:
                seen.add(match["sha256"])
                found.append(MediaReference(number, match["sha256"], match["extension"]))
    return found


def unknown_media_paths(source: str) -> list[tuple[int, str]]:
    """(line, path) of every ``/media/…`` path that is not an uploaded image's path (``/media/nichtda.png``).

    Such a path can never exist on the platform (uploads are named by their hash), so learners would see a
    broken image; the checks report it without asking the database.
    """
    found = []
    for number, line in enumerate(source.split("\n"), start=1):
        for match in _ANY_MEDIA_PATH.finditer(line):
            if not _REFERENCE.fullmatch(match.group()):
                found.append((number, match.group()))
    return found


def clean_image(data: bytes) -> CleanImage:
    """Check an uploaded file and re-encode it without metadata (EXIF can hold GPS positions and names).

    The type is decided by decoding the bytes, never by the file name or the browser's claim.
    """
    if not data:
        raise ImageRejected("file.empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected("image.too_many_bytes", mb=MAX_IMAGE_BYTES // (1024 * 1024))
    # Pillow is loaded on the first upload, not by every web worker at start (its memory is per process).
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                cleaned = _reencode(image, image_format)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRejected("image.not_an_image") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("image.damaged") from None
    return cleaned


def _reencode(image: Image.Image, image_format: str) -> CleanImage:
    if image_format not in ACCEPTED_FORMATS:
        raise ImageRejected("image.format")
    if max(image.size) > MAX_IMAGE_SIDE:
        raise ImageRejected("image.too_large", side=MAX_IMAGE_SIDE)
    media_type, extension = ACCEPTED_FORMATS[image_format]
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image)
    if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    # Only pixels (and the colour profile) are kept; EXIF, XMP and text chunks are dropped.
    upright.save(out, format=image_format, icc_profile=image.info.get("icc_profile"), **options)
    data = out.getvalue()
    return CleanImage(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        extension=extension,
        width=upright.width,
        height=upright.height,
    )
