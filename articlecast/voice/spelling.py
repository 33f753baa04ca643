"""Spelling out: written forms a voice misreads, turned into the words a person would say.

Numbers, years and decades, ordinals, decimals, currency, percentages, ranges, times and dates, Roman
numerals where they are numbers ("World War II", "Chapter IV", "Henry VIII"; never "I" the pronoun),
common abbreviations, units, and URLs and e-mail addresses (said as their site name, never letter by
letter). Number words come from num2words.

Applied only to what the voice is given (after the script's lexicon), never to titles or transcripts;
:func:`compare_words` applies it to both sides of the listen-back check, so "2-3", "two to three" and
"2 to 3" compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from num2words import CONVERTER_CLASSES, num2words

from ..models import UNSPACED

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"Sept": "September"}
_MONTH = r"(?:" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
              "€": ("euro", "euros", "cent", "cents"), "¥": ("yen", "yen", "", "")}
SCALES = r"(?:thousand|million|billion|trillion)"
UNITS = {
    "km": "kilometre", "kg": "kilogram", "mg": "milligram", "g": "gram", "cm": "centimetre", "mm": "millimetre",
    "ml": "millilitre", "mL": "millilitre", "l": "litre", "L": "litre", "mph": "mile per hour",
    "km/h": "kilometre per hour", "kph": "kilometre per hour", "lb": "pound", "lbs": "pound", "oz": "ounce",
    "ft": "foot", "kWh": "kilowatt hour", "kW": "kilowatt", "MW": "megawatt", "GW": "gigawatt", "GB": "gigabyte",
    "MB": "megabyte", "TB": "terabyte", "Hz": "hertz", "kHz": "kilohertz", "MHz": "megahertz", "GHz": "gigahertz",
    "mcg": "microgram", "µg": "microgram", "mmHg": "millimetre of mercury", "mg/dL": "milligram per decilitre",
    "°C": "degree Celsius", "°F": "degree Fahrenheit", "ms": "millisecond", "sq ft": "square foot",
}
"""Unit symbols said after a number (singular; plurals are made)."""
_IRREGULAR_PLURAL = {"foot": "feet", "hertz": "hertz", "kilohertz": "kilohertz", "megahertz": "megahertz",
                     "gigahertz": "gigahertz", "degree Celsius": "degrees Celsius",
                     "degree Fahrenheit": "degrees Fahrenheit", "mile per hour": "miles per hour",
                     "kilometre per hour": "kilometres per hour", "milligram per decilitre": "milligrams per decilitre",
                     "millimetre of mercury": "millimetres of mercury", "kilowatt hour": "kilowatt hours"}
ABBREVIATIONS = (
    (r"\bDr\.(?=\s+[A-Z])", "Doctor"), (r"\bDrs\.(?=\s+[A-Z])", "Doctors"), (r"\bMr\.", "Mister"),
    (r"\bMrs\.", "Missus"), (r"\bMs\.(?=\s+[A-Z])", "Miz"), (r"\bProf\.(?=\s+[A-Z])", "Professor"),
    (r"\bSt\.(?=\s+[A-Z])", "Saint"), (r"(?<=[a-z] )St\.", "Street"), (r"\bAve\.", "Avenue"),
    (r"\bMt\.(?=\s+[A-Z])", "Mount"), (r"\bNo\.(?=\s*\d)", "number"), (r"\bNos\.(?=\s*\d)", "numbers"),
    (r"\bapprox\.", "approximately"), (r"\be\.g\.,?", "for example,"), (r"\bi\.e\.,?", "that is,"),
    (r"\betc\.", "et cetera."), (r"\bvs\.?(?=\s)", "versus"), (r"\bJr\.", "Junior"), (r"\bSr\.", "Senior"),
    (r"\bInc\.", "Incorporated"), (r"\bLtd\.", "Limited"), (r"\bCo\.(?=\s)", "Company"), (r"\bDept\.", "Department"),
    (r"\bGov\.(?=\s+[A-Z])", "Governor"), (r"\bSen\.(?=\s+[A-Z])", "Senator"), (r"\bRep\.(?=\s+[A-Z])",
                                                                               "Representative"),
    (r"\bGen\.(?=\s+[A-Z])", "General"), (r"\bFig\.(?=\s*\d)", "figure"), (r"\bch\.(?=\s*\d)", "chapter"),
    (r"\bp\.(?=\s*\d)", "page"), (r"\bpp\.(?=\s*\d)", "pages"), (r"\bvol\.(?=\s*\d)", "volume"),
    (r"\bmin\.(?=\s)", "minutes"), (r"\bhrs?\.(?=\s)", "hours"), (r"\best\.(?=\s)", "estimated"),
    (r"\bU\.S\.A?\.?(?=\W|$)", "U S"), (r"\bU\.K\.(?=\W|$)", "U K"), (r"&", " and "),
)
"""(pattern, replacement): abbreviations a voice would read wrongly or letter by letter."""
ROMAN_AFTER = ("War", "Chapter", "Part", "Volume", "Book", "Act", "Scene", "Phase", "Stage", "Type", "Class",
               "Title", "Section", "Article", "Level", "Grade", "Round", "Season", "Episode", "Bowl", "Vatican")
"""Words after which a Roman numeral is a number said as a cardinal ("World War II": two)."""
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "And", "Or", "But", "If", "So", "When", "Then", "That", "This",
              "Part", "Was", "Is", "As", "Of", "For", "By", "To", "With", "Am", "Do", "Did", "Can", "Will"}


def _words(n: int | float, to: str = "cardinal") -> str:
    return num2words(n, to=to, lang="en").replace(",", "").replace("-", " ")


def _number(s: str) -> int | float:
    s = s.replace(",", "")
    return float(s) if "." in s else int(s)


def roman_value(s: str) -> int | None:
    """The value of a well-formed Roman numeral (1-3999), else None."""
    if not s or not re.fullmatch(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return total


def _plural(unit: str, n: str) -> str:
    if n in ("one", "1"):
        return unit
    return _IRREGULAR_PLURAL.get(unit, unit + "s")


def _money(m: re.Match[str]) -> str:
    one, many, cent, cents = CURRENCIES[m["cur"]]
    amount, scale = m["amount"].replace(",", ""), m["scale"]
    if scale:
        return f"{_words(_number(amount))} {scale} {many}"
    whole, _, frac = amount.partition(".")
    out = f"{_words(int(whole))} {one if int(whole) == 1 else many}"
    if frac and cent and int(frac.ljust(2, "0")[:2]):
        c = int(frac.ljust(2, "0")[:2])
        out += f" {_words(c)} {cent if c == 1 else cents}"
    return out


def _year(n: int) -> str:
    return _words(n, "year")


def _time(m: re.Match[str]) -> str:
    h, mins, ampm = int(m["h"]), m["m"], (m["ampm"] or "").replace(".", "").lower()
    said = _words(h)
    if mins and mins != "00":
        said += " oh " + _words(int(mins)) if mins.startswith("0") else " " + _words(int(mins))
    elif not ampm:
        said += " o'clock" if h <= 12 else " hundred"
    if ampm:
        said += " a m" if ampm.startswith("a") else " p m"
    return said


def _date_mdy(m: re.Match[str]) -> str:
    month = _MONTH_ABBR.get(m["mon"].rstrip("."), m["mon"].rstrip("."))
    out = f"{month} {_words(int(m['d']), 'ordinal')}"
    return out + (f" {_year(int(m['y']))}" if m["y"] else "")


def _date_dmy(m: re.Match[str]) -> str:
    month = _MONTH_ABBR.get(m["mon"].rstrip("."), m["mon"].rstrip("."))
    out = f"the {_words(int(m['d']), 'ordinal')} of {month}"
    return out + (f" {_year(int(m['y']))}" if m["y"] else "")


def _iso_date(m: re.Match[str]) -> str:
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m[0]
    return f"{MONTHS[mo - 1]} {_words(d, 'ordinal')} {_year(y)}"


def _site(host: str) -> str:
    host = re.sub(r"^(?:www\d?|m)\.", "", host.lower())
    return " dot ".join(p for p in host.split(".") if p)


def _url(m: re.Match[str]) -> str:
    return _site(m["host"])


def _email(m: re.Match[str]) -> str:
    user = re.sub(r"[._\-+]+", " ", m["user"])
    return f"{user} at {_site(m['host'])}"


def _roman_after(m: re.Match[str]) -> str:
    v = roman_value(m["num"])
    return f"{m['word']} {_words(v)}" if v else m[0]


def _regnal(m: re.Match[str]) -> str:
    v = roman_value(m["num"])
    if not v or m["name"] in _NOT_NAMES or m["name"] in ROMAN_AFTER:
        return m[0]
    return f"{m['name']} the {_words(v, 'ordinal')}"


def _range(m: re.Match[str]) -> str:
    a, b = m["a"], m["b"]
    if a.isdigit() and b.isdigit() and len(a) == 4 and len(b) in (2, 4) and 1000 <= int(a) <= 2099:  # 1990-95
        end = int(a[:2] + b) if len(b) == 2 else int(b)
        return f"{_year(int(a))} to {_year(end)}"
    return f"{_words(_number(a))} to {_words(_number(b))}"


def _unit(m: re.Match[str]) -> str:
    n = m["n"]
    return f"{_words(_number(n))} {_plural(UNITS[m['u']], n)}"


_YEAR_BEFORE = r"(?:in|In|since|Since|by|By|from|From|until|till|before|Before|after|After|of|during|During|circa|" \
               r"early|late|mid|through|between|year|FY|spring|summer|autumn|fall|winter)"
_TLDS = "com|org|net|edu|gov|io|co|uk|us|de|fr|ca|au|info|ai|dev|app|news|eu|nl|ch|jp"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"(?:https?://|www\.)(?P<host>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)[^\s)\]>,;\"']*(?<![.!?])", _url),
        (r"(?P<user>[A-Za-z0-9._%+\-]+)@(?P<host>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)", _email),
        (rf"(?<![\w@.])(?P<host>(?:[A-Za-z0-9\-]+\.)+(?:{_TLDS}))\b(?![.\w]*@)(?:/[^\s)\]>,;\"']*(?<![.!?]))?", _url),
        (r"\b24/7\b", "twenty four seven"),
        (r"\b(?P<m>1[0-2]|0?[1-9])/(?P<d>[0-2]?\d|3[01])/(?P<y>\d{4})\b",
         lambda m: f"{MONTHS[int(m['m']) - 1]} {_words(int(m['d']), 'ordinal')} {_year(int(m['y']))}"),
        (r"\b(?P<pre>[A-Z]{1,4})(?P<n>\d{2,4})\b", r"\g<pre> \g<n>"),
        (r"(?<=\d)x\b", " times"),
        (r"(?<=\d)x(?=\d)", " by "),
        *ABBREVIATIONS,
        (r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b", _iso_date),
        (rf"\b(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?", _date_mdy),
        (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH})(?:,?\s+(?P<y>\d{{4}})\b)?", _date_dmy),
        (r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?:\s*(?P<ampm>[AaPp]\.?[Mm](?:\.(?!\s+[A-Z]|\s*$))?))?(?!\w)", _time),
        (r"\b(?P<h>1[0-2]|0?[1-9])\.(?P<m>[0-5]\d)\s*(?P<ampm>[AaPp]\.?[Mm](?:\.(?!\s+[A-Z]|\s*$))?)(?!\w)",
         _time),
        (r"\b(?P<h>1[0-2]|0?[1-9])\s*(?P<m>)(?P<ampm>[AaPp]\.[Mm](?:\.(?!\s+[A-Z]|\s*$))?|[AaPp][Mm]\b)", _time),
        (rf"(?P<cur>[$£€¥])\s?(?P<amount>{_NUM})(?:\s?(?P<scale>{SCALES}|[mb]n\b))?",
         lambda m: _money(m) if m["scale"] not in ("mn", "bn") else _money_scaled(m)),
        (r"(?P<word>\b(?i:" + "|".join(ROMAN_AFTER) + r"))\s+(?P<num>[IVXLC]+)\b", _roman_after),
        (r"\b(?P<name>[A-Z][a-z]+)\s+(?P<num>(?:II|III|IV|VI|VII|VIII|IX|XI|XII|XIII|XIV|XV|XVI|V|X))\b(?!\.\w)",
         _regnal),
        (r"'(?P<d>\d)0s\b", lambda m: _words(int(m["d"]) * 10, "ordinal").replace("tieth", "ties")),
        (r"\b(?P<y>1[1-9]\d0|20[0-9]0)s\b", lambda m: _year(int(m["y"])).rsplit(" ", 1)[0] + " " +
         _plural_decade(_year(int(m["y"])).rsplit(" ", 1)[-1]) if int(m["y"]) % 100 else
         _year(int(m["y"])) + "s"),
        (r"\b(?P<d>[2-9])0s\b", lambda m: _plural_decade(_words(int(m["d"]) * 10))),
        (r"(?<![\d.,\-–/:])(?P<a>\d+(?:\.\d+)?)\s?(?:-|–|—|to)\s?(?P<b>\d+(?:\.\d+)?)\s?%",
         lambda m: f"{_words(_number(m['a']))} to {_words(_number(m['b']))} percent"),
        (rf"(?P<n>{_NUM})\s?%", lambda m: f"{_words(_number(m['n']))} percent"),
        (r"(?<![\d/])(?P<a>\d{1,3})/(?P<b>\d{1,3})(?![\d/])", r"\g<a> over \g<b>"),
        (rf"(?<![\d.,\-–/:])(?P<a>\d+(?:\.\d+)?)\s?[-–]\s?(?=\d+(?:\.\d+)?\s?(?:{_UNIT_RE})(?![\w]))",
         lambda m: f"{_words(_number(m['a']))} to "),
        (rf"(?P<n>{_NUM})\s?(?P<u>{_UNIT_RE})/(?P<per>{_UNIT_RE})(?![\w/])",
         lambda m: f"{_unit(m)} per {UNITS[m['per']]}"),
        (rf"(?P<n>{_NUM})\s?(?P<u>{_UNIT_RE})(?![\w/])", _unit),
        (r"(?<![\d.,\-–/:])(?P<a>\d{1,4}(?:\.\d+)?)\s?[-–]\s?(?P<b>\d{1,4}(?:\.\d+)?)(?![\d\-–/:])", _range),
        (r"\b(?P<a>1[1-9]\d\d|20\d\d) (?P<w>to|and|through|until|or) (?P<b>1[1-9]\d\d|20\d\d)\b",
         lambda m: f"{_year(int(m['a']))} {m['w']} {_year(int(m['b']))}"),
        (rf"\b(?P<pre>{_YEAR_BEFORE}) (?P<y>1[1-9]\d\d|20\d\d)\b(?![.,]\d)", lambda m: f"{m['pre']} {_year(int(m['y']))}"),
        (r"(?:(?<=^)|(?<=[.!?] ))(?P<y>1[1-9]\d\d|20\d\d)(?=,)", lambda m: _year(int(m["y"]))),
        (rf"\b(?P<pre>{_MONTH}) (?P<y>1[1-9]\d\d|20\d\d)\b", lambda m: f"{m['pre']} {_year(int(m['y']))}"),
        (r"\b(?P<n>\d+)(?P<suf>st|nd|rd|th)\b", lambda m: _words(int(m["n"]), "ordinal")),
        (r"(?<![\w.])(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(?![\d.]\d)",
         lambda m: _words(_number(m["n"]))),
        (r"(?<=\w)/(?=\w)", " or "),
        (r"\s{2,}", " "),
    ))


def _money_scaled(m: re.Match[str]) -> str:
    scale = {"mn": "million", "bn": "billion"}[m["scale"]]
    many = CURRENCIES[m["cur"]][1]
    return f"{_words(_number(m['amount']))} {scale} {many}"


def _plural_decade(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


LANGUAGE_UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "es": {"km": ("kilómetro", "kilómetros"), "kg": ("kilo", "kilos"), "cm": ("centímetro", "centímetros"),
           "mm": ("milímetro", "milímetros"), "m": ("metro", "metros"), "g": ("gramo", "gramos"),
           "h": ("hora", "horas"), "min": ("minuto", "minutos"), "°C": ("grado", "grados"), "l": ("litro", "litros")},
    "fr": {"km": ("kilomètre", "kilomètres"), "kg": ("kilo", "kilos"), "cm": ("centimètre", "centimètres"),
           "mm": ("millimètre", "millimètres"), "m": ("mètre", "mètres"), "g": ("gramme", "grammes"),
           "min": ("minute", "minutes"), "°C": ("degré", "degrés"), "l": ("litre", "litres")},
    "it": {"km": ("chilometro", "chilometri"), "kg": ("chilo", "chili"), "cm": ("centimetro", "centimetri"),
           "mm": ("millimetro", "millimetri"), "m": ("metro", "metri"), "g": ("grammo", "grammi"),
           "h": ("ora", "ore"), "min": ("minuto", "minuti"), "°C": ("grado", "gradi"), "l": ("litro", "litri")},
    "pt": {"km": ("quilômetro", "quilômetros"), "kg": ("quilo", "quilos"), "cm": ("centímetro", "centímetros"),
           "mm": ("milímetro", "milímetros"), "m": ("metro", "metros"), "g": ("grama", "gramas"),
           "h": ("hora", "horas"), "min": ("minuto", "minutos"), "°C": ("grau", "graus"), "l": ("litro", "litros")},
    "de": {"km": ("Kilometer", "Kilometer"), "kg": ("Kilogramm", "Kilogramm"), "cm": ("Zentimeter", "Zentimeter"),
           "mm": ("Millimeter", "Millimeter"), "m": ("Meter", "Meter"), "g": ("Gramm", "Gramm"),
           "h": ("Stunde", "Stunden"), "min": ("Minute", "Minuten"), "°C": ("Grad", "Grad"), "l": ("Liter", "Liter")},
}
"""Units after a number, in words (singular, plural), where espeak-ng would spell their letters."""
_LANGUAGE_UNIT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(km|kg|cm|mm|min|°C|ºC|m|g|h|l)(?![\w°])")
ORDINALS = {
    "es": re.compile(r"\b(\d{1,3})\.?([ºª])"), "pt": re.compile(r"\b(\d{1,3})\.?([ºª])"),
    "it": re.compile(r"\b(\d{1,3})([°ºª])(?!\s?C\b)"), "fr": re.compile(r"\b(\d{1,3})(er|re|e|ème)\b"),
}
"""Ordinals written with a mark (1.º, 1ª, 1°, 1er, 2e), by language."""
_GERMAN_MONTHS = ("Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember")
_GERMAN_DATE = re.compile(rf"\b((?i:am|vom|zum|bis zum|seit dem|ab dem))?(\s?)\b(\d{{1,2}})\.\s(?=(?:{_GERMAN_MONTHS})\b)")
_NUM2WORDS = {"pt": "pt_BR"}
CLOCK = {"fr": ("heure", "heures", " "), "pt": ("hora", "horas", " e ")}
"""Times written "9h05": the hour's word (singular, plural) and what joins the minutes, by language."""
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])\s?h\s?([0-5]\d)?\b")


