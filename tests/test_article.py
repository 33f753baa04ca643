"""The article parser on the sample and on made-up articles with tricky shapes (no audio)."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_TXT, SEED_SECTIONS

from articlecast.errors import ArticleError
from articlecast.inputs import read_article as load_article
from articlecast.inputs.markdown import parse_markdown
from articlecast.inputs.plain import parse_text


def words(article) -> str:  # type: ignore[no-untyped-def]
    return " ".join([s.title for s in article.sections] + [p for s in article.sections for p in s.paragraphs])


def test_sample_structure() -> None:
    a = load_article(SAMPLE_TXT)
    assert a.title == "80% of MS Patients Disease-Free After Stem Cell Study"
    assert a.standfirst.startswith("A groundbreaking study reveals")
    kinds = [s.kind for s in a.sections]
    assert kinds == ["lead"] + ["section"] * 7 + ["faq"] * 10 + ["closing"]
    assert [s.title for s in a.sections if s.kind == "section"] == SEED_SECTIONS
    faqs = [s for s in a.sections if s.kind == "faq"]
    assert faqs[0].title == "What is multiple sclerosis (MS)?"
    assert faqs[-1].title == "What are the next steps for research on stem cell therapy for MS?"
    assert all(len(f.paragraphs) == 1 for f in faqs)
    assert a.sections[-1].paragraphs[0].startswith("The study showing that 80% of MS patients")


def test_sample_drops_web_leftovers() -> None:
    a = load_article(SAMPLE_TXT)
    text = words(a)
    assert "Reaction" not in text
    for widget_word in ("dislike", "funny", "angry", "wow"):
        assert widget_word not in text.lower().split()
    # the repeated title is not read again as a paragraph or a heading
    assert sum(p == a.title for s in a.sections for p in s.paragraphs) == 0
    assert [s.title for s in a.sections].count(a.title) == 1  # only the lead chapter carries it


def test_sample_bullets_keep_their_labels() -> None:
    a = load_article(SAMPLE_TXT)
    role = next(s for s in a.sections if s.title == "The Role of Stem Cells in Treating MS")
    assert role.paragraphs[1].startswith("Hematopoietic Stem Cell Transplantation (HSCT). This method")
    assert all("•" not in p for s in a.sections for p in s.paragraphs)


TRICKY = """\
Why Cities Are Planting Tiny Forests

Why Cities Are Planting Tiny Forests

Miyawaki forests grow fast. They need a
small plot, wrapped lines like these, and
patience.

Is Bigger Always Better?

Not for urban trees. Dense planting beats size:

- Native species only
* Three saplings per square metre
1. Mulch: a thick layer keeps the soil damp.
2) Water for two years.

Frequently Asked Questions

Q: How long until a forest is self-sustaining?

A: About three years.

After that the forest needs no watering at all.

Can I plant one in my garden?

Yes, if you have six square metres.

That is all for today. Go plant something.

Share this article

Facebook

Twitter

Related posts

Ten Trees for Small Gardens

