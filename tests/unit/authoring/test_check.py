"""``lms content check`` on real files: single-file problems plus cross-file rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.authoring.check import check_paths, load_paths


def module_text(slug: str, kind: str = "training") -> str:
    extra = "materials:\n  - Flipchart\n" if kind == "workshop" else ""
    minutes = " (10 Min.)" if kind == "workshop" else ""
    sections = "".join(f"## Abschnitt {n}{minutes}\n\nText {n}.\n\n" for n in (1, 2, 3))
    return (
        f"---\nslug: {slug}\ntitle: Titel\nkind: {kind}\nversion: 1.0\nsummary: Kurz.\nduration_minutes: 30\n"
        f"audience: Alle\nobjectives:\n  - Ziel\nlanguage: de\n{extra}---\nEinleitung.\n\n{sections}"
    )


QUESTION = "## Frage {n}?\n\n[( )] Falsch\n[(X)] Richtig\n***\nWeil.\n***\n\n"


def quiz_text(module: str) -> str:
    questions = "".join(QUESTION.format(n=n) for n in range(1, 7))
    return (
        f"---\nmodule: {module}\npass_mark: 80\nshuffle: false\nmax_attempts: 0\n---\n# Quiz\n\n{questions}"
    )


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    write(tmp_path / "modules" / "grundbegriffe.md", module_text("grundbegriffe"))
    write(tmp_path / "modules" / "ankommen.md", module_text("ankommen", "workshop"))
    write(tmp_path / "quizzes" / "grundbegriffe.md", quiz_text("grundbegriffe"))
    return tmp_path


def check(*paths: Path) -> list[str]:
    return [str(p) for p in check_paths([str(p) for p in paths])]


def test_valid_content_has_no_problems(content: Path):
    assert check(content / "modules", content / "quizzes") == []


def test_load_paths_returns_documents_with_their_paths(content: Path):
    modules, quizzes, problems = load_paths([str(content / "modules"), str(content / "quizzes")])
    assert problems == []
    assert [(Path(path).name, doc.slug) for path, doc in modules] == [
        ("ankommen.md", "ankommen"),
        ("grundbegriffe.md", "grundbegriffe"),
    ]
    assert [(Path(path).name, doc.module_slug) for path, doc in quizzes] == [
        ("grundbegriffe.md", "grundbegriffe")
    ]


def test_relative_paths_are_reported_as_given(content: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(content)
    write(content / "modules" / "kaputt.md", module_text("kaputt").replace("language: de", "language: fr"))
    assert check_paths([]) == check_paths(["modules", "quizzes"])
    assert [str(p) for p in check_paths([])] == [
        "modules/kaputt.md:11: „language“ muss „de“ oder „en“ sein, nicht „fr“."
    ]


def test_problems_from_several_files_are_all_collected(content: Path):
    write(content / "modules" / "grundbegriffe.md", module_text("grundbegriffe").replace("title:", "titel:"))
    write(
        content / "quizzes" / "grundbegriffe.md",
        quiz_text("grundbegriffe").replace("[(X)] Richtig", "[( )] R", 1),
    )
    assert check(content / "modules", content / "quizzes") == [
        f"{content}/modules/grundbegriffe.md:1: Pflichtfeld „title“ fehlt.",
        f"{content}/modules/grundbegriffe.md:3: Unbekanntes Feld „titel“ (meinten Sie „title“?).",
        f"{content}/quizzes/grundbegriffe.md:11: Einfachauswahl braucht mindestens eine richtige Antwort „[(X)]“; "
        "gefunden: 0.",
    ]


def test_quiz_for_a_missing_module(content: Path):
    write(content / "quizzes" / "fehlt.md", quiz_text("fehlt"))
    assert check(content / "modules", content / "quizzes") == [
        f"{content}/quizzes/fehlt.md:2: Modul „fehlt“ gibt es nicht (erwartet wird „modules/fehlt.md“)."
    ]


def test_quiz_for_a_workshop(content: Path):
    write(content / "quizzes" / "ankommen.md", quiz_text("ankommen"))
    assert check(content / "modules", content / "quizzes") == [
        f"{content}/quizzes/ankommen.md:2: „ankommen“ ist ein Drehbuch (kind: workshop); Quizze "
        "gibt es nur zu "
        "Schulungsmodulen."
    ]


def test_quiz_alone_finds_its_module_in_the_sibling_directory(content: Path):
    assert check(content / "quizzes" / "grundbegriffe.md") == []
    modules, quizzes, _ = load_paths([str(content / "quizzes" / "grundbegriffe.md")])
    assert modules == []
    assert len(quizzes) == 1


def test_quiz_of_a_broken_module_is_not_reported_as_missing(content: Path):
    write(
        content / "modules" / "grundbegriffe.md",
        module_text("grundbegriffe").replace("kind: training", "kind: x"),
    )
    assert check(content / "modules", content / "quizzes") == [
        f"{content}/modules/grundbegriffe.md:4: „kind“ muss „training“ oder „workshop“ sein, nicht „x“."
    ]


def test_at_most_one_quiz_per_module(content: Path):
    second = write(content / "extra" / "grundbegriffe.md", quiz_text("grundbegriffe"))
    assert check(content / "modules", content / "quizzes", second) == [
        f"{content}/extra/grundbegriffe.md:2: Zu „grundbegriffe“ gibt es schon ein Quiz: "
        f"„{content}/quizzes/grundbegriffe.md“. Je Modul ist ein Quiz erlaubt."
    ]


def test_duplicate_module_slugs(content: Path):
    other = write(content / "archiv" / "grundbegriffe.md", module_text("grundbegriffe"))
    modules, _, problems = load_paths([str(content / "modules"), str(other)])
    assert [str(p) for p in problems] == [
        f"{other}:2: Der slug „grundbegriffe“ wird schon in „{content}/modules/grundbegriffe.md“ verwendet."
    ]
    assert str(other) not in [path for path, _ in modules]


def test_file_outside_the_known_directories_is_a_quiz_if_it_names_a_module(content: Path):
    loose = write(content / "entwurf" / "grundbegriffe.md", quiz_text("grundbegriffe"))
    _, quizzes, problems = load_paths([str(loose)])
    assert problems == []
    assert [doc.module_slug for _, doc in quizzes] == ["grundbegriffe"]


def test_not_utf8_points_to_the_line(content: Path):
    text = module_text("alt").replace("Text 2.", "Stra\udcdfe").encode("utf-8", "surrogateescape")
    broken = write(content / "modules" / "alt.md", text)
    line = text.split(b"\n").index(b"Stra\xdfe") + 1
    assert check(broken) == [
        f"{broken}:{line}: Die Datei ist nicht in UTF-8 gespeichert (ungültiges Zeichen in dieser Zeile)."
    ]


def test_unreadable_file(content: Path, monkeypatch: pytest.MonkeyPatch):
    locked = content / "modules" / "grundbegriffe.md"

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Keine Berechtigung")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert check(locked) == [f"{locked}:1: Die Datei kann nicht gelesen werden: Keine Berechtigung."]


def test_missing_path(tmp_path: Path):
    assert check(tmp_path / "gibtsnicht") == [
        f"{tmp_path}/gibtsnicht:1: Diese Datei oder dieses Verzeichnis gibt es nicht."
    ]


def test_directories_are_not_searched_recursively(content: Path):
    write(content / "modules" / "unterordner" / "kaputt.md", "kein Front-Matter")
    write(content / "modules" / "notizen.txt", "keine Markdown-Datei")
    assert check(content / "modules") == []


def test_each_file_is_checked_once(content: Path):
    write(content / "modules" / "kaputt.md", module_text("kaputt").replace("language: de", "language: fr"))
    assert len(check(content / "modules", content / "modules" / "kaputt.md")) == 1