def _clock(m: re.Match[str], language: str) -> str:
    one, many, join = CLOCK[language]
    hours, minutes = int(m.group(1)), m.group(2)
    said = f"{hours} {one if hours <= 1 else many}"
    return f"{said}{join}{int(minutes)}" if minutes and int(minutes) else said


def _ordinal(n: int, language: str, feminine: bool = False) -> str:
    word = num2words(n, lang=_NUM2WORDS.get(language, language), to="ordinal")
    if feminine and language in ("es", "pt", "it") and word.endswith("o"):
        word = word[:-1] + "a"
    if feminine and language == "fr" and word == "premier":
        word = "première"
    return word


def _language_unit(m: re.Match[str], language: str) -> str:
    number, unit = m.group(1), m.group(2).replace("º", "°")
    singular, plural = LANGUAGE_UNITS[language][unit]
    return f"{number} {singular if number in ('1', '1,0', '1.0') else plural}"


def _localized(text: str, language: str) -> str:
    """``text`` in ``language`` with what espeak-ng would read letter by letter said in words: units after a
    number ("5 km"), ordinals written with a mark ("1.º", "1ª", "1er"), German dates ("am 3. Mai": dritten),
    French and Portuguese times ("9h05": 9 heures 5)."""
    if language in LANGUAGE_UNITS:
        text = _LANGUAGE_UNIT.sub(lambda m: _language_unit(m, language)
                                  if m.group(2).replace("º", "°") in LANGUAGE_UNITS[language] else m.group(0), text)
    if language in CLOCK:
        text = _CLOCK.sub(lambda m: _clock(m, language), text)
    if language in ORDINALS:
        text = ORDINALS[language].sub(lambda m: _ordinal(int(m.group(1)), language, m.group(2) in ("ª", "re")),
                                      text)
    if language == "de":
        text = _GERMAN_DATE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}{_ordinal(int(m.group(3)), 'de')}"
                                          f"{'n' if m.group(1) else ''} ", text)
    return text


