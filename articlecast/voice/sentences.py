"""Splitting a paragraph into sentences, so that each is spoken (and cached, and captioned) on its own."""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "dr", "mr", "mrs", "ms", "prof", "st", "mt", "no", "nos", "fig",
    "figs", "vol", "inc", "ltd", "co", "corp", "jr", "sr", "u.s", "u.k", "a.m", "p.m", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "dept", "est", "ca", "op", "ed", "eds", "gen", "gov",
}
"""Words that end with a full stop without ending a sentence, in English (and in every language)."""
LANGUAGE_ABBREVIATIONS = {
    "es": {"sra", "sres", "srta", "dra", "d", "dña", "ud", "uds", "núm", "pág", "págs", "p.ej", "aprox", "tel", "av",
           "avda", "admón", "lic", "ing", "ee.uu", "cía", "art", "arts"},
    "fr": {"m", "mm", "mme", "mmes", "mlle", "mlles", "me", "env", "p.ex", "art", "av", "bd", "chap", "éd", "hab",
           "min", "tél", "vol"},
    "it": {"sig", "sigg", "sig.ra", "dott", "dott.ssa", "ing", "avv", "arch", "on", "ecc", "pag", "pagg", "art",
           "tel", "c.so", "p.es"},
    "pt": {"sr", "sra", "srs", "sras", "dra", "exmo", "exma", "av", "pág", "págs", "art", "tel", "p.ex", "aprox",
           "nº", "n.º"},
    "de": {"z.b", "bzw", "usw", "vgl", "ggf", "evtl", "inkl", "nr", "hr", "fr", "abs", "str", "tel", "u.a", "d.h",
           "s", "ca", "mio", "mrd", "bzgl", "etc"},
}
"""Each language's own abbreviations (lower case, without the final full stop)."""
ORDINAL_DOT = {"de", "da", "nb", "no", "fi", "cs", "sk", "sl", "hr", "sr", "hu", "pl", "et", "lv", "lt", "is", "tr"}
"""Languages that write an ordinal as a number and a full stop ("am 3. März"): a number's stop ends no sentence."""
_END = re.compile(r"[.!?…]+[\"”’')\]»]*(?=\s+[\"“‘'(\[¿¡«„]?[^\W_])|[。！？]+[」』）]*")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of a paragraph in ``language``; abbreviations ("e.g.", "Dr.", "z.B.") and initials ("J. Smith") do
    not end one, nor a number's stop where it writes an ordinal ("am 3. März"); a sentence starts with a capital,
    a digit or an opening mark ("¿Qué?"). Japanese and Chinese sentences end at their own marks."""
    base = language.split("-")[0].lower()
    known = ABBREVIATIONS | LANGUAGE_ABBREVIATIONS.get(base, set())
    out: list[str] = []
    cut = 0
    for m in _END.finditer(text):
        if m.group()[0] not in "。！？":
            after = text[m.end():].lstrip()
            first = after.lstrip("\"“‘'([¿¡«„")[:1]
            if not (first.isupper() or first.isdigit() or after[:1] in "¿¡"):
                continue
            head = text[cut: m.start()]
            word = re.search(r"([\w.º]+)$", head)
            last = word.group(1).lower() if word else ""
            if text[m.start()] == "." and (last in known or (len(last) == 1 and last.isalpha())
                                           or (base in ORDINAL_DOT and last.isdigit())):
                continue
        out.append(text[cut: m.end()].strip())
        cut = m.end()
    out.append(text[cut:].strip())
    return [s for s in out if s]


MAX_CHARS = 250
"""The longest piece of text given to a voice at once (about 15 s of speech): longer sentences are split at
clause marks, then between words, so that the voice stays natural and no caption runs on."""
_CLAUSE = re.compile(r"(?<=[,;:—–)])\s+|\s+(?=[—–(])")


def _split_long(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for clause in _CLAUSE.split(sentence):
        for word in clause.split(" ") if len(clause) > limit else [clause]:
            if current and len(current) + 1 + len(word) > limit:
                pieces.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if len(current) >= limit // 2:  # a clause boundary is a good place to stop once a piece is long enough
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def speakable_pieces(text: str, limit: int = MAX_CHARS, language: str = "en") -> list[str]:
    """A segment's text (in ``language``) as the pieces given to a voice: its sentences, each split into pieces of
    at most ``limit`` characters (at clause marks where it can, else between words)."""
    return [piece for sentence in split_sentences(text, language) for piece in _split_long(sentence, limit)]
