"""Markdown articles: headings, lists, emphasis, links (their text, never the URL), tables read row by
row, front matter; HTML comments, raw HTML, images and code blocks are dropped."""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ArticleError
from .article import Article
from .structure import Block, clean, contents_entries, sectionize, speakable_item, table_sentences

FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n(?:---|\.\.\.)\s*(?:\n|\Z)", re.S)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    autolink = False  # inside <scheme:...>: its text is the address itself
    for child in token.children or []:
        if child.type == "link_open":
            autolink = child.markup == "autolink"
        elif child.type == "link_close":
            autolink = False
        elif autolink and not child.content.lower().startswith(("http://", "https://")):
            continue  # <javascript:...>, <data:...>, <mailto:...>: never read out as characters
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        # images, link_open/close, strong, em and html_inline add nothing: a link's text is spoken, never its URL
    return clean("".join(parts))


def _is_bold_line(token: Token) -> bool:
    kids = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
    return len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close"


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as e:
        raise ArticleError(f"the front matter between the '---' lines is not valid YAML ({e.problem})") from None
    return (data if isinstance(data, dict) else {}), text[m.end():]


def _table_rows(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """Read a table from tokens[i] (table_open): one sentence per body row, "Header: cell, ..."."""
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    in_head = False
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(row)
        elif t.type == "inline":
            row.append(_inline_text(t))
        i += 1
    return table_sentences(header, rows), i


def parse_markdown(text: str, fallback_title: str = "") -> Article:
    """Parse a Markdown article; the first level-1 heading (or front matter ``title``) is the title."""
    meta, body = _front_matter(text)
    md = MarkdownIt("commonmark").enable("table")
    # markdown-it refuses javascript:/data: links, leaving their raw source as text; a link's address is
    # never spoken (nor written anywhere), so every link is accepted as a link and only its text is kept
    md.validateLink = lambda url: True
    tokens = md.parse(body)
    blocks: list[Block] = []
    title = str(meta.get("title") or "").strip()
    list_depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t.type == "heading_open":
            level = int(t.tag[1])
            words = _inline_text(tokens[i + 1])
            if level == 1 and not title:
                title = words
            elif words:
                blocks.append(Block("heading", words, level))
            i += 2
        elif t.type == "table_open":
            rows, i = _table_rows(tokens, i)
            blocks.extend(Block("paragraph", s) for s in rows)
        elif t.type == "inline":
            words = _inline_text(t)
            if words and list_depth:
                blocks.append(Block("item", speakable_item(words)))
            elif words:
                blocks.append(Block("question" if _is_bold_line(t) else "paragraph", words))
        i += 1
    pairs = [(f"h{b.level}" if b.kind == "heading" else b.kind if b.kind == "item" else "para", b.text) for b in blocks]
    toc = contents_entries(pairs)
    blocks = [b for n, b in enumerate(blocks) if n not in toc]
    # A repeated title is a page leftover; so is a heading equal to it.
    key = title.casefold()
    blocks = [b for b in blocks if b.text.casefold() != key]
    standfirst = str(meta.get("description") or meta.get("summary") or "").strip()
    extra = {k: str(meta[k]) for k in ("source", "author") if meta.get(k)}
    if "source" not in extra and meta.get("url"):
        extra["source"] = str(meta["url"])
    return sectionize(title or fallback_title, blocks, standfirst=clean(standfirst), plain=False, **extra)
