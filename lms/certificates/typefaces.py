"""The certificate fonts, prepared once per process (layout 2 onwards; pure: no database, no flask).

fpdf2 parses a TrueType file on every ``add_font`` and subsets and re-saves it with fontTools on every ``output``:
about 25 ms per certificate, most of the time of 1,800 certificates. Subsetting to exactly the glyphs used also
makes every certificate's font different (the random characters of the code), so nothing could be reused.

From layout 2 on, a certificate embeds the glyphs of a fixed repertoire (Basic Latin, the German letters and the
typographic marks of the layout) plus any other glyph its text uses. The embedded font program therefore depends
only on the characters outside the repertoire, almost always none: it is built once per process and kept (an LRU
of a few programs), and the font's metrics are parsed once and copied into each document. The output stays a pure
function of the snapshot, so a rebuild is still bit-identical.

The one place fpdf2 offers no hook is the subsetting call inside its output producer: it calls
``fontTools.subset.Subsetter(options).subset(font.ttfont)`` and ``font.ttfont.save(...)``. :func:`install` gives
that module a ``Subsetter`` that answers for our :class:`_Program` stand-ins from the cache and hands every real
fontTools font to fontTools unchanged, so other PDFs (transcripts, layout 1) are built exactly as before.
"""

from __future__ import annotations

import copy
import io
import threading
import types
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import fpdf.output
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONTS = Path(__file__).resolve().parent / "fonts"
#: The font sets (scripts/make-certificate-fonts.py), style -> file: set 1 (Latin) draws layouts 1 to 3, set 2 (also
#: Vietnamese, Romanian, Greek and Cyrillic letters: lms.printable_characters) layout 4 on. A set is never changed.
FONT_SETS = {
    1: {"": FONTS / "KfAZertifikatSans-Regular.ttf", "B": FONTS / "KfAZertifikatSans-SemiBold.ttf"},
    2: {"": FONTS / "KfAZertifikatSans2-Regular.ttf", "B": FONTS / "KfAZertifikatSans2-SemiBold.ttf"},
}

#: Characters whose glyphs every layout-2 certificate embeds, used or not (about 8 KB more per certificate than an
#: exact subset): codes, addresses, dates and most German names need nothing else. Part of layout 2: another
#: repertoire changes every layout-2 PDF (the reference hash in the tests notices) and needs a new layout.
REPERTOIRE = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, "ÄÖÜäöüßé„“”‚‘’–—·…§€"))
#: Font programs kept per process (each about 25 KB); more than one only for names with rarer letters.
CACHE_SIZE = 64

_lock = threading.Lock()
_programs: OrderedDict[tuple[str, frozenset[str]], tuple[bytes, dict[str, int]]] = OrderedDict()
_prototypes: dict[tuple[str, int], dict[str, TTFFont]] = {}
#: How many font programs were built (subset and saved) in this process; tests read it.
builds = 0


class _Program:
    """Stands in for fontTools' TTFont in one document: what fpdf2's output asks of the font, from the cache."""

    def __init__(self, path: Path, repertoire_glyphs: frozenset[str]) -> None:
        self.path = path
        self.repertoire_glyphs = repertoire_glyphs
        self._data = b""
        self._glyph_ids: dict[str, int] = {}

    def build(self, glyph_names: Iterable[str], options: Any) -> None:
        """Take the program with these glyphs and the repertoire's from the cache, or build and keep it."""
        self._data, self._glyph_ids = _program(self.path, self.repertoire_glyphs | set(glyph_names), options)

    def getGlyphID(self, name: str) -> int:  # fontTools calls it so
        return self._glyph_ids[name]

    def save(self, stream: IO[bytes]) -> None:
        stream.write(self._data)

    def __contains__(self, table: str) -> bool:
        return False  # fpdf2 asks for "CFF "; these are TrueType fonts

    def close(self) -> None:
        """Nothing to close: the program is bytes (fpdf2 closes a font after writing it)."""


def _options_key(options: Any) -> str:
    return repr(sorted((k, repr(v)) for k, v in vars(options).items()))


def _program(path: Path, glyphs: frozenset[str] | set[str], options: Any) -> tuple[bytes, dict[str, int]]:
    """The font at ``path`` subset to ``glyphs`` with fpdf2's options, as bytes, and its new glyph ids."""
    global builds
    key = (f"{path}\n{_options_key(options)}", frozenset(glyphs))
    with _lock:
        found = _programs.get(key)
        if found is not None:
            _programs.move_to_end(key)
            return found
        font = TTFont(path, recalcTimestamp=False, lazy=True)  # as fpdf2 opens it
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=sorted(glyphs))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        built = (buffer.getvalue(), {name: font.getGlyphID(name) for name in glyphs})
        font.close()
        builds += 1
        _programs[key] = built
        while len(_programs) > CACHE_SIZE:
            _programs.popitem(last=False)
        return built


def clear_cache() -> None:
    """Forget the built font programs (tests: a cold cache must give the same bytes as a warm one)."""
    with _lock:
        _programs.clear()


class _Subsetter(ftsubset.Subsetter):
    """fontTools' subsetter, except that our stand-ins are answered from the cache."""

    def subset(self, font: Any) -> None:
        if isinstance(font, _Program):
            font.build(self.glyph_names_requested, self.options)
            return
        super().subset(font)


class _SubsetModule(types.ModuleType):
    """``fontTools.subset`` as fpdf2's output module sees it: the same, with :class:`_Subsetter`."""

    Subsetter = _Subsetter

    def __getattr__(self, name: str) -> Any:
        return getattr(ftsubset, name)


def install() -> None:
    """Let fpdf2's output use the cache for prepared fonts (idempotent; real fonts are untouched)."""
    if not isinstance(fpdf.output.ftsubset, _SubsetModule):
        fpdf.output.ftsubset = _SubsetModule("fontTools.subset")


def _prepared(family: str, font_set: int) -> dict[str, TTFFont]:
    """Parsed fonts of the family in this set (metrics, character map), once per process."""
    with _lock:
        found = _prototypes.get((family, font_set))
        if found is None:
            scratch = FPDF()
            found = {}
            for style, path in FONT_SETS[font_set].items():
                scratch.add_font(family, style, str(path))
                prototype = scratch.fonts[f"{family.lower()}{style}"]
                assert isinstance(prototype, TTFFont)
                cmap = prototype.cmap
                repertoire = frozenset(cmap[c] for c in REPERTOIRE if c in cmap)
                prototype.ttfont.close()
                prototype.ttfont = _Program(path, repertoire)
                found[style] = prototype
            _prototypes[(family, font_set)] = found
        return found


def add_prepared_fonts(pdf: FPDF, family: str, font_set: int) -> None:
    """Give the document the set's Regular and SemiBold ("B") as ``family``, as ``add_font`` would, without parsing
    them."""
    install()
    for prototype in _prepared(family, font_set).values():
        font = copy.copy(prototype)
        # What a document changes while it is drawn and written is its own; the parsed tables are shared.
        font.i = len(pdf.fonts) + 1
        font.cw = copy.copy(prototype.cw)  # a defaultdict: reading a missing character adds it
        font.desc = copy.copy(prototype.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.ttfont = copy.copy(prototype.ttfont)
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font
