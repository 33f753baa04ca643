"""Plain-text articles (like the sample): the first line is the title; a short line without end punctuation
followed by prose is a heading; bullets and numbers start list items; an FAQ heading starts questions, each
followed by its answer. Hard-wrapped paragraphs are joined."""

from __future__ import annotations

import logging

from ..errors import ArticleError
from .article import Article
from .structure import (
    BULLET_RE,
    FAQ_RE,
    LEFTOVER_RE,
    RULE_RE,
    Block,
    clean,
    drop_contents,
    is_heading_line,
    numbered_heading,
    sectionize,
    speakable_item,
    text_key,
)

log = logging.getLogger(__name__)


def _raw_blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or RULE_RE.match(line):
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line.rstrip())
    if current:
        blocks.append(current)
    return blocks


def _split_block(lines: list[str]) -> list[tuple[str, str]]:
    """One raw block into ("line"|"item"|"para"|"hN", text) pieces ("h3": a numbered heading of level 3)."""
    if len(lines) == 1 and (numbered := numbered_heading(lines[0])):
        text, level = numbered
        return [(f"h{level}", text)]
    if len(lines) >= 3 and all(len(ln.split()) <= 8 and ln.strip()[-1:] not in ".!?\"”)" for ln in lines):
        return [("line", ln.strip()) for ln in lines]  # a list of short lines (a table of contents, say)
    if any(BULLET_RE.match(ln) for ln in lines):
        pieces: list[tuple[str, str]] = []
        for ln in lines:
            m = BULLET_RE.match(ln)
            if m:
                pieces.append(("item", m.group(1)))
            elif pieces and pieces[-1][0] == "item":
                pieces[-1] = ("item", pieces[-1][1] + " " + ln.strip())
            else:
                pieces.append(("para", ln.strip()))
        return pieces
    if len(lines) == 1:
        return [("line", lines[0].strip())]
    first = lines[0].strip()
    if is_heading_line(first) and len(first) < 0.6 * max(len(ln) for ln in lines[1:]):
        return [("line", first), ("para", " ".join(ln.strip() for ln in lines[1:]))]
    return [("para", " ".join(ln.strip() for ln in lines))]


def _drop_leftovers(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Remove widgets and link lists: the marker line and the short lines after it."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pieces):
        kind, text = pieces[i]
        if kind == "line" and LEFTOVER_RE.match(text):
            log.debug("dropping web-page leftover %r", text)
            i += 1
            while i < len(pieces) and pieces[i][0] in ("line", "item") and len(pieces[i][1].split()) <= 15:
                nxt = pieces[i + 1][0] if i + 1 < len(pieces) else ""
                if pieces[i][0] == "line" and nxt == "para" and is_heading_line(pieces[i][1]):
                    break  # a real heading with prose under it: the article goes on
                log.debug("dropping web-page leftover %r", pieces[i][1])
                i += 1
            continue
        out.append((kind, text))
        i += 1
    return out


def _is_prose(piece: tuple[str, str]) -> bool:
    return piece[0] == "para" or (piece[0] == "line" and not is_heading_line(piece[1]))


def parse_text(text: str, fallback_title: str = "") -> Article:
    """Parse a plain-text article (title line, headings as short lines, bullets, an FAQ)."""
    pieces = [p for raw in _raw_blocks(text) for p in _split_block(raw)]
    if not pieces:
        raise ArticleError("the article has no text")
    title = ""
    if pieces[0][0] == "line" and is_heading_line(pieces[0][1]) or pieces[0][0] == "line" and len(pieces) > 1:
        title = clean(pieces.pop(0)[1])
    title = title or fallback_title
    pieces = _drop_leftovers(pieces)
    pieces = drop_contents(pieces)
    pieces = [p for p in pieces if text_key(p[1]) != text_key(title)]  # the title repeated by the page
    standfirst = ""
    if len(pieces) > 1 and _is_prose(pieces[0]) and len(pieces[0][1].split()) <= 60 and _is_prose(pieces[1]):
        standfirst = clean(pieces.pop(0)[1])
    blocks: list[Block] = []
    for i, (kind, body) in enumerate(pieces):
        nxt = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        question = body.endswith("?") and len(body.split()) <= 30
        if kind.startswith("h") and kind[1:].isdigit():
            blocks.append(Block("heading", clean(body), int(kind[1:])))
        elif kind == "line" and (FAQ_RE.match(body) or ((is_heading_line(body) or question) and nxt)):
            blocks.append(Block("heading", clean(body)))
        elif kind == "item":
            blocks.append(Block("item", speakable_item(clean(body))))
        else:
            blocks.append(Block("paragraph", clean(body)))
    return sectionize(title, blocks, standfirst=standfirst, plain=True)


