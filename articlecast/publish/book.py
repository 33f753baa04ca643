"""The read-along book: the episode as an EPUB 3 with Media Overlays, for the reading systems low-vision readers
use (Thorium, EasyReader, Apple Books, DAISY players): the text, sentence by sentence, each sentence tied to its
stretch of the episode's audio and highlighted as it is read.

A view of what the build already has, never recomputed: one XHTML content document per chapter (the intro and
outro too), the chapter's spoken heading as its heading and every other sentence a ``<span>`` with an id; a
SMIL overlay per document whose ``<par>`` elements give each id its ``clipBegin``/``clipEnd`` in the MP3 inside
the book — the captions' own times (:func:`~.transcript.chapter_texts`); a navigation document nested as the
chapters are (a digest's articles, a long document's parts); the cover; and the package metadata reading
systems and catalogues use: durations, the class that highlights the sentence being read, and EPUB
Accessibility 1.1's metadata.

Written with the standard library's zipfile (``mimetype`` first, stored; the MP3 stored, streamed from its
file) and lxml (every piece of article text escaped as XML text).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import lxml.etree as ET

from ..audio.timeline import Cue
from ..util.clock import smil_clock
from ..util.images import Cover
from ..util.wide import joined
from ..util.words import N_, words
from ..voice.engines import engine_classes
from .episode import Episode
from .transcript import ChapterText, chapter_texts

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
SMIL_NS = "http://www.w3.org/ns/SMIL"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTIVE_CLASS = "read-aloud-now"
"""The class a reading system puts on the sentence being read (the package's ``media:active-class``)."""
AUDIO = "audio/episode.mp3"
"""The episode's audio inside the book."""
STYLE = f"""/* Sizes in em and no colours of our own on the text: the reading system's settings (size, font, theme,
   contrast) apply. */
body {{ line-height: 1.5; margin: 0 1em; }}
h1, h2 {{ line-height: 1.25; }}
p {{ margin: 0 0 1em; }}
.{ACTIVE_CLASS} {{ background-color: #ffe600; color: #000; outline: 0.15em solid #000;
  text-decoration: underline; text-decoration-thickness: 0.12em; }}
nav ol {{ list-style: none; padding-left: 1em; }}
"""
"""The book's only style: reflowing text, and the sentence being read marked by more than colour (an outline
and an underline, black on yellow: 17:1)."""
SUMMARY = N_("This book is the text of a podcast episode with its synthetic narration: every sentence is "
             "synchronized with the audio and highlighted as it is read. Chapters are in the table of contents; "
             "the text reflows and takes the reading system's font, size and colours. No images carry meaning.")
"""The book's accessibility summary (in the book's language), followed by how its times were found:"""
TIMED_BY_VOICE = N_("The times of the clauses of long sentences come from the voice itself.")
TIMED_BY_EAR = N_("The times of the clauses of long sentences were found by a speech recognizer (Whisper) listening "
                  "to the narration, and may be off by a word.")
"""Said after the summary when some of the book's sentences have word times: by the voices' own durations, or
by the recognizer (a voice that gives none: :mod:`articlecast.voice.listening`)."""
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FEATURES = ("synchronizedAudioText", "structuralNavigation", "readingOrder", "tableOfContents",
            "displayTransformability")


@dataclass(frozen=True)
class _Doc:
    """One content document: a chapter and what it shows."""

    name: str
    """Its file name inside the book ("c001.xhtml")."""
    text: ChapterText
    """The chapter and its sentences, as the transcript lays them out."""
    part: str
    """The part it is nested under ("" at the top)."""


def _docs(episode: Episode) -> list[_Doc]:
    return [_Doc(f"c{n:03d}.xhtml", text, text.chapter.part) for n, text in enumerate(chapter_texts(episode), 1)]


def _sentences(doc: _Doc) -> list[tuple[str, Cue]]:
    """Each timed sentence of a document with its element's id, the heading's first."""
    stem = doc.name.removesuffix(".xhtml")
    out = [(f"{stem}-h", doc.text.heading)] if doc.text.heading else []
    cues = [c for p in doc.text.paragraphs for c in p]
    return out + [(f"{stem}-s{k}", c) for k, c in enumerate(cues, 1)]


def _xml(root: ET._Element) -> bytes:
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def _xhtml(title: str, language: str) -> tuple[ET._Element, ET._Element]:
    html = ET.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", language)
    html.set(XML_LANG, language)
    head = ET.SubElement(html, f"{{{XHTML_NS}}}head")
    ET.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    ET.SubElement(head, f"{{{XHTML_NS}}}title").text = title
    ET.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href="style.css")
    return html, ET.SubElement(html, f"{{{XHTML_NS}}}body")