def english(language: str) -> bool:
    """Whether ``language`` (a tag; "" for unknown) is English, whose written forms these rules spell out."""
    return language.split("-")[0].lower() in ("en", "")


def spell_out(text: str, language: str = "en") -> str:
    """What the voice should be given for ``text``: the same sentence with written forms spelled out. These rules
    are English. In another language, the voice's own rules of that language read numbers, dates, currency and
    percentages (espeak-ng's, which make Kokoro's pronunciations too); only what they would spell letter by
    letter is said in words here (units, ordinals with a mark, German dates: :data:`LANGUAGE_UNITS`,
    :data:`ORDINALS`)."""
    if not english(language):
        return _localized(text, language.split("-")[0].lower()).strip()
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


def _numbers_said(text: str, language: str) -> str:
    """``text`` with its whole numbers in words of ``language`` (num2words), where num2words speaks it; digit
    groups ("1.500", "1 500") are read as one number, a decimal ("3,5") as two."""
    lang = language.replace("-", "_")
    code = next((c for c in (lang, lang.split("_")[0].lower()) if c in CONVERTER_CLASSES), "")
    if not code:
        return text
    text = re.sub(r"(?<=\d)[.\u00a0\u202f ](?=\d{3}\b)", "", text)
    return re.sub(r"\d+", lambda m: f" {num2words(int(m.group()), lang=code)} ", text)


