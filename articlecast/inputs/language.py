"""Which language an article's text is in, from its commonest words: a check on what a page declares (a real
English page declared ``lang="de"`` by its site's template made a German episode, listened back in German).

Only the languages whose function words are listed here are told apart; for any other text, or text too short
to tell, nothing is said and the page's own declaration stands.
"""

from __future__ import annotations

import re
from collections import Counter

from ..models import LANGUAGE_RE

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to a in is that it for was on with as are be this by you at not have from".split()),
    "de": frozenset("der die und das ist nicht ein eine zu den mit sich auf für im dem des auch es von".split()),
    "fr": frozenset("le la les et des est un une du que pour dans pas sur au qui par ce il avec".split()),
    "es": frozenset("el la los las y de que en un una es por con para no se del al lo como".split()),
    "it": frozenset("il lo la gli le e di che un una è per non con del della sono si da nel".split()),
    "pt": frozenset("o a os as e de que um uma é do da em para não com por se dos no".split()),
    "nl": frozenset("de het een en van is dat op te in niet zijn met voor er aan ook bij".split()),
}
"""The commonest words of each language told apart (words shared by several count for each)."""
MIN_WORDS = 40
"""Fewer words than this are too few to tell."""
LEAD = 2.0
"""The language found must have at least this many times the hits of the next one."""


MIN_CJK = 40
"""Fewer Chinese or Japanese characters than this are too few to tell."""


def _cjk_language(text: str) -> str:
    """ "ja" for text mostly in Japanese script (kana among its characters), "zh" for Chinese characters without
    kana, "" otherwise."""
    letters = sum(c.isalpha() for c in text)
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    han = len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", text))
    if kana + han < MIN_CJK or kana + han < 0.5 * letters:
        return ""
    return "ja" if kana >= 0.05 * (kana + han) else "zh"


def guess_language(text: str) -> str:
    """The language of ``text`` (a two-letter code), or "" when it cannot be told."""
    cjk = _cjk_language(text[:20000])
    if cjk:
        return cjk
    words = re.findall(r"[^\W\d_]+", text[:20000].lower())
    if len(words) < MIN_WORDS:
        return ""
    counts = Counter(words)
    hits = sorted(((sum(counts[w] for w in listed), code) for code, listed in FUNCTION_WORDS.items()), reverse=True)
    (best, code), (second, _) = hits[0], hits[1]
    return code if best >= 0.1 * len(words) and best >= LEAD * max(second, 1) else ""


def checked_language(declared: str, text: str) -> str:
    """The article's language: the page's declaration, unless its text is clearly in another language this module
    tells apart (then that language), or nothing was declared (then what the text is in, when it can be told). A
    declaration that is not a language tag ("English", "en_US" is read as "en-US") counts as none."""
    declared = declared.strip().replace("_", "-")
    if not LANGUAGE_RE.fullmatch(declared):
        declared = ""
    found = guess_language(text)
    if found and declared.split("-")[0].lower() != found:
        return found
    return declared
