"""The legal texts: a deployment's Markdown file in ``<instance>/legal/``, else the shipped default.

Each file is rendered through the kernel's pipeline (markdown-it with raw HTML off, then the one sanitiser) once
per change: the result is cached under the file's path, modification time and size, so editing a file on the
server shows on the next page view without a restart, and an unchanged file is never rendered twice.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lms.markdown.render import render_markdown

#: The documents a deployment may replace, by file stem.
NAMES = ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "gebaerdensprache")
DEFAULTS = Path(__file__).resolve().parent / "defaults"
#: A heading tag of the rendered text (the kernel demotes h1/h2 to h3; here the page owns only h1).
_HEADING = re.compile(r"<(/?)h([3-6])\b")


@dataclass(frozen=True)
class Document:
    """A rendered legal text and whether it is still the shipped default (which says what to fill in)."""

    html: str
    is_default: bool


_cache: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def _promote_headings(html: str) -> str:
    """h3 → h2 and so on, so that the document's sections follow the page's h1 without a gap."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", html)


def source_path(instance_path: str, name: str) -> tuple[Path, bool]:
    """The file that holds the text: the deployment's own if it exists, else the default (and True)."""
    if name not in NAMES:
        raise KeyError(name)
    own = Path(instance_path) / "legal" / f"{name}.md"
    if own.is_file():
        return own, False
    return DEFAULTS / f"{name}.md", True


def load(instance_path: str, name: str) -> Document:
    """The rendered, sanitised HTML of the named document (rendered again only when its file changed)."""
    path, is_default = source_path(instance_path, name)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        html = _cache.get(key)
    if html is None:
        html = _promote_headings(render_markdown(path.read_text(encoding="utf-8"), doc_id=name))
        with _lock:
            for old in [k for k in _cache if k[0] == key[0]]:
                del _cache[old]
            _cache[key] = html
    return Document(html=html, is_default=is_default)


def render_count() -> int:
    """How many renderings are cached (for tests: one per file version)."""
    with _lock:
        return len(_cache)
