"""Documents in: PDF documents, EPUB books and Word documents (real ones nobody here wrote, and damaged or protected ones)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from helpers import PAGES, one_line_error, speak, start
from hostile_files import small_pdf, word_document
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from articlecast.audio.tags import read_mp3
from articlecast.errors import InputError
from articlecast.inputs import read_article
from articlecast.inputs.article import Article

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from documents import measure  # noqa: E402

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


BOMB_PROLOG = (b'<?xml version="1.0"?>\n<!DOCTYPE package [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
               b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>\n')


@pytest.mark.parametrize("kind, needle", [("cut", "damaged zip"), ("drm", "protected (DRM"),
                                          ("no-container", "META-INF/container.xml is missing"),
                                          ("pipe", "not a regular file"),
                                          ("missing-part", "spi-ad.xhtml, named in its spine, is missing"),
                                          ("entities", "declares its own XML entities")])
def test_a_damaged_or_protected_epub_is_one_line(kind: str, needle: str, tmp_path: Path) -> None:
    book = tmp_path / "book.epub"
    if kind == "cut":
        book.write_bytes(BOOK.read_bytes()[:40_000])
    elif kind == "drm":
        _rezip(BOOK, book, {"META-INF/encryption.xml": b"<encryption/>"})
    elif kind == "no-container":
        _rezip(BOOK, book, drop="META-INF/container.xml")
    elif kind == "missing-part":
        _rezip(BOOK, book, drop="EPUB/spi-ad.xhtml")
    elif kind == "entities":  # a billion laughs in the package document
        with zipfile.ZipFile(BOOK) as src:
            opf = src.read("EPUB/package.opf")
        opf = BOMB_PROLOG + opf[opf.index(b"<package"):].replace(b"</dc:title>", b"&c;</dc:title>", 1)
        tmp = tmp_path / "plain.epub"
        _rezip(BOOK, tmp, drop="EPUB/package.opf")
        _rezip(tmp, book, {"EPUB/package.opf": opf})
    else:
        import os
        os.mkfifo(book)
    one_line_error(speak(["build", "book.epub", "--engine", "silent"], tmp_path, timeout=60), "book.epub", needle)
    assert not (tmp_path / "audio_out").exists()


def test_an_epubs_entity_references_are_their_characters_or_nothing_never_their_names(tmp_path: Path) -> None:
    """No DTD is loaded: the entities HTML names (as EPUB 2 books use them) are their characters, others silent."""
    with zipfile.ZipFile(BOOK) as src:
        opf = src.read("EPUB/package.opf").replace(b"</dc:title>", b" &xxe;</dc:title>", 1)
        preface = src.read("EPUB/pr01.xhtml").replace(b"<p>", b"<p>Caf&eacute;&nbsp;au&nbsp;lait &xxe;. ", 1)
    _rezip(BOOK, tmp_path / "plain.epub", drop="EPUB/package.opf")
    _rezip(tmp_path / "plain.epub", tmp_path / "plain2.epub", drop="EPUB/pr01.xhtml")
    _rezip(tmp_path / "plain2.epub", tmp_path / "book.epub", {"EPUB/package.opf": opf, "EPUB/pr01.xhtml": preface})
    book = read_article(tmp_path / "book.epub")
    assert book.title == "Accessible EPUB 3"
    said = _said(book)
    assert "Café au lait ." in said and "xxe" not in said


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
                                          ("bomb", "its part word/zeros.xml unpacks to over 256 MB"),
                                          ("entities", "declares its own XML entities"),
                                          ("strict", "Strict Open XML"),
                                          ("long paragraph", "one run or paragraph unpacks to over 8 MB"),
                                          ("many paragraphs", "over 1,000,000 paragraphs, cells and runs"),
                                          ("long text", "one run or paragraph unpacks to over 8 MB"),
                                          ("damaged XML", "its XML is damaged")])
def test_a_protected_damaged_or_hostile_word_document_is_one_line(kind: str, needle: str, tmp_path: Path) -> None:
    doc = tmp_path / "report.docx"
    if kind == "bomb":  # a real document with an XML part of 300 MB of zeros beside it, in a few hundred kB
        _rezip(MANUAL, doc, {"word/zeros.xml": bytes(300 * 1000**2)})
    elif kind == "strict":
        rels = zipfile.ZipFile(MANUAL).read("_rels/.rels").replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
        _rezip(MANUAL, tmp_path / "plain.docx", drop="_rels/.rels")
        _rezip(tmp_path / "plain.docx", doc, {"_rels/.rels": rels})
    elif kind == "long paragraph":  # 9 MB of bookmarks after a paragraph's one run, in a few kB
        word_document(doc, [b"<w:p><w:r><w:t>Start.</w:t></w:r>", b'<w:bookmarkEnd w:id="1"/>' * 360_000, b"</w:p>"])
    elif kind == "many paragraphs":  # 1.2 million empty paragraphs
        word_document(doc, [b"<w:p/>" * 1_200_000])
    elif kind == "long text":  # one text of 11 MB (libxml2's limit is 10 MB)
        word_document(doc, [b"<w:p><w:r><w:t>", b"word " * 2_200_000, b"</w:t></w:r></w:p>"])
    elif kind == "damaged XML":
        word_document(doc, [LINE, b"<w:p><w:r><w:t>cut</w:r></w:p>"])
    elif kind == "entities":  # nested entities in the document's body
        with zipfile.ZipFile(MANUAL) as src:
            body = src.read("word/document.xml")
        body = BOMB_PROLOG.replace(b"package", b"w:document") + body[body.index(b"<w:document"):]
        tmp = tmp_path / "plain.docx"
        _rezip(MANUAL, tmp, drop="word/document.xml")
        _rezip(tmp, doc, {"word/document.xml": body})
    else:
        doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000) if kind == "encrypted"
                        else MANUAL.read_bytes()[:30_000])
    one_line_error(speak(["build", "report.docx", "--engine", "silent"], tmp_path, timeout=60), "report.docx", needle)
    assert not (tmp_path / "audio_out").exists()


LINE = b"<w:p><w:r><w:t>Gardens grow slowly in the rain, and the rain is welcome here.</w:t></w:r></w:p>"


def test_a_long_word_document_stops_being_read_at_the_word_limit(tmp_path: Path) -> None:
    word_document(tmp_path / "long.docx", [LINE * 50_000])  # 600,000 words in 20 kB
    with pytest.raises(InputError, match=r"long.docx: has over 1,000 words .* its reading stopped there"):
        read_article(tmp_path / "long.docx", max_words=1000)
    proc = speak(["build", "long.docx", "--engine", "silent"], tmp_path, timeout=60)
    one_line_error(proc, "long.docx", "has over 100,000 words (about 11 hours of speech), the limit")
    assert not (tmp_path / "audio_out").exists()
    article = read_article(tmp_path / "long.docx")  # no limit: every paragraph, in one pass
    assert sum(len(p.split()) for s in article.sections for p in s.paragraphs) == 600_000 - 12


def _stop_while_reading(args: list[str], document: Path) -> tuple[float, str]:
    """``speak.py ARGS`` stopped (SIGTERM) once it has ``document`` open: how long the stop took to be answered,
    and stderr (exit 143, the stop's one line, nothing left in audio_out: checked here)."""
    proc = start(args, document.parent)
    deadline = time.monotonic() + 30
    while not _opened(proc.pid, document) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until it reads the document (a condition, not a measure)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    answered = time.monotonic() - sent
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == ["speak: stopped by SIGTERM; nothing was published, unfinished files were "
                                        "removed"], err
    out = document.parent / "audio_out"
    assert not out.exists() or not list(out.iterdir())
    return answered, err


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see what the build has open")
def test_a_stop_while_a_long_word_document_is_read_is_answered_between_its_paragraphs(tmp_path: Path) -> None:
    word_document(tmp_path / "long.docx", [LINE * 450_000])  # 900,000 elements, a few seconds of reading
    answered, _ = _stop_while_reading(["build", "long.docx", "--engine", "silent", "-q", "--max-words", "0"],
                                      tmp_path / "long.docx")
    assert answered < 2.0  # between paragraphs, not after all of them


PAPER = PAGES / "real" / "berkeley-db-usenix.pdf"  # two columns, numbered headings, no outline
REPORT = PAGES / "real" / "berkeley-db-in-memory.pdf"  # an outline, a contents page, running footers
HASHING = PAGES / "real" / "hash-package-usenix.pdf"  # two columns, unnumbered headings, alternating headers


def _said(article: Article) -> str:
    return " ".join(p for s in article.sections for p in s.paragraphs)


def test_a_two_column_paper_reads_down_each_column_with_its_numbered_headings_nested() -> None:
    paper = read_article(PAPER)
    assert (paper.title, paper.author) == ("Berkeley DB", "Michael A. Olson, Keith Bostic, Margo Seltzer")
    titles = [s.title for s in paper.sections]
    assert titles[:3] == ["Abstract", "1. Introduction", "1.1. History"] and titles[-1] == "7. Summary"
    assert [s.title for s in paper.sections if s.part == "2. Access Methods"] == ["2.1. Hash", "2.2. B+tree",
                                                                                  "2.3. Recno"]
    said = _said(paper)
    # a sentence that runs from the foot of the left column to the top of the right one, and across a page
    assert "users wanted commercial support for the software. In response, Bostic and Seltzer formed" in said
    assert "database operations on behalf of clients. Compared to using a standalone" in said
    assert "Values may be arbitrarily long." in said  # a line-end hyphen ("arbi-trarily") joined
    assert "[Come79] access method" in said and "Comer" not in said  # the references are not read...
    assert paper.left_out == "its list of references"  # ...and the description says so
    assert "Sleepycat Software, Inc." not in said.split(". ")[0]  # the front matter (authors' addresses) is not


def test_a_report_with_an_outline_takes_its_chapters_from_it_without_contents_or_footers() -> None:
    report = read_article(REPORT)
    titles = [s.title for s in report.sections]
    assert titles[1:4] == ["Introduction", "Resources to be Managed", "Strategies"]
    assert [s.title for s in report.sections if s.part == "Sizing the Cache"] == [
        "Specifying a Cache Size using the Database Handle", "Specifying a Cache Size using the Environment Handle"]
    assert "Table of Contents" not in titles and titles[-1] == "Example In-Memory Application"
    said = _said(report)
    assert "...." not in said and not re.search(r"Page \d|In-Memory DB Applications|9/9/2013", said)  # footers
    assert report.sections[1].paragraphs[0].startswith("This document describes how to write a DB application")


def test_running_headers_on_alternate_pages_and_figure_labels_are_not_read() -> None:
    paper = read_article(HASHING)
    assert paper.title == "A New Hashing Package for UNIX"  # its footnote marker ("UNIX¹") is not read
    said = _said(paper) + " ".join(s.title for s in paper.sections)
    assert "Seltzer & Yigit" not in said and "USENIX" not in said and "Dallas" not in said
    assert "Relative Performance of the New Implementation" in [s.title for s in paper.sections]
    assert not re.search(r"\bS e c\b|\bB0 B5 B10\b", said)  # labels drawn in figures and plots


NETTLE = PAGES / "real" / "nettle-manual.pdf"  # Texinfo (TeX): accents drawn apart, the author at the title page's foot
LIBTASN1 = PAGES / "real" / "libtasn1-manual.pdf"  # Texinfo: "Abstract Syntax Notation One" as its subtitle


def test_a_manuals_title_page_gives_its_authors_and_accents_drawn_apart_are_put_on_their_letters() -> None:
    told: list[int] = []
    manual = read_article(NETTLE, reading=lambda pages: told.append(pages) or told.append)
    assert told[0] == 111 and told[1:] == [1] * 111  # its pages, told as they are read
    assert (manual.title, manual.author) == ("Nettle Manual", "Niels Möller")  # "M¨oller" as TeX draws it
    said = _said(manual) + " ".join(s.title for s in manual.sections)
    assert "Originally written 2001 by Niels Möller, updated 2017." in said
    assert "\u00a8" not in said and "\u0308" not in said  # no accent left standing alone
    assert [s.title for s in manual.sections][1:3] == ["1 Introduction", "2 Copyright"]
    # its outline names sections without their numbers ("Hash functions"): found on the page as "7.1 Hash functions"
    assert [s.title for s in manual.sections if s.part == "7 Reference"][:2] == [
        "7.1 Hash functions", "7.1.1 Recommended hash functions"]
    # an entry's kind, set apart at the right of its first line, said first (not inside its wrapped signature)
    assert "Function: void sha512_update (struct sha512 ctx *ctx, size t length, const uint8 t *data) Hash" in said
    assert "[Function]" not in said and "[Constant]" not in said
    other = read_article(LIBTASN1)
    assert other.author == "Fabio Fiorina, Simon Josefsson, Nikos Mavrogiannopoulos"  # an address in brackets left out
    assert "help-libtasn1@gnu.org" not in _said(other)


def _opened(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see what the build has open")
def test_a_stop_while_a_long_pdf_is_read_is_answered_between_its_pages(tmp_path: Path) -> None:
    shutil.copy(NETTLE, tmp_path / NETTLE.name)
    answered, _ = _stop_while_reading(["build", NETTLE.name, "--engine", "silent", "-q"], tmp_path / NETTLE.name)
    # between two pages (0.01-0.2 s each), not after all 111 (about 5 s on 2 cores)
    assert answered < 2.0, answered


@pytest.mark.parametrize("document, chapters", [
    pytest.param(PAPER, ["1. Introduction", "1.1. History", "7. Summary"], marks=pytest.mark.slow),
    pytest.param(REPORT, ["Introduction", "Keeping Logs in Memory"], marks=pytest.mark.slow),
    pytest.param(MANUAL, ['"Main" tab', "Annex 4 : Thanks"], marks=pytest.mark.slow),
    pytest.param(BOOK, ["1. Introduction", "The Digital Famine", "4. Conclusion"], marks=pytest.mark.slow)])
def test_a_document_builds_into_an_episode_with_its_own_headings_as_chapters(document: Path, chapters: list[str],
                                                                             tmp_path: Path) -> None:
    shutil.copy(document, tmp_path / document.name)
    proc = speak(["build", document.name, "--engine", "silent", "-q", "-o", "out"], tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (mp3,) = (tmp_path / "out").glob("*.mp3")
    titles = [c.title for c in read_mp3(mp3).chapters]
    assert titles[0] == "Intro" and titles[-1] == "Outro"
    assert all(c in titles for c in chapters), titles


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
@pytest.mark.parametrize("document, spoken, order", [
    (PAPER, 0.93, 0.94), (REPORT, 0.55, 0.94), (HASHING, 0.8, 0.94),
    (LIBTASN1, 0.88, 0.92)])  # its reference entries' kinds said first ("Function: int asn1_...") are not pdftotext's
def test_beside_pdftotext_the_text_is_read_in_its_order_and_nothing_is_made_up(document: Path, spoken: float,
                                                                                order: float) -> None:
    r = measure(document)  # bench/documents.py: the same figures as README's table
    assert r["spoken"] >= spoken  # the rest is references, captions, code (the report's examples) and labels
    assert r["not_theirs"] < 0.01 and r["order"] > order  # no garbled words; columns read down, not across
    assert r["furniture"] == 0


def _scan(path: Path) -> None:
    """A page of text as a scanner gives it: an image, no text layer."""
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    for n in range(40):
        draw.text((100, 100 + 40 * n), f"The quick brown fox jumps over the lazy dog, line {n}.", fill=0)
    page.save(path, "PDF", resolution=150, save_all=True, append_images=[page.copy()])


def _bomb(path: Path) -> None:
    """A one-page PDF of 200 kB whose page content unpacks to 200 MB of spaces."""
    packer = zlib.compressobj(9)
    stream = b"".join(packer.compress(b" " * 10**6) for _ in range(200)) + packer.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


@pytest.mark.parametrize("kind, needle", [
    ("scanned", "is a scanned PDF (2 pages of images, no text layer); make its text searchable with OCR"),
    ("bomb", "a page's content unpacks to more than 100 MB"),
    ("password", "is password-protected"), ("damaged", "is a damaged PDF"), ("not-pdf", "is not a PDF")])
def test_a_scanned_protected_or_damaged_pdf_is_one_line(kind: str, needle: str, tmp_path: Path) -> None:
    doc = tmp_path / "paper.pdf"
    if kind == "scanned":
        _scan(doc)
    elif kind == "bomb":
        _bomb(doc)
    elif kind == "password":
        writer = PdfWriter(clone_from=PAPER)
        writer.encrypt("secret", algorithm="RC4-128")
        writer.write(doc)
    elif kind == "damaged":
        doc.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 40)
    else:
        doc.write_bytes(b"<!doctype html><title>Not a PDF</title><p>Saved with the wrong name.</p>")
    one_line_error(speak(["build", "paper.pdf", "--engine", "silent"], tmp_path, timeout=60), "paper.pdf", needle)
    assert not (tmp_path / "audio_out").exists()


def test_speak_script_writes_a_pdfs_editable_script_and_its_description_says_what_is_not_read(
        tmp_path: Path) -> None:
    shutil.copy(PAPER, tmp_path / "paper.pdf")
    proc = speak(["script", "paper.pdf", "-o", "paper.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    script = yaml.safe_load((tmp_path / "paper.yaml").read_text())
    assert "2.1. Hash" in [c["title"] for c in script["chapters"]]
    assert script["episode"]["description"].endswith("(Not read aloud: its list of references.)")


@pytest.mark.parametrize("document, needle", [(MANUAL, "is not a readable Word document"),
                                              (BOOK, "cannot be read")])
def test_a_document_with_a_damaged_compressed_part_is_one_line(document: Path, needle: str, tmp_path: Path) -> None:
    # found by fuzzing real documents: a part whose deflate stream is damaged was an internal error (zlib's own)
    with zipfile.ZipFile(document) as z:
        part = max((i for i in z.infolist() if i.compress_type == zipfile.ZIP_DEFLATED), key=lambda i: i.compress_size)
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)  # its data, after its header
    data = bytearray(document.read_bytes())
    data[start + 50: start + 80] = bytes(range(30))
    (tmp_path / document.name).write_bytes(bytes(data))
    one_line_error(speak(["build", document.name, "--engine", "silent"], tmp_path, timeout=60), document.name, needle)
    assert not (tmp_path / "audio_out").exists()


def test_a_pdf_with_a_huge_page_box_is_read_in_bounded_time(tmp_path: Path) -> None:
    """Issue 32: a page box of +-10^11 points made the gutter search loop over every point of the page's width
    (for ever, deaf to stops). The search now tries only where the text's rows start and end."""
    lines = [f"Line {i} of a page whose box is as wide as a continent, and whose text is short." for i in range(20)]
    small_pdf(tmp_path / "huge.pdf", "-99999999999 -99999999999 99999999999 99999999999", lines)
    started = time.monotonic()
    proc = speak(["script", "huge.pdf", "-o", "huge.yaml"], tmp_path, timeout=120)
    assert time.monotonic() - started < 30
    assert proc.returncode == 0, proc.stderr
    assert "whose box is as wide as a continent" in (tmp_path / "huge.yaml").read_text()
