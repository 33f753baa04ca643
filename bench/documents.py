#!/usr/bin/env python3
"""How well documents are read, beside an outside reader: for each real document (tests/pages/real/, and any
PDF, Word or EPUB file given), its pages, the words the episode speaks against the words the outside reader
finds, how much of the outside reader's text is spoken, how much of ours it does not have (text we made up or
garbled), how much of our word order it shares (reading order: two columns read across would fail it), the
chapters, and the page furniture spoken.

The outside readers: poppler's ``pdftotext`` (Debian's poppler-utils) for PDF; for Word, every paragraph and
table cell that python-docx lists; for EPUB, all the text of the spine's documents (lxml). Page furniture is
what ``pdftotext`` puts at the top or foot of three or more pages (digits aside), and seldom anywhere else —
running headers and footers, "Page 3 of 9" — and it counts as spoken when the episode says it more often than the
rest of the text (without the furniture where it stands) does.

    python bench/documents.py                       # the real documents the tests read
    python bench/documents.py paper.pdf report.docx  # and these
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import lxml.etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REAL = ROOT / "tests" / "pages" / "real"

from articlecast.errors import ArticlecastError  # noqa: E402
from articlecast.inputs import read_article  # noqa: E402
from articlecast.inputs.article import Article  # noqa: E402

KINDS = (".pdf", ".docx", ".epub")


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def spoken(article: Article) -> str:
    """What the episode reads of the article: section titles (not the lead's) and every paragraph."""
    parts = [s.title for s in article.sections if s.kind != "lead"]
    return " ".join(parts + [p for s in article.sections for p in s.paragraphs])


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as pdftotext reads it (its reading order, not the layout)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace").split("\f")


def _edges(page: str) -> tuple[list[str], list[str]]:
    """A page's lines, and those at its top or foot (the first two and the last two)."""
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    return lines, lines[:2] + lines[-2:]


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold())


def furniture(pages: list[str]) -> Counter[str]:
    """Lines at the top or foot of three or more pages (digits aside) and seldom anywhere else (a manual's
    "[Function]" opens a few pages but stands beside hundreds of definitions), with how often pdftotext has them."""
    seen: dict[str, set[int]] = {}
    inside: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for n, page in enumerate(pages):
        lines, edges = _edges(page)
        for ln in edges:
            seen.setdefault(_key(ln), set()).add(n)
        inside.update(_key(ln) for ln in lines[2:-2])
    for page in pages:
        for ln in set(_edges(page)[1]):
            key = _key(ln)
            if len(seen[key]) >= min(3, max(2, len(pages) // 2)) and inside[key] < len(seen[key]) \
                    and re.search(r"[^\W\d_]{3}", ln):
                found[ln] += 1
    return found


def without_furniture(pages: list[str], found: Counter[str]) -> str:
    """pdftotext's text without the furniture where it stands (at pages' tops and feet): the same words elsewhere
    on a page (a manual's "[Function]" beside each definition, which also happens to open some pages) stay."""
    kept = []
    for page in pages:
        lines = _edges(page)[0]
        kept += [ln for k, ln in enumerate(lines) if not (ln in found and (k < 2 or k >= len(lines) - 2))]
    return "\n".join(kept)


def outside_text(path: Path) -> tuple[str, int | None, Counter[str], str]:
    """(text, pages, furniture, text without the furniture) as the outside reader has them."""
    if path.suffix == ".pdf":
        pages = pdf_pages(path)
        found = furniture(pages)
        return "\n".join(pages), len([p for p in pages if p.strip()]), found, without_furniture(pages, found)
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join(parts), None, Counter(), "\n".join(parts)
    with zipfile.ZipFile(path) as z:
        opf_name = re.search(rb'full-path="([^"]+)"', z.read("META-INF/container.xml"))[1].decode()
        opf = lxml.etree.fromstring(z.read(opf_name))
        ns = {"o": "http://www.idpf.org/2007/opf"}
        items = {i.get("id"): i.get("href") for i in opf.iterfind(".//o:manifest/o:item", ns)}
        base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        texts = []
        for ref in opf.iterfind(".//o:spine/o:itemref", ns):
            doc = lxml.etree.fromstring(z.read(base + items[ref.get("idref")]),
                                        lxml.etree.XMLParser(resolve_entities=False, no_network=True))
            body = doc.find("{http://www.w3.org/1999/xhtml}body")
            texts.append(" ".join(body.itertext()) if body is not None else "")
        return "\n".join(texts), None, Counter(), "\n".join(texts)


def grams(ws: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(ws[k:k + n]) for k in range(len(ws) - n + 1)}


def furniture_spoken(ours: str, body: str, found: Counter[str]) -> int:
    """How many times the episode says a header or footer more often than the text (``body``) does without them."""
    said = " ".join(words(ours))
    body = " ".join(words(body))
    extra = 0
    for line in found:
        key = " ".join(words(line))
        pattern = re.compile(rf"\b{re.escape(key)}\b")
        extra += max(0, len(pattern.findall(said)) - len(pattern.findall(body)))
    return extra


def measure(path: Path) -> dict[str, object]:
    start = time.process_time()
    try:
        article = read_article(path)
    except ArticlecastError as e:
        return {"document": path.name, "error": str(e)}
    seconds = time.process_time() - start
    ours = spoken(article)
    theirs, pages, found, body = outside_text(path)
    mine, other = words(ours), words(theirs)
    common = sum((Counter(mine) & Counter(other)).values())
    return {
        "document": path.name, "pages": pages if pages is not None else "—", "words": len(mine),
        "outside": len(other), "spoken": common / max(1, len(other)), "not_theirs": 1 - common / max(1, len(mine)),
        "order": len(grams(mine) & grams(other)) / max(1, len(grams(mine))),
        "chapters": len(article.sections), "furniture": furniture_spoken(ours, body, found) if found else 0,
        "furniture_lines": sum(found.values()), "cpu": seconds, "left_out": article.left_out,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="more PDF, Word or EPUB files to measure")
    args = ap.parse_args()
    files = sorted(p for p in REAL.iterdir() if p.suffix in KINDS) + args.files
    print("| document | pages | words spoken | outside reader's words | of theirs spoken | ours not theirs "
          "| word order shared | chapters | furniture spoken (of lines) | CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path in files:
        r = measure(path)
        if "error" in r:
            print(f"| {r['document']} | refused: {r['error']} |")
            continue
        print(f"| {r['document']} | {r['pages']} | {r['words']} | {r['outside']} | {r['spoken']:.1%} "
              f"| {r['not_theirs']:.1%} | {r['order']:.1%} | {r['chapters']} "
              f"| {r['furniture']} ({r['furniture_lines']}) | {r['cpu']:.1f} |")
    print("\nouter readers: pdftotext (poppler) for PDF, python-docx's paragraphs and cells for Word, the spine's "
          "text (lxml) for EPUB; 'word order shared': the share of our 4-word sequences that the outside reader "
          "has too. References, captions, code and footnotes are left out by design, so less than 100% of "
          "theirs is spoken.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
