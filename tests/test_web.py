"""Web pages in: twelve saved pages of different kinds (tests/pages/), URLs fetched from a local server on
127.0.0.1 that plays the remote site, and digests of several articles."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from helpers import FFPROBE, PAGES, ROOT, http_server, speak
from hostile_server import hostile_server
from mutagen.id3 import ID3
from PIL import Image

from articlecast.audio.tags import read_mp3
from articlecast.errors import ArticleError, FetchError
from articlecast.inputs import fetch_article
from articlecast.inputs import read_article as load_article
from articlecast.inputs.fetch import USER_AGENT, fetch_page
from articlecast.inputs.html import decode_page
from articlecast.inputs.language import guess_language
from articlecast.loading import digest, load
from articlecast.options import Options
from articlecast.script import read_script

sys.path.insert(0, str(ROOT / "bench"))
from pages import corpus_page, coverage  # noqa: E402

CLUTTER = ["cookie", "Share", "Related", "comment", "Posted by", "Subscribe", "Sign up", "You may also like",
           "Leave a Reply", "says:", "Copyright", "©", "Partager", "Réactions", "Recent posts", "Tagged", "Last updated",
           "Photo:", "Loading", "Table of Contents", "Quick search", "Great idea", "Bravo"]

# page: (title, first words, last words, chapter titles after the lead, author, source)
EXPECTED = {
    "news": ("Rain gardens cut city flooding, study finds", "Small planted basins along city streets",
             "worked on urban drainage for twenty years.", ["How the gardens work", "What comes next"], "Maria Lopez",
             "https://news.example.com/2026/11/rain-gardens-flooding"),
    "blog": ("Why I switched to a mechanical watch", "For ten years I wore a smart watch",
             "when the strap finally gives up.", ["Winding as a ritual", "Accuracy, honestly", "What I miss"],
             "Tom Reed", "https://slowhours.example.org/2026/10/mechanical-watch/"),
    "docs": ("Configuring backups", "Tidy keeps a copy of every project",
             "restore everything in one step.", ["Choosing a target", "Schedules", "Restoring"], "",
             "https://docs.tidy.example.net/3.2/guide/backups.html"),
    "faq_jsonld": ("Heat pumps explained: what homeowners should know", "A heat pump moves warmth",
                   "Place it away from bedroom windows.",
                   ["Is your home ready?", "How much does a heat pump cost?", "Does a heat pump work in winter?",
                    "Is a heat pump noisy?"], "Priya Shah", "https://greenhome.example.com/guides/heat-pumps"),
    "faq_schema_only": ("How to care for a sourdough starter", "A sourdough starter is a living mix",
                        "Pour it off or stir it in, then feed the starter.",
                        ["Signs of a healthy starter", "How often should I feed my starter?",
                         "What does the grey liquid on top mean?"], "Lena Fischer",
                        "https://breaddesk.example.com/sourdough-starter-care"),
    "faq_details": ("Library opening hours change in January", "From the sixth of January",
                    "bookings already made are not affected.",
                    ["Will the library close on any extra days?", "Can I still return books at any time?",
                     "Who do I ask about a room booking?"], "", "https://riverside.example.gov/news/library-hours"),
    "faq_dl": ("Night trains return to the northern line", "Sleeper trains will run again",
               "which must be booked in advance.", ["How much will a cabin cost?", "Can I bring a bicycle?"], "",
               "https://railweekly.example.com/2026/night-trains"),
    "french": ("Les abeilles reviennent dans les jardins de Lyon", "Après dix ans de déclin",
               "ne fassent pas concurrence aux espèces sauvages.", ["Des jardins partagés aux toits des immeubles"],
               "Claire Martin", "https://quotidien-rhone.example.fr/environnement/abeilles-lyon"),
    "book": ("Variables and Mutability", "By default, variables in the garden language are immutable.",
             "without the keyword.", ["Constants", "Shadowing"], "", ""),
    "listicle": ("Five ways to keep a houseplant alive in winter", "Short days and dry, heated air",
                 "new growth will come when the days grow longer.", [], "Sam Okafor",
                 "https://leafandpot.example.com/winter-houseplants"),
}
REFUSED = {
    "paywall": ["words of article text", "subscribers only", "a teaser", "File > Save Page As", ".md"],
    "homepage": ["mostly links", "the article's own page"],
    "split": ["74 of the article's 246 words", "JavaScript"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_page_reads_as_the_article(name: str) -> None:
    title, first, last, chapters, author, source = EXPECTED[name]
    page = PAGES / f"{name}.html"
    article = load_article(page)
    assert article.title == title
    body = [p for s in article.sections for p in s.paragraphs]
    assert body[0].startswith(first) and body[-1].endswith(last), (body[0], body[-1])
    assert [s.title for s in article.sections[1:]] == chapters
    assert article.sections[0].kind == "lead"
    assert article.author == author and article.source == source
    said = " ".join([s.title for s in article.sections] + body)
    for junk in CLUTTER:
        assert junk not in said, junk
    spoken, foreign = coverage(page, article)
    assert spoken >= 0.97 and foreign <= 0.05, (spoken, foreign)


def test_a_book_page_keeps_its_headings_and_inline_words() -> None:
    """mdBook-like: a help pop-up's heading, the site's name as the h1, headings that link to themselves."""
    article = load_article(PAGES / "book.html")
    said = " ".join(p for s in article.sections for p in s.paragraphs)
    assert "make a new project called variables in your projects folder and open main.gdn in your editor." in said
    assert "Keyboard shortcuts" not in said and "navigate between chapters" not in said


def test_page_faq_kinds_become_faq_chapters() -> None:
    for name, count in (("faq_jsonld", 3), ("faq_schema_only", 2), ("faq_details", 3), ("faq_dl", 2)):
        assert sum(s.kind == "faq" for s in load_article(PAGES / f"{name}.html").sections) == count, name
    assert load_article(PAGES / "french.html").language == "fr"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_junk_pages_are_refused_in_one_line(name: str, tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as info:
        load_article(PAGES / f"{name}.html")
    for needle in REFUSED[name]:
        assert needle in str(info.value)
    proc = speak(["build", str(PAGES / f"{name}.html"), "--engine", "silent"], tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(f"speak: error: {PAGES / name}.html: ")
    assert not (tmp_path / "audio_out").exists()


def test_build_a_saved_news_page(tmp_path: Path) -> None:
    proc = speak(["build", str(PAGES / "news.html"), "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    mp3 = tmp_path / "audio_out" / "rain-gardens-cut-city-flooding-study-finds.mp3"
    info = read_mp3(mp3)
    assert [c.title for c in info.chapters] == ["Intro", "Rain gardens cut city flooding, study finds",
                                                 "How the gardens work", "What comes next", "Outro"]
    feed = json.loads((tmp_path / "audio_out" / "feed.json").read_text())
    assert feed["items"][0]["guid"] == EXPECTED["news"][5]  # the canonical URL is the episode's identity
    text = (tmp_path / "audio_out" / "rain-gardens-cut-city-flooding-study-finds.txt").read_text()
    assert "from news.example.com" in text and "cookie" not in text.lower()


# ---------------------------------------------------------------- URLs, against a local server


def _jpeg(w: int, h: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


class Site(BaseHTTPRequestHandler):
    """Plays the remote web site: a page that wants a browser, a redirect, a slow page, a huge one, a PDF."""

    hits: list[tuple[str, str]] = []
    image = _jpeg(2000, 1500)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _send(self, code: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        agent = self.headers.get("User-Agent", "")
        self.hits.append((self.path, agent))
        if self.path == "/old-address":
            self.send_response(301)
            self.send_header("Location", "/story")
            self.end_headers()
        elif self.path.startswith("/to-ftp/"):  # a redirect to another kind of address (its port in the path)
            self.send_response(302)
            self.send_header("Location", f"ftp://127.0.0.1:{self.path.rsplit('/', 1)[1]}/secret.html")
            self.end_headers()
        elif self.path == "/story":
            if "Mozilla/5.0" not in agent:  # as many sites do to scripts
                return self._send(403, b"<h1>Forbidden</h1>")
            page = (PAGES / "news.html").read_bytes().replace(b"https://news.example.com/img/rain.jpg", b"/lead.jpg")
            self._send(200, page)
        elif self.path == "/lead.jpg":
            self._send(200, self.image, "image/jpeg")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, (PAGES / "news.html").read_bytes())
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"<p>" + b"word " * 2000 + b"</p>\n")
            except OSError:
                pass  # the client stopped reading at its limit
        elif self.path == "/report.pdf":
            self._send(200, b"%PDF-1.4 ...", "application/pdf")
        else:
            self._send(404, b"<h1>Not found</h1>")


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with http_server(Site) as url:
        yield url


def test_fetch_follows_redirects_as_a_browser(site: str) -> None:
    Site.hits.clear()
    page = fetch_page(f"{site}/old-address")
    assert page.url == f"{site}/story" and b"Rain gardens" in page.html
    assert all(agent == USER_AGENT for _, agent in Site.hits)
    with pytest.raises(urllib.error.HTTPError) as info:  # the same page refuses a bare client
        urllib.request.urlopen(f"{site}/story")  # noqa: S310 - the local test server
    assert info.value.code == 403


def test_a_redirect_leaves_the_web_for_nothing(site: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as ftp:  # an FTP server's port: nobody may knock on it
        ftp.setblocking(False)
        for public_only in (False, True):
            with pytest.raises(FetchError):
                fetch_page(f"{site}/to-ftp/{ftp.getsockname()[1]}", public_only=public_only)
        with pytest.raises(BlockingIOError):
            ftp.accept()


def test_fetch_limits(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLECAST_FETCH_TIMEOUT", "1")
    started = time.monotonic()
    with pytest.raises(FetchError, match="within 1 s"):
        fetch_page(f"{site}/slow")
    assert time.monotonic() - started < 2.5
    monkeypatch.setenv("ARTICLECAST_FETCH_MAX", "100000")
    with pytest.raises(FetchError, match="over the 100 kB limit .set ARTICLECAST_FETCH_MAX"):
        fetch_page(f"{site}/huge")
    with pytest.raises(FetchError, match="is application/pdf, not a web page"):
        fetch_page(f"{site}/report.pdf")
    with pytest.raises(FetchError, match="answered 404"):
        fetch_page(f"{site}/missing")


def test_build_from_a_url_then_rebuild_offline(site: str, tmp_path: Path) -> None:
    proc = speak(["build", f"{site}/old-address", "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    saved = tmp_path / "script" / "rain-gardens-cut-city-flooding-study-finds.html"
    assert saved.exists() and f"speak.py build {Path('script') / saved.name}" in proc.stderr
    cover = saved.with_name(saved.stem + ".cover.jpg")
    with Image.open(cover) as img:
        assert img.size == (1500, 1500)  # the lead image, cut square
    mp3 = tmp_path / "audio_out" / "rain-gardens-cut-city-flooding-study-finds.mp3"
    (apic,) = ID3(str(mp3)).getall("APIC")
    assert apic.mime == "image/jpeg" and apic.data == cover.read_bytes()
    first = json.loads((tmp_path / "audio_out" / "feed.json").read_text())["items"]
    # the saved page rebuilds with every socket blocked, as the same episode
    env = {"ARTICLECAST_NETLOG": str(tmp_path / "net"), "ARTICLECAST_NETCUT": "all"}
    proc = speak(["build", str(saved), "--engine", "silent", "-q"], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "net").exists()
    assert [i["guid"] for i in json.loads((tmp_path / "audio_out" / "feed.json").read_text())["items"]] == \
        [i["guid"] for i in first]


def test_a_url_without_network_fails_at_once_in_one_line(tmp_path: Path) -> None:
    env = {"ARTICLECAST_NETCUT": "all"}
    started = time.monotonic()
    proc = speak(["build", "https://news.example.com/a-story"], tmp_path, env)
    assert time.monotonic() - started < 30
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("speak: error: https://news.example.com/a-story: cannot reach news.example.com")
    assert "save the page from your browser" in line
    assert not (tmp_path / "script").exists() and not (tmp_path / "audio_out").exists()


# ---------------------------------------------------------------- several articles, and digests


def test_several_inputs_and_a_digest(tmp_path: Path) -> None:
    (tmp_path / "garden.md").write_text("# Tiny Garden\n\nA lead line about small gardens.\n\n## Soil\n\n"
                                        "Use compost in every bed.\n")
    inputs = [str(PAGES / "news.html"), str(PAGES / "blog.html"), "garden.md"]
    proc = speak(["build", *inputs, "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "audio_out"
    assert len(list(out.glob("*.mp3"))) == 3 and len(json.loads((out / "feed.json").read_text())["items"]) == 3
    assert "[3/3]" in proc.stderr

    proc = speak(["build", *inputs, "--digest", "Weekend reads", "--engine", "silent",
                           "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    mp3 = out / "weekend-reads.mp3"
    info = read_mp3(mp3)
    titles = [c.title for c in info.chapters]
    assert titles == ["Intro", "Rain gardens cut city flooding, study finds", "How the gardens work", "What comes next",
                      "Why I switched to a mechanical watch", "Winding as a ritual", "Accuracy, honestly",
                      "What I miss", "Tiny Garden", "Soil", "Outro"]
    assert [c.part for c in info.chapters[1:4]] == ["Rain gardens cut city flooding, study finds"] * 3 and info.chapters[0].part == ""
    assert [c.part for c in info.chapters[-3:]] == ["Tiny Garden", "Tiny Garden", ""]
    tags = ID3(str(mp3))
    top = [t for t in tags.getall("CTOC") if t.flags & 1][0]
    assert top.child_element_ids == ["chp0", "toc1", "toc2", "toc3", "chp10"]
    if FFPROBE:  # players that do not nest see every chapter, in time order
        probe = json.loads(subprocess.run([FFPROBE, "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                                          capture_output=True, text=True, check=True).stdout)
        assert [c["tags"]["title"] for c in probe["chapters"]] == titles
    transcript = (out / "weekend-reads.txt").read_text()
    assert "Coming up: 3 articles: Rain gardens cut city flooding, study finds; Why I switched to a mechanical " \
           "watch; and Tiny Garden." in transcript
    notes = (out / "weekend-reads.md").read_text()
    assert "## Sources" in notes and "by Maria Lopez: https://news.example.com/2026/11/rain-gardens-flooding" in notes
    assert "by Tom Reed: https://slowhours.example.org/2026/10/mechanical-watch/" in notes
    page = (out / "weekend-reads.html").read_text()
    assert '<span class="part">Why I switched to a mechanical watch:</span> <span class="name">Winding as a ritual' \
        in page


def test_digest_script_round_trips(tmp_path: Path) -> None:
    proc = speak(["script", str(PAGES / "news.html"), str(PAGES / "faq_dl.html"),
                           "--digest", "Two stories", "-o", "d.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    script = read_script(tmp_path / "d.yaml")
    assert script.meta.title == "Two stories" and len(script.meta.sources) == 2
    assert {c.part for c in script.chapters} == {"Rain gardens cut city flooding, study finds",
                                                 "Night trains return to the northern line"}
    one = speak(["script", str(PAGES / "news.html"), str(PAGES / "faq_dl.html")], tmp_path)
    assert one.returncode == 2 and "--digest" in one.stderr


# ---------------------------------------------------------------- real pages nobody here wrote

def test_a_docbook_manual_page_keeps_its_numbered_sections_and_reads_no_navigation() -> None:
    article = load_article(PAGES / "real" / "debian-faq-pkg-basics.html")
    titles = [s.title for s in article.sections[1:]]
    assert len(titles) == 15 and titles[0] == "7.1. What is a Debian package?", titles
    assert titles[-1] == "7.15. How do I create Debian packages myself?"
    said = " ".join(p for s in article.sections for p in s.paragraphs).split()
    for nav in ("Prev", "Next", "Home", "Up", "Contents"):
        assert nav not in said, nav


def test_a_sphinx_faq_page_keeps_its_questions_and_reads_no_navigation() -> None:
    article = load_article(PAGES / "real" / "python-faq-general.html")
    titles = [s.title for s in article.sections]
    assert len(titles) >= 20 and "Why was Python created in the first place?" in titles, titles
    said = " ".join(p for s in article.sections for p in s.paragraphs)
    for nav in ("Previous topic", "Next topic", "This Page", "Report a Bug", "Show Source", "Quick search"):
        assert nav not in said, nav


@pytest.mark.parametrize("fragment, words", [
    ("nypost.com/2019/11/18/chinese-hunter", 150),  # the whole article in class="... share ..." wrappers
    ("jpost.com/Breaking-News/Son-of-former", 55),  # a news brief of 64 words
    ("lhpat-tm.com/blog", 15),  # a notice of 18 words
])
def test_real_short_articles_and_articles_in_cluttered_wrappers_are_read(fragment: str, words: int,
                                                                         tmp_path: Path) -> None:
    article = load_article(corpus_page(fragment, tmp_path))
    assert sum(len(p.split()) for s in article.sections for p in s.paragraphs) >= words


def test_a_page_with_an_empty_charset_is_read_as_the_utf8_it_is(tmp_path: Path) -> None:
    page = tmp_path / "maori.html"
    page.write_bytes(('<html><head><meta charset=""><title>Māori tribes “return” home</title></head><body>'
                      f'<article><h1>Māori tribes “return” home</h1><p>{"Kia ora — the tribes’ lands. " * 20}</p>'
                      "</article></body></html>").encode())
    article = load_article(page)
    assert article.title == "Māori tribes “return” home"
    assert "tribes’ lands" in article.sections[0].paragraphs[0] and "Ã" not in article.sections[0].paragraphs[0]


def test_a_server_charset_decides_and_the_saved_page_keeps_it(tmp_path: Path) -> None:
    body = ("<html><head><title>Café culture</title></head><body><article><h1>Café culture</h1>"
            f"<p>{'A café on every corner, señor, and crème brûlée. ' * 20}</p></article></body></html>")
    with hostile_server(extra={"/latin": ("text/html; charset=ISO-8859-1", body.encode("latin-1"))}) as (base, _):
        article, saved = fetch_article(base + "/latin", tmp_path)
    assert article.title == "Café culture" and "crème brûlée" in article.sections[0].paragraphs[0]
    assert load_article(saved).title == "Café culture"  # rebuilt offline from the saved file: the same words


def test_a_digest_of_two_news_pages_titles_each_article_as_a_single_build_does(tmp_path: Path) -> None:
    pages = [corpus_page("cnn.com/2019/11/18/investing", tmp_path), corpus_page("cnn.com/2019/11/18/politics",
                                                                                 tmp_path)]
    singles = [load(p, Options(voice="silent")) for p in pages]
    both = digest(singles, "This week", Options(voice="silent"))
    parts = list(dict.fromkeys(c.part for c in both.script.chapters))
    assert parts == [s.script.meta.title for s in singles]
    assert parts[0].startswith("Investors don't seem to know") and parts[1].startswith("Why you just can't trust")
    assert not any("Videos" in c.title for c in both.script.chapters)


def test_a_standfirst_marked_up_as_a_heading_is_read_never_a_chapter_title(tmp_path: Path) -> None:
    """readability's CNN test page puts its standfirst, a 27-word sentence, in an h2."""
    single = load(PAGES / "real" / "cnn-birth-lottery.html", Options(voice="silent"))
    headline = "The 'birth lottery' and economic mobility"
    assert single.script.meta.title == headline
    assert not any("heralded" in c.title for c in single.script.chapters)
    said = " ".join(s.text for c in single.script.chapters for s in c.segments)
    assert "The U.S. has long been heralded as a land of opportunity" in said
    other = load(corpus_page("cnn.com/2019/11/18/politics", tmp_path), Options(voice="silent"))
    both = digest([single, other], "This week", Options(voice="silent"))
    assert list(dict.fromkeys(c.part for c in both.script.chapters))[0] == headline
    assert not any("heralded" in c.title for c in both.script.chapters)


@pytest.mark.parametrize("text, codec", [("Привет, как дела? Это тест. ", "koi8-r"), ("日本語のテキストです。", "shift_jis"),
                                         ("A café, señor, crème brûlée. ", "cp1252")])
def test_an_undeclared_page_that_is_not_utf8_is_decoded_as_browsers_do(text: str, codec: str) -> None:
    page = f"<html><body><p>{text * 10}</p></body></html>".encode(codec)
    assert text * 10 in decode_page(page)


def test_a_page_that_declares_the_wrong_language_is_read_in_its_own(tmp_path: Path) -> None:
    page = corpus_page("businessinsider.com/how-to-retire-early", tmp_path)
    assert b'<html lang="de"' in page.read_bytes()  # the site's template says German; the article is English
    assert load_article(page).language == "en"
    assert guess_language("Der Hund und die Katze sind nicht im Haus, und das ist auch gut so. " * 5) == "de"
    assert guess_language("Gardens grow slowly in the rain, and the rain is welcome here. " * 5) == "en"
    assert guess_language("Too short to tell.") == "" and guess_language("42 " * 100) == ""
    assert load_article(PAGES / "french.html").language == "fr"
