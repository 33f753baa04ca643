"""Documents in: EPUB books and Word documents (real ones nobody here wrote, and damaged or protected ones)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from helpers import PAGES, one_line_error, speak

from articlecast.inputs import read_article

BOOK = PAGES / "real" / "accessible-epub-3.epub"


def test_a_real_epub_reads_in_spine_order_with_its_navigation_as_chapters() -> None:
    book = read_article(BOOK)
    assert (book.title, book.author, book.language) == ("Accessible EPUB 3", "Matt Garrish", "en")
    assert [s.title for s in book.sections if not s.part] == [
        "Accessible EPUB 3", "Preface", "1. Introduction", "2. Building a Better EPUB: Fundamental Accessibility",
        "3. It’s Alive: Rich Content Accessibility", "4. Conclusion"]
    nested = [s.title for s in book.sections if s.part == "1. Introduction"]
    assert nested == ["The Digital Famine", "Accessibility and Usability"]  # the navigation's nesting
    said = " ".join(p for s in book.sections for p in s.paragraphs)
    assert "Skipping and escaping are terms" in said  # a note aside is the book's text
    assert "xmlns:epub" not in said and "Table of Contents" not in [s.title for s in book.sections]  # code, nav
    assert 25_000 < len(said.split()) < 30_000


def test_speak_script_writes_an_epubs_editable_script(tmp_path: Path) -> None:
    proc = speak(["script", str(BOOK), "-o", "book.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "book.yaml").read_text()
    assert "Accessible EPUB 3" in text and "The Digital Famine" in text


def _rezip(source: Path, target: Path, extra: dict[str, bytes] | None = None, drop: str = "") -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for item in src.infolist():
            if item.filename != drop:
                out.writestr(item, src.read(item))
        for name, data in (extra or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("kind, needle", [("cut", "damaged zip"), ("drm", "protected (DRM"),
                                          ("no-container", "META-INF/container.xml is missing"),
                                          ("pipe", "not a regular file")])
def test_a_damaged_or_protected_epub_is_one_line(kind: str, needle: str, tmp_path: Path) -> None:
    book = tmp_path / "book.epub"
    if kind == "cut":
        book.write_bytes(BOOK.read_bytes()[:40_000])
    elif kind == "drm":
        _rezip(BOOK, book, {"META-INF/encryption.xml": b"<encryption/>"})
    elif kind == "no-container":
        _rezip(BOOK, book, drop="META-INF/container.xml")
    else:
        import os
        os.mkfifo(book)
    one_line_error(speak(["build", "book.epub", "--engine", "silent"], tmp_path, timeout=60), "book.epub", needle)
    assert not (tmp_path / "audio_out").exists()


MANUAL = PAGES / "real" / "previsat-manual-en.docx"


def test_a_real_word_manual_reads_its_heading_styles_as_nested_chapters() -> None:
    manual = read_article(MANUAL)
    assert manual.author == "Fabrice" and manual.language == "en"
    top = [s.title for s in manual.sections if not s.part]
    assert top[:3] == ["Overview", '"Main" tab', '"Osculating elements" tab'] and "Annex 4 : Thanks" in top
    assert [s.title for s in manual.sections if s.part == '"Options" tab'] == [
        '"Location" tab', '"Settings" tab', '"Wall Command Center" tab']
    said = [p for s in manual.sections for p in s.paragraphs]
    assert not any(re.search(r"\t\d+$|^I+\.\s", p) for p in said)  # its own table of contents is not read
    assert any(p.startswith("Designation: And; Latin: Andromeda") for p in said)  # a table, row by row


@pytest.mark.parametrize("kind, needle", [("encrypted", "password-protected"), ("cut", "not a readable Word"),
                                          ("bomb", "over the 200 MB a document may have")])
def test_a_protected_or_damaged_word_document_is_one_line(kind: str, needle: str, tmp_path: Path) -> None:
    doc = tmp_path / "report.docx"
    if kind == "bomb":  # a real document with 300 MB of zeros beside it, in a few hundred kB
        _rezip(MANUAL, doc, {"word/media/zeros.bin": bytes(300 * 1000**2)})
    else:
        doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000) if kind == "encrypted"
                        else MANUAL.read_bytes()[:30_000])
    one_line_error(speak(["build", "report.docx", "--engine", "silent"], tmp_path, timeout=60), "report.docx", needle)
    assert not (tmp_path / "audio_out").exists()
