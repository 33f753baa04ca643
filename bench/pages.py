#!/usr/bin/env python3
"""How well web pages are read: for each test page (tests/pages/), the share of the article's own words that
the episode speaks, and the share of spoken words that are not the article's (clutter that leaked in).

The article's own text is what the page marks with ``data-truth`` (a marker only these test pages carry).
Pages that must be refused (a paywall teaser, a home page, a page that loads its text by script) are listed
with the reason.

    python bench/pages.py
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ROOT / "tests" / "pages"

from articlecast.errors import ArticleError  # noqa: E402
from articlecast.inputs import read_article as load_article  # noqa: E402
from articlecast.models import Article  # noqa: E402


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def truth_words(page: Path) -> Counter[str]:
    """The words of the elements the page marks as the article's own, and of its JSON-LD FAQ."""
    import lxml.html

    from articlecast.inputs.html import linked_data

    tree = lxml.html.parse(str(page))
    text = [" ".join(el.itertext()) for el in tree.xpath("//*[@data-truth]")]
    joined = " ".join(text)
    hidden = [f"{q} {a}" for q, a in linked_data(tree.getroot()).faq if q not in joined]  # only in the page's data
    return _words(" ".join([joined, *hidden]))


def spoken_words(article: Article) -> Counter[str]:
    """The words the episode reads from the article: section titles (other than the lead's) and the body."""
    parts = [s.title for s in article.sections if s.kind != "lead"]
    parts += [p for s in article.sections for p in s.paragraphs]
    return _words(" ".join(parts))


def coverage(page: Path, article: Article) -> tuple[float, float]:
    """(share of the article's words that are spoken, share of spoken words that are not the article's)."""
    truth, spoken = truth_words(page), spoken_words(article)
    found = sum((truth & spoken).values())
    return found / max(1, sum(truth.values())), 1 - found / max(1, sum(spoken.values()))


def main() -> int:
    print(f"{'page':<22}{'words':>7}{'spoken':>9}{'not article':>13}  result")
    for page in sorted(PAGES.glob("*.html")):
        try:
            article = load_article(page)
        except ArticleError as e:
            print(f"{page.stem:<22}{sum(truth_words(page).values()):>7}{'-':>9}{'-':>13}  refused: "
                  f"{str(e).split(': ', 1)[1][:70]}")
            continue
        spoken, foreign = coverage(page, article)
        print(f"{page.stem:<22}{sum(truth_words(page).values()):>7}{spoken:>9.1%}{foreign:>13.1%}  "
              f"{len(article.sections)} chapters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