def _content(doc: _Doc, language: str) -> bytes:
    """A chapter's document: its title as its one first-level heading (the nesting is the navigation's), its
    sentences as spans in paragraphs."""
    chapter = doc.text.chapter
    stem = doc.name.removesuffix(".xhtml")
    html, body = _xhtml(chapter.title, language)
    section = ET.SubElement(body, f"{{{XHTML_NS}}}section", {f"{{{EPUB_NS}}}type": "chapter", "role": "doc-chapter",
                                                             "aria-labelledby": f"{stem}-h", "id": stem})
    ET.SubElement(section, f"{{{XHTML_NS}}}h1", id=f"{stem}-h").text = chapter.title
    sentences = iter(ident for ident, _ in _sentences(doc)[1 if doc.text.heading else 0:])
    for paragraph in doc.text.paragraphs:
        p = ET.SubElement(section, f"{{{XHTML_NS}}}p")
        for k, cue in enumerate(paragraph):
            span = ET.SubElement(p, f"{{{XHTML_NS}}}span", id=next(sentences))
            span.text = cue.text
            if k:
                span.getprevious().tail = " "
    return _doctype(_xml(html))


def _doctype(data: bytes) -> bytes:
    declaration, rest = data.split(b"\n", 1) if data.startswith(b"<?xml") else (b"", data)
    return declaration + b"\n<!DOCTYPE html>\n" + rest


def _overlay(doc: _Doc) -> tuple[bytes, int]:
    """The document's SMIL overlay, and its duration in milliseconds (the sum of its clips)."""
    smil = ET.Element(f"{{{SMIL_NS}}}smil", nsmap={None: SMIL_NS, "epub": EPUB_NS}, version="3.0")
    body = ET.SubElement(smil, f"{{{SMIL_NS}}}body")
    seq = ET.SubElement(body, f"{{{SMIL_NS}}}seq", {f"{{{EPUB_NS}}}textref": f"{doc.name}#{doc.name[:-6]}",
                                                     f"{{{EPUB_NS}}}type": "chapter"})
    seq.set("id", doc.name.removesuffix(".xhtml") + "-seq")
    total = 0
    for ident, cue in _sentences(doc):
        par = ET.SubElement(seq, f"{{{SMIL_NS}}}par", id=f"{ident}-par")
        ET.SubElement(par, f"{{{SMIL_NS}}}text", src=f"{doc.name}#{ident}")
        ET.SubElement(par, f"{{{SMIL_NS}}}audio", src=AUDIO,
                      clipBegin=smil_clock(cue.start_ms), clipEnd=smil_clock(cue.end_ms))
        total += cue.end_ms - cue.start_ms
    return _xml(smil), total


def _nav(docs: list[_Doc], title: str, language: str) -> bytes:
    html, body = _xhtml(title, language)
    toc = ET.SubElement(body, f"{{{XHTML_NS}}}nav", {f"{{{EPUB_NS}}}type": "toc", "id": "toc",
                                                     "role": "doc-toc", "aria-labelledby": "toc-title"})
    _ = words(language).gettext
    ET.SubElement(toc, f"{{{XHTML_NS}}}h1", id="toc-title").text = _("Contents")
    top = ET.SubElement(toc, f"{{{XHTML_NS}}}ol")
    last: tuple[str, ET._Element] | None = None  # the latest top-level entry: its title and element
    part_list: ET._Element | None = None
    part = ""
    for doc in docs:
        chapter = doc.text.chapter
        if not doc.part:
            part_list, part = None, ""
            li = ET.SubElement(top, f"{{{XHTML_NS}}}li")
            ET.SubElement(li, f"{{{XHTML_NS}}}a", href=doc.name).text = chapter.title
            last = (chapter.title, li)
            continue
        if doc.part != part or part_list is None:  # a new part: under its own chapter, else an entry of its own
            part = doc.part
            if last is None or last[0] != part:
                li = ET.SubElement(top, f"{{{XHTML_NS}}}li")
                ET.SubElement(li, f"{{{XHTML_NS}}}a", href=doc.name).text = part
                last = (part, li)
            part_list = ET.SubElement(last[1], f"{{{XHTML_NS}}}ol")
            if chapter.title == part:
                continue
        li = ET.SubElement(part_list, f"{{{XHTML_NS}}}li")
        ET.SubElement(li, f"{{{XHTML_NS}}}a", href=doc.name).text = chapter.title
    for ol in top.iter(f"{{{XHTML_NS}}}ol"):  # a part with no chapter of its own beyond its lead
        if len(ol) == 0:
            ol.getparent().remove(ol)
    landmarks = ET.SubElement(body, f"{{{XHTML_NS}}}nav", {f"{{{EPUB_NS}}}type": "landmarks", "hidden": "hidden",
                                                           "aria-label": _("Landmarks")})
    ol = ET.SubElement(landmarks, f"{{{XHTML_NS}}}ol")
    for kind, href, label in (("bodymatter", docs[0].name, _("Start")),):
        li = ET.SubElement(ol, f"{{{XHTML_NS}}}li")
        ET.SubElement(li, f"{{{XHTML_NS}}}a", {f"{{{EPUB_NS}}}type": kind, "href": href}).text = label
    return _doctype(_xml(html))


