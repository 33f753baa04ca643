#!/usr/bin/env python3
"""How well web pages are read: for each test page (tests/pages/), the share of the article's own words that
the episode speaks, and the share of spoken words that are not the article's (clutter that leaked in).

The article's own text is what the page marks with ``data-truth`` (a marker only these test pages carry).
Pages that must be refused (a paywall teaser, a home page, a page that loads its text by script) are listed
with the reason.

    python bench/pages.py             # the hand-made test pages
    python bench/pages.py --corpus    # 181 real pages (bench/corpus/), ours beside trafilatura alone

With ``--corpus``, each real page is read three ways: by this tool (``parse_html``, as ``speak.py build page.html``
reads it), and by trafilatura alone in precision mode and in its default mode; for each, the pages refused (no
text), the share of the page's article body (its ground truth) that is spoken, and the share of spoken words that
are not the article's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ROOT / "tests" / "pages"
CORPUS = ROOT / "bench" / "corpus"

from articlecast.errors import ArticleError  # noqa: E402
from articlecast.inputs import read_article as load_article  # noqa: E402
from articlecast.inputs.article import Article  # noqa: E402
from articlecast.inputs.html import parse_html  # noqa: E402


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


def corpus_page(fragment: str, folder: Path) -> Path:
    """The page of bench/corpus whose URL holds ``fragment``, saved as a .html file into ``folder`` (for the tests
    and the benches that build real pages)."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    page_id = next(k for k, v in truth.items() if fragment in v["url"])
    path = folder / f"{page_id[:12]}.html"
    path.write_bytes(gzip.decompress((CORPUS / "html" / f"{page_id}.html.gz").read_bytes()))
    return path


def _shares(truth: Counter[str], spoken: Counter[str]) -> tuple[float, float]:
    found = sum((truth & spoken).values())
    return found / max(1, sum(truth.values())), 1 - found / max(1, sum(spoken.values()))


READERS = ("ours", "trafilatura precision", "trafilatura default")


def read_three_ways(page_id: str, url: str, body: str) -> dict[str, tuple[float, float] | str]:
    """For one corpus page: (spoken share, clutter share) for each reader, or why it gave nothing."""
    html = gzip.decompress((CORPUS / "html" / f"{page_id}.html.gz").read_bytes())
    truth = _words(body)
    out: dict[str, tuple[float, float] | str] = {}
    try:
        out["ours"] = _shares(truth, spoken_words(parse_html(html, url=url)))
    except ArticleError as e:
        out["ours"] = str(e)
    for name, precision in (("trafilatura precision", True), ("trafilatura default", False)):
        text = trafilatura.extract(html, url=url, favor_precision=precision, include_comments=False,
                                   include_tables=True)
        out[name] = _shares(truth, _words(text)) if text else "no text"
    return out


def corpus() -> int:
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    ids = sorted(truth)
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(read_three_ways, ids, [truth[i]["url"] for i in ids],
                                [truth[i]["articleBody"] for i in ids], chunksize=4))
    for page_id, r in zip(ids, results):
        if isinstance(r["ours"], str):
            tp = r["trafilatura precision"]
            print(f"refused {page_id[:10]} {truth[page_id]['url'][:70]}  (trafilatura precision: "
                  f"{'no text' if isinstance(tp, str) else f'{tp[0]:.0%} spoken'}): {r['ours'][:120]}")
    print(f"\n{len(ids)} real pages (bench/corpus/): the mean over pages of the share of the article body spoken "
          f"(a refused page counts 0) and of the share of spoken words that are not the article's\n")
    print("| reader | refused | article text spoken | not the article |\n|---|---:|---:|---:|")
    for name in READERS:
        shares = [r[name] for r in results]
        kept = [x for x in shares if not isinstance(x, str)]
        spoken = statistics.mean([0.0 if isinstance(x, str) else x[0] for x in shares])
        clutter = statistics.mean(x[1] for x in kept) if kept else 0.0
        print(f"| {name} | {len(shares) - len(kept)} | {spoken:.1%} | {clutter:.1%} |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", action="store_true", help="the real pages of bench/corpus/, beside trafilatura")
    if ap.parse_args().corpus:
        return corpus()
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
