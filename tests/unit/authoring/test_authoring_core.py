"""Pure parts of browser authoring: line diffs, reading uploads, cleaning images, the editor's preview."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from lms.authoring.archive import MAX_MARKDOWN_BYTES, build_archive, read_upload
from lms.authoring.preview import declared_slug, preview_source
from lms.content.diff import line_diff
from lms.content.media import ImageRejected, clean_image, media_references
from lms.content.modules import parse_module
from tests import factories as f


def test_diff_marks_changed_lines_with_their_numbers_and_context() -> None:
    old = "\n".join(f"Zeile {n}" for n in range(1, 21))
    new = old.replace("Zeile 10", "Zeile zehn").replace("Zeile 20", "Zeile 20\nZeile 21")
    diff = line_diff(old, new)
    assert (diff.added, diff.removed) == (2, 1)
    first, second = diff.hunks
    assert [(r.kind, r.old, r.new, r.text) for r in first.rows if r.kind != "same"] == [
        ("removed", 10, None, "Zeile 10"),
        ("added", None, 10, "Zeile zehn"),
    ]
    # Three lines of context on each side, as in `git diff`.
    assert [r.old for r in first.rows if r.kind == "same"] == [7, 8, 9, 11, 12, 13]
    assert first.heading == "7–13 → 7–13"
    assert [(r.kind, r.new) for r in second.rows][-1] == ("added", 21)


def test_identical_texts_have_no_hunks() -> None:
    assert line_diff("a\nb", "a\nb").is_identical


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_upload_keeps_the_folder_that_decides_the_document_type() -> None:
    data = _zip(
        {
            "kommunen-main/modules/testmodul.md": f.module_source().encode(),
            "kommunen-main/quizzes/testmodul.md": f.quiz_source().encode(),
            "kommunen-main/README.txt": b"nicht Markdown",
            "__MACOSX/modules/._testmodul.md": b"\x00\x05",
        }
    )
    files, problems = read_upload("inhalte.zip", data)
    assert problems == []
    assert [(u.path, u.document) for u in files] == [
        ("modules/testmodul.md", "module"),
        ("quizzes/testmodul.md", "quiz"),
    ]


def test_download_archive_reads_back_identically() -> None:
    pairs = [("modules/testmodul.md", f.module_source()), ("quizzes/testmodul.md", f.quiz_source())]
    archive = build_archive(pairs)
    assert archive == build_archive(pairs), "the same content gives the same archive"
    files, problems = read_upload("export.zip", archive)
    assert problems == [] and [(u.path, u.text) for u in files] == pairs


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bild.png", b"x", "Erlaubt sind Markdown-Dateien (.md) und Zip-Archive (.zip) solcher Dateien."),
        ("kaputt.zip", b"PK\x03\x04 kein zip", "Die Datei ist kein lesbares Zip-Archiv."),
        ("leer.zip", _zip({"a.txt": b"x"}), "Das Archiv enthält keine Markdown-Dateien (.md)."),
        ("latin1.md", "---\ntitle: Übung\n".encode("cp1252"), "nicht in UTF-8 gespeichert"),
        ("gross.md", b"a" * (MAX_MARKDOWN_BYTES + 1), "größer als 1 MB"),
    ],
)
def test_broken_uploads_get_a_clear_message_with_a_line(name: str, data: bytes, message: str) -> None:
    files, problems = read_upload(name, data)
    assert files == [] and len(problems) == 1 and message in problems[0].message
    if name == "latin1.md":
        assert problems[0].line == 2


def test_a_zip_bomb_is_stopped_while_reading_not_trusted_by_its_header() -> None:
    bomb = _zip({"modules/gross.md": b"a" * (MAX_MARKDOWN_BYTES + 10)})
    assert len(bomb) < 10_000, "compresses to almost nothing"
    files, problems = read_upload("bombe.zip", bomb)
    assert files == [] and problems[0].message == "Die Datei ist größer als 1 MB."


def _image(fmt: str, size: tuple[int, int] = (40, 30), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def test_images_are_reencoded_without_metadata_and_addressed_by_hash() -> None:
    exif = Image.Exif()
    exif[0x013B] = "Name der fotografierenden Person"  # Artist
    original = _image("JPEG", exif=exif.tobytes())
    assert b"fotografierenden" in original
    clean = clean_image(original)
    assert (clean.media_type, clean.extension, clean.width, clean.height) == ("image/jpeg", "jpg", 40, 30)
    assert b"fotografierenden" not in clean.data
    assert clean_image(clean.data).sha256 == clean_image(clean.data).sha256


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"<svg onload='alert(1)'></svg>", "kein Bild im Format PNG, JPEG oder WebP"),
        (_image("GIF"), "Erlaubt sind Bilder im Format PNG, JPEG oder WebP."),
        (_image("PNG")[:60], "beschädigt oder unvollständig"),
        (_image("PNG", size=(4001, 2)), "höchstens 4000 Pixel"),
    ],
)
def test_only_real_png_jpeg_webp_images_are_accepted(data: bytes, message: str) -> None:
    with pytest.raises(ImageRejected, match=message):
        clean_image(data)


def test_media_references_carry_their_line() -> None:
    sha = "a" * 64
    refs = media_references(f"Text\n\n![Ablauf](/media/{sha}.png) und ![Ablauf](/media/{sha}.png)\n")
    assert [(r.line, r.path) for r in refs] == [(3, f"/media/{sha}.png")]


def test_preview_is_exactly_what_publishing_stores() -> None:
    source = f.module_source()
    preview = preview_source("module", source, "modules/testmodul.md")
    published = parse_module(source, "modules/testmodul.md")
    assert preview.is_valid and preview.module == published


def test_preview_of_a_broken_text_lists_problems_and_still_shows_the_text() -> None:
    source = f.module_source().replace('version: "1.0"', "version: eins")
    preview = preview_source("module", source, "modules/testmodul.md")
    assert not preview.is_valid
    assert [p.line for p in preview.problems] == [5]
    assert "Art. 3 Abs. 3 GG verbietet Benachteiligungen." in preview.rough_html
    assert declared_slug("module", source) == "testmodul"
    assert declared_slug("quiz", f.quiz_source(module="anderes")) == "anderes"


def test_media_paths_that_no_upload_can_have_are_found_with_their_line() -> None:
    from lms.content.media import unknown_media_paths

    sha = "a" * 64
    source = f'Text\n![Ablauf](/media/nichtda.png)\n![Gut](/media/{sha}.png)\n<img src="/media/x.jpg">\n'
    assert unknown_media_paths(source) == [(2, "/media/nichtda.png"), (4, "/media/x.jpg")]