def _package(episode: Episode, guid: str, docs: list[_Doc], durations: list[int], cover: Cover | None) -> bytes:
    m = episode.meta
    package = ET.Element(f"{{{OPF_NS}}}package", {"version": "3.0", "unique-identifier": "uid"}, nsmap={None: OPF_NS})
    package.set(XML_LANG, m.language)
    meta = ET.SubElement(package, f"{{{OPF_NS}}}metadata", nsmap={"dc": DC_NS})

    def dc(name: str, text: str, **attrs: str) -> None:
        el = ET.SubElement(meta, f"{{{DC_NS}}}{name}", attrs)
        el.text = text

    def prop(name: str, text: str, refines: str = "") -> None:
        el = ET.SubElement(meta, f"{{{OPF_NS}}}meta", property=name)
        if refines:
            el.set("refines", refines)
        el.text = text

    dc("identifier", f"urn:uuid:{guid}" if UUID_RE.fullmatch(guid) else guid, id="uid")
    dc("title", m.title)
    dc("creator", m.show.author)
    dc("language", m.language)
    dc("date", m.date)
    if m.description:
        dc("description", m.description)
    dc("publisher", m.show.name)
    prop("dcterms:modified", f"{m.date}T00:00:00Z")  # the episode's date: the same build, the same book
    prop("media:duration", smil_clock(sum(durations)))
    for doc, ms in zip(docs, durations):
        if ms:
            prop("media:duration", smil_clock(ms), "#" + doc.name.replace(".xhtml", "-mo"))
    prop("media:active-class", ACTIVE_CLASS)
    _ = words(m.language).gettext
    prop("media:narrator", _("Synthetic voices (text to speech)"))
    for mode in ("textual", "auditory"):
        prop("schema:accessMode", mode)
    for sufficient in ("textual", "auditory", "textual,auditory"):
        prop("schema:accessModeSufficient", sufficient)
    for feature in FEATURES:
        prop("schema:accessibilityFeature", feature)
    prop("schema:accessibilityHazard", "none")
    timed = {c.voice.split(":")[0] for doc in docs for _, c in _sentences(doc) if c.words}
    known = engine_classes()
    how = (TIMED_BY_EAR if any(not getattr(known.get(e), "timed", False) for e in timed) else TIMED_BY_VOICE
           ) if timed else ""
    prop("schema:accessibilitySummary", joined([_(SUMMARY), *([_(how)] if how else [])]))
    prop("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA")
    manifest = ET.SubElement(package, f"{{{OPF_NS}}}manifest")

    def item(ident: str, href: str, media_type: str, **attrs: str) -> None:
        ET.SubElement(manifest, f"{{{OPF_NS}}}item", {"id": ident, "href": href, "media-type": media_type,
                                                      **attrs})

    item("nav", "nav.xhtml", "application/xhtml+xml", properties="nav")
    item("style", "style.css", "text/css")
    item("audio", AUDIO, "audio/mpeg")
    if cover:
        item("cover", f"cover{cover.suffix}", cover.mime, properties="cover-image")
    for doc, ms in zip(docs, durations):
        stem = doc.name.removesuffix(".xhtml")
        if ms:
            item(stem, doc.name, "application/xhtml+xml", **{"media-overlay": f"{stem}-mo"})
            item(f"{stem}-mo", f"{stem}.smil", "application/smil+xml")
        else:
            item(stem, doc.name, "application/xhtml+xml")
    spine = ET.SubElement(package, f"{{{OPF_NS}}}spine")
    for doc in docs:
        ET.SubElement(spine, f"{{{OPF_NS}}}itemref", idref=doc.name.removesuffix(".xhtml"))
    return _xml(package)


CONTAINER = b"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def write_book(path: Path, episode: Episode, mp3: Path, guid: str, cover: Cover | None = None) -> None:
    """Write the read-along book of ``episode`` (whose audio is the file ``mp3``, its identifier the feed's
    ``guid``) to ``path``."""
    docs = _docs(episode)
    language = episode.meta.language or "en"
    overlays = [_overlay(d) for d in docs]
    durations = [ms for _, ms in overlays]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", compress_type=zipfile.ZIP_STORED)

        def put(name: str, data: bytes) -> None:
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)

        put("META-INF/container.xml", CONTAINER)
        put("EPUB/package.opf", _package(episode, guid, docs, durations, cover))
        put("EPUB/nav.xhtml", _nav(docs, episode.meta.title, language))
        put("EPUB/style.css", STYLE.encode("utf-8"))
        for doc, (smil, ms) in zip(docs, overlays):
            put(f"EPUB/{doc.name}", _content(doc, doc.text.chapter.language or language))
            if ms:
                put(f"EPUB/{doc.name.removesuffix('.xhtml')}.smil", smil)
        if cover:
            z.writestr(f"EPUB/cover{cover.suffix}", cover.data, compress_type=zipfile.ZIP_STORED)
        z.write(mp3, f"EPUB/{AUDIO}", compress_type=zipfile.ZIP_STORED)