_CJK_TOKENS = re.compile(f"[{UNSPACED}]|[^\\W_{UNSPACED}]+")


def _japanese_reading(text: str) -> str:
    """Japanese text as it is said, in katakana (pyopenjtalk-plus, with the voices-ja extra; else as written), so
    that kanji, kana and digits that say the same compare equal (今日 and きょう, 二〇二六 and 2026)."""
    try:
        import pyopenjtalk
    except ImportError:
        return text
    return str(pyopenjtalk.g2p(text, kana=True))


def compare_words(text: str, language: str = "en") -> list[str]:
    """The words of ``text`` for comparing what was meant with what was heard: spelled out (in English, by
    :func:`spell_out`; in another language its numbers in words, as a recognizer may write them either way), lower
    case, without punctuation, hyphenated words split ("disease-free" -> disease, free). Accents that only tell
    words apart in writing are dropped, and in French the endings that sound alike are made alike (a silent
    plural: voitures, voiture; ajouté, ajouter, ajoutez): what a listener cannot hear is no miss. Japanese and
    Chinese, written without spaces, compare character by character (Japanese as its reading in kana)."""
    base = language.split("-")[0].lower()
    if base in ("ja", "zh"):
        return _CJK_TOKENS.findall((_japanese_reading(text) if base == "ja" else text).lower())
    if base == "fr":  # French spellings that sound the same: a silent plural, -é, -ée, -er, -ez
        return [_FRENCH_ENDING.sub("e", _FRENCH_PLURAL.sub("", w)) for w in _words_to_compare(text, language)]
    return _words_to_compare(text, language)


_FRENCH_PLURAL = re.compile(r"(?<=\w\w\w)[sx]$")
_FRENCH_ENDING = re.compile(r"(?<=\w\w)(ee|er|ez)$")


def _words_to_compare(text: str, language: str) -> list[str]:
    """The words of ``text`` spelled out, lower case, without punctuation (and in other languages than English,
    without the accents that are not heard)."""
    if english(language):
        text = spell_out(text)
    else:  # an accent that only tells words apart in writing is not heard (qué and que, à and a, è and e)
        said = unicodedata.normalize("NFD", _numbers_said(spell_out(text, language), language))
        text = unicodedata.normalize("NFC", said.replace("\u0301", "").replace("\u0300", ""))
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=\w)'(?=\w)", "", text)  # it's -> its, patients' stays patients
    return re.findall(r"[^\W_]+", text)