Why Moss Matters
"""


def test_tricky_plain_text() -> None:
    a = parse_text(TRICKY)
    assert a.title == "Why Cities Are Planting Tiny Forests"
    titles = [(s.kind, s.title) for s in a.sections]
    assert titles == [
        ("lead", "Why Cities Are Planting Tiny Forests"),
        ("section", "Is Bigger Always Better?"),  # a question heading outside the FAQ is a plain section
        ("faq", "How long until a forest is self-sustaining?"),
        ("faq", "Can I plant one in my garden?"),
        ("closing", "In closing"),
    ]
    lead = a.sections[0]
    assert lead.paragraphs == ("Miyawaki forests grow fast. They need a small plot, wrapped lines like these, and patience.",)
    bullets = a.sections[1].paragraphs
    assert bullets[1:] == (
        "Native species only.",
        "Three saplings per square metre.",
        "Mulch. a thick layer keeps the soil damp.",
        "Water for two years.",
    )
    assert a.sections[2].paragraphs == ("About three years.", "After that the forest needs no watering at all.")
    assert a.sections[3].paragraphs == ("Yes, if you have six square metres.",)
    assert a.sections[4].paragraphs == ("That is all for today. Go plant something.",)
    text = words(a)
    for leftover in ("Share", "Facebook", "Twitter", "Related", "Moss"):
        assert leftover not in text


def test_single_question_faq_keeps_whole_answer() -> None:
    a = parse_text("Title Here\n\nIntro text here.\n\nFAQ\n\nWhy?\n\nBecause.\n\nAnd also because.\n")
    assert a.sections[-1].kind == "faq"
    assert a.sections[-1].paragraphs == ("Because.", "And also because.")


def test_bare_urls_are_read_as_site_names() -> None:
    a = parse_text("A Title\n\nSee https://www.example.org/some/path?x=1 for more.\n")
    assert a.sections[0].paragraphs == ("See example.org for more.",)


def test_title_only_is_refused() -> None:
    with pytest.raises(ArticleError, match="no paragraphs"):
        parse_text("Just A Title\n")


def test_empty_heading_lends_its_title() -> None:
    a = parse_markdown("# T\n\n## Results\n\n### Primary outcome\n\nIt worked.\n")
    assert [s.title for s in a.sections] == ["Results: Primary outcome"]


MARKDOWN = """\
---
title: "Front-matter title"
author: Ada
url: https://news.example.com/a/1
---
<!-- an editor's note that must not be read -->
# Heading one is not the title here

Some *emphasis*, **bold** and a [link text](https://example.com/secret-url) here.
![a chart](chart.png)

## Data

| Year | Trees |
|------|-------|
| 2020 | 10 |
| 2021 | 25 |

```python
print("code is not read")
```

- first item
  - nested item
- **Label:** with text

## FAQ

### What is it?

A thing.

**Is it new?**

Quite new.

## Related posts

- [Other story](https://example.com/other)
"""


def test_markdown_shapes() -> None:
    a = parse_markdown(MARKDOWN)
    assert a.title == "Front-matter title"
    assert a.author == "Ada" and a.source == "https://news.example.com/a/1"
    text = words(a)
    assert "https" not in text and "secret-url" not in text
    assert "link text" in text
    assert "editor's note" not in text and "code is not read" not in text and "chart" not in text
    assert "Other story" not in text
    data = next(s for s in a.sections if s.title == "Data")
    assert data.paragraphs[:2] == ("Year: 2020; Trees: 10.", "Year: 2021; Trees: 25.")
    assert "Nested item." in data.paragraphs or "nested item." in data.paragraphs
    assert "Label. with text." in data.paragraphs
    faqs = [(s.title, s.paragraphs) for s in a.sections if s.kind == "faq"]
    assert faqs == [("What is it?", ("A thing.",)), ("Is it new?", ("Quite new.",))]


def test_markdown_h1_title_and_plain_question_heading() -> None:
    a = parse_markdown("# Real title\n\nLead.\n\n## Does it rain?\n\nOften.\n")
    assert a.title == "Real title"
    assert [(s.kind, s.title) for s in a.sections] == [("lead", "Real title"), ("section", "Does it rain?")]


def test_markdown_bad_front_matter() -> None:
    with pytest.raises(ArticleError, match="front matter"):
        parse_markdown("---\ntitle: [unclosed\n---\n# T\n\nx\n")


def test_markdown_script_links_keep_their_text_only() -> None:
    art = parse_markdown("# T\n\nSee [the report](javascript:alert(1)), [a chart](data:text/html;base64,PHNjcmlwdD4=) "
                         "and <javascript:alert(2)> or [home](https://example.com/a).\n")
    text = art.sections[0].paragraphs[0]
    assert text == "See the report, a chart and or home."
    assert "javascript" not in text and "data:" not in text and "alert" not in text
