#!/usr/bin/env python3
"""Make the certificate fonts: Fira Sans (OFL) subset, without layout tables, renamed per OFL §3.

Two sets, each kept for the layouts drawn with it: issued certificates rebuild bit-identically, so a set that is
in use is never made again (other fontTools versions write other bytes), and more characters make a new set.

- set 1, ``KfAZertifikatSans-*`` (layouts 1–3, made in 2026 from ``SET_1``): Basic Latin, Latin-1, Latin
  Extended-A and typographic marks. Kept as made; this script no longer writes it.
- set 2, ``KfAZertifikatSans2-*`` (layout 4 on): also Latin Extended-B and Additional (Romanian ș/ț, Vietnamese
  ễ/ạ …), the spacing modifier letters (ʻ ʼ) and combining accents, Greek and Cyrillic: the scripts of names in German
  public administration (DIN 91379). Also writes ``lms/printable_characters.py``: what set 2 can print, which the
  name checks use without loading fontTools.

Run from the project root: ``.venv/bin/python scripts/make-certificate-fonts.py`` (needs ``brotli`` to read the
WOFF2 files of the vendored KERN copy).
"""

from fontTools import subset
from fontTools.ttLib import TTFont

SET_1 = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + list(range(0x2010, 0x2027))
    + list(range(0x2030, 0x203B))
    + [0x20AC, 0x2122, 0x2212, 0x1E9E]
)
SET_2 = sorted(
    set(SET_1)
    | set(range(0x180, 0x250))  # Latin Extended-B
    | set(range(0x2B0, 0x300))  # spacing modifier letters
    | set(range(0x300, 0x370))  # combining diacritical marks
    | set(range(0x370, 0x400))  # Greek
    | set(range(0x400, 0x530))  # Cyrillic and its supplement
    | set(range(0x1E00, 0x1F00))  # Latin Extended Additional
)
FAMILY = "KfA Zertifikat Sans"


def make(weight: str, unicodes: list[int], file_stem: str) -> TTFont:
    font = TTFont(f"static/vendor/kern/fonts/fira-sans/FiraSans-{weight}.woff2", recalcTimestamp=False)
    font.flavor = None
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} {weight}"
        elif record.nameID in (3, 6):
            record.string = f"{file_stem}-{weight}"
    font["OS/2"].version = max(font["OS/2"].version, 4)
    font.save(f"lms/certificates/fonts/{file_stem}-{weight}.ttf")
    return font


def ranges(code_points: set[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for point in sorted(code_points):
        if found and found[-1][1] == point - 1:
            found[-1] = (found[-1][0], point)
        else:
            found.append((point, point))
    return found


def write_printable(code_points: set[int]) -> None:
    lines = [
        '"""The characters that certificates (layout 4 on) can print: the character map of the certificate font set 2.',
        "",
        "Written by scripts/make-certificate-fonts.py; do not edit (tests/unit/test_printable_characters.py compares it",
        'with the fonts). Ranges of code points, first and last included."""',
        "",
        "RANGES: tuple[tuple[int, int], ...] = (",
        *(f"    (0x{first:04X}, 0x{last:04X})," for first, last in ranges(code_points)),
        ")",
        "",
    ]
    with open("lms/printable_characters.py", "w", encoding="utf-8") as file:
        file.write("\n".join(lines))


if __name__ == "__main__":
    printable: set[int] | None = None
    for weight in ("Regular", "SemiBold"):
        cmap = set(make(weight, SET_2, "KfAZertifikatSans2").getBestCmap())
        printable = cmap if printable is None else printable & cmap
    assert printable is not None
    write_printable(printable)
